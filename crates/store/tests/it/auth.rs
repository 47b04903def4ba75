//! Sign-in throttling, sessions and the files of the SQLite store (issue 10,
//! findings 4, 8 and 10).

use mamori_core::org::SystemRole;
use mamori_store::testing::all_stores;
use mamori_store::users::{FREE_ATTEMPTS, NewUser, SignIn, UserUpdate};
use mamori_store::{Actor, Store, db_run};
use std::time::Instant;

const PASSWORD: &str = "a long enough passphrase";

async fn user(store: &Store, name: &str) -> i64 {
    store
        .create_user(
            &Actor::System("test"),
            NewUser {
                username: name.into(),
                display_name: format!("{name} さん"),
                email: None,
                unit_id: None,
                roles: vec![SystemRole::Staff],
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
        .id
}

async fn count_events(store: &Store, action: &str) -> i64 {
    db_run!(store.db(), |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM events WHERE entity = 'sign_in' AND action = $1",
        )
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
    })
}

#[tokio::test]
async fn parallel_wrong_passwords_are_checked_at_most_the_allowed_times() {
    for (backend, store) in all_stores().await {
        user(&store, "tanaka").await;
        let started = Instant::now();
        let attempts: Vec<_> = (0..60)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .sign_in("tanaka", "wrong password!!", "203.0.113.66")
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut rejected = 0;
        let mut throttled = 0;
        for a in attempts {
            match a.await.unwrap() {
                SignIn::Rejected => rejected += 1,
                SignIn::Throttled { retry_after_secs } => {
                    // 30 s, give or take the clock read before the statement ran.
                    assert!((1..=31).contains(&retry_after_secs), "{retry_after_secs}");
                    throttled += 1;
                }
                SignIn::Ok(_) => panic!("{backend}: a wrong password signed in"),
            }
        }
        let elapsed = started.elapsed();
        println!(
            "{backend}: 60 parallel wrong passwords: {rejected} checked, {throttled} throttled, {elapsed:?}"
        );
        assert_eq!(
            rejected, FREE_ATTEMPTS,
            "{backend}: checked against the hash"
        );
        assert_eq!(throttled, 60 - FREE_ATTEMPTS, "{backend}");
        // Only the checked attempts reached the password hash (one event each).
        assert_eq!(count_events(&store, "failure").await, FREE_ATTEMPTS);
        assert_eq!(count_events(&store, "throttled").await, 60 - FREE_ATTEMPTS);

        // The right password from the attacker's address waits too …
        assert!(
            matches!(
                store
                    .sign_in("tanaka", PASSWORD, "203.0.113.66")
                    .await
                    .unwrap(),
                SignIn::Throttled { .. }
            ),
            "{backend}"
        );
        // … but the user signs in from their own address.
        assert!(
            matches!(
                store
                    .sign_in("tanaka", PASSWORD, "192.0.2.10")
                    .await
                    .unwrap(),
                SignIn::Ok(_)
            ),
            "{backend}: the real user is not locked out"
        );

        // Once the wait has passed, one more attempt is checked, and the wait doubles.
        db_run!(store.db(), |pool| {
            sqlx::query("UPDATE login_throttle SET next_at_ms = 0")
                .execute(pool)
                .await
                .unwrap();
        });
        assert_eq!(
            store
                .sign_in("tanaka", "wrong password!!", "203.0.113.66")
                .await
                .unwrap(),
            SignIn::Rejected,
            "{backend}"
        );
        match store
            .sign_in("tanaka", "wrong password!!", "203.0.113.66")
            .await
            .unwrap()
        {
            SignIn::Throttled { retry_after_secs } => {
                assert!(
                    (31..=61).contains(&retry_after_secs),
                    "{backend}: {retry_after_secs}"
                )
            }
            other => panic!("{backend}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn sessions_are_stored_by_hash_and_end_with_the_password_or_the_account() {
    for (backend, store) in all_stores().await {
        let uid = user(&store, "suzuki").await;
        let other = user(&store, "sato").await;
        let expires = "2999-01-01T00:00:00Z";
        for id in ["s-one", "s-two"] {
            assert!(
                store
                    .session_create(id, Some(uid), "{\"uid\":1}", expires)
                    .await
                    .unwrap()
            );
        }
        store
            .session_create("s-other", Some(other), "{}", expires)
            .await
            .unwrap();
        let stored: Vec<String> = db_run!(store.db(), |pool| {
            sqlx::query_scalar("SELECT id_hash FROM sessions ORDER BY id_hash")
                .fetch_all(pool)
                .await
                .unwrap()
        });
        assert_eq!(stored.len(), 3, "{backend}");
        assert!(
            stored.contains(&mamori_store::sessions::session_id_hash("s-one")),
            "{backend}"
        );
        assert!(
            stored.iter().all(|h| h.len() == 64 && !h.starts_with("s-")),
            "{backend}: ids are not stored as they are: {stored:?}"
        );
        assert!(store.session_load("s-one").await.unwrap().is_some());

        // A new password ends every session and token of the user, not others'.
        let token = store.issue_token(uid, "suzuki").await.unwrap();
        store
            .set_password(
                &Actor::System("test"),
                uid,
                "another long passphrase",
                false,
            )
            .await
            .unwrap();
        assert!(
            store.session_load("s-one").await.unwrap().is_none(),
            "{backend}"
        );
        assert!(
            store.session_load("s-two").await.unwrap().is_none(),
            "{backend}"
        );
        assert!(store.session_load("s-other").await.unwrap().is_some());
        assert_eq!(store.user_for_token(&token).await.unwrap(), None);
        // A session ended meanwhile is not brought back by a late save.
        store
            .session_save("s-one", Some(uid), "{}", expires)
            .await
            .unwrap();
        assert!(
            store.session_load("s-one").await.unwrap().is_none(),
            "{backend}"
        );

        // Deactivating ends them too, and reactivating does not bring them back.
        store
            .session_create("s-three", Some(uid), "{}", expires)
            .await
            .unwrap();
        let token = store.issue_token(uid, "suzuki").await.unwrap();
        for active in [false, true] {
            store
                .update_user(
                    &Actor::System("test"),
                    uid,
                    UserUpdate {
                        active: Some(active),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        }
        assert!(
            store.session_load("s-three").await.unwrap().is_none(),
            "{backend}"
        );
        assert_eq!(
            store.user_for_token(&token).await.unwrap(),
            None,
            "{backend}"
        );
        // Other changes of the user leave the sessions alone.
        store
            .session_create("s-four", Some(uid), "{}", expires)
            .await
            .unwrap();
        store
            .update_user(
                &Actor::System("test"),
                uid,
                UserUpdate {
                    display_name: Some("鈴木 一郎".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            store.session_load("s-four").await.unwrap().is_some(),
            "{backend}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_the_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = std::env::temp_dir().join(format!("mamori-modes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("data");
    mamori_store::db::create_private_dir(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    let db_path = dir.join("mamori.db");
    let store = Store::open(&format!("sqlite://{}", db_path.display()))
        .await
        .unwrap();
    user(&store, "tanaka").await;
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db_path.display()));
        assert!(p.exists(), "{}", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    store.close().await;

    // A database left readable by others is narrowed when opened.
    std::fs::set_permissions(&db_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = Store::open(&format!("sqlite://{}", db_path.display()))
        .await
        .unwrap();
    assert_eq!(mode(&db_path), 0o600);
    store.close().await;
    let _ = std::fs::remove_dir_all(&root);
}
