#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_replay::check_scenario_bytes(data));
