#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_core::sim::checks::stable_table(data));
