//! The import limits (moved from the store's tests: reading a file is the
//! app's, with mamori-sheet): hostile spreadsheets (generated) refused quickly by every
//! import, each with a message naming the limit and the cell, and reports that
//! list the first errors only with values cut short.

use std::time::{Duration, Instant};

use mamori_app::App;
use mamori_core::table::ImportLimits;
use mamori_sheet::testing::hostile;
use mamori_store::Store;
use mamori_store::assets::{LedgerFormat, REPORTED_ISSUES};
use mamori_store::org_import::OrgImportKind;
use mamori_store::testing::all_stores;

/// The operations over `store`, with the default import limits.
fn app_of(store: &Store) -> App {
    App::new(
        store.clone(),
        std::sync::Arc::new(mamori_authz::Authorizer::builtin().unwrap()),
    )
}

/// Well under a second in a release build; a debug build on a shared machine
/// gets room.
const QUICK: Duration = Duration::from_secs(5);

/// Imports `bytes` as a ledger, as units and as completions; each must be
/// refused as unreadable, quickly, naming `limit` and `at`, without a large
/// report.
async fn refused_by_every_import(
    app: &App,
    what: &str,
    bytes: &[u8],
    format: LedgerFormat,
    limit: &str,
    at: &str,
) {
    let start = Instant::now();
    let ledger = app
        .operator_import_ledger(
            bytes,
            format,
            None,
            mamori_store::assets::ImportMode::Commit,
        )
        .await
        .unwrap();
    let org = app
        .operator_import_org(bytes, format, Some(OrgImportKind::Units))
        .await
        .unwrap();
    let training = app
        .operator_import_completions(bytes, format)
        .await
        .unwrap();
    let took = start.elapsed();
    assert!(took < QUICK, "{what}: three imports took {took:?}");
    for (name, written, unreadable, errors, json) in [
        (
            "ledger",
            ledger.written,
            ledger.unreadable,
            &ledger.errors,
            serde_json::to_string(&ledger).unwrap(),
        ),
        (
            "org",
            org.report.written,
            org.report.unreadable,
            &org.report.errors,
            serde_json::to_string(&org).unwrap(),
        ),
        (
            "training",
            training.written,
            training.unreadable,
            &training.errors,
            serde_json::to_string(&training).unwrap(),
        ),
    ] {
        assert!(!written && unreadable, "{what} ({name}): {json}");
        assert_eq!(errors.len(), 1, "{what} ({name}): {json}");
        let e = &errors[0];
        for message in [&e.message, &e.message_en] {
            assert!(message.contains(limit), "{what} ({name}): {message}");
            assert!(message.contains(at), "{what} ({name}): {message}");
        }
        assert!(
            json.len() < 4096,
            "{what} ({name}): a report of {} bytes",
            json.len()
        );
    }
}

