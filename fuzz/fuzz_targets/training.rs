//! The e-learning completions import (.csv or .xlsx).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mamori_fuzz::{ACTOR, format_of, with_store};

fuzz_target!(|data: &[u8]| {
    let format = format_of(data);
    with_store(async |store| {
        store
            .import_completions(&ACTOR, data, format)
            .await
            .expect("an import error about the file is a report, not Err");
    });
});
