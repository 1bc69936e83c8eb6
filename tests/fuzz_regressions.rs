//! The fuzz targets' inputs worth keeping — their seeds and any input that ever crashed one
//! (`fuzz/regressions/`) — run through the same checks as `cargo fuzz` (`sim::checks`). The
//! `decode_rows`, `import_parse`, `replay` and `import` targets check through
//! `netnotify-replay` and are replayed by its `tests/fuzz_regressions.rs`.

use std::path::{Path, PathBuf};

use netnotify_core::sim::checks;

/// The input files of one target, dot files excluded; the seeds must exist.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
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
fn row_inputs_pass_the_fuzz_check() {
    for path in inputs("rows") {
        checks::rows(&std::fs::read(&path).unwrap());
    }
}

#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn stable_table_inputs_pass_the_fuzz_check() {
    for path in inputs("stable_table") {
        checks::stable_table(&std::fs::read(&path).unwrap());
    }
}

#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri\'s isolation forbids")]
fn tl_decode_inputs_pass_the_fuzz_check() {
    for path in inputs("tl_decode") {
        netnotify_core::output::trace::read::check_bytes(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn the_checks_accept_empty_and_short_inputs() {
    checks::rows(&[]);
    checks::rows(&[3, 0, 0, 0]);
    checks::render_rows(&[]);
    checks::render_rows(&[3, 0, 0, 0]);
    checks::stable_table(&[]);
    checks::stable_table(&[1]);
    checks::stable_table(&[3, 0xFF]);
    netnotify_core::output::trace::read::check_bytes(&[]);
    netnotify_core::output::trace::read::check_bytes(&[1, 0xFF]);
}
