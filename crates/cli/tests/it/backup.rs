//! `mamori backup` and `mamori restore` through the real binary: a store copied
//! while writes go on comes back whole, with its settings, mamori.toml and
//! policies; bad backups and occupied folders change nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mamori_core::asset::{AssetKind, Levels, Lifecycle};
use mamori_core::org::UnitKind;
use mamori_store::assets::AssetInput;
use mamori_store::events::{ChainVerdict, chain_head, verify_chain};
use mamori_store::units::NewUnit;
use mamori_store::{Actor, Db, Store};

use crate::{run, temp_dir};

const ACTOR: Actor = Actor::System("backup-test");
const POLICY: &str = "// extra policy\nforbid (principal, action, resource) when { false };\n";
const TOML: &str = "session_hours = 4\n";

fn out(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn asset(name: String, unit: i64) -> AssetInput {
    AssetInput {
        name,
        kind: AssetKind::ElectronicInformation,
        description: String::new(),
        owner_unit_id: unit,
        administrator: "課長".into(),
        location: "共有フォルダ".into(),
        system_id: None,
        segment_id: None,
        personal_info: false,
        my_number: false,
        retention: "5年".into(),
        levels: Levels::new("2", "2", "2"),
        lifecycle: Lifecycle::InUse,
        disposal: None,
        notes: String::new(),
    }
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Pg(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// A data folder with a store of some assets, a setting, mamori.toml and a policy.
async fn populated() -> (std::path::PathBuf, Store, i64) {
    let dir = temp_dir();
    let store = Store::init(
        Db::connect_sqlite_file(&dir.join("mamori.db"))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let unit = store
        .create_unit(
            &ACTOR,
            NewUnit {
                parent_id: None,
                code: "B1".into(),
                name: "情報政策課".into(),
                name_en: String::new(),
                kind: UnitKind::Section,
            },
        )
        .await
        .unwrap()
        .id;
    for i in 0..50 {
        store
            .create_asset(&ACTOR, asset(format!("資産{i}"), unit))
            .await
            .unwrap();
    }
    store
        .set_setting(&ACTOR, "backup.test", "設定値")
        .await
        .unwrap();
    std::fs::write(dir.join("mamori.toml"), TOML).unwrap();
    std::fs::create_dir(dir.join("policies")).unwrap();
    std::fs::write(dir.join("policies/local.cedar"), POLICY).unwrap();
    (dir, store, unit)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_round_trips_while_writes_go_on() {
    let (dir, store, unit) = populated().await;
    let d = dir.to_str().unwrap().to_string();

    // Writers keep creating assets while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let store = store.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                store
                    .create_asset(&ACTOR, asset(format!("並行{n}"), unit))
                    .await
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    // Let a few writes land, then note what was committed before the backup.
    while count(store.db(), "SELECT count(*) FROM assets").await < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (events_before, _) = chain_head(store.db()).await.unwrap();
    let assets_before = count(store.db(), "SELECT count(*) FROM assets").await;
    let backup = dir.join("backup.tar");
    let b = backup.to_str().unwrap().to_string();
    let o = tokio::task::spawn_blocking(move || run(&["backup", &b, "--data-dir", &d]))
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let written_during = writer.await.unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(written_during > 10, "writes went on: {written_during}");
    assert_eq!(mode(&backup), 0o600, "the backup file is private");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("events"), "{text}");

    // Restored into a new folder: every event committed before the backup began,
    // an intact chain, the setting, mamori.toml and the policy.
    let restored = temp_dir().join("restored");
    let r = restored.to_str().unwrap();
    let o = run(&["restore", backup.to_str().unwrap(), "--data-dir", r]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("intact"),
        "{}",
        out(&o)
    );
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("mamori.db")), 0o600);
    assert_eq!(
        std::fs::read_to_string(restored.join("mamori.toml")).unwrap(),
        TOML
    );
    assert_eq!(
        std::fs::read_to_string(restored.join("policies/local.cedar")).unwrap(),
        POLICY
    );
    let leftovers: Vec<_> = std::fs::read_dir(&restored)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no scratch folder left: {leftovers:?}"
    );

    let copy = Store::open(&format!(
        "sqlite://{}",
        restored.join("mamori.db").display()
    ))
    .await
    .unwrap();
    let ChainVerdict::Intact { events } = verify_chain(copy.db()).await.unwrap() else {
        panic!("the restored chain is broken");
    };
    assert!(
        events >= events_before,
        "{events} restored, {events_before} committed before the backup"
    );
    let assets = count(copy.db(), "SELECT count(*) FROM assets").await;
    assert!(assets >= assets_before, "{assets} < {assets_before}");
    assert_eq!(
        copy.setting("backup.test").await.unwrap().as_deref(),
        Some("設定値")
    );
    copy.close().await;
    store.close().await;

    // `mamori verify` agrees, with the same count.
    let o = run(&["verify", "--data-dir", r]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("({events} events)")),
        "{}",
        out(&o)
    );
}

