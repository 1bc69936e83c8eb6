//! The fuzz targets of this crate's checks (`replay`, `import`, `import_parse`, `decode_rows`):
//! their seeds and any input that ever crashed one (`fuzz/regressions/`), run through the same
//! check as `cargo fuzz`. Natively only: Miri runs the named tests of `ci/miri/tests`.

use std::path::{Path, PathBuf};

/// The input files of one target, dot files excluded; the seeds must exist.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for folder in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(fuzz.join(folder).join(target)).unwrap() {
            let path = entry.unwrap().path();
            if !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no seeds for {target}");
    files
}

#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn replay_inputs_pass_the_fuzz_check() {
    let files = inputs("replay");
    assert!(files.len() >= 2, "the seeds are there");
    for path in files {
        netnotify_replay::check_scenario_bytes(&std::fs::read(&path).unwrap());
    }
}

/// The same for the import target: any bytes as a captured log, imported and played.
#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn import_inputs_pass_the_fuzz_check() {
    let files = inputs("import");
    assert!(files.len() >= 5, "the seeds are there");
    for path in files {
        netnotify_replay::import::check_import_bytes(&std::fs::read(&path).unwrap());
    }
}

/// The `import_parse` target: the import alone, its scenario read back.
#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn import_parse_inputs_pass_the_fuzz_check() {
    let files = inputs("import_parse");
    assert!(files.len() >= 5, "the seeds are there");
    for path in files {
        netnotify_replay::import::check_import_parse_bytes(&std::fs::read(&path).unwrap());
    }
}

/// The `decode_rows` target: row bytes rendered as lines and as JSON.
#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn decode_rows_inputs_pass_the_fuzz_check() {
    let files = inputs("decode_rows");
    assert!(files.len() >= 3, "the seeds are there");
    for path in files {
        netnotify_replay::json::check_row_bytes(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn malformed_input_is_refused_without_a_panic() {
    for input in [
        &b""[..],
        b"\xff\xfe",
        b"{",
        b"{\"step\":\"route\",\"type\":\"add\",\"row\":\"\"}",
        b"{\"step\":\"stable-complete\",\"rows\":[\"00\"]}",
        b"{\"step\":\"irql\",\"level\":2}\n{\"step\":\"unload\"}",
    ] {
        netnotify_replay::check_scenario_bytes(input);
        netnotify_replay::import::check_import_parse_bytes(input);
        netnotify_replay::json::check_row_bytes(input);
    }
}
