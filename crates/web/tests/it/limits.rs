//! The import limits over HTTP: hostile files refused by the ledger, HR and
//! e-learning imports (API and pages) with a short report naming the limit, and
//! the same upload size (64 MiB by default, `[import] max_upload_bytes`) on
//! every import route.

use axum::http::StatusCode;
use mamori_core::table::ImportLimits;
use mamori_sheet::testing::hostile;

use crate::client::{Client, PASSWORD, clients};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The three import endpoints of the API and the content type each is sent.
const API: [(&str, &str); 3] = [
    ("/api/v1/assets/import", XLSX),
    ("/api/v1/org/import?kind=units", XLSX),
    ("/api/v1/training/completions/import?format=xlsx", XLSX),
];

#[tokio::test]
async fn hostile_workbooks_are_refused_by_every_api_import() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        for (what, bytes, limit, at) in [
            (
                "a cell at XFD1048576",
                hostile::sparse_far_cell(),
                "import.max_columns",
                "XFD1048576",
            ),
            (
                "an empty cell at BL1048576",
                hostile::tall_empty(),
                "import.max_rows",
                "BL1048576",
            ),
            (
                "a shared string of 40,000 characters",
                hostile::huge_shared_string(40_000),
                "import.max_cell_chars",
                "A2",
            ),
        ] {
            for (path, ct) in API {
                let start = std::time::Instant::now();
                let r = c.api_bytes("POST", path, &admin, ct, bytes.clone()).await;
                let took = start.elapsed();
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{backend} {path} {what}: {}",
                    r.body
                );
                assert!(
                    r.body.contains(limit) && r.body.contains(at),
                    "{backend} {path} {what}: {}",
                    r.body
                );
                assert!(
                    r.body.len() < 4096,
                    "{backend} {path} {what}: {}",
                    r.body.len()
                );
                assert!(took.as_secs() < 5, "{backend} {path} {what}: {took:?}");
            }
        }
        // A CSV header of a million columns: one short error, not 174 MB.
        let wide = hostile::csv_wide(1_000_000);
        for path in [
            "/api/v1/assets/import",
            "/api/v1/org/import?kind=units",
            "/api/v1/training/completions/import",
        ] {
            let r = c
                .api_bytes("POST", path, &admin, "text/csv", wide.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {path}"
            );
            assert!(
                r.body.contains("import.max_columns"),
                "{backend} {path}: {}",
                r.body
            );
            assert!(r.body.len() < 4096, "{backend} {path}: {}", r.body.len());
        }
    }
}

#[tokio::test]
async fn every_import_takes_the_same_upload_size_on_the_api_and_the_pages() {
    for (backend, mut c) in clients().await {
        let admin = c.token("admin", PASSWORD).await;
        // 3 MB: past axum's 2 MB default, within the 64 MiB budget. The store
        // refuses the cell (422), so the body got through.
        let three_mb = hostile::csv_giant_cell(3_000_000);
        for path in [
            "/api/v1/assets/import",
            "/api/v1/org/import?kind=units",
            "/api/v1/training/completions/import",
        ] {
            let r = c
                .api_bytes("POST", path, &admin, "text/csv", three_mb.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {path}: {}",
                &r.body[..r.body.len().min(300)]
            );
            assert!(r.body.contains("import.max_cell_chars"), "{backend} {path}");
        }
        c.sign_in("admin", PASSWORD).await;
        for (page, form, extra) in [
            ("/assets/import", "/assets/import", None),
            ("/org/import", "/org/import", Some(("kind", "units"))),
            ("/training", "/training/import", None),
        ] {
            let csrf = Client::csrf_of(&c.get(page).await.body);
            let mut fields = vec![("csrf", csrf.as_str())];
            fields.extend(extra);
            let r = c
                .post_multipart(form, &fields, ("file", "big.csv", &three_mb))
                .await;
            assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend} {form}");
            assert!(
                r.body.contains("import.max_cell_chars"),
                "{backend} {form}: {} {}",
                r.status,
                &r.body[..r.body.len().min(300)]
            );
        }

        // A smaller budget from the settings: the same on every route.
        let mut small = Client::with_limits(
            c.store.clone(),
            mamori_authz::Authorizer::builtin().unwrap(),
            ImportLimits {
                max_upload_bytes: 1_000_000,
                ..ImportLimits::default()
            },
        );
        let admin = small.token("admin", PASSWORD).await;
        for path in [
            "/api/v1/assets/import",
            "/api/v1/org/import?kind=units",
            "/api/v1/training/completions/import",
        ] {
            let r = small
                .api_bytes("POST", path, &admin, "text/csv", three_mb.clone())
                .await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{backend} {path}");
        }
    }
}

/// The spreadsheet uploads added with the management cycle read through the
/// same budgets: an information-systems sheet, a control-status workbook and
/// a self-inspection questionnaire each refuse every hostile workbook quickly
/// with a short answer naming the limit and where, and write nothing.
#[tokio::test]
async fn hostile_workbooks_are_refused_by_the_systems_status_and_questionnaire_uploads() {
    for crate::audits::City {
        backend,
        mut c,
        a,
        mgr_a,
        inspection,
        items,
        ..
    } in crate::audits::city().await
    {
        let admin = c.token("admin", PASSWORD).await;
        let questionnaire =
            format!("/api/v1/self-inspections/{inspection}/units/{a}/questionnaire.xlsx");
        let events_before = c.store.chain_head().await.unwrap().0;
        for (what, bytes, format, limit, at) in hostile::refused_by_default() {
            let ct = match format {
                mamori_core::table::LedgerFormat::Xlsx => XLSX,
                mamori_core::table::LedgerFormat::Csv => "text/csv",
            };
            let mut routes = vec![
                ("/api/v1/information-systems/import".to_string(), &admin),
                ("/api/v1/control-status/import".to_string(), &admin),
            ];
            // The questionnaire is a workbook only.
            if ct == XLSX {
                routes.push((questionnaire.clone(), &mgr_a));
            }
            for (path, token) in routes {
                let start = std::time::Instant::now();
                let r = c.api_bytes("POST", &path, token, ct, bytes.clone()).await;
                let took = start.elapsed();
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{backend} {path} {what}: {}",
                    &r.body[..r.body.len().min(400)]
                );
                assert!(
                    r.body.contains(limit) && r.body.contains(at),
                    "{backend} {path} {what}: {}",
                    &r.body[..r.body.len().min(400)]
                );
                assert!(r.body.len() < 4096, "{backend} {path} {what}");
                assert!(took.as_secs() < 5, "{backend} {path} {what}: {took:?}");
            }
        }
        assert_eq!(
            c.store.chain_head().await.unwrap().0,
            events_before,
            "{backend}: nothing written"
        );
        // Nothing answered either.
        let r = c
            .api(
                "GET",
                &format!("/api/v1/self-inspections/{inspection}/units/{a}"),
                Some(&mgr_a),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}");
        assert!(!items.is_empty(), "{backend}");
        assert_eq!(
            r.json()["answers"].as_array().unwrap().len(),
            0,
            "{backend}: {}",
            r.body
        );
    }
}