#[tokio::test]
async fn restore_refuses_an_occupied_folder_without_force_and_replaces_with_it() {
    let (dir, store, _) = populated().await;
    let backup = dir.join("b.tar");
    let o = run(&[
        "backup",
        backup.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let (head, _) = chain_head(store.db()).await.unwrap();
    // More changes after the backup, and a policy the backup does not have.
    store.set_setting(&ACTOR, "after", "x").await.unwrap();
    store.close().await;
    std::fs::write(dir.join("policies/later.cedar"), POLICY).unwrap();
    let db_before = std::fs::read(dir.join("mamori.db")).unwrap();

    let o = run(&[
        "restore",
        backup.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--force"),
        "{}",
        out(&o)
    );
    assert_eq!(std::fs::read(dir.join("mamori.db")).unwrap(), db_before);
    assert!(dir.join("policies/later.cedar").exists());

    let o = run(&[
        "restore",
        backup.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("{head} events")),
        "{}",
        out(&o)
    );
    assert!(
        !dir.join("policies/later.cedar").exists(),
        "the policies are those of the backup"
    );
    assert!(dir.join("policies/local.cedar").exists());
    assert!(!dir.join("mamori.db-wal").exists());
    let copy = Store::open(&format!("sqlite://{}", dir.join("mamori.db").display()))
        .await
        .unwrap();
    assert_eq!(copy.setting("after").await.unwrap(), None);
    copy.close().await;
}

#[tokio::test]
async fn a_damaged_backup_exits_2_and_leaves_the_folder_untouched() {
    let (dir, store, _) = populated().await;
    store.close().await;
    let backup = dir.join("b.tar");
    let o = run(&[
        "backup",
        backup.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let bytes = std::fs::read(&backup).unwrap();

    let cut = dir.join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let flipped = dir.join("flipped.tar");
    let mut f = bytes.clone();
    let i = f.len() / 2;
    f[i] ^= 0x55;
    std::fs::write(&flipped, &f).unwrap();
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, b"this is not a backup at all").unwrap();
    let empty = dir.join("empty.tar");
    std::fs::write(&empty, b"").unwrap();

    for (bad, what) in [
        (&cut, "cut short"),
        (&flipped, "one byte changed"),
        (&junk, "not a tar"),
        (&empty, "empty"),
    ] {
        // Into a folder that does not exist: it must not be created.
        let target = temp_dir().join("never");
        let o = run(&[
            "restore",
            bad.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", out(&o));
        assert!(!target.exists(), "{what}: the folder was created");
        // Over an installation with --force: nothing of it changes.
        let before = std::fs::read(dir.join("mamori.db")).unwrap();
        let o = run(&[
            "restore",
            bad.to_str().unwrap(),
            "--data-dir",
            dir.to_str().unwrap(),
            "--force",
        ]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", out(&o));
        assert_eq!(
            std::fs::read(dir.join("mamori.db")).unwrap(),
            before,
            "{what}"
        );
        assert!(dir.join("policies/local.cedar").exists(), "{what}");
        assert!(dir.join("mamori.toml").exists(), "{what}");
        let scratch: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(scratch.is_empty(), "{what}: {scratch:?}");
    }
}

#[test]
fn backup_of_postgres_points_at_pg_dump() {
    let dir = temp_dir();
    let o = run(&[
        "backup",
        dir.join("b.tar").to_str().unwrap(),
        "--database-url",
        "postgres://postgres@127.0.0.1:5432/test",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("pg_dump"),
        "{}",
        out(&o)
    );
    assert!(!dir.join("b.tar").exists());
}

#[test]
fn backup_without_a_database_says_so() {
    let dir = temp_dir();
    let o = run(&[
        "backup",
        dir.join("b.tar").to_str().unwrap(),
        "--data-dir",
        dir.join("none").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(!dir.join("b.tar").exists());
}

#[tokio::test]
async fn a_changed_event_log_is_restored_and_named_with_exit_1() {
    let (dir, store, _) = populated().await;
    let seq: i64 = match store.db() {
        Db::Sqlite(p) => sqlx::query_scalar(
            "UPDATE events SET after_json = REPLACE(after_json, '資産7', '改ざん') WHERE after_json LIKE '%資産7\"%' RETURNING seq",
        )
        .fetch_one(p)
        .await
        .unwrap(),
        Db::Pg(_) => unreachable!(),
    };
    store.close().await;
    let backup = dir.join("b.tar");
    // The backup is written, and says the copy's log is broken.
    let o = run(&[
        "backup",
        backup.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("#{seq}")),
        "{}",
        out(&o)
    );
    let target = temp_dir().join("restored");
    let o = run(&[
        "restore",
        backup.to_str().unwrap(),
        "--data-dir",
        target.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("#{seq}")),
        "{}",
        out(&o)
    );
    assert!(target.join("mamori.db").exists(), "restored all the same");
}