#[tokio::test]
async fn hostile_files_are_refused_quickly_naming_the_limit() {
    for (backend, store) in all_stores().await {
        let app = app_of(&store);
        let xlsx = LedgerFormat::Xlsx;
        let csv = LedgerFormat::Csv;
        // With the defaults.
        for (what, bytes, format, limit, at) in hostile::refused_by_default() {
            let what = format!("{backend}: {what}");
            refused_by_every_import(&app, &what, &bytes, format, limit, at).await;
        }

        // Limits scaled down, so that the bombs stay small in a test.
        let small = app.clone().with_import_limits(ImportLimits {
            max_xlsx_unpacked_bytes: 4 << 20,
            max_cells: 1000,
            ..ImportLimits::default()
        });
        let many_cells: String = (1..=40)
            .map(|r| {
                let cells: String = (0..30)
                    .map(|c| format!(r#"<c r="{}{r}"><v>1</v></c>"#, column(c)))
                    .collect();
                format!(r#"<row r="{r}">{cells}</row>"#)
            })
            .collect();
        for (what, bytes, format, limit, at) in [
            (
                "16 MiB of whitespace",
                hostile::whitespace_bomb(16 << 20),
                xlsx,
                "import.max_xlsx_unpacked_bytes",
                "xl/worksheets/sheet1.xml",
            ),
            (
                "a sheet of 16 MiB that says it is 100 bytes",
                hostile::lying_sizes(16 << 20, 100),
                xlsx,
                "import.max_xlsx_unpacked_bytes",
                "xl/worksheets/sheet1.xml",
            ),
            (
                "a shared string of 8 MiB",
                hostile::huge_shared_string(8 << 20),
                xlsx,
                "import.max_xlsx_unpacked_bytes",
                "xl/sharedStrings.xml",
            ),
            (
                "1,200 cells",
                hostile::xlsx(&many_cells, None),
                xlsx,
                "import.max_cells",
                "K34",
            ),
        ] {
            let what = format!("{backend}: {what}");
            refused_by_every_import(&small, &what, &bytes, format, limit, at).await;
        }
        // A header that understates its entry is named as such.
        let r = small
            .operator_import_ledger(
                &hostile::lying_sizes(16 << 20, 100),
                xlsx,
                None,
                mamori_store::assets::ImportMode::Commit,
            )
            .await
            .unwrap();
        assert!(
            r.errors[0]
                .message_en
                .contains("more than its header declares"),
            "{backend}: {r}"
        );
        // A file over the upload limit.
        let tiny = app.clone().with_import_limits(ImportLimits {
            max_upload_bytes: 1000,
            ..ImportLimits::default()
        });
        let r = tiny
            .operator_import_ledger(
                &hostile::csv_giant_cell(2000),
                csv,
                None,
                mamori_store::assets::ImportMode::Commit,
            )
            .await
            .unwrap();
        assert!(
            r.unreadable && r.errors[0].message.contains("import.max_upload_bytes"),
            "{backend}: {r}"
        );
    }
}

/// Column letters of a 0-based index (A … Z, AA …).
fn column(i: usize) -> String {
    mamori_core::asset::column_letters(i)
}

#[tokio::test]
async fn a_workbook_read_cell_by_cell_imports_as_before() {
    for (backend, store) in all_stores().await {
        let app = app_of(&store);
        // A title above the header, a blank row, cells out of order, a shared
        // string, a number: read as the rows a person sees.
        let shared = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>総務課</t></si></sst>"#;
        let cell = hostile::text_cell;
        let rows = [
            format!(r#"<row r="1">{}</row>"#, cell("B1", "組織一覧")),
            format!(
                r#"<row r="3">{}{}{}{}</row>"#,
                cell("A3", "組織コード"),
                cell("B3", "組織名"),
                cell("C3", "上位組織コード"),
                cell("D3", "種別")
            ),
            format!(
                r#"<row r="6">{}<c r="A6"><v>1010</v></c><c r="C6"><v>10</v></c>{}</row>"#,
                r#"<c r="B6" t="s"><v>0</v></c>"#,
                cell("D6", "課")
            ),
            format!(
                r#"<row r="4">{}{}{}</row>"#,
                cell("A4", "10"),
                cell("B4", "総務部"),
                cell("D4", "部局")
            ),
        ]
        .concat();
        let bytes = hostile::xlsx(&rows, Some(shared));
        let r = app
            .operator_import_org(&bytes, LedgerFormat::Xlsx, Some(OrgImportKind::Units))
            .await
            .unwrap();
        assert!(r.report.written, "{backend}: {r}");
        assert_eq!((r.report.rows, r.report.created), (2, 2), "{backend}: {r}");
        let unit = store.unit_by_code("1010").await.unwrap().unwrap();
        assert_eq!(unit.name, "総務課", "{backend}");
    }
}

#[tokio::test]
async fn reports_list_the_first_errors_with_values_cut_short() {
    for (backend, store) in all_stores().await {
        let app = app_of(&store);
        let long = "X".repeat(5000);
        let mut csv = String::from("組織コード,組織名,種別\n");
        for i in 0..300 {
            csv.push_str(&format!("U{i},課{i},{long}\n"));
        }
        let r = app
            .operator_import_org(
                csv.as_bytes(),
                LedgerFormat::Csv,
                Some(OrgImportKind::Units),
            )
            .await
            .unwrap();
        let report = &r.report;
        assert!(!report.written && !report.unreadable, "{backend}");
        assert_eq!(report.errors.len(), REPORTED_ISSUES, "{backend}");
        assert_eq!(report.errors_total, 300, "{backend}");
        for e in &report.errors {
            assert_eq!(e.value.chars().count(), 101, "{backend}: {}", e.value);
            assert!(e.value.ends_with('…'), "{backend}");
            assert!(e.message.chars().count() < 300, "{backend}: {}", e.message);
            assert!(
                e.message_en.chars().count() < 300,
                "{backend}: {}",
                e.message_en
            );
        }
        let text = r.to_string();
        assert!(
            text.contains("エラー 300件") && text.contains("ほか 200件"),
            "{backend}: {text}"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.len() < 100_000, "{backend}: {} bytes", json.len());
        assert!(json.contains("\"errors_total\":300"), "{backend}");

        // The ledger's report, likewise: 300 unknown kinds.
        let mut ledger = String::from("資産名,種別,所管課,機密性,完全性,可用性\n");
        for i in 0..300 {
            ledger.push_str(&format!("資産{i},{long},総務課,2,2,2\n"));
        }
        let r = app
            .operator_import_ledger(
                ledger.as_bytes(),
                LedgerFormat::Csv,
                None,
                mamori_store::assets::ImportMode::Commit,
            )
            .await
            .unwrap();
        assert!(!r.written, "{backend}");
        assert_eq!(r.errors.len(), REPORTED_ISSUES, "{backend}");
        assert!(r.errors_total >= 300, "{backend}: {}", r.errors_total);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.len() < 200_000, "{backend}: {} bytes", json.len());
        assert!(
            !json.contains(&"X".repeat(101)),
            "{backend}: a value is quoted whole"
        );
    }
}
