//! The simulator as ETW: a trace double that plays the sessions. It records the provider's
//! registration and traits and every write (descriptor, metadata, payload), calls the enable
//! callback as a controller would (with a level and keywords, or capture-state, also from
//! inside `EtwRegister` and during the unload's run-down wait), plays the enable callback's
//! run-down reference (`Ex*RundownProtection`), and reports misuse: a write or a second
//! unregister outside a registration (a write on an unregistered handle), a write with a
//! handle `EtwRegister` did not return or before the descriptors' types are read (the
//! traits), a registration left at unload, a release without an acquire, a second wait, a
//! wait with protection held, an unregister before the wait or with protection held (an
//! enable callback holding it may still write with the handle), an acquire after the wait
//! returned, and a device deleted before the wait.

use core::ffi::c_void;
use core::fmt::Write as _;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use crate::model::names::Names;
use crate::model::status::NtStatus;
use crate::output::trace::decode::{self, Item, Value};
use crate::output::trace::{
    CAPTURE_STATE, DESCRIPTOR_EVENT_METADATA, DESCRIPTOR_PAYLOAD, DESCRIPTOR_PROVIDER_TRAITS,
    EventDescriptor, Guid, OutType, PAYLOAD_PARTS, PROVIDER_GUID, PROVIDER_TRAITS, Parts,
    ProviderInformation, RegHandle, Trace,
};

use super::kernel::{IrqlRule, Sim};
use super::state::{Rundown, SendPtr, State, Write};

/// The handle the double's `EtwRegister` returns (the Wine double's too).
pub const REGHANDLE: u64 = 0x6E65_7477;

impl Sim {
    /// The next `EtwRegister` fails with `status`.
    pub fn fail_etw_register(&self, status: NtStatus) {
        self.state().etw.register_failure = Some(status);
    }

    /// Makes the next `EtwWriteTransfer` fail with `status`, writing nothing: as a session
    /// whose buffers are full refuses an event.
    pub fn fail_etw_write(&self, status: NtStatus) {
        self.state().etw.write_failure = Some(status);
    }

    /// Makes the next `EtwSetInformation(EventProviderSetTraits)` fail with `status`.
    pub fn fail_etw_set_traits(&self, status: NtStatus) {
        self.state().etw.set_traits_failure = Some(status);
    }

    /// Makes the next `EtwSetInformation(EventProviderUseDescriptorType)` fail with `status`.
    pub fn fail_etw_use_descriptor_type(&self, status: NtStatus) {
        self.state().etw.descriptor_type_failure = Some(status);
    }

    /// An enable callback with `code` that ETW started and that comes to the driver's run-down
    /// protection only once the unload's wait has begun (before `EtwUnregister`): it must
    /// leave the extension and the handle alone.
    pub fn etw_control_during_rundown_wait(&self, code: u32) {
        self.state().etw.during_rundown_wait.push(code);
    }

    /// An enable callback with `code` (level 0, every keyword) on another thread that
    /// acquires the driver's run-down protection just before the wait begins, after the
    /// handle is unpublished: it runs to its end, and the wait returns after it.
    pub fn etw_control_before_rundown_wait(&self, code: u32) {
        self.state().etw.before_rundown_wait.push(code);
    }

    /// Enable callbacks that acquired the run-down protection, and those it refused.
    #[must_use]
    pub fn etw_rundown_acquires(&self) -> (u32, u32) {
        let state = self.state();
        (state.etw.rundown.acquired, state.etw.rundown.refused)
    }

    /// A session with `level` and `any` keywords listens when the provider registers: the
    /// enable callback runs inside `EtwRegister`, as ETW runs it.
    pub fn etw_session_at_register(&self, level: u8, any: u64) {
        self.state().etw.session_at_register = Some((level, any, 0));
    }

    /// The session of [`Sim::etw_session_at_register`] also asks for capture-state from inside
    /// `EtwRegister`, right after enabling the provider.
    pub fn etw_capture_state_at_register(&self) {
        self.state().etw.capture_state_at_register = true;
    }

