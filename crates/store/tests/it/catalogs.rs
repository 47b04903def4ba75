use mamori_store::PageRequest;
use mamori_store::catalogs::{ControlFilter, ThreatFilter};
use mamori_store::testing::all_stores;

#[tokio::test]
async fn builtin_catalogues_are_loaded_once() {
    for (backend, store) in all_stores().await {
        let doc = store.policy_document("basic_policy").await.unwrap();
        assert_eq!(doc.articles.len(), 11, "{backend}");
        assert_eq!(doc.articles[0].label, "第1");
        let art2 = doc.articles.iter().find(|a| a.number == 2).unwrap();
        assert_eq!(art2.items.len(), 14, "{backend}: 第2 has 14 definitions");
        let art7 = doc.articles.iter().find(|a| a.number == 7).unwrap();
        assert_eq!(art7.items.len(), 4, "{backend}");
        let dates: Vec<&str> = doc.revisions.iter().map(|r| r.effective.as_str()).collect();
        assert_eq!(
            dates,
            [
                "2002-11-01",
                "2008-04-01",
                "2012-06-05",
                "2022-04-01",
                "2025-03-01"
            ]
        );

        let cats = store.threat_categories().await.unwrap();
        assert_eq!(cats.len(), 4, "{backend}");
        let all = store
            .list_threats(&ThreatFilter::default(), PageRequest::new(None, Some(500)))
            .await
            .unwrap();
        assert!(all.total >= 25, "{backend}: {} threats", all.total);
        assert!(all.items.iter().any(|t| t.name == "サービス不能攻撃"));
        assert!(all.items.iter().any(|t| t.name == "水道供給の途絶"));
        let disasters = store
            .list_threats(
                &ThreatFilter {
                    category: Some(cats[2].code.clone()),
                },
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert!(disasters.items.iter().all(|t| t.category == cats[2].code));
        assert!(disasters.items.iter().any(|t| t.name == "地震"));

        let ccats = store.control_categories().await.unwrap();
        assert_eq!(ccats.len(), 5, "{backend}");
        let controls = store
            .list_controls(
                &ControlFilter::default(),
                PageRequest::new(Some(1), Some(10)),
            )
            .await
            .unwrap();
        assert_eq!(controls.items.len(), 10);
        assert!(controls.total > 10);
        assert!(
            controls.items.iter().all(|c| !c.threats.is_empty()),
            "{backend}: controls carry their threats"
        );

        let schemes = store.classification_schemes().await.unwrap();
        assert_eq!(schemes.len(), 2);
        assert_eq!(store.active_scheme().await.unwrap().code, "mic-r6");

        // A second start does not load again.
        let again = mamori_store::Store::init(store.db().clone()).await.unwrap();
        let doc2 = again.policy_documents().await.unwrap();
        assert_eq!(doc2.len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn active_scheme_can_change_and_is_logged() {
    for (backend, store) in all_stores().await {
        let admin = mamori_store::Actor::System("test");
        store.set_active_scheme(&admin, "mic-legacy").await.unwrap();
        assert_eq!(
            store.active_scheme().await.unwrap().code,
            "mic-legacy",
            "{backend}"
        );
        let err = store.set_active_scheme(&admin, "nope").await.unwrap_err();
        assert!(err.to_string().contains("nope"), "{backend}: {err}");
        assert_eq!(store.active_scheme().await.unwrap().code, "mic-legacy");
    }
}
