use axum::http::StatusCode;
use serde_json::json;

use crate::client::{PASSWORD, clients};

#[tokio::test]
async fn api_lists_threats_with_categories_and_policy_articles() {
    for (backend, mut c) in clients().await {
        let token = c.token("tanaka", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/threats?per_page=500", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let v = r.json();
        let items = v["items"].as_array().unwrap();
        assert_eq!(v["total"].as_i64().unwrap() as usize, items.len());
        for name in [
            "不正アクセス",
            "マルウェアによる攻撃",
            "内部不正",
            "機器故障",
            "落雷",
            "通信の途絶",
        ] {
            assert!(items.iter().any(|t| t["name"] == name), "{backend}: {name}");
        }
        let cats = c
            .api("GET", "/api/v1/threat-categories", Some(&token), None)
            .await
            .json();
        assert_eq!(cats["total"], 4);
        let first = cats["items"][0]["code"].as_str().unwrap().to_string();
        let r = c
            .api(
                "GET",
                &format!("/api/v1/threats?category={first}&per_page=2&page=2"),
                Some(&token),
                None,
            )
            .await
            .json();
        assert_eq!(r["items"].as_array().unwrap().len(), 2, "{backend}: paged");
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["category"] == first.as_str())
        );

        let doc = c
            .api(
                "GET",
                "/api/v1/policy-documents/basic_policy",
                Some(&token),
                None,
            )
            .await
            .json();
        let articles = doc["articles"].as_array().unwrap();
        assert_eq!(articles.len(), 11, "{backend}");
        assert_eq!(articles[6]["label"], "第7");
        assert_eq!(articles[6]["items"].as_array().unwrap().len(), 4);
        assert_eq!(doc["revisions"].as_array().unwrap().len(), 5);
        let controls = c
            .api("GET", "/api/v1/controls?per_page=5", Some(&token), None)
            .await
            .json();
        assert_eq!(controls["items"].as_array().unwrap().len(), 5);
        let schemes = c
            .api("GET", "/api/v1/classification-schemes", Some(&token), None)
            .await
            .json();
        assert_eq!(schemes["total"], 2);
        let me = c.api("GET", "/api/v1/me", Some(&token), None).await.json();
        assert_eq!(me["username"], "tanaka");
        assert!(me.get("password_hash").is_none());
    }
}

#[tokio::test]
async fn api_errors_are_clear_and_change_nothing() {
    for (backend, mut c) in clients().await {
        let r = c.api("GET", "/api/v1/threats", None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert_eq!(r.json()["error"]["code"], "MAMORI-AUTH-REQUIRED");
        let r = c
            .api("GET", "/api/v1/threats", Some("not-a-token"), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = c
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "admin", "password": "nope nope nope"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["error"]["code"], "MAMORI-AUTH-FAILED");
        let token = c.token("admin", PASSWORD).await;
        let r = c
            .api("GET", "/api/v1/no-such-route", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        assert_eq!(r.json()["error"]["code"], "MAMORI-NOT-FOUND");
        let req = axum::http::Request::post("/api/v1/users")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"username\": \"x\", "))
            .unwrap();
        let before = c
            .store
            .list_users(None, Default::default())
            .await
            .unwrap()
            .total;
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "MAMORI-BAD-JSON");
        let r = c
            .api(
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(json!({"username": "x"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: missing fields"
        );
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("display_name")
        );
        let r = c.api("POST", "/api/v1/users", Some(&token), Some(json!({"username": "x", "display_name": "X", "password": PASSWORD, "roles": ["emperor"]}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("emperor")
        );
        assert_eq!(
            c.store
                .list_users(None, Default::default())
                .await
                .unwrap()
                .total,
            before,
            "{backend}: nothing written"
        );
        let r = c
            .api("GET", "/api/v1/threats?page=abc", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        assert!(r.json()["error"]["message"].as_str().is_some());
    }
}

#[tokio::test]
async fn api_permissions_follow_the_policy() {
    for (backend, mut c) in clients().await {
        let staff = c.token("tanaka", PASSWORD).await;
        for path in ["/api/v1/users", "/api/v1/events"] {
            let r = c.api("GET", path, Some(&staff), None).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{backend}: staff on {path}"
            );
            assert_eq!(r.json()["error"]["code"], "MAMORI-FORBIDDEN");
        }
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&staff),
                Some(json!({"code": "Z", "name": "Z", "kind": "section"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&admin),
                Some(json!({"code": "D02", "name": "市民局", "kind": "department"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&admin),
                Some(json!({"code": "D02", "name": "重複", "kind": "department"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}");
        let r = c.api("POST", "/api/v1/users", Some(&admin), Some(json!({"username": "sato", "display_name": "佐藤", "password": PASSWORD, "roles": ["auditor"]}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = c
            .api(
                "PATCH",
                &format!("/api/v1/users/{id}"),
                Some(&admin),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(r.json()["active"], false, "{backend}");
        let r = c
            .api("GET", "/api/v1/events?entity=user", Some(&admin), None)
            .await
            .json();
        assert!(
            r["total"].as_i64().unwrap() >= 3,
            "{backend}: user changes are logged"
        );
        let v = c
            .api("POST", "/api/v1/events/verify", Some(&admin), None)
            .await
            .json();
        assert_eq!(v["intact"], true, "{backend}");
        // A session cookie may read the API but not change anything.
        let r = c
            .api(
                "PUT",
                "/api/v1/classification-schemes/active",
                None,
                Some(json!({"code": "mic-legacy"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = c
            .api(
                "PUT",
                "/api/v1/classification-schemes/active",
                Some(&admin),
                Some(json!({"code": "mic-legacy"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
    }
}

#[tokio::test]
async fn nobody_locks_themselves_out_and_account_errors_have_codes() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        let me = c.api("GET", "/api/v1/me", Some(&admin), None).await.json();
        let id = me["id"].as_i64().unwrap();
        for (patch, field) in [
            (json!({"active": false}), "active"),
            (json!({"roles": ["staff"]}), "roles"),
        ] {
            let r = c
                .api(
                    "PATCH",
                    &format!("/api/v1/users/{id}"),
                    Some(&admin),
                    Some(patch),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            let f = &r.json()["error"]["fields"][0];
            assert_eq!(f["field"], field, "{backend}");
            assert_eq!(f["code"], "MAMORI-USER-SELF-LOCKOUT", "{backend}");
        }
        let r = c
            .api(
                "POST",
                "/api/v1/users",
                Some(&admin),
                Some(json!({"username": "admin", "display_name": "二人目", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        assert_eq!(
            r.json()["error"]["reason"],
            "MAMORI-USER-NAME-TAKEN",
            "{backend}"
        );
        let r = c
            .api(
                "POST",
                "/api/v1/users",
                Some(&admin),
                Some(json!({"username": "kato", "display_name": "加藤", "password": "short"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let f = &r.json()["error"]["fields"][0];
        assert_eq!(f["field"], "password", "{backend}");
        assert_eq!(f["code"], "MAMORI-PASSWORD-TOO-SHORT", "{backend}");
        assert!(
            f["message_en"].as_str().unwrap().contains("at least 12"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let (_, mut c) = clients().await.remove(0);
    {
        let r = c.api("GET", "/api/v1/openapi.json", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let v = r.json();
        assert!(v["openapi"].as_str().unwrap().starts_with("3."));
        for p in [
            "/api/v1/auth/token",
            "/api/v1/threats",
            "/api/v1/policy-documents/{code}",
            "/api/v1/users",
            "/api/v1/events/verify",
        ] {
            assert!(v["paths"].get(p).is_some(), "{p} documented");
        }
    }
}
