//! The segments file (TOML: segments, relays, flows, model).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mamori_netcheck::parse_segments(text);
    }
});
