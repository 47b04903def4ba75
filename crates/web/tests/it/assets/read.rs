use axum::http::StatusCode;
use mamori_core::org::{SystemRole, UnitKind};
use mamori_store::Actor;
use mamori_store::units::NewUnit;
use mamori_store::users::NewUser;

use super::input;
use crate::client::{PASSWORD, clients};

#[tokio::test]
async fn the_api_shows_each_caller_what_the_policy_allows() {
    for (backend, mut c) in clients().await {
        let actor = Actor::System("test");
        let own = c.store.unit_by_code("D01").await.unwrap().unwrap();
        let other = c
            .store
            .create_unit(
                &actor,
                NewUnit {
                    parent_id: None,
                    code: "D09".into(),
                    name: "他局".into(),
                    name_en: String::new(),
                    kind: UnitKind::Department,
                },
            )
            .await
            .unwrap();
        let a1 = c
            .store
            .create_asset(&actor, input("自課の資料", own.id, "2"))
            .await
            .unwrap();
        let a2 = c
            .store
            .create_asset(&actor, input("自課の秘密", own.id, "3A"))
            .await
            .unwrap();
        let b1 = c
            .store
            .create_asset(&actor, input("他局の資料", other.id, "2"))
            .await
            .unwrap();
        let b2 = c
            .store
            .create_asset(&actor, input("他局の秘密", other.id, "3A"))
            .await
            .unwrap();
        assert!(a2.is_top && b2.is_top, "{backend}");
        c.store
            .create_user(
                &actor,
                NewUser {
                    username: "kansa".into(),
                    display_name: "監査".into(),
                    email: None,
                    unit_id: Some(own.id),
                    roles: vec![SystemRole::Auditor],
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();

        let names = |v: serde_json::Value| -> Vec<String> {
            let mut n: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string())
                .collect();
            n.sort();
            n
        };
        // Staff: their own unit only, top level included.
        let staff = c.token("tanaka", PASSWORD).await;
        let r = c.api("GET", "/api/v1/assets", Some(&staff), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(
            names(r.json()),
            vec!["自課の秘密", "自課の資料"],
            "{backend}"
        );
        assert_eq!(
            c.api(
                "GET",
                &format!("/api/v1/assets/{}", b1.id),
                Some(&staff),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let detail = c
            .api(
                "GET",
                &format!("/api/v1/assets/{}", a1.id),
                Some(&staff),
                None,
            )
            .await
            .json();
        assert_eq!(detail["asset"]["label"], "C2-I1-A1", "{backend}");
        assert!(
            !detail["handling"].as_array().unwrap().is_empty(),
            "{backend}: handling rules shown"
        );
        assert_eq!(detail["history"][0]["action"], "create");

        // An auditor: everything except other units' top-level assets.
        let auditor = c.token("kansa", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/assets?sort=name", Some(&auditor), None)
            .await;
        assert_eq!(
            names(r.json()),
            vec!["他局の資料", "自課の秘密", "自課の資料"],
            "{backend}"
        );
        assert_eq!(
            c.api(
                "GET",
                &format!("/api/v1/assets/{}", b2.id),
                Some(&auditor),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // The security office (admin holds it): all, and the filters work.
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/assets", Some(&admin), None)
            .await
            .json();
        assert_eq!(r["total"], 4, "{backend}");
        let r = c
            .api(
                "GET",
                "/api/v1/assets?confidentiality=3A",
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(names(r), vec!["他局の秘密", "自課の秘密"]);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/assets?unit={}&q=資料", other.id),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(names(r), vec!["他局の資料"], "{backend}");
        let r = c
            .api("GET", "/api/v1/assets?kind=spaceship", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.body.contains("spaceship"));
    }
}

#[tokio::test]
async fn the_register_pages_follow_the_policy_too() {
    for (backend, mut c) in clients().await {
        let actor = Actor::System("test");
        let own = c.store.unit_by_code("D01").await.unwrap().unwrap();
        let other = c
            .store
            .create_unit(
                &actor,
                NewUnit {
                    parent_id: None,
                    code: "D09".into(),
                    name: "他局".into(),
                    name_en: String::new(),
                    kind: UnitKind::Department,
                },
            )
            .await
            .unwrap();
        let mut mine = input("自課の名簿", own.id, "2");
        mine.my_number = true;
        mine.personal_info = true;
        let a = c.store.create_asset(&actor, mine).await.unwrap();
        let b = c
            .store
            .create_asset(&actor, input("他局の名簿", other.id, "2"))
            .await
            .unwrap();
        c.sign_in("tanaka", PASSWORD).await;
        let r = c.get("/assets").await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert!(
            r.body.contains("自課の名簿") && !r.body.contains("他局の名簿"),
            "{backend}"
        );
        assert!(
            r.body.contains("badge bad\">要確認<"),
            "{backend}: My Number below the top level is flagged"
        );
        let r = c.get(&format!("/assets/{}", a.id)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("C2-I1-A1") && r.body.contains("取扱制限"),
            "{backend}"
        );
        assert!(r.body.contains("登録"), "{backend}: history in words");
        assert_eq!(
            c.get(&format!("/assets/{}", b.id)).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        let r = c.get("/assets?q=名簿&flagged=true").await;
        assert!(r.body.contains("自課の名簿"), "{backend}");
        assert_eq!(
            c.get("/assets?kind=rocket").await.status,
            StatusCode::BAD_REQUEST
        );
    }
}

/// The event log shows an entry about an asset only to those who may read the
/// asset: an auditor gets 404 for another unit's 機密性3 asset, and nothing of
/// it from the log either (the API, with and without filters, and the page).
#[tokio::test]
async fn the_event_log_hides_what_the_register_hides() {
    use super::{asset, units, user};
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        let open = asset(&c, "他局の資料", other.id, "2").await;
        let secret = asset(&c, "他局の秘密名簿", other.id, "3A").await;
        let mine = asset(&c, "自課の秘密", own.id, "3A").await;
        user(&c, "kansa", own.id, SystemRole::Auditor).await;
        user(&c, "office", own.id, SystemRole::SecurityOfficer).await;
        let auditor = c.token("kansa", PASSWORD).await;
        let office = c.token("office", PASSWORD).await;
        let asset_ids = |v: &serde_json::Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["entity"] == "asset")
                .map(|e| e["entity_id"].as_str().unwrap().to_string())
                .collect()
        };

        let get = format!("/api/v1/assets/{}", secret.id);
        let r = c.api("GET", &get, Some(&auditor), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");

        let by_id = format!("/api/v1/events?entity=asset&entity_id={}", secret.id);
        let r = c.api("GET", &by_id, Some(&auditor), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["total"], 0, "{backend}: {}", r.body);
        assert!(!r.body.contains("他局の秘密名簿"), "{backend}");

        let r = c
            .api("GET", "/api/v1/events?per_page=500", Some(&auditor), None)
            .await;
        let seen = asset_ids(&r.json());
        assert!(!r.body.contains("他局の秘密名簿"), "{backend}");
        assert!(!seen.contains(&secret.id.to_string()), "{backend}");
        assert!(seen.contains(&open.id.to_string()), "{backend}");
        assert!(seen.contains(&mine.id.to_string()), "{backend}");
        // The other entries (users, units, …) are still there.
        assert!(
            r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["entity"] == "user"),
            "{backend}"
        );

        // The security office sees every entry.
        let r = c.api("GET", &by_id, Some(&office), None).await;
        assert_eq!(r.json()["total"], 1, "{backend}: {}", r.body);

        // The page: the auditor's filtered log is empty.
        c.sign_in("kansa", PASSWORD).await;
        let page = c
            .get(&format!("/events?entity=asset&entity_id={}", secret.id))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(
            !page
                .body
                .contains(&format!("href=\"/assets/{}\"", secret.id)),
            "{backend}: the page lists the hidden asset's entry"
        );
        let page = c
            .get(&format!("/events?entity=asset&entity_id={}", open.id))
            .await;
        assert!(
            page.body.contains(&format!("href=\"/assets/{}\"", open.id)),
            "{backend}: the visible asset's entry is listed"
        );
    }
}
