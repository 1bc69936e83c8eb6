//! The replay and import fuzz targets' seeds and any input that ever crashed it (`fuzz/regressions/`),
//! run through the same check as `cargo fuzz`.

use std::path::Path;

#[test]
#[cfg_attr(miri, ignore = "reads files; replay.rs runs the scenarios under Miri")]
fn replay_inputs_pass_the_fuzz_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut checked = 0;
    for folder in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(fuzz.join(folder).join("replay")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            netnotify_replay::check_scenario_bytes(&std::fs::read(&path).unwrap());
            checked += 1;
        }
    }
    assert!(checked >= 2, "the seeds are there");
}

/// The same for the import target: any bytes as a captured log.
#[test]
#[cfg_attr(miri, ignore = "reads files; import.rs runs the import under Miri")]
fn import_inputs_pass_the_fuzz_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut checked = 0;
    for folder in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(fuzz.join(folder).join("import")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            netnotify_replay::import::check_import_bytes(&std::fs::read(&path).unwrap());
            checked += 1;
        }
    }
    assert!(checked >= 5, "the seeds are there");
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
    }
}
