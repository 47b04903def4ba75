use mamori_core::org::UnitKind;
use mamori_store::events::{ChainVerdict, EventFilter, verify_chain};
use mamori_store::testing::all_stores;
use mamori_store::units::NewUnit;
use mamori_store::{Actor, Db, PageRequest};

async fn exec(db: &Db, sql: &'static str) {
    match db {
        Db::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
        Db::Pg(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

async fn store_with_unit() -> Vec<(&'static str, mamori_store::Store)> {
    let stores = all_stores().await;
    for (_, store) in &stores {
        let actor = Actor::System("test");
        let unit = store
            .create_unit(
                &actor,
                NewUnit {
                    parent_id: None,
                    code: "X1".into(),
                    name: "総務局".into(),
                    name_en: "GA".into(),
                    kind: UnitKind::Department,
                },
            )
            .await
            .unwrap();
        store
            .rename_unit(&actor, unit.id, "総務部", "General Affairs")
            .await
            .unwrap();
    }
    stores
}

#[tokio::test]
async fn chain_is_intact_after_writes() {
    for (backend, store) in store_with_unit().await {
        match verify_chain(store.db()).await.unwrap() {
            ChainVerdict::Intact { events } => assert!(events > 100, "{backend}: {events}"),
            other => panic!("{backend}: {other:?}"),
        }
        let history = mamori_store::events::list_events(
            store.db(),
            &EventFilter {
                entity: Some("unit".into()),
                entity_id: None,
                ..Default::default()
            },
            &mamori_store::assets::AssetScope::unrestricted(),
            PageRequest::default(),
        )
        .await
        .unwrap();
        assert_eq!(history.total, 2, "{backend}");
        assert_eq!(history.items[0].action, "update");
        assert!(
            history.items[0]
                .before_json
                .as_deref()
                .unwrap()
                .contains("総務局")
        );
        assert!(
            history.items[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("総務部")
        );
    }
}

#[tokio::test]
async fn a_changed_event_is_named() {
    for (backend, store) in store_with_unit().await {
        exec(store.db(), "UPDATE events SET after_json = REPLACE(after_json, '総務部', '改ざん') WHERE entity = 'unit' AND action = 'update'").await;
        let seq: i64 = match store.db() {
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT seq FROM events WHERE entity = 'unit' AND action = 'update'",
            )
            .fetch_one(p)
            .await
            .unwrap(),
            Db::Pg(p) => sqlx::query_scalar(
                "SELECT seq FROM events WHERE entity = 'unit' AND action = 'update'",
            )
            .fetch_one(p)
            .await
            .unwrap(),
        };
        match verify_chain(store.db()).await.unwrap() {
            ChainVerdict::Broken { seq: s, reason } => {
                assert_eq!(s, seq, "{backend}: {reason}");
                assert!(reason.contains("changed"), "{reason}");
            }
            other => panic!("{backend}: tampering not found: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_removed_event_is_named() {
    for (backend, store) in store_with_unit().await {
        exec(store.db(), "DELETE FROM events WHERE seq = 5").await;
        match verify_chain(store.db()).await.unwrap() {
            ChainVerdict::Broken { seq, reason } => {
                assert_eq!(seq, 5, "{backend}: {reason}");
                assert!(reason.contains("missing"), "{reason}");
            }
            other => panic!("{backend}: removal not found: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_removed_last_event_and_reordering_are_named() {
    for (backend, store) in store_with_unit().await {
        exec(
            store.db(),
            "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
        )
        .await;
        assert!(
            matches!(
                verify_chain(store.db()).await.unwrap(),
                ChainVerdict::Broken { .. }
            ),
            "{backend}"
        );
    }
    for (backend, store) in store_with_unit().await {
        // Swap the contents of events 3 and 4 (keeping their sequence numbers).
        exec(store.db(), "UPDATE events SET seq = -3 WHERE seq = 3").await;
        exec(store.db(), "UPDATE events SET seq = 3 WHERE seq = 4").await;
        exec(store.db(), "UPDATE events SET seq = 4 WHERE seq = -3").await;
        match verify_chain(store.db()).await.unwrap() {
            ChainVerdict::Broken { seq, .. } => assert_eq!(seq, 3, "{backend}"),
            other => panic!("{backend}: reordering not found: {other:?}"),
        }
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_chain() {
    for (backend, store) in all_stores().await {
        let mut handles = Vec::new();
        for i in 0..8 {
            let s = store.clone();
            handles.push(tokio::spawn(async move {
                s.create_unit(
                    &Actor::System("test"),
                    NewUnit {
                        parent_id: None,
                        code: format!("C{i}"),
                        name: format!("課{i}"),
                        name_en: String::new(),
                        kind: UnitKind::Section,
                    },
                )
                .await
            }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        assert!(
            matches!(
                verify_chain(store.db()).await.unwrap(),
                ChainVerdict::Intact { .. }
            ),
            "{backend}"
        );
    }
}
