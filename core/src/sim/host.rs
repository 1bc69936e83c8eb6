//! The simulator as the driver's host: the output sink and its clock, the device object and its
//! extension, the unload routine, and the registry the settings are read from.

use core::ffi::c_void;
use core::ptr::NonNull;
use core::sync::atomic::Ordering;
use std::alloc::{self, Layout};
use std::format;
use std::string::String;
use std::sync::PoisonError;
use std::vec::Vec;

use crate::boundary::host::{Clock, DriverKey, Host, Key, Level, Sink, StormTimer};
use crate::model::record::Record;
use crate::model::settings::{PARAMETER_BUFFER, REG_DWORD, RawValue};
use crate::model::status::NtStatus;
use crate::output::line::Line;

use super::kernel::{IrqlRule, Sim};
use super::scenario::{Call, RegistryOpen};
use super::state::{DECIDED_KEPT_OUT, DECIDED_PRINTED, Device, SendPtr, State, Subkey, Timer};

impl Sink for Sim {
    type Trace = Self;

    fn trace(&self) -> &Self {
        self
    }

    fn emit(&self, level: Level, line: &Line) {
        self.check_irql_unlocked("DbgPrintEx", IrqlRule::Dirql);
        self.0
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((level, String::from(line.as_str())));
    }

    const RECORDS: bool = true;

    fn record(&self, record: &Record) {
        // Lock order: the lines, then the records (as `event_records_since` takes them).
        let lines = self.0.lines.lock().unwrap_or_else(PoisonError::into_inner);
        self.0
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((lines.len(), *record));
    }

    const REPLAYS_DECISIONS: bool = true;

    fn decision(&self) -> Option<bool> {
        match self.0.decision.load(Ordering::Relaxed) {
            DECIDED_PRINTED => Some(true),
            DECIDED_KEPT_OUT => Some(false),
            _ => None,
        }
    }
}

impl Clock for Sim {
    fn now(&self) -> u64 {
        self.0.clock.load(Ordering::Relaxed)
    }
}

impl StormTimer for Sim {
    unsafe fn start_timer(&self, context: *mut c_void) {
        let mut state = self.state();
        self.check_irql(&mut state, "KeInitializeTimer", IrqlRule::Dispatch);
        if state.timer.context.is_some() {
            state
                .violations
                .push("KeInitializeTimer of the storm timer twice".into());
        }
        state.timer.context = Some(SendPtr(context));
    }
    fn set_timer(&self, delay: u64) {
        let due = self.now().saturating_add(delay);
        let mut state = self.state();
        self.check_irql(&mut state, "KeSetTimer", IrqlRule::Dispatch);
        if state.timer.context.is_none() {
            state
                .violations
                .push("KeSetTimer before KeInitializeTimer".into());
        } else if state.timer.stopped {
            state
                .violations
                .push("KeSetTimer after the storm timer was stopped".into());
        }
        state.timer.due = Some(due);
        state.timer.sets.push(due);
    }
    fn stop_timer(&self) {
        let mut state = self.state();
        // KeCancelTimer allows DISPATCH_LEVEL; KeFlushQueuedDpcs only PASSIVE_LEVEL.
        self.check_irql(&mut state, "KeFlushQueuedDpcs", IrqlRule::Passive);
        if state.timer.context.is_none() {
            state
                .violations
                .push("KeCancelTimer before KeInitializeTimer".into());
        }
        state.timer.due = None;
        state.timer.stopped = true;
    }
}

// SAFETY: `create_device` hands out a fresh zeroed allocation of the requested size, aligned
// to 16 like pool memory, owned until `delete_device`; `device_extension` returns it meanwhile.
unsafe impl Host for Sim {
    type NetIo = Self;
    type Sink = Self;

    fn netio(&self) -> Self {
        self.clone()
    }

    fn sink(&self) -> Self {
        self.clone()
    }

    fn create_device(&self, extension_size: usize) -> Result<NonNull<u8>, NtStatus> {
        let mut state = self.state();
        state.calls.push(Call::CreateDevice { extension_size });
        self.check_irql(&mut state, "IoCreateDevice", IrqlRule::BelowDispatch);
        if let Some(status) = state.create_device_failure.take() {
            return Err(status);
        }
        assert!(state.device.is_none(), "IoCreateDevice called twice");
        let layout = Layout::from_size_align(extension_size.max(1), 16).unwrap();
        // SAFETY: non-zero size.
        let extension =
            NonNull::new(unsafe { alloc::alloc_zeroed(layout) }).expect("out of memory");
        state.device = Some(Device { extension, layout });
        Ok(extension)
    }

    fn device_extension(&self) -> Option<NonNull<u8>> {
        self.state().device.as_ref().map(|device| device.extension)
    }

    fn delete_device(&self) {
        let mut state = self.state();
        state.calls.push(Call::DeleteDevice);
        self.check_irql(&mut state, "IoDeleteDevice", IrqlRule::BelowDispatch);
        let Some(device) = state.device.take() else {
            state
                .violations
                .push("IoDeleteDevice without a device".into());
            return;
        };
        if state.timer.context.is_some() && !state.timer.stopped {
            state
                .violations
                .push("device deleted while the storm timer may still expire".into());
        }
        if !state.etw.rundown_done() {
            state.violations.push(
                "device deleted before ExWaitForRundownProtectionRelease: an enable callback \
                 may still use the extension"
                    .into(),
            );
        }
        state.timer = Timer::default();
        let start = device.extension.as_ptr().addr();
        let end = start + device.layout.size();
        state.orphan(
            |registration| (start..end).contains(&registration.context.0.addr()),
            "device deleted",
        );
        drop(state);
        // SAFETY: allocated by `create_device` with this layout; the lifecycle dropped the
        // extension's contents before deleting the device.
        unsafe { alloc::dealloc(device.extension.as_ptr(), device.layout) };
    }

