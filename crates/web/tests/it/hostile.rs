//! What a hostile member of staff tries with the values they enter (issue 10):
//! formulas that would run in a spreadsheet, text that breaks an export,
//! control and bidirectional-override characters, addresses that are not
//! addresses; and that every export is in the log.

use axum::http::StatusCode;
use serde_json::json;

use crate::assets::{fields, units};
use crate::client::{PASSWORD, clients};

/// A CSV export writes a cell that Excel would run as a formula behind an
/// apostrophe, and imports back unchanged.
#[tokio::test]
async fn csv_export_does_not_carry_formulas() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(
                    json!({"name": "=HYPERLINK(\"http://evil.example/\",\"台帳\")",
                    "kind": "electronic_information", "owner_unit_id": own.id,
                    "administrator": "@SUM(1+1)*cmd|' /C calc'!A0",
                    "location": "+81-3-0000", "notes": "-2+3",
                    "confidentiality": "2", "integrity": "1", "availability": "1"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=csv",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let text = r.body.trim_start_matches('\u{feff}').to_string();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let mut cells = 0;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{backend}: a cell of the CSV begins like a formula: {cell:?}"
                );
            }
        }
        assert!(cells > 10, "{backend}");
        assert!(text.contains("'=HYPERLINK"), "{backend}: {text}");
        assert!(text.contains("'-2+3"), "{backend}");
        // … and the export imports back unchanged.
        let back = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &admin,
                "text/csv",
                r.bytes.clone(),
            )
            .await;
        assert_eq!(back.status, StatusCode::OK, "{backend}: {}", back.body);
        assert_eq!(back.json()["unchanged"], 1, "{backend}: {}", back.body);
        assert_eq!(back.json()["updated"], 0, "{backend}: {}", back.body);
    }
}

