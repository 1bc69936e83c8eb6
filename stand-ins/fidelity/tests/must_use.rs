//! wdk-build 0.6.0 generates wdk-sys with `.must_use_type("NTSTATUS")`: every function that
//! returns `NTSTATUS` is `#[must_use]`, and no other is. The stand-in must say the same, or
//! code that ignores a status compiles here and fails clippy on Windows (as `ZwClose`'s did).

/// `(name, must_use, returns NTSTATUS)` of every function the stand-in declares.
fn functions(source: &str) -> Vec<(String, bool, bool)> {
    let mut found = Vec::new();
    let mut must_use = false;
    let mut current: Option<(String, bool)> = None;
    for line in source.lines().map(str::trim) {
        if line == "#[must_use]" {
            must_use = true;
        } else if let Some(rest) = line.strip_prefix("pub fn ") {
            let name = rest.split('(').next().unwrap_or_default().to_owned();
            current = Some((name, must_use));
            must_use = false;
        } else if !line.starts_with("//") {
            must_use = false;
        }
        // A declaration ends at its `;`, after the return type.
        if let Some((name, marked)) = current.take_if(|_| line.ends_with(';')) {
            found.push((name, marked, line.contains("-> NTSTATUS")));
        }
    }
    found
}

#[test]
fn every_function_returning_ntstatus_is_must_use_and_no_other() {
    let source = include_str!("../../wdk-sys/lib.rs");
    let functions = functions(source);
    assert_eq!(functions.len(), 27, "functions declared: {functions:?}");
    for (name, must_use, returns_status) in &functions {
        assert_eq!(
            must_use, returns_status,
            "{name}: #[must_use] exactly when it returns NTSTATUS"
        );
    }
    let statuses = functions.iter().filter(|(_, _, status)| *status).count();
    assert_eq!(
        statuses, 9,
        "IoCreateDevice, IoOpenDriverRegistryKey, ZwQueryValueKey, ZwClose, ZwOpenKey, \
         EtwRegister, EtwSetInformation, EtwWriteTransfer, EtwUnregister"
    );
}

#[test]
fn the_checker_sees_a_missing_must_use() {
    let source = "unsafe extern \"C\" {\n    pub fn ZwClose(Handle: HANDLE) -> NTSTATUS;\n}\n";
    assert_eq!(functions(source), [("ZwClose".to_owned(), false, true)]);
}

#[test]
fn there_is_no_device_type_type() {
    // `DEVICE_TYPE` is a `#define` in wdm.h: bindgen makes no type of it.
    let source = include_str!("../../wdk-sys/lib.rs");
    assert!(!source.contains("type DEVICE_TYPE"));
}
