use mamori_store::{Db, Store};

use crate::{run, temp_dir};

async fn tamper(db: &Db) -> i64 {
    let sql = "UPDATE events SET after_json = REPLACE(after_json, '不正アクセス', '改ざん') WHERE entity = 'threat' AND after_json LIKE '%不正アクセス%' RETURNING seq";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Pg(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

#[tokio::test]
async fn verify_passes_then_names_the_changed_event_on_sqlite() {
    let dir = temp_dir();
    let db_path = dir.join("mamori.db");
    let store = Store::init(Db::connect_sqlite_file(&db_path).await.unwrap())
        .await
        .unwrap();
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
    let seq = tamper(store.db()).await;
    store.close().await;
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("#{seq}")), "names the event: {text}");
}

#[tokio::test]
async fn verify_on_postgres() {
    let Some((store, url)) = mamori_store::testing::pg_store().await.unwrap() else {
        println!("skipped: MAMORI_TEST_DATABASE_URL is not set");
        return;
    };
    let out = run(&["verify", "--database-url", &url]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seq = tamper(store.db()).await;
    let out = run(&["verify", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("#{seq}")));
}

#[test]
fn verify_without_a_database_says_so() {
    let dir = temp_dir();
    let out = run(&[
        "verify",
        "--data-dir",
        dir.join("nothing-here").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Mamori database"));
}
