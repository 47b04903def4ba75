//! `mamori policy import` and `export` through the real binary: exit 0 with the
//! counts, 1 with each line that could not be placed (nothing written), 2 for an
//! unreadable file; an export that imports back to the same provisions
//! (例規集 text, Markdown and .docx).

use mamori_core::policy_doc::parse::{Format, parse};
use mamori_store::{Db, Store};

use crate::{run, temp_dir};

const SEED: &str = include_str!("../../../core/src/policy_doc/testdata/basic-policy.md");

const STANDARDS: &str = "\
〇〇市情報セキュリティ対策基準
第1章　総則
（目的）
第1条　この対策基準は、必要な事項を定める。
（定義）
第2条　用語の意義は、次のとおりとする。
(1)　職員　本市職員をいう。
ア　正規職員
2　前項のほか、基本方針の例による。
";

fn write(dir: &std::path::Path, name: &str, text: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn said(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn story(db: &[&str], open: impl AsyncFn() -> Store) {
    let dir = temp_dir();
    let cmd = |args: &[&str]| {
        let mut all = vec!["policy"];
        all.extend_from_slice(args);
        all.extend_from_slice(db);
        run(&all)
    };
    // The seed's basic policy (Markdown): 11 articles, 41 provisions.
    let seed = write(&dir, "basic-policy.md", SEED.as_bytes());
    let out = cmd(&[
        "import",
        &seed,
        "--code",
        "basic_policy",
        "--level",
        "basic",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("11 articles, 41 provisions"),
        "{}",
        said(&out)
    );

    // The standards from 例規集 text.
    let text = write(&dir, "standards.txt", STANDARDS.as_bytes());
    let out = cmd(&[
        "import",
        &text,
        "--code",
        "standards",
        "--level",
        "standard",
        "--format",
        "reiki",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 articles, 6 provisions"));

    // A line out of order: exit 1, the line named, nothing written.
    let bad = write(
        &dir,
        "bad.txt",
        "規程\n第1条　a。\n第7条　b。\n第5条　c。\n".as_bytes(),
    );
    let out = cmd(&["import", &bad, "--code", "other", "--level", "standard"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("4行目") && stderr.contains("line 4"),
        "{}",
        said(&out)
    );
    assert!(stderr.contains("第5条"), "{}", said(&out));
    // An unknown level: exit 1, nothing written.
    let out = cmd(&["import", &text, "--code", "other", "--level", "law"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    // Unreadable: a missing file, a file that is not UTF-8, a damaged .docx.
    let out = cmd(&[
        "import",
        &dir.join("none.txt").to_string_lossy(),
        "--code",
        "x",
        "--level",
        "standard",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    let binary = write(&dir, "binary.txt", &[0xff, 0xfe, 0x00, 0x81]);
    let out = cmd(&["import", &binary, "--code", "x", "--level", "standard"]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    let docx = write(&dir, "damaged.docx", b"PK not really");
    let out = cmd(&["import", &docx, "--code", "x", "--level", "standard"]);
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));

    // Export round trips: text, Markdown and .docx read back the same.
    let expected = parse(STANDARDS, Format::Reiki).unwrap();
    for (name, format) in [("out.txt", Format::Reiki), ("out.md", Format::Markdown)] {
        let file = dir.join(name);
        let out = cmd(&[
            "export",
            "standards",
            &file.to_string_lossy(),
            "--version",
            "1",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", said(&out));
        let back = parse(&std::fs::read_to_string(&file).unwrap(), format).unwrap();
        assert_eq!(back, expected, "{name}");
    }
    let file = dir.join("out.docx");
    let out = cmd(&["export", "standards", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    // The .docx imports back as the next draft.
    let out = cmd(&[
        "import",
        &file.to_string_lossy(),
        "--code",
        "standards",
        "--level",
        "standard",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 articles, 6 provisions"),
        "{}",
        said(&out)
    );
    // A level other than the document's is refused.
    let out = cmd(&[
        "import",
        &text,
        "--code",
        "standards",
        "--level",
        "procedure",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));

    let store = open().await;
    let doc = store.pdoc_by_code("standards").await.unwrap();
    let latest = store.pdoc_latest(doc.id).await.unwrap().unwrap();
    assert_eq!(latest.number, 2);
    assert!(
        store.pdoc_by_code("other").await.is_err(),
        "nothing written"
    );
    // The second version kept the first one's keys.
    let v1 = store.pdoc_version(doc.id, 1).await.unwrap();
    let keys = |b: mamori_core::policy_doc::Body| {
        b.flatten().into_iter().map(|f| f.key).collect::<Vec<_>>()
    };
    assert_eq!(
        keys(store.pdoc_body(&v1).await.unwrap()),
        keys(store.pdoc_body(&latest).await.unwrap())
    );
    store.close().await;
}

#[tokio::test]
async fn policy_import_and_export_through_the_binary_on_sqlite() {
    let dir = temp_dir();
    let data = dir.to_str().unwrap().to_string();
    let path = dir.join("mamori.db");
    story(&["--data-dir", &data], async || {
        Store::init(Db::connect_sqlite_file(&path).await.unwrap())
            .await
            .unwrap()
    })
    .await;
}

#[tokio::test]
async fn policy_import_and_export_through_the_binary_on_postgres() {
    let Some((store, url)) = mamori_store::testing::pg_store().await.unwrap() else {
        println!("skipped: MAMORI_TEST_DATABASE_URL is not set");
        return;
    };
    story(&["--database-url", &url], async || store.clone()).await;
}
