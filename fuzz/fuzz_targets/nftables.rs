//! A firewall configuration read as nftables and checked against the segments
//! fixture and the built-in α model.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mamori_fuzz::netcheck(data, mamori_netcheck::ConfigFormat::NftablesJson);
});
