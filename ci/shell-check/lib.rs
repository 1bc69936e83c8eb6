//! The driver shell, compiled against stand-ins of the wdk crates (see Cargo.toml).
#![no_std]

#[path = "../../src/shell.rs"]
mod shell;
