//! The e-learning completions import (.csv or .xlsx).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::{format_of, with_app};

fuzz_target!(|data: &[u8]| {
    let format = format_of(data);
    with_app(async |app| {
        app.operator_import_completions(data, format)
            .await
            .expect("an import error about the file is a report, not Err");
    });
});
