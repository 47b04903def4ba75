//! `mamori assets import` and `mamori org import` with hostile files: exit 2
//! (unreadable) and a message naming the limit, quickly; 1 stays "checked,
//! nothing written"; the limits come from `[import]` in mamori.toml.

use std::time::{Duration, Instant};

use mamori_sheet::testing::hostile;

use crate::{run, temp_dir};

fn show(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn unreadable_files_exit_2_and_checked_files_exit_1() {
    let dir = temp_dir();
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("mamori.toml"),
        "[import]\nmax_xlsx_unpacked_bytes = 4194304\nmax_upload_bytes = 8000000\n",
    )
    .unwrap();
    let data = data.to_str().unwrap().to_string();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let sparse = file("sparse.xlsx", &hostile::sparse_far_cell());
    let bomb = file("bomb.xlsx", &hostile::whitespace_bomb(16 << 20));
    let corrupt = file("corrupt.xlsx", b"PK\x03\x04garbage");
    let big = file("big.csv", &hostile::csv_giant_cell(9_000_000));
    let wide = file("wide.csv", &hostile::csv_wide(1_000_000));
    for (what, path, limit) in [
        ("a cell at XFD1048576", &sparse, "import.max_columns"),
        (
            "16 MiB of whitespace",
            &bomb,
            "import.max_xlsx_unpacked_bytes",
        ),
        ("a damaged workbook", &corrupt, ".xlsx"),
        (
            "a file over the upload limit",
            &big,
            "import.max_upload_bytes",
        ),
        ("1,000,000 columns", &wide, "import.max_columns"),
    ] {
        for command in [
            vec!["assets", "import", "--data-dir", &data, path],
            vec![
                "org",
                "import",
                "--data-dir",
                &data,
                "--kind",
                "units",
                path,
            ],
        ] {
            let start = Instant::now();
            let out = run(&command);
            let took = start.elapsed();
            assert_eq!(out.status.code(), Some(2), "{what}: {}", show(&out));
            assert!(
                String::from_utf8_lossy(&out.stdout).contains(limit),
                "{what}: {}",
                show(&out)
            );
            assert!(out.stdout.len() < 4096, "{what}: {}", show(&out));
            assert!(took < Duration::from_secs(10), "{what}: {took:?}");
        }
    }
    // Read and checked, nothing written: still 1.
    let bad = file("bad.csv", "資産名,種別\n台帳,なにか\n".as_bytes());
    let out = run(&["assets", "import", "--data-dir", &data, &bad]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let bad = file("bad-units.csv", "組織コード,組織名\n,名前だけ\n".as_bytes());
    let out = run(&["org", "import", "--data-dir", &data, &bad]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    // An unknown setting in [import] is refused at start (exit 2).
    std::fs::write(
        dir.join("data").join("mamori.toml"),
        "[import]\nmax_rowz = 5\n",
    )
    .unwrap();
    let out = run(&["assets", "import", "--data-dir", &data, &bad]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mamori.toml"),
        "{}",
        show(&out)
    );
}
