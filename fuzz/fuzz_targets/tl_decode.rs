#![no_main]

// Arbitrary bytes as a TraceLogging event's metadata and payload, through the watcher's decoder.
libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_core::output::trace::decode::check_bytes(data));
