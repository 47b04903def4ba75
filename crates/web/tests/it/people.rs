//! Classification changes and notices through the real router, on both
//! databases: staff's reclassification is a request (202) that its proposer
//! cannot approve and another unit cannot see; the section's manager approves
//! it through the API; the notices are the person's own.

use axum::http::StatusCode;
use serde_json::json;

use crate::client::{PASSWORD, clients};
use crate::org::{section, staff};
use crate::risk::role;

#[tokio::test]
async fn a_classification_change_by_staff_waits_for_the_sections_manager() {
    for (backend, c) in clients().await {
        let dept = c.store.unit_by_code("D01").await.unwrap().unwrap().id;
        let a = section(&c, "A", dept).await;
        let b = section(&c, "B", dept).await;
        staff(&c, "yamada", a).await;
        staff(&c, "other", b).await;
        let kacho = staff(&c, "kacho", a).await;
        role(&c, kacho, "security_administrator", Some(a)).await;
        let mut cl = c.fresh();
        let yamada = cl.token("yamada", PASSWORD).await;
        let other = cl.token("other", PASSWORD).await;
        let kacho_t = cl.token("kacho", PASSWORD).await;

        let r = cl
            .api(
                "POST",
                "/api/v1/assets",
                Some(&yamada),
                Some(json!({"name": "窓口名簿", "kind": "electronic_information", "owner_unit_id": a,
                    "administrator": "課長", "location": "庁舎", "retention": "5年",
                    "lifecycle": "in_use", "confidentiality": "2", "integrity": "2", "availability": "2"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let asset = r.json()["id"].as_i64().unwrap();
        let change = json!({"confidentiality": "1", "integrity": "1", "availability": "1", "reason": "公開"});
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/assets/{asset}/reclassify"),
                Some(&yamada),
                Some(change.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{backend}: {}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["state"], "pending");
        assert_eq!(r.json()["from"], "C2-I2-A2");
        assert_eq!(r.json()["to"], "C1-I1-A1");
        let path = format!("/api/v1/classification-requests/{id}/decision");
        let r = cl
            .api(
                "POST",
                &path,
                Some(&yamada),
                Some(json!({"decision": "approve"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/classification-requests/{id}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = cl
            .api(
                "GET",
                "/api/v1/classification-requests?state=pending",
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.json()["total"], 1, "{backend}: {}", r.body);
        let r = cl
            .api(
                "GET",
                "/api/v1/classification-requests?state=nope",
                Some(&kacho_t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = cl
            .api(
                "POST",
                &path,
                Some(&kacho_t),
                Some(json!({"decision": "maybe"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
        let r = cl
            .api(
                "POST",
                &path,
                Some(&kacho_t),
                Some(json!({"decision": "approve", "note": "可"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["decider_name"], "kacho さん");
        let r = cl
            .api(
                "GET",
                &format!("/api/v1/assets/{asset}"),
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(
            r.json()["asset"]["label"],
            "C1-I1-A1",
            "{backend}: {}",
            r.body
        );
        // The manager changes levels at once (200, the asset).
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/assets/{asset}/reclassify"),
                Some(&kacho_t),
                Some(json!({"confidentiality": "2", "integrity": "1", "availability": "1", "reason": "見直し"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["label"], "C2-I1-A1");

        // Notices: the proposer was told; each reads only their own.
        let r = cl
            .api("GET", "/api/v1/notices?unread=true", Some(&yamada), None)
            .await;
        let items = r.json()["items"].as_array().unwrap().clone();
        let decided = items
            .iter()
            .find(|n| n["kind"] == "approval_decided")
            .unwrap_or_else(|| panic!("{backend}: {}", r.body));
        let nid = decided["id"].as_i64().unwrap();
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/notices/{nid}/read"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = cl
            .api(
                "POST",
                &format!("/api/v1/notices/{nid}/read"),
                Some(&yamada),
                None,
            )
            .await;
        assert_eq!(r.json()["marked"], 1, "{backend}");
        let r = cl
            .api("POST", "/api/v1/notices/read", Some(&kacho_t), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");

        // The pages: the request, the list, the notices, the dashboard's to-do.
        let mut page = c.fresh();
        page.sign_in("kacho", PASSWORD).await;
        let p = page.get(&format!("/classification-requests/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{backend}");
        assert!(p.body.contains("kacho さん"), "{backend}");
        let p = page.get("/classification-requests?page=2").await;
        assert!(
            p.body.contains("これより先はありません"),
            "{backend}: {}",
            p.body
        );
        assert_eq!(page.get("/notices").await.status, StatusCode::OK);
        assert_eq!(page.get("/").await.status, StatusCode::OK);
        // Staff do not reach the mail outbox.
        let mut s = c.fresh();
        s.sign_in("yamada", PASSWORD).await;
        assert_eq!(s.get("/admin/mail").await.status, StatusCode::FORBIDDEN);
        let mut adm = c.fresh();
        adm.sign_in("admin", PASSWORD).await;
        let p = adm.get("/admin/mail").await;
        assert!(p.body.contains("id=\"mail-disabled\""), "{backend}");
    }
}
