use axum::http::StatusCode;
use mamori_core::org::SystemRole;
use serde_json::json;

use super::{asset, fields, units, user};
use crate::client::{PASSWORD, clients};

#[tokio::test]
async fn each_write_route_of_the_api_validates_writes_and_logs() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        let admin = c.token("admin", PASSWORD).await;

        // Create: every bad field is named at once, nothing is written.
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(
                    json!({"name": " ", "kind": "spaceship", "confidentiality": "9",
                    "integrity": "1", "availability": "", "lifecycle": "disposed"}),
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        let body = r.json();
        assert_eq!(body["error"]["code"], "MAMORI-INVALID");
        assert_eq!(
            fields(&body),
            vec![
                "availability",
                "confidentiality",
                "kind",
                "lifecycle",
                "name",
                "owner_unit_id"
            ],
            "{backend}: {body}"
        );
        assert!(
            r.body.contains("spaceship") && r.body.contains("9"),
            "{backend}: says why"
        );
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(json!({"name": "名簿", "kind": "行政情報", "owner_unit_id": 999999,
                    "confidentiality": "2", "integrity": "1", "availability": "1", "system_id": 424242})),
            )
            .await;
        assert_eq!(
            fields(&r.json()),
            vec!["owner_unit_id", "system_id"],
            "{backend}"
        );
        assert_eq!(
            c.api("GET", "/api/v1/assets", Some(&admin), None)
                .await
                .json()["total"],
            0
        );

        // Create for real.
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(json!({"name": "住民記録の写し", "kind": "administrative_information",
                    "owner_unit_id": own.id, "confidentiality": "C2", "integrity": "2",
                    "availability": "1", "personal_info": true, "retention": "5年", "lifecycle": "in_use"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let created = r.json();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["label"], "C2-I2-A1", "{backend}");
        assert_eq!(created["lifecycle"], "in_use");
        let path = format!("/api/v1/assets/{id}");

        // Edit: only what is sent changes; bad fields are named.
        let r = c
            .api(
                "PATCH",
                &path,
                Some(&admin),
                Some(json!({"name": "住民記録の写し（旧）", "location": "書庫A"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["name"], "住民記録の写し（旧）");
        assert_eq!(r.json()["retention"], "5年", "{backend}: untouched");
        let r = c
            .api(
                "PATCH",
                &path,
                Some(&admin),
                Some(json!({"name": "", "owner_unit_id": 777777, "segment_id": 5555, "lifecycle": "disposed"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert_eq!(
            fields(&r.json()),
            vec!["lifecycle", "name", "owner_unit_id", "segment_id"],
            "{backend}"
        );

        // Reclassify: levels of the active scheme and a reason.
        let reclassify = format!("{path}/reclassify");
        let r = c
            .api(
                "POST",
                &reclassify,
                Some(&admin),
                Some(json!({"confidentiality": "3Z", "integrity": "2", "availability": "7"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert_eq!(
            fields(&r.json()),
            vec!["availability", "confidentiality", "reason"],
            "{backend}"
        );
        let r = c
            .api(
                "POST",
                &reclassify,
                Some(&admin),
                Some(json!({"confidentiality": "3B", "integrity": "2", "availability": "2", "reason": "個人番号を含むことが判明"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["label"], "C3B-I2-A2", "{backend}");

        // Dispose: date, method and confirmer.
        let dispose = format!("{path}/dispose");
        let r = c.api("POST", &dispose, Some(&admin), Some(json!({}))).await;
        assert_eq!(
            fields(&r.json()),
            vec!["disposal_confirmed_by", "disposal_method", "disposed_on"],
            "{backend}"
        );
        let r = c
            .api(
                "POST",
                &dispose,
                Some(&admin),
                Some(json!({"date": "昨日", "method": "溶解", "confirmed_by": "佐藤"})),
            )
            .await;
        assert_eq!(fields(&r.json()), vec!["disposed_on"], "{backend}");
        let r = c
            .api("POST", &dispose, Some(&admin), Some(json!({"date": "令和7年4月1日", "method": "溶解処理", "confirmed_by": "佐藤 課長"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let disposed = r.json();
        assert_eq!(disposed["lifecycle"], "disposed");
        assert_eq!(disposed["disposed_on"], "2025-04-01", "{backend}");
        // A disposed asset stays on record and cannot be changed.
        let r = c
            .api("PATCH", &path, Some(&admin), Some(json!({"name": "x"})))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: {}", r.body);
        let r = c.api("GET", &path, Some(&admin), None).await.json();
        let actions: Vec<&str> = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec!["dispose", "reclassify", "update", "create"],
            "{backend}"
        );
        // --- h15 --- each entry names the person (issue 17), the logged actor beside.
        let first = &r["history"][0];
        assert!(
            first["actor"].as_str().unwrap().starts_with("user:"),
            "{backend}: the raw actor is kept"
        );
        assert_eq!(first["actor_name"], "システム管理者", "{backend}");
        let reason: serde_json::Value =
            serde_json::from_str(r["history"][1]["after_json"].as_str().unwrap()).unwrap();
        assert_eq!(
            reason["reason"], "個人番号を含むことが判明",
            "{backend}: the reason is logged"
        );

        // Writes need a bearer token, not a session cookie.
        assert_eq!(
            c.api("POST", "/api/v1/assets", None, Some(json!({})))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn the_policy_decides_who_writes_which_asset() {
    for (backend, mut c) in clients().await {
        let (own, other) = units(&c).await;
        user(&c, "kansa", own.id, SystemRole::Auditor).await;
        user(&c, "yamada", other.id, SystemRole::Staff).await;
        let mine = asset(&c, "自課の資料", own.id, "2").await;
        let my_top = asset(&c, "自課の秘密", own.id, "3A").await;
        let theirs = asset(&c, "他局の資料", other.id, "2").await;
        let their_top = asset(&c, "他局の秘密", other.id, "3A").await;
        let staff = c.token("tanaka", PASSWORD).await;
        let auditor = c.token("kansa", PASSWORD).await;
        let new = |unit: i64, level: &str| {
            json!({"name": "新しい資産", "kind": "equipment", "owner_unit_id": unit,
                "confidentiality": level, "integrity": "1", "availability": "1"})
        };

        // Staff register assets of their own unit only.
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&staff),
                Some(new(other.id, "2")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&staff),
                Some(new(own.id, "3A")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        // An auditor reads but does not write.
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&auditor),
                Some(new(own.id, "2")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
        let r = c
            .api(
                "PATCH",
                &format!("/api/v1/assets/{}", theirs.id),
                Some(&auditor),
                Some(json!({"notes": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);

        // Staff change their own unit's assets, top level included ...
        for a in [&mine, &my_top] {
            let r = c
                .api(
                    "PATCH",
                    &format!("/api/v1/assets/{}", a.id),
                    Some(&staff),
                    Some(json!({"notes": "点検済み"})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        }
        // ... but not another unit's (which they cannot even see) ...
        for a in [&theirs, &their_top] {
            for (method, suffix, body) in [
                ("PATCH", "", json!({"notes": "x"})),
                (
                    "POST",
                    "/reclassify",
                    json!({"confidentiality": "1", "integrity": "1", "availability": "1", "reason": "x"}),
                ),
                (
                    "POST",
                    "/dispose",
                    json!({"date": "2025-04-01", "method": "x", "confirmed_by": "x"}),
                ),
            ] {
                let r = c
                    .api(
                        method,
                        &format!("/api/v1/assets/{}{suffix}", a.id),
                        Some(&staff),
                        Some(body),
                    )
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "{backend}: {method} {suffix}"
                );
            }
        }
        // ... nor move theirs to another unit.
        let r = c
            .api(
                "PATCH",
                &format!("/api/v1/assets/{}", mine.id),
                Some(&staff),
                Some(json!({"owner_unit_id": other.id})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {}", r.body);

        // A top-confidentiality asset: an auditor of another unit cannot see it, so
        // cannot write it; its own unit's staff can.
        let yamada = c.token("yamada", PASSWORD).await;
        let r = c
            .api("POST", &format!("/api/v1/assets/{}/reclassify", my_top.id), Some(&yamada),
                Some(json!({"confidentiality": "1", "integrity": "1", "availability": "1", "reason": "x"})))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
        let r = c
            .api("POST", &format!("/api/v1/assets/{}/reclassify", their_top.id), Some(&yamada),
                Some(json!({"confidentiality": "2", "integrity": "1", "availability": "1", "reason": "見直し"})))
            .await;
        // Staff's change is a request for the unit's manager (202).
        assert_eq!(r.status, StatusCode::ACCEPTED, "{backend}: {}", r.body);
        assert_eq!(r.json()["to"], "C2-I1-A1");
        assert_eq!(r.json()["state"], "pending");

        let unchanged = c.store.asset(theirs.id, &Default::default()).await.unwrap();
        assert_eq!(
            unchanged.record.notes, "",
            "{backend}: the refused writes changed nothing"
        );
    }
}