    fn enable_unload(&self) {
        let mut state = self.state();
        state.calls.push(Call::EnableUnload);
        state.unload_enabled = true;
    }

    fn keep_driver_object(&self) {
        let mut state = self.state();
        state.calls.push(Call::KeepDriverObject);
        self.check_irql(&mut state, "ObfReferenceObject", IrqlRule::Dispatch);
        state.driver_kept = true;
    }

    fn open_driver_key(&self, kind: DriverKey) -> Option<Result<Key, NtStatus>> {
        let mut state = self.state();
        self.check_irql(&mut state, "MmGetSystemRoutineAddress", IrqlRule::Passive);
        if !state.registry.driver_key_routine {
            return None;
        }
        state.registry.opens.push(RegistryOpen::DriverKey(kind));
        Some(match kind {
            DriverKey::Parameters => Self::open(&mut state, Subkey::Parameters),
        })
    }

    fn registry_path(&self) -> &[u16] {
        &self.0.service_key
    }

    fn open_key(&self, path: &[u16]) -> Result<Key, NtStatus> {
        let mut state = self.state();
        self.check_irql(&mut state, "ZwOpenKey", IrqlRule::Passive);
        let name = String::from_utf16_lossy(path);
        state.registry.opens.push(RegistryOpen::Path(name.clone()));
        let service = String::from_utf16_lossy(&self.0.service_key);
        let subkey = [Subkey::Parameters, Subkey::State]
            .into_iter()
            .find(|subkey| name.eq_ignore_ascii_case(&format!("{service}\\{}", subkey.name())))
            .ok_or(NtStatus::OBJECT_NAME_NOT_FOUND)?;
        if subkey == Subkey::State && !state.registry.state_key {
            return Err(NtStatus::OBJECT_NAME_NOT_FOUND);
        }
        Self::open(&mut state, subkey)
    }

    /// Encodes the value as `ZwQueryValueKey(KeyValuePartialInformation)` would.
    fn query_value(&self, key: Key, name: &str, buffer: &mut [u8; PARAMETER_BUFFER]) -> NtStatus {
        let mut state = self.state();
        self.check_irql(&mut state, "ZwQueryValueKey", IrqlRule::Passive);
        let Some(kind) = state.registry.open_keys.get(&key.0).copied() else {
            state
                .violations
                .push(format!("ZwQueryValueKey of {key:?}, which is not open"));
            return NtStatus::INVALID_HANDLE;
        };
        let values = match kind {
            Subkey::Parameters => &state.parameters,
            Subkey::State => &state.registry.state,
        };
        let value = values.get(name).copied().unwrap_or(RawValue::Missing);
        drop(state);
        let header = |buffer: &mut [u8; PARAMETER_BUFFER], value_type: u32, size: u32| {
            buffer[4..8].copy_from_slice(&value_type.to_le_bytes());
            buffer[8..12].copy_from_slice(&size.to_le_bytes());
        };
        match value {
            RawValue::Missing => NtStatus::OBJECT_NAME_NOT_FOUND,
            RawValue::Dword(dword) => {
                header(buffer, REG_DWORD, 4);
                buffer[12..16].copy_from_slice(&dword.to_le_bytes());
                NtStatus::SUCCESS
            }
            RawValue::Other { value_type, size } => {
                header(buffer, value_type, size);
                if size <= 4 {
                    NtStatus::SUCCESS
                } else {
                    NtStatus::BUFFER_OVERFLOW
                }
            }
            RawValue::Unreadable(status) => status,
        }
    }

    fn close_key(&self, key: Key) {
        let mut state = self.state();
        self.check_irql(&mut state, "ZwClose", IrqlRule::Passive);
        if state.registry.open_keys.remove(&key.0).is_none() {
            state
                .violations
                .push(format!("ZwClose of {key:?}, which is not open"));
        }
    }
}

impl Sim {
    /// The event records after the first `from` (`cargo replay --json`), each with the number
    /// of lines printed before it: a record comes before its line.
    #[must_use]
    pub fn event_records_since(&self, from: usize) -> Vec<(usize, Record)> {
        let _lines = self.0.lines.lock().unwrap_or_else(PoisonError::into_inner);
        self.0
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(from..)
            .unwrap_or_default()
            .to_vec()
    }

    /// Opens a subkey of the service key (either path): a fresh handle, or the scripted
    /// failure of `Parameters`.
    fn open(state: &mut State, subkey: Subkey) -> Result<Key, NtStatus> {
        if subkey == Subkey::Parameters
            && let Some(status) = state.registry.open_failure.take()
        {
            return Err(status);
        }
        let handle = state.registry.next_key;
        state.registry.next_key += 4;
        state.registry.open_keys.insert(handle, subkey);
        Ok(Key(handle))
    }
}
