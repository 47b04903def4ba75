//! A firewall configuration read as Cisco ASA `show running-config` and checked against
//! segments facing its interfaces or zones and the built-in α model.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mamori_fuzz::netcheck_vendor(data, mamori_netcheck::ConfigFormat::CiscoAsa);
});