/// Free text is bounded, so no one can break an export for everyone; names
/// refuse NUL and bidirectional overrides; each problem names its field.
#[tokio::test]
async fn entered_text_is_bounded_and_clean() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        let admin = c.token("admin", PASSWORD).await;
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(
                    json!({"name": "台帳\u{0}", "kind": "electronic_information",
                    "owner_unit_id": own.id, "notes": "あ".repeat(32_768),
                    "description": "説明\u{202E}txt.exe", "location": "一行目\n二行目",
                    "confidentiality": "2", "integrity": "1", "availability": "1"}),
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            &r.body[..r.body.len().min(400)]
        );
        assert_eq!(
            fields(&r.json()),
            vec!["description", "name", "notes"],
            "{backend}"
        );
        assert!(r.body.contains("4000文字以内"), "{backend}");
        assert!(
            r.body.len() < 10_000,
            "{backend}: the answer does not echo the text"
        );
        assert_eq!(
            c.api("GET", "/api/v1/assets", Some(&admin), None)
                .await
                .json()["total"],
            0,
            "{backend}: nothing written"
        );

        // The longest note allowed still exports as .xlsx.
        let r = c
            .api(
                "POST",
                "/api/v1/assets",
                Some(&admin),
                Some(json!({"name": "長い備考", "kind": "electronic_information",
                    "owner_unit_id": own.id, "notes": "あ".repeat(4000),
                    "confidentiality": "2", "integrity": "1", "availability": "1"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{backend}: {}",
            &r.body[..r.body.len().min(400)]
        );
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=xlsx",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");

        // People and units.
        for (body, field) in [
            (
                json!({"username": "evil1", "display_name": "田中\u{0}", "password": PASSWORD}),
                "display_name",
            ),
            (
                json!({"username": "evil2", "display_name": "\u{202E}中田", "password": PASSWORD}),
                "display_name",
            ),
            (
                json!({"username": "evil3", "display_name": "田中", "email": "tanaka", "password": PASSWORD}),
                "email",
            ),
            (
                json!({"username": "evil4", "display_name": "田中", "email": "a@b.example\r\nBcc: x@y.example", "password": PASSWORD}),
                "email",
            ),
        ] {
            let r = c
                .api("POST", "/api/v1/users", Some(&admin), Some(body))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            assert!(r.body.contains(field), "{backend}: {}", r.body);
        }
        let r = c
            .api(
                "POST",
                "/api/v1/users",
                Some(&admin),
                Some(json!({"username": "good", "display_name": "佐藤 一郎", "email": "sato@city.example.lg.jp", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.body);
        let r = c
            .api(
                "POST",
                "/api/v1/units",
                Some(&admin),
                Some(json!({"code": "X1", "name": "総務\u{2066}課", "kind": "section"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("name"), "{backend}: {}", r.body);
        for (course, field) in [
            (
                json!({"code": "C\u{0}1", "title": "研修", "kind": "yearly"}),
                "code",
            ),
            (
                json!({"code": "C2", "title": "研修\u{202D}", "kind": "yearly"}),
                "title",
            ),
            (
                json!({"code": "C3", "title": "研修", "kind": "yearly", "description": "x".repeat(4001)}),
                "description",
            ),
        ] {
            let r = c
                .api(
                    "POST",
                    "/api/v1/training/courses",
                    Some(&admin),
                    Some(course),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            assert!(r.body.contains(field), "{backend}: {}", r.body);
        }
    }
}

/// Every export — the ledger, the training and acknowledgement status — is
/// an entry of the log: who took what, how, and how many rows.
#[tokio::test]
async fn exports_are_logged() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        crate::assets::asset(&c, "会議録", own.id, "2").await;
        let admin = c.token("admin", PASSWORD).await;
        let staff = c.token("tanaka", PASSWORD).await;
        let r = c
            .api(
                "GET",
                "/api/v1/assets/export?format=csv&q=会議",
                Some(&staff),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let r = c
            .api("GET", "/api/v1/training/export.xlsx", Some(&admin), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        let log = c
            .api("GET", "/api/v1/events?entity=export", Some(&admin), None)
            .await
            .json();
        assert_eq!(log["total"], 2, "{backend}: {log}");
        let items = log["items"].as_array().unwrap();
        assert_eq!(items[0]["entity_id"], "training_status", "{backend}");
        assert_eq!(items[1]["entity_id"], "assets", "{backend}");
        assert!(
            items[1]["actor"].as_str().unwrap().contains("tanaka"),
            "{backend}"
        );
        let details: serde_json::Value =
            serde_json::from_str(items[1]["after_json"].as_str().unwrap()).unwrap();
        assert_eq!(details["rows"], 1, "{backend}");
        assert_eq!(details["format"], "csv", "{backend}");
        assert_eq!(details["filter"]["text"], "会議", "{backend}");
    }
}

/// A ledger import cannot change an asset's classification without the reason
/// the reclassify form asks for: the API takes `reason`, the page a field.
#[tokio::test]
async fn an_import_changing_levels_asks_for_the_reason() {
    for (backend, mut c) in clients().await {
        let (own, _) = units(&c).await;
        let asset = crate::assets::asset(&c, "会議録", own.id, "2").await;
        let admin = c.token("admin", PASSWORD).await;
        let export = c
            .api(
                "GET",
                "/api/v1/assets/export?format=csv",
                Some(&admin),
                None,
            )
            .await;
        let lowered = export.body.replace(",2,1,1,C2-I1-A1,", ",1,1,1,,");
        assert_ne!(lowered, export.body, "{backend}: {}", export.body);
        let r = c
            .api_bytes(
                "POST",
                "/api/v1/assets/import",
                &admin,
                "text/csv",
                lowered.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            r.body
        );
        assert!(r.body.contains("変更理由"), "{backend}: {}", r.body);

        c.sign_in("admin", PASSWORD).await;
        let csrf = crate::client::Client::csrf_of(&c.get("/assets/import").await.body);
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("reason", "")],
                ("file", "ledger.csv", lowered.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(r.body.contains("変更理由"), "{backend}");
        let r = c
            .post_multipart(
                "/assets/import",
                &[("csrf", &csrf), ("reason", "棚卸しで見直し")],
                ("file", "ledger.csv", lowered.as_bytes()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        let history = c
            .api(
                "GET",
                &format!("/api/v1/events?entity=asset&entity_id={}", asset.id),
                Some(&admin),
                None,
            )
            .await
            .json();
        assert_eq!(
            history["items"][0]["action"], "reclassify",
            "{backend}: {history}"
        );
        assert!(
            history["items"][0]["after_json"]
                .as_str()
                .unwrap()
                .contains("棚卸しで見直し"),
            "{backend}"
        );
    }
}
