//! The 情報資産管理台帳 import (.csv in UTF-8 or Shift_JIS, or .xlsx bytes, told
//! apart as the server does): read, header mapped, every row checked against
//! the store, written when valid. Any panic or runaway allocation is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::{format_of, with_app};

fuzz_target!(|data: &[u8]| {
    let format = format_of(data);
    with_app(async |app| {
        app
            .operator_import_ledger(data, format, None)
            .await
            .expect("an import error about the file is a report, not Err");
    });
});