    /// The IRQL ETW runs the enable callback at from now on: `PASSIVE_LEVEL` unless a test
    /// says otherwise (its IRQL is not documented, docs/netio.md#rundown).
    pub fn etw_enable_callback_irql(&self, irql: u8) {
        self.state().etw.callback_irql = irql;
    }

    /// A controller sends `code` (0 disable, 1 enable, 2 capture-state) with a level and
    /// keywords; nothing happens unless the provider is registered.
    pub fn etw_control(&self, code: u32, level: u8, any: u64, all: u64) {
        let context = {
            let mut state = self.state();
            let context = state.etw.context;
            if context.is_some() {
                state.etw.log.push(enable_line(code, level, any, all));
            }
            context
        };
        if let Some(context) = context {
            self.enable_callback(context, code, level, any, all);
        }
    }

    /// Runs the driver's enable callback as ETW does, at `PASSIVE_LEVEL` (or the IRQL
    /// [`Sim::etw_enable_callback_irql`] set), and checks that it
    /// asked for run-down protection and released what it got.
    fn enable_callback(&self, context: SendPtr, code: u32, level: u8, any: u64, all: u64) {
        let asked = |state: &State| state.etw.rundown.acquired + state.etw.rundown.refused;
        let (before, irql) = {
            let state = self.state();
            (asked(&state), state.etw.callback_irql)
        };
        // SAFETY: the context the driver registered; the callback touches it only under its
        // run-down protection, which the driver waits for before it drops the extension.
        Self::at_irql(irql, || unsafe {
            crate::boundary::raw::trace_enable::<Self, Self>(
                self, context.0, code, level, any, all,
            );
        });
        let mut state = self.state();
        if asked(&state) == before {
            state
                .violations
                .push("enable callback ran without asking for run-down protection".into());
        }
        if state.etw.rundown.held != 0 {
            state
                .violations
                .push("enable callback returned holding run-down protection".into());
        }
    }

    /// Every ETW call so far, one JSON object each, in order: the `--keep-etw` format
    /// (docs/replay.md#etw).
    #[must_use]
    pub fn etw_log(&self) -> Vec<String> {
        self.state().etw.log.clone()
    }

    /// Every write so far.
    #[must_use]
    pub fn etw_writes(&self) -> Vec<Write> {
        self.state().etw.writes.clone()
    }

    /// Every write so far, decoded ([`decode`]).
    #[must_use]
    pub fn etw_events(&self) -> Vec<String> {
        self.etw_writes().iter().map(decode).collect()
    }

    /// What `EtwSetInformation(EventProviderSetTraits)` received, if it was called.
    #[must_use]
    pub fn etw_traits(&self) -> Option<Vec<u8>> {
        self.state().etw.traits.clone()
    }

    /// `EtwRegister` calls that succeeded, and `EtwUnregister` calls.
    #[must_use]
    pub fn etw_registrations(&self) -> (u32, u32) {
        let state = self.state();
        (state.etw.registrations, state.etw.unregistrations)
    }

    /// Whether the provider is registered now.
    #[must_use]
    pub fn etw_registered(&self) -> bool {
        self.state().etw.context.is_some()
    }
}

