//! `mamori systems import` / `export`: all rows or none, errors by row and
//! column, exit codes 0 (written) and 1 (refused, nothing written).

use crate::{run, temp_dir};

#[test]
fn systems_round_trip_through_the_binary_all_rows_or_none() {
    let dir = temp_dir();
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let data = data.to_str().unwrap().to_string();
    let good = dir.join("systems.csv");
    std::fs::write(
        &good,
        "コード,名称,委託先・サービス,稼働開始日\nSYS-1,文書管理,A社,2020-04-01\nSYS-2,財務会計,B社,令和3年4月1日\n",
    )
    .unwrap();
    let out = run(&[
        "systems",
        "import",
        "--data-dir",
        &data,
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "コード,名称,稼働開始日\nSYS-3,,2020-04-01\nSYS-4,新,いつか\n",
    )
    .unwrap();
    let out = run(&[
        "systems",
        "import",
        "--data-dir",
        &data,
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2行 名称"), "{err}");
    assert!(err.contains("3行 稼働開始日"), "{err}");
    let file = dir.join("out.csv");
    let out = run(&[
        "systems",
        "export",
        "--data-dir",
        &data,
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("SYS-2") && text.contains("2021-04-01"),
        "{text}"
    );
    assert!(!text.contains("SYS-3") && !text.contains("SYS-4"), "{text}");
}
