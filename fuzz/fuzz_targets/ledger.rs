//! The 情報資産管理台帳 import (.csv in UTF-8 or Shift_JIS, or .xlsx bytes, told
//! apart as the server does): read, header mapped, every row checked against
//! the store, written when valid (or, for every other input, only previewed as
//! the import page does first). Any panic or runaway allocation is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::{format_of, with_app};
use mamori_store::assets::ImportMode;

fuzz_target!(|data: &[u8]| {
    let format = format_of(data);
    let mode = if data.len() % 2 == 0 {
        ImportMode::Commit
    } else {
        ImportMode::Preview
    };
    with_app(async |app| {
        app
            .operator_import_ledger(data, format, None, mode)
            .await
            .expect("an import error about the file is a report, not Err");
    });
});
