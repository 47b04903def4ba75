//! The import limits at the reader: hostile spreadsheets (generated) refused
//! quickly, each with a message (Japanese and English) naming the limit's key
//! and the cell or zip entry where it was passed. The store's and the web's
//! limits tests check the same files through every import.

use std::time::{Duration, Instant};

use mamori_sheet::testing::hostile;
use mamori_sheet::{ImportLimits, LedgerFormat, read};

/// Well under a second in a release build; a debug build on a shared machine
/// gets room.
const QUICK: Duration = Duration::from_secs(5);

#[test]
fn hostile_files_are_refused_quickly_naming_the_limit() {
    let limits = ImportLimits::default();
    for (what, bytes, format, limit, at) in hostile::refused_by_default() {
        let start = Instant::now();
        let refused = read::read_rows(&bytes, format, &["情報資産管理台帳"], &limits);
        let took = start.elapsed();
        assert!(took < QUICK, "{what}: read in {took:?}");
        let Err(m) = refused else {
            panic!("{what}: read");
        };
        for message in [&m.message, &m.message_en] {
            assert!(message.contains(limit), "{what}: {message}");
            assert!(message.contains(at), "{what}: {message}");
        }
    }
}

#[test]
fn a_file_over_the_upload_budget_is_refused_naming_the_key() {
    let limits = ImportLimits {
        max_upload_bytes: 100,
        ..ImportLimits::default()
    };
    let bytes = hostile::csv_giant_cell(200);
    let Err(m) = mamori_sheet::read_ledger(&bytes, LedgerFormat::Csv, &limits) else {
        panic!("read");
    };
    assert!(
        m.message_en.contains("import.max_upload_bytes"),
        "{}",
        m.message_en
    );
}