impl Trace for Sim {
    unsafe fn register(&self, context: *mut c_void) -> Result<RegHandle, NtStatus> {
        let session = {
            let mut state = self.state();
            self.check_irql(&mut state, "EtwRegister", IrqlRule::Passive);
            if state.etw.context.is_some() {
                state
                    .violations
                    .push("EtwRegister while the provider is registered".into());
            }
            if !state.etw.rundown.initialised {
                state.violations.push(
                    "EtwRegister before ExInitializeRundownProtection: its enable callback \
                     may come at once"
                        .into(),
                );
            }
            if let Some(status) = state.etw.register_failure.take() {
                return Err(status);
            }
            state.etw.context = Some(SendPtr(context));
            state.etw.last_context = Some(SendPtr(context));
            state.etw.registrations += 1;
            state.etw.log.push(register_line(&PROVIDER_GUID));
            (
                state.etw.session_at_register,
                state.etw.capture_state_at_register,
            )
        };
        // ETW calls the enable callback of a provider a session already wants from inside
        // EtwRegister, before the handle is returned and before the traits are set.
        if let (Some((level, any, all)), capture) = session {
            self.etw_control(1, level, any, all);
            if capture {
                self.etw_control(CAPTURE_STATE, 0, 0, 0);
            }
        }
        Ok(RegHandle(REGHANDLE))
    }

    fn set_information(&self, handle: RegHandle, information: ProviderInformation) -> NtStatus {
        let mut state = self.state();
        self.check_irql(&mut state, "EtwSetInformation", IrqlRule::Passive);
        if state.etw.context.is_none() || handle != RegHandle(REGHANDLE) {
            state
                .violations
                .push("EtwSetInformation without a registered provider".into());
        }
        let failure = match information {
            ProviderInformation::Traits => state.etw.set_traits_failure.take(),
            ProviderInformation::UseDescriptorType => state.etw.descriptor_type_failure.take(),
        };
        if let Some(status) = failure {
            return status;
        }
        if information == ProviderInformation::Traits {
            state.etw.traits = Some(information.bytes().to_vec());
        }
        state.etw.types_read = true;
        state.etw.log.push(set_information_line(
            information.class(),
            information.bytes(),
        ));
        NtStatus::SUCCESS
    }

    fn unregister(&self, handle: RegHandle) {
        let mut state = self.state();
        self.check_irql(&mut state, "EtwUnregister", IrqlRule::Passive);
        // Whatever can still write an event must be gone: every NETIO registration (a
        // callback) and the storm timer (its DPC).
        if !state.registrations.is_empty() {
            state
                .violations
                .push("EtwUnregister while a NETIO registration is live".into());
        }
        // Only a timer that was ever set can run its DPC.
        if state.timer.context.is_some() && !state.timer.stopped && !state.timer.sets.is_empty() {
            state
                .violations
                .push("EtwUnregister before the storm timer was flushed".into());
        }
        if state.etw.context.take().is_none() || handle != RegHandle(REGHANDLE) {
            state
                .violations
                .push("EtwUnregister of a provider that is not registered".into());
        }
        // An enable callback holding the protection may have loaded the handle before it was
        // unpublished, and write with it: "No tracing calls should be made that fall outside
        // of the code bounded by the EtwRegister and EtwUnregister functions" (EtwUnregister
        // function (wdm.h)).
        if !state.etw.rundown.waited {
            state.violations.push(
                "EtwUnregister before ExWaitForRundownProtectionRelease: an enable callback \
                 holding the protection may still write with the handle"
                    .into(),
            );
        }
        if state.etw.rundown.held != 0 {
            state
                .violations
                .push("EtwUnregister while run-down protection is held".into());
        }
        state.etw.types_read = false;
        state.etw.unregistrations += 1;
        state.etw.log.push(unregister_line());
    }

