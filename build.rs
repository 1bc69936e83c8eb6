//! Build script: configures the WDK link for the driver on Windows; nothing elsewhere.
//!
//! `wdk-build` refuses non-Windows hosts, so it is a Windows-only build-dependency and this
//! script is empty on other hosts, where only the portable core and the tests are built.

#[cfg(windows)]
fn main() -> Result<(), wdk_build::ConfigError> {
    wdk_build::configure_wdk_binary_build()
}

#[cfg(not(windows))]
fn main() {}
