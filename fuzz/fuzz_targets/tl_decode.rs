#![no_main]

// Arbitrary bytes as a TraceLogging event's metadata and payload, through the watcher's decoder
// and its reading of the driver's records.
libfuzzer_sys::fuzz_target!(|data: &[u8]| netnotify_core::output::trace::read::check_bytes(data));