    fn write(
        &self,
        handle: RegHandle,
        descriptor: &EventDescriptor,
        metadata: &[u8],
        payload: &[u8],
        names: Option<&Names>,
    ) -> NtStatus {
        let mut state = self.state();
        if state.etw.context.is_none() || handle != RegHandle(REGHANDLE) {
            state
                .violations
                .push("EtwWriteTransfer without a registered provider".into());
            return NtStatus::INVALID_PARAMETER;
        }
        if !state.etw.types_read {
            state.violations.push(
                "EtwWriteTransfer before the provider traits were set: ETW would log the \
                 event's metadata as payload (docs/netio.md#etw)"
                    .into(),
            );
        }
        if let Some(status) = state.etw.write_failure.take() {
            return status;
        }
        let name = event_name(metadata);
        match state
            .etw
            .metadata
            .iter()
            .find(|known| event_name(known) == name)
        {
            Some(known) if known.as_slice() != metadata => {
                let text = format!(
                    "EtwWriteTransfer of {:?} with metadata unlike its earlier events': one \
                     schema per event name",
                    String::from_utf8_lossy(name)
                );
                state.violations.push(text);
            }
            Some(_) => {}
            None => state.etw.metadata.push(metadata.to_vec()),
        }
        let payload: Vec<&[u8]> = Parts::new(payload, names).collect();
        if payload.len() > PAYLOAD_PARTS {
            state
                .violations
                .push("EtwWriteTransfer with more payload parts than the shell passes".into());
        }
        let mut data = vec![
            (DESCRIPTOR_PROVIDER_TRAITS, &PROVIDER_TRAITS[..]),
            (DESCRIPTOR_EVENT_METADATA, metadata),
        ];
        data.extend(payload.iter().map(|part| (DESCRIPTOR_PAYLOAD, *part)));
        state.etw.log.push(write_line(descriptor, &data));
        state.etw.writes.push(Write {
            descriptor: *descriptor,
            traits: PROVIDER_TRAITS.to_vec(),
            metadata: metadata.to_vec(),
            payload: payload.concat(),
        });
        NtStatus::SUCCESS
    }

    fn rundown_init(&self) {
        let mut state = self.state();
        self.check_irql(
            &mut state,
            "ExInitializeRundownProtection",
            IrqlRule::BelowDispatch,
        );
        if state.etw.rundown.held != 0 {
            state
                .violations
                .push("ExInitializeRundownProtection while protection is held".into());
        }
        state.etw.rundown = Rundown {
            initialised: true,
            ..Rundown::default()
        };
    }

    fn rundown_acquire(&self) -> bool {
        let mut state = self.state();
        self.check_irql(&mut state, "ExAcquireRundownProtection", IrqlRule::Dispatch);
        let rundown = &state.etw.rundown;
        let (initialised, waited, waiting) = (rundown.initialised, rundown.waited, rundown.waiting);
        if !initialised {
            state
                .violations
                .push("ExAcquireRundownProtection before ExInitializeRundownProtection".into());
            return false;
        }
        if waited {
            state.violations.push(
                "ExAcquireRundownProtection after ExWaitForRundownProtectionRelease returned: \
                 an enable callback after the unload's wait"
                    .into(),
            );
            return false;
        }
        let rundown = &mut state.etw.rundown;
        if waiting {
            rundown.refused += 1;
            return false;
        }
        rundown.held += 1;
        rundown.acquired += 1;
        true
    }

    fn rundown_release(&self) {
        let mut state = self.state();
        self.check_irql(&mut state, "ExReleaseRundownProtection", IrqlRule::Dispatch);
        if state.etw.rundown.held == 0 {
            state
                .violations
                .push("ExReleaseRundownProtection without an acquire".into());
            return;
        }
        state.etw.rundown.held -= 1;
    }

    fn rundown_wait(&self) {
        // Callbacks that won the race with the wait's start.
        let (context, early) = {
            let mut state = self.state();
            (
                state.etw.last_context,
                core::mem::take(&mut state.etw.before_rundown_wait),
            )
        };
        if let Some(context) = context {
            for code in early {
                self.enable_callback(context, code, 0, u64::MAX, 0);
            }
        }
        let (context, late) = {
            let mut state = self.state();
            self.check_irql(
                &mut state,
                "ExWaitForRundownProtectionRelease",
                IrqlRule::BelowDispatch,
            );
            if !state.etw.rundown.initialised {
                state.violations.push(
                    "ExWaitForRundownProtectionRelease before ExInitializeRundownProtection".into(),
                );
            }
            if state.etw.rundown.waiting {
                state
                    .violations
                    .push("ExWaitForRundownProtectionRelease twice".into());
            }
            state.etw.rundown.waiting = true;
            (
                state.etw.last_context,
                core::mem::take(&mut state.etw.during_rundown_wait),
            )
        };
        // Callbacks ETW started before the wait, reaching the protection only now.
        if let Some(context) = context {
            for code in late {
                self.enable_callback(context, code, 0, u64::MAX, 0);
            }
        }
        let mut state = self.state();
        // One thread here: a protection still held would never be released.
        if state.etw.rundown.held != 0 {
            state.violations.push(
                "ExWaitForRundownProtectionRelease with protection held: it never returns".into(),
            );
        }
        state.etw.rundown.waited = true;
    }
}

