//! Build script of the Linux image: what `wdk_build::configure_wdk_binary_build()` does for a
//! WDM driver on Windows, with the WDK's import libraries made here.
//!
//! 1. The import libraries `ntoskrnl.lib` and `netio.lib` from `ntoskrnl.def`/`netio.def`,
//!    made by LLVM's dlltool. Nothing else: the driver names no other library (no
//!    `tracelogging` crate, whose `Guid::new` names the user-mode `rpcrt4.lib`;
//!    docs/checks.md#the-windows-link). The shell's `#[link(name = "netio", kind = "static")]` and the
//!    stand-in wdk-sys' `ntoskrnl` link block then resolve as on Windows, where the WDK's
//!    `km` library folder has them: nothing in `src/` changes for Linux. (`raw-dylib` would
//!    need no tool, but a different link attribute here than on Windows.) The dlltool is
//!    rustup's `llvm-ar` (component `llvm-tools`) run under the name `llvm-dlltool`: LLVM's
//!    archiver picks its mode from its own name.
//! 2. The linker arguments wdk-build 0.6.0 emits for WDM (`configure_binary_build`), in its
//!    order: `/DRIVER /NODEFAULTLIB /SUBSYSTEM:NATIVE /KERNEL /ENTRY:DriverEntry /IGNORE:4257
//!    /IGNORE:4216 /NXCOMPAT /DYNAMICBASE /MAP /MAPINFO:EXPORTS /OPT:REF,ICF /INTEGRITYCHECK
//!    /MANIFEST:NO`, plus what rust-lld needs (see `EXTRA`).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// wdk-build 0.6.0 `configure_binary_build`, WDM and common arguments, verbatim.
const WDK_BUILD_WDM: &[&str] = &[
    "/DRIVER",
    "/NODEFAULTLIB",
    "/SUBSYSTEM:NATIVE",
    "/KERNEL",
    "/ENTRY:DriverEntry",
    "/IGNORE:4257",
    "/IGNORE:4216",
    "/NXCOMPAT",
    "/DYNAMICBASE",
    "/MAP",
    "/MAPINFO:EXPORTS",
    "/OPT:REF,ICF",
    "/INTEGRITYCHECK",
    "/MANIFEST:NO",
];

/// Added for rust-lld, each for a reason:
/// - `/RELEASE`: writes the PE checksum. link.exe gets it from the WDK's msbuild properties
///   (`SetChecksum`), which cargo-make's build does not use either; Windows checks the
///   checksum of boot drivers and signing tools expect it, so the image carries a valid one.
const EXTRA: &[&str] = &["/RELEASE"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let machine = match target_arch.as_str() {
        "x86_64" => "i386:x86-64",
        "aarch64" => "arm64",
        other => panic!("netnotify.sys is built for x86_64 or aarch64, not {other}"),
    };
    let dlltool = dlltool(&out);
    // Where the .def files are: this folder, or (the Wine harness's build, which moves the
    // two exports Wine lacks to its NETIO double) the folder NETNOTIFY_IMPORTS names.
    println!("cargo::rerun-if-env-changed=NETNOTIFY_IMPORTS");
    let folder = env::var_os("NETNOTIFY_IMPORTS").map_or_else(|| PathBuf::from("."), PathBuf::from);
    for library in ["ntoskrnl", "netio"] {
        let definition = folder.join(library).with_extension("def");
        println!("cargo::rerun-if-changed={}", definition.display());
        let status = Command::new(&dlltool)
            .args(["-m", machine, "-d"])
            .arg(&definition)
            .arg("-l")
            .arg(out.join(format!("{library}.lib")))
            .status()
            .expect("run llvm-dlltool");
        assert!(status.success(), "llvm-dlltool failed for {library}.def");
    }
    println!("cargo::rustc-link-search=native={}", out.display());
    for argument in WDK_BUILD_WDM.iter().chain(EXTRA) {
        println!("cargo::rustc-cdylib-link-arg={argument}");
    }
    println!("cargo::rerun-if-changed=build.rs");
}

/// rustup's `llvm-ar`, reachable under the name `llvm-dlltool`.
fn dlltool(out: &Path) -> PathBuf {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc --print sysroot");
    let sysroot = String::from_utf8(sysroot.stdout).expect("UTF-8 sysroot");
    let host = env::var("HOST").expect("cargo sets HOST");
    let archiver = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/llvm-ar");
    assert!(
        archiver.exists(),
        "{} is missing: rustup component add llvm-tools",
        archiver.display()
    );
    let link = out.join("llvm-dlltool");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&archiver, &link).expect("link llvm-dlltool");
    link
}
