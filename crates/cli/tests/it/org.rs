//! `mamori org import`: units then staff from files through the real binary,
//! re-imported with changes: updates, not duplicates.

use mamori_store::{Db, PageRequest, Store};

use crate::{run, temp_dir};

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn code(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs the story against `db` (the options that name the database).
async fn story(db: &[&str], open: impl AsyncFn() -> Store) {
    let dir = temp_dir();
    let import = |file: &str, kind: Option<&str>| {
        let mut args = vec!["org", "import"];
        args.extend_from_slice(db);
        args.push(file);
        if let Some(k) = kind {
            args.extend(["--kind", k]);
        }
        run(&args)
    };
    let units = write(
        &dir,
        "units.csv",
        "組織コード,組織名,上位組織コード,種別\n10,総務部,,部局\n1010,総務課,10,課\n20,市民部,,部局\n",
    );
    let out = import(&units, Some("units"));
    assert_eq!(out.status.code(), Some(0), "{}", code(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("新規 3"),
        "{}",
        code(&out)
    );
    let staff = write(
        &dir,
        "staff.csv",
        "職員番号,ログインID,氏名,所属コード,雇用区分\nA001,yamada,山田 太郎,1010,正規職員\nA002,sato,佐藤 花子,1010,会計年度任用職員\n",
    );
    let out = import(&staff, None);
    assert_eq!(out.status.code(), Some(0), "{}", code(&out));

    // Changed files: a unit renamed and a new one; a person moved and one new.
    let units2 = write(
        &dir,
        "units2.csv",
        "組織コード,組織名,上位組織コード,種別\n10,総務部,,部局\n1010,総務管理課,10,課\n20,市民部,,部局\n2010,市民課,20,課\n",
    );
    let out = import(&units2, None);
    assert_eq!(out.status.code(), Some(0), "{}", code(&out));
    let staff2 = write(
        &dir,
        "staff2.csv",
        "職員番号,ログインID,氏名,所属コード,雇用区分\nA001,yamada,山田 太郎,2010,正規職員\nA003,suzuki,鈴木 一郎,2010,派遣\n",
    );
    let out = import(&staff2, Some("staff"));
    assert_eq!(out.status.code(), Some(0), "{}", code(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("新規 1、更新 1"),
        "{}",
        code(&out)
    );

    // A bad file: exit 1, the report names the row, nothing written.
    let bad = write(
        &dir,
        "bad.csv",
        "職員番号,氏名,所属コード\nA009,誰か,9999\n",
    );
    let out = import(&bad, None);
    assert_eq!(out.status.code(), Some(1), "{}", code(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2行目 C列「所属コード」"));
    // Unreadable: exit 2.
    let out = import(dir.join("missing.csv").to_str().unwrap(), None);
    assert_eq!(out.status.code(), Some(2), "{}", code(&out));
    let out = import(&write(&dir, "x.txt", "a"), None);
    assert_eq!(out.status.code(), Some(2), "{}", code(&out));

    let store = open().await;
    assert_eq!(
        store
            .list_units(PageRequest::default())
            .await
            .unwrap()
            .total,
        4
    );
    let users = store
        .list_users(None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(users.total, 3, "no duplicates: {:?}", users.items);
    let yamada = store.user_by_name("yamada").await.unwrap().unwrap();
    let s2010 = store.unit_by_code("2010").await.unwrap().unwrap();
    assert_eq!(yamada.unit_id, Some(s2010.id));
    assert_eq!(
        store.unit_by_code("1010").await.unwrap().unwrap().name,
        "総務管理課"
    );
    assert!(store.user_by_name("A009").await.unwrap().is_none());
    store.close().await;
}

#[tokio::test]
async fn org_import_through_the_binary_on_sqlite() {
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
async fn org_import_through_the_binary_on_postgres() {
    let Some((store, url)) = mamori_store::testing::pg_store().await.unwrap() else {
        println!("skipped: MAMORI_TEST_DATABASE_URL is not set");
        return;
    };
    story(&["--database-url", &url], async || store.clone()).await;
}
