//! netnotify: a WDM driver that prints IP interface, unicast address, route and stable
//! unicast address table notifications (kernel IP Helper, NETIO) with `DbgPrintEx`.
//!
//! This crate is the Windows-only shell, and deliberately thin: it implements the core's
//! [`Host`](netnotify_core::boundary::host::Host) and [`NetIo`](netnotify_core::boundary::netio::NetIo) traits
//! with `IoCreateDevice`/`IoDeleteDevice`, `DbgPrintEx` and the NETIO imports, and forwards
//! `DriverEntry` and `DriverUnload` to [`netnotify_core::policy::lifecycle`]. Every decision lives in
//! `netnotify-core`, which is built and tested on any host. On hosts other than Windows this
//! crate is empty: `wdk-build` and `wdk-sys` need the WDK.
#![cfg_attr(windows, no_std)]

#[cfg(windows)]
mod shell;
