#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_replay::json::check_row_bytes(data));
