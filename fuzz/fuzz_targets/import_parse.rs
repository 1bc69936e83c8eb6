#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_replay::import::check_import_parse_bytes(data));