/// The event name in `metadata` (after its size and tags byte), up to its NUL.
fn event_name(metadata: &[u8]) -> &[u8] {
    let name = metadata.get(3..).unwrap_or_default();
    name.split(|&byte| byte == 0).next().unwrap_or_default()
}

/// A `TraceLogging` event as one JSON object: `{"event":NAME,FIELD:VALUE,…}`.
///
/// Numbers as numbers (`BOOL32` as `true`/`false`), addresses and text as strings: the
/// project's one decoder ([`decode::decode`], the watcher's) walks the bytes, and this writes
/// its values as JSON, for readable tests; the Wine harness decodes the same bytes with a
/// decoder this project did not write (`ci/wine/etw.py`).
#[must_use]
pub fn decode(write: &Write) -> String {
    decode_bytes(&write.metadata, &write.payload)
        .unwrap_or_else(|| format!("undecodable {:?} {:?}", write.metadata, write.payload))
}

fn decode_bytes(metadata: &[u8], payload: &[u8]) -> Option<String> {
    // The driver's metadata has no tags (the old reader's check, kept).
    if *metadata.get(2)? != 0 {
        return None;
    }
    let event = decode::decode(metadata, payload, 8).ok()?;
    let mut json = format!("{{\"event\":\"{}\"", event.name);
    for item in event.fields {
        let Item::Field(field) = item.ok()? else {
            return None;
        };
        let value = json_value(field.value, field.meta.out_type)?;
        let _ = write!(json, ",\"{}\":{value}", field.meta.name);
    }
    json.push('}');
    Some(json)
}

