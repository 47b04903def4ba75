//! The readers alone (mamori-sheet, no database): bytes told apart as the
//! server does, read into rows under the default ImportLimits, then as a
//! ledger (header found, CSV formula escapes undone). A refusal is a value;
//! any panic or runaway allocation is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::format_of;
use mamori_sheet::{ImportLimits, read};

fuzz_target!(|data: &[u8]| {
    let format = format_of(data);
    let limits = ImportLimits::default();
    let _ = read::read_rows(data, format, &["情報資産管理台帳"], &limits);
    let _ = mamori_sheet::read_ledger(data, format, &limits);
});
