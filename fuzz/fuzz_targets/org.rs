//! The HR import (組織 units and 職員 staff, .csv or .xlsx): the first byte
//! chooses units, staff, or the kind told by the header row.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::{format_of, with_app};
use mamori_store::org_import::OrgImportKind;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let kind = match first % 3 {
        0 => None,
        1 => Some(OrgImportKind::Units),
        _ => Some(OrgImportKind::Staff),
    };
    let format = format_of(bytes);
    with_app(async |app| {
        app
            .operator_import_org(bytes, format, kind)
            .await
            .expect("an import error about the file is a report, not Err");
    });
});