/// Text as a JSON string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A decoded value as JSON, by its in-type and out-type: what the simulator's tests read.
fn json_value(value: Value<'_>, out_type: u8) -> Option<String> {
    Some(match value {
        Value::U8(number) => format!("{number}"),
        Value::U16(number) => format!("{number}"),
        Value::I32(number) => format!("{number}"),
        Value::I64(number) => format!("{number}"),
        Value::U32(bits) if out_type == OutType::IPv4.as_int() => {
            format!("\"{}\"", std::net::Ipv4Addr::from(bits.to_le_bytes()))
        }
        // An integer with the hex out-type (a LUID, the flags): `0x` and as many digits as
        // its width has.
        Value::U32(number) if out_type == OutType::Hex.as_int() => format!("\"{number:#010x}\""),
        Value::U64(number) if out_type == OutType::Hex.as_int() => format!("\"{number:#018x}\""),
        Value::U32(number) => format!("{number}"),
        Value::U64(number) => format!("{number}"),
        Value::Bool32(number) => format!("{}", number != 0),
        // As JSON writes an f64: the shortest text that reads back to it.
        Value::F64(number) => format!("{number:?}"),
        Value::CStr8(bytes) => quoted(core::str::from_utf8(bytes).ok()?),
        Value::CStr16(units) => {
            quoted(&String::from_utf16(&units.units().collect::<Vec<_>>()).ok()?)
        }
        Value::Array(array) if array.in_type == decode::in_type::U32 => {
            let values: Vec<String> = array
                .iter()
                .map(|element| match element {
                    Value::U32(number) => Some(format!("{number}")),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            format!("[{}]", values.join(","))
        }
        // No address (count 0): empty, as an absent text is.
        Value::Binary([]) if out_type == OutType::SocketAddress.as_int() => "\"\"".into(),
        Value::Binary(bytes) if out_type == OutType::SocketAddress.as_int() => {
            format!("\"{}\"", socket_address(bytes)?)
        }
        Value::Binary(bytes) if out_type == OutType::IPv6.as_int() => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            format!("\"{}\"", std::net::Ipv6Addr::from(octets))
        }
        _ => return None,
    })
}

/// A `SOCKADDR_INET` as the decoders of the project show it (docs/replay.md#etw): IPv4
/// dotted, IPv6 as its eight groups in hex, none elided, with `%<scope id>` when it is set,
/// any other family `family(<n>)`.
#[must_use]
pub fn socket_address(sockaddr: &[u8]) -> Option<String> {
    let sockaddr: &[u8; 28] = sockaddr.try_into().ok()?;
    let [family_low, family_high, ..] = *sockaddr;
    let at = |from: usize, to: usize| sockaddr.get(from..to).unwrap_or_default();
    Some(match u16::from_le_bytes([family_low, family_high]) {
        2 => format!(
            "{}",
            std::net::Ipv4Addr::from(<[u8; 4]>::try_from(at(4, 8)).ok()?)
        ),
        23 => {
            let groups: Vec<String> = at(8, 24)
                .chunks_exact(2)
                .filter_map(|group| {
                    Some(format!("{:x}", u16::from_be_bytes(group.try_into().ok()?)))
                })
                .collect();
            let scope = u32::from_le_bytes(at(24, 28).try_into().ok()?);
            let mut text = groups.join(":");
            if scope != 0 {
                let _ = write!(text, "%{scope}");
            }
            text
        }
        other => format!("family({other})"),
    })
}

// The `--keep-etw` format (docs/replay.md#etw): one JSON object per ETW call, written the same
// way by the simulator and by the Wine harness's double, so that the two logs compare as text.

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

/// `EtwRegister` of the provider `guid`.
#[must_use]
pub fn register_line(guid: &Guid) -> String {
    let guid = String::from_utf8_lossy(&guid.to_utf8_bytes()).into_owned();
    format!("{{\"call\":\"EtwRegister\",\"provider\":\"{{{guid}}}\"}}")
}

/// `EtwSetInformation` of `class` with `information`.
#[must_use]
pub fn set_information_line(class: u32, information: &[u8]) -> String {
    format!(
        "{{\"call\":\"EtwSetInformation\",\"class\":{class},\"hex\":\"{}\"}}",
        hex(information)
    )
}

/// The enable callback, called by the session with `code`, `level` and keywords.
#[must_use]
pub fn enable_line(code: u32, level: u8, any: u64, all: u64) -> String {
    format!("{{\"call\":\"enable\",\"code\":{code},\"level\":{level},\"any\":{any},\"all\":{all}}}")
}

/// `EtwWriteTransfer` of `descriptor` with `data` (each data descriptor's `Reserved` type and
/// bytes), no activity ids.
#[must_use]
pub fn write_line(descriptor: &EventDescriptor, data: &[(u32, &[u8])]) -> String {
    let data: Vec<String> = data
        .iter()
        .map(|(kind, bytes)| format!("{{\"type\":{kind},\"hex\":\"{}\"}}", hex(bytes)))
        .collect();
    format!(
        "{{\"call\":\"EtwWriteTransfer\",\"id\":{},\"version\":{},\"channel\":{},\"level\":{},\
         \"opcode\":{},\"task\":{},\"keyword\":{},\"data\":[{}]}}",
        descriptor.id,
        descriptor.version,
        descriptor.channel.as_int(),
        descriptor.level.as_int(),
        descriptor.opcode.as_int(),
        descriptor.task,
        descriptor.keyword,
        data.join(",")
    )
}

/// `EtwUnregister`.
#[must_use]
pub fn unregister_line() -> String {
    "{\"call\":\"EtwUnregister\"}".into()
}
