//! The ETW transport double: ETW's own job, moving events from a kernel provider to a user-mode
//! session in another process, played between the two halves of this DLL.
//!
//! Wine 8.0's sechost stubs the consumer API (`StartTraceW` and `EnableTraceEx2` succeed and do
//! nothing, `OpenTraceW` fails with `ERROR_ACCESS_DENIED`, `ProcessTrace` is not implemented),
//! and its ntoskrnl.exe has no `Etw*` routine. This DLL is loaded twice: as `netio.sys` in
//! winedevice.exe, where its `Etw*` exports (lib.rs) are the driver's kernel side, and as
//! `etwdouble.dll` beside the watcher, whose Wine build (feature `wine-etw-double` of
//! `netnotify-watch`) imports `StartTraceW`, `EnableTraceEx2`, `OpenTraceW`, `ProcessTrace`,
//! `CloseTrace` and `ControlTraceW` from it instead of advapi32.dll. The two halves meet in
//! files of the harness's folder `C:\netnotify`:
//! - `<session>.etw-session`: exists while the session does (`StartTraceW` creates it,
//!   `ControlTraceW(EVENT_TRACE_CONTROL_STOP)` deletes it, so one left by a killed watcher
//!   gives the next `StartTraceW` `ERROR_ALREADY_EXISTS`); `EnableTraceEx2` appends a line per
//!   call (`enable`/`capture`/`disable`, the provider, level and keywords), which the kernel side
//!   applies: inside `EtwRegister` if the session came first, else on its polling thread, by
//!   calling the driver's enable callback with every session's level and keywords combined, as
//!   ETW does ("`EnableTraceEx2` function", Microsoft Learn,
//!   <https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-enabletraceex2>).
//!   A capture-state request reaches a provider only while it is registered.
//! - `<session>.etw-events`: each event the driver writes that the session's level and keywords
//!   select, appended as one frame ([`frame`]); `ProcessTrace` reads them and calls the
//!   watcher's callback with an `EVENT_RECORD` as ETW builds one: `UserData` the payload, the
//!   `EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL` item the metadata, and `PROV_TRAITS` the traits the
//!   driver set ("`EVENT_RECORD` structure", "`EVENT_HEADER_EXTENDED_DATA_ITEM` structure",
//!   <https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_record>,
//!   <https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_header_extended_data_item>).
//!   `OpenTraceW` of a log file reads such a file too (the double's stand-in for an .etl).
//! - `<session>.etw-open`: `OpenTraceW` of the session happened (the harness waits for it
//!   before `sc start`).
//! - `etw-access-denied`: while it exists, `StartTraceW` fails with `ERROR_ACCESS_DENIED`, as
//!   for a user who is neither elevated nor in Performance Log Users; `etw-stop-denied`: while
//!   it exists, `ControlTraceW` of a session by name fails so (another user's stale session).
//!
//! What it cannot be: ETW's buffers (nothing is ever lost: `EventsLost`, `LogBuffersLost` and
//! `RealTimeBuffersLost` are 0), TDH, real timestamps' clock (`TimeStamp` is the system time
//! at the write), or a real .etl file.
#![allow(
    clippy::cast_possible_truncation,
    reason = "sizes under 64 KB, checked by the writer"
)]

use core::ffi::c_void;
use core::ptr;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use windows_sys::Win32::Foundation::FILETIME;
use windows_sys::Win32::System::Diagnostics::Etw::{
    CONTROLTRACE_HANDLE, EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL, EVENT_HEADER_EXT_TYPE_PROV_TRAITS,
    EVENT_HEADER_EXTENDED_DATA_ITEM, EVENT_HEADER_FLAG_64_BIT_HEADER,
    EVENT_HEADER_FLAG_EXTENDED_INFO, EVENT_RECORD, EVENT_TRACE_CONTROL, EVENT_TRACE_CONTROL_QUERY,
    EVENT_TRACE_CONTROL_STOP, EVENT_TRACE_LOGFILEW, EVENT_TRACE_PROPERTIES,
    EVENT_TRACE_REAL_TIME_MODE, PROCESS_TRACE_MODE_EVENT_RECORD, PROCESS_TRACE_MODE_REAL_TIME,
    PROCESSTRACE_HANDLE,
};
use windows_sys::core::{GUID, PCWSTR};

use super::path;

/// `ERROR_ACCESS_DENIED`, `ERROR_ALREADY_EXISTS` and the others these routines return
/// (winerror.h).
const ERROR_SUCCESS: u32 = 0;
const ERROR_FILE_NOT_FOUND: u32 = 2;
const ERROR_ACCESS_DENIED: u32 = 5;
const ERROR_INVALID_HANDLE: u32 = 6;
const ERROR_BAD_LENGTH: u32 = 24;
const ERROR_NOT_SUPPORTED: u32 = 50;
const ERROR_INVALID_PARAMETER: u32 = 87;
const ERROR_ALREADY_EXISTS: u32 = 183;
const ERROR_WMI_INSTANCE_NOT_FOUND: u32 = 4201;
/// `INVALID_PROCESSTRACE_HANDLE`.
const INVALID_PROCESSTRACE: u64 = u64::MAX;

/// The enable control codes of `EnableTraceEx2` (evntrace.h).
const DISABLE: u32 = 0;
const ENABLE: u32 = 1;
const CAPTURE_STATE: u32 = 2;

/// What [`scan`] reports for a session that enabled the provider and was stopped.
pub const SESSION_GONE: u32 = u32::MAX;

/// How often each side looks at the other's files.
const POLL: Duration = Duration::from_millis(10);

fn session_file(name: &str) -> String {
    path(&format!("{name}.etw-session"))
}

fn events_file(name: &str) -> String {
    path(&format!("{name}.etw-events"))
}

fn switch(name: &str) -> bool {
    std::path::Path::new(&path(name)).exists()
}

/// A GUID as the transport writes it: its 16 bytes in memory order.
const fn guid_bytes(guid: &GUID) -> [u8; 16] {
    let mut bytes = [0; 16];
    let data1 = guid.data1.to_le_bytes();
    let data2 = guid.data2.to_le_bytes();
    let data3 = guid.data3.to_le_bytes();
    bytes[0] = data1[0];
    bytes[1] = data1[1];
    bytes[2] = data1[2];
    bytes[3] = data1[3];
    bytes[4] = data2[0];
    bytes[5] = data2[1];
    bytes[6] = data3[0];
    bytes[7] = data3[1];
    let mut at = 0;
    while at < 8 {
        bytes[8 + at] = guid.data4[at];
        at += 1;
    }
    bytes
}

fn guid_from(bytes: &[u8]) -> GUID {
    let mut data4 = [0; 8];
    data4.copy_from_slice(&bytes[8..16]);
    GUID {
        data1: u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        data2: u16::from_le_bytes([bytes[4], bytes[5]]),
        data3: u16::from_le_bytes([bytes[6], bytes[7]]),
        data4,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

// ---------------------------------------------------------------------------------------------
// The frame: one event as the kernel side wrote it.

/// One event: the provider, the `EVENT_DESCRIPTOR`'s 16 bytes, the time (a `FILETIME`), the
/// writer's process and thread, then the metadata, the traits and the payload.
pub struct Frame {
    provider: [u8; 16],
    descriptor: [u8; 16],
    timestamp: i64,
    process: u32,
    thread: u32,
    metadata: Vec<u8>,
    traits: Vec<u8>,
    payload: Vec<u8>,
}

/// The frame's bytes: its length, then its fields, little-endian, each byte string after its
/// `u32` length.
pub fn frame(
    provider: [u8; 16],
    descriptor: [u8; 16],
    metadata: &[u8],
    traits: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let since_1601 = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() / 100)
        + 116_444_736_000_000_000;
    let mut body = Vec::new();
    body.extend_from_slice(&provider);
    body.extend_from_slice(&descriptor);
    body.extend_from_slice(&(since_1601 as i64).to_le_bytes());
    body.extend_from_slice(&std::process::id().to_le_bytes());
    body.extend_from_slice(&current_thread().to_le_bytes());
    for part in [metadata, traits, payload] {
        body.extend_from_slice(&(part.len() as u32).to_le_bytes());
        body.extend_from_slice(part);
    }
    let mut bytes = (body.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(&body);
    bytes
}

#[link(name = "kernel32")]
unsafe extern "system" {
    fn GetCurrentThreadId() -> u32;
}

fn current_thread() -> u32 {
    // SAFETY: no precondition.
    unsafe { GetCurrentThreadId() }
}

/// The whole frames at the start of `bytes`, and how many bytes they took (a frame being
/// appended is left for the next read).
fn frames(bytes: &[u8]) -> (Vec<Frame>, usize) {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(length) = bytes.get(at..at + 4) {
        let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize;
        let Some(frame) = bytes.get(at + 4..at + 4 + length).and_then(parse) else {
            break;
        };
        found.push(frame);
        at += 4 + length;
    }
    (found, at)
}

fn parse(body: &[u8]) -> Option<Frame> {
    let take = |at: &mut usize, count: usize| -> Option<&[u8]> {
        let part = body.get(*at..*at + count)?;
        *at += count;
        Some(part)
    };
    let mut at = 0;
    let provider = take(&mut at, 16)?.try_into().ok()?;
    let descriptor = take(&mut at, 16)?.try_into().ok()?;
    let timestamp = i64::from_le_bytes(take(&mut at, 8)?.try_into().ok()?);
    let process = u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?);
    let thread = u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?);
    let mut parts = [Vec::new(), Vec::new(), Vec::new()];
    for part in &mut parts {
        let length = u32::from_le_bytes(take(&mut at, 4)?.try_into().ok()?) as usize;
        *part = take(&mut at, length)?.to_vec();
    }
    let [metadata, traits, payload] = parts;
    Some(Frame {
        provider,
        descriptor,
        timestamp,
        process,
        thread,
        metadata,
        traits,
        payload,
    })
}

// ---------------------------------------------------------------------------------------------
// The kernel side (winedevice.exe): the sessions the watcher started, applied to the provider.

/// A session of the watcher's, as far as the kernel side has read its file.
struct Consumer {
    /// Lines of its file already applied.
    lines: usize,
    /// Enabled for the provider: its level and keywords.
    enabled: Option<(u8, u64)>,
}

static CONSUMERS: Mutex<BTreeMap<String, Consumer>> = Mutex::new(BTreeMap::new());
static POLLING: AtomicBool = AtomicBool::new(false);

/// Reads the sessions' files: the control codes to pass to the provider's enable callback for
/// what changed ([`SESSION_GONE`] for a session stopped: the caller disables, or re-enables
/// with what the others ask if that differs).
fn scan(provider: &[u8; 16]) -> Vec<u32> {
    // Every session's file, read before the lock is taken.
    let mut present = Vec::new();
    if let Ok(entries) = fs::read_dir(path("")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(session) = name.strip_suffix(".etw-session")
                && let Ok(text) = fs::read_to_string(session_file(session))
            {
                present.push((session.to_owned(), text));
            }
        }
    }
    let mut codes = Vec::new();
    let mut consumers = CONSUMERS.lock().unwrap_or_else(PoisonError::into_inner);
    consumers.retain(|name, consumer| {
        let kept = present.iter().any(|(session, _)| session == name);
        if !kept && consumer.enabled.is_some() {
            codes.push(SESSION_GONE);
        }
        kept
    });
    for (name, text) in present {
        let consumer = consumers.entry(name).or_insert(Consumer {
            lines: 0,
            enabled: None,
        });
        // Only whole lines: the watcher may be writing one.
        let whole: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .collect();
        for line in whole.iter().skip(consumer.lines) {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["enable" | "capture" | "disable", guid, level, any] = words[..] {
                if guid != hex(provider) {
                    continue;
                }
                let level = level.parse().unwrap_or(0);
                let any = u64::from_str_radix(any.trim_start_matches("0x"), 16).unwrap_or(0);
                match words[0] {
                    "enable" => {
                        consumer.enabled = Some((level, any));
                        codes.push(ENABLE);
                    }
                    "disable" => {
                        consumer.enabled = None;
                        codes.push(ENABLE);
                    }
                    _ => codes.push(CAPTURE_STATE),
                }
            }
        }
        consumer.lines = whole.len();
    }
    drop(consumers);
    codes
}

/// The level and keywords of every session of the provider, combined as ETW passes them to the
/// enable callback: the highest level (0 is every level), every keyword any session asks.
pub fn combined(harness: Option<(u8, u64)>) -> Option<(u8, u64)> {
    let consumers = CONSUMERS.lock().unwrap_or_else(PoisonError::into_inner);
    harness
        .into_iter()
        .chain(consumers.values().filter_map(|consumer| consumer.enabled))
        .reduce(|(level, any), (other_level, other_any)| {
            let level = if level == 0 || other_level == 0 {
                0
            } else {
                level.max(other_level)
            };
            (level, any | other_any)
        })
}

/// `EtwRegister`: the sessions' files read, without callbacks (the caller makes the one
/// enable callback a registration gets, with [`combined`]); then, once per process, the thread
/// that applies what the sessions ask later, through `control` (the enable callback).
pub fn registered(provider: [u8; 16], control: fn(u32)) {
    let _ = scan(&provider);
    if POLLING.swap(true, Ordering::AcqRel) {
        return;
    }
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(POLL);
            for code in scan(&provider) {
                control(code);
            }
        }
    });
}

/// `EtwWriteTransfer`: the event appended to every session whose level and keywords select
/// it, as one frame.
pub fn deliver(provider: [u8; 16], descriptor: [u8; 16], parts: &[(u32, &[u8])], traits: &[u8]) {
    let level = descriptor[4];
    let keyword = u64::from_le_bytes(descriptor[8..16].try_into().unwrap_or([0; 8]));
    let selected: Vec<String> = CONSUMERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|(_, consumer)| {
            consumer.enabled.is_some_and(|(session, any)| {
                (session == 0 || level <= session) && (keyword == 0 || keyword & any != 0)
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    if selected.is_empty() {
        return;
    }
    let join = |kind: u32| -> Vec<u8> {
        parts
            .iter()
            .filter(|(part, _)| *part == kind)
            .flat_map(|(_, bytes)| bytes.iter().copied())
            .collect()
    };
    // Traits in the event itself (descriptor type 2) win over the provider's.
    let own = join(2);
    let frame = frame(
        provider,
        descriptor,
        &join(1),
        if own.is_empty() { traits } else { &own },
        &join(0),
    );
    for name in selected {
        let written = fs::OpenOptions::new()
            .append(true)
            .open(events_file(&name))
            .and_then(|mut file| file.write_all(&frame));
        if written.is_err() {
            super::misuse(&format!("the transport could not write {name}.etw-events"));
        }
    }
}

/// The provider's GUID as the transport writes it.
pub const fn provider_bytes(guid: &netnotify_core::output::trace::Guid) -> [u8; 16] {
    guid_bytes(&GUID::from_u128(guid.to_u128()))
}

// ---------------------------------------------------------------------------------------------
// The consumer side (the watcher's process): the six routines, exported.

/// An open trace: the session (or file) and the watcher's callback and context.
struct Trace {
    session: Option<String>,
    file: String,
    callback: Option<unsafe extern "system" fn(*mut EVENT_RECORD)>,
    context: usize,
    closed: bool,
    /// A `ProcessTrace` of it is running.
    processing: bool,
}

static TRACES: Mutex<Vec<Trace>> = Mutex::new(Vec::new());
/// The sessions this process started, by handle (index + 1).
static STARTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A NUL-terminated UTF-16 string.
///
/// # Safety
/// `text` is NULL or NUL-terminated and readable.
unsafe fn text_of(text: PCWSTR) -> Option<String> {
    if text.is_null() {
        return None;
    }
    let mut length = 0;
    // SAFETY: NUL-terminated (the contract): every unit up to the NUL is readable.
    loop {
        // SAFETY: at or before the NUL (the contract), so inside the string.
        let unit = unsafe { text.add(length) };
        // SAFETY: as above, readable.
        if unsafe { unit.read() } == 0 {
            break;
        }
        length += 1;
    }
    // SAFETY: `length` readable units, just counted.
    let units = unsafe { core::slice::from_raw_parts(text, length) };
    Some(String::from_utf16_lossy(units))
}

/// Fills what `StartTraceW` and `ControlTraceW` fill: the session's name at
/// `LoggerNameOffset` when there is room, and nothing lost.
///
/// # Safety
/// `properties` is NULL or a writable `EVENT_TRACE_PROPERTIES` of `Wnode.BufferSize` bytes.
unsafe fn fill(properties: *mut EVENT_TRACE_PROPERTIES, name: &str) {
    // SAFETY: the contract.
    let Some(base) = (unsafe { properties.as_mut() }) else {
        return;
    };
    base.EventsLost = 0;
    base.LogBuffersLost = 0;
    base.RealTimeBuffersLost = 0;
    let offset = base.LoggerNameOffset as usize;
    let size = base.Wnode.BufferSize as usize;
    let bytes: Vec<u8> = name
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect();
    if offset >= size_of::<EVENT_TRACE_PROPERTIES>() && offset + bytes.len() <= size {
        // SAFETY: inside the caller's buffer of `size` bytes (checked just above).
        let at = unsafe { properties.cast::<u8>().add(offset) };
        // SAFETY: `bytes.len()` bytes fit at `at` (checked).
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), at, bytes.len()) };
    }
}

/// `StartTraceW`, played: the session's file created; `ERROR_ALREADY_EXISTS` if it exists.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn StartTraceW(
    handle: *mut CONTROLTRACE_HANDLE,
    name: PCWSTR,
    properties: *mut EVENT_TRACE_PROPERTIES,
) -> u32 {
    if switch("etw-access-denied") {
        return ERROR_ACCESS_DENIED;
    }
    // SAFETY: NUL-terminated (StartTraceW's contract).
    let Some(name) = (unsafe { text_of(name) }) else {
        return ERROR_INVALID_PARAMETER;
    };
    // SAFETY: NULL or readable (the contract).
    let Some(base) = (unsafe { properties.as_ref() }) else {
        return ERROR_INVALID_PARAMETER;
    };
    if handle.is_null()
        || (base.Wnode.BufferSize as usize) < size_of::<EVENT_TRACE_PROPERTIES>()
        || base.LogFileMode & EVENT_TRACE_REAL_TIME_MODE == 0
    {
        return ERROR_INVALID_PARAMETER;
    }
    // The name is copied to LoggerNameOffset ("EVENT_TRACE_PROPERTIES structure": "Be sure to
    // allocate enough memory for the EVENT_TRACE_PROPERTIES structure and session name"): a
    // watcher whose properties have no room for it is refused here as well, not let through.
    let room = (base.Wnode.BufferSize as usize).saturating_sub(base.LoggerNameOffset as usize);
    if (base.LoggerNameOffset as usize) < size_of::<EVENT_TRACE_PROPERTIES>()
        || room < (name.encode_utf16().count() + 1) * 2
    {
        return ERROR_BAD_LENGTH;
    }
    let created = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(session_file(&name));
    match created {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            return ERROR_ALREADY_EXISTS;
        }
        Err(_) => return ERROR_ACCESS_DENIED,
    }
    if fs::write(events_file(&name), b"").is_err() {
        return ERROR_ACCESS_DENIED;
    }
    let _ = fs::remove_file(path(&format!("{name}.etw-open")));
    // SAFETY: as above, writable.
    unsafe { fill(properties, &name) };
    let mut started = STARTED.lock().unwrap_or_else(PoisonError::into_inner);
    started.push(name);
    // SAFETY: non-NULL (checked), writable (the contract).
    unsafe {
        handle.write(CONTROLTRACE_HANDLE {
            Value: started.len() as u64,
        });
    };
    ERROR_SUCCESS
}

fn started(handle: CONTROLTRACE_HANDLE) -> Option<String> {
    let started = STARTED.lock().unwrap_or_else(PoisonError::into_inner);
    usize::try_from(handle.Value)
        .ok()
        .and_then(|index| index.checked_sub(1))
        .and_then(|index| started.get(index).cloned())
}

/// `EnableTraceEx2`, played: a line in the session's file, which the kernel side applies.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn EnableTraceEx2(
    handle: CONTROLTRACE_HANDLE,
    provider: *const GUID,
    code: u32,
    level: u8,
    any: u64,
    _all: u64,
    _timeout: u32,
    _parameters: *const c_void,
) -> u32 {
    let Some(name) = started(handle) else {
        return ERROR_INVALID_HANDLE;
    };
    // SAFETY: a readable GUID (the contract); NULL is refused.
    let Some(provider) = (unsafe { provider.as_ref() }) else {
        return ERROR_INVALID_PARAMETER;
    };
    let word = match code {
        DISABLE => "disable",
        ENABLE => "enable",
        CAPTURE_STATE => "capture",
        _ => return ERROR_INVALID_PARAMETER,
    };
    let line = format!("{word} {} {level} {any:#x}\n", hex(&guid_bytes(provider)));
    let written = fs::OpenOptions::new()
        .append(true)
        .open(session_file(&name))
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if written.is_err() {
        return ERROR_WMI_INSTANCE_NOT_FOUND;
    }
    ERROR_SUCCESS
}

#[link(name = "kernel32")]
unsafe extern "system" {
    fn SetLastError(code: u32);
}

fn failed(code: u32) -> PROCESSTRACE_HANDLE {
    // SAFETY: no precondition.
    unsafe { SetLastError(code) };
    PROCESSTRACE_HANDLE {
        Value: INVALID_PROCESSTRACE,
    }
}

/// `OpenTraceW`, played: a real-time session this double started, or a file of frames.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn OpenTraceW(
    logfile: *mut EVENT_TRACE_LOGFILEW,
) -> PROCESSTRACE_HANDLE {
    // SAFETY: NULL or a readable EVENT_TRACE_LOGFILEW (the contract).
    let Some(logfile) = (unsafe { logfile.as_ref() }) else {
        return failed(ERROR_INVALID_PARAMETER);
    };
    // SAFETY: the union's ProcessTraceMode, which the caller set.
    let mode = unsafe { logfile.Anonymous1.ProcessTraceMode };
    // SAFETY: the union's EventRecordCallback (PROCESS_TRACE_MODE_EVENT_RECORD, checked below).
    let callback = unsafe { logfile.Anonymous2.EventRecordCallback };
    if mode & PROCESS_TRACE_MODE_EVENT_RECORD == 0 || callback.is_none() {
        return failed(ERROR_INVALID_PARAMETER);
    }
    let (session, file) = if mode & PROCESS_TRACE_MODE_REAL_TIME == 0 {
        // SAFETY: NUL-terminated (the contract).
        let Some(file) = (unsafe { text_of(logfile.LogFileName) }) else {
            return failed(ERROR_INVALID_PARAMETER);
        };
        if fs::metadata(&file).is_err() {
            return failed(ERROR_FILE_NOT_FOUND);
        }
        (None, file)
    } else {
        // SAFETY: as above.
        let Some(name) = (unsafe { text_of(logfile.LoggerName) }) else {
            return failed(ERROR_INVALID_PARAMETER);
        };
        if fs::metadata(session_file(&name)).is_err() {
            return failed(ERROR_WMI_INSTANCE_NOT_FOUND);
        }
        let _ = fs::write(path(&format!("{name}.etw-open")), b"");
        (Some(name.clone()), events_file(&name))
    };
    let mut traces = TRACES.lock().unwrap_or_else(PoisonError::into_inner);
    traces.push(Trace {
        session,
        file,
        callback,
        context: logfile.Context.expose_provenance(),
        closed: false,
        processing: false,
    });
    PROCESSTRACE_HANDLE {
        Value: traces.len() as u64,
    }
}

/// One frame as an `EVENT_RECORD` to the watcher's callback.
fn call(frame: &Frame, callback: unsafe extern "system" fn(*mut EVENT_RECORD), context: usize) {
    let mut items = Vec::new();
    for (kind, data) in [
        (EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL, &frame.metadata),
        (EVENT_HEADER_EXT_TYPE_PROV_TRAITS, &frame.traits),
    ] {
        if !data.is_empty() {
            let mut item = EVENT_HEADER_EXTENDED_DATA_ITEM {
                ExtType: kind as u16,
                DataSize: data.len() as u16,
                DataPtr: data.as_ptr().expose_provenance() as u64,
                ..Default::default()
            };
            item.Reserved1 = 0;
            items.push(item);
        }
    }
    let mut record = EVENT_RECORD::default();
    let header = &mut record.EventHeader;
    header.Size = size_of_val(header) as u16;
    header.Flags = (EVENT_HEADER_FLAG_64_BIT_HEADER
        | if items.is_empty() {
            0
        } else {
            EVENT_HEADER_FLAG_EXTENDED_INFO
        }) as u16;
    header.ThreadId = frame.thread;
    header.ProcessId = frame.process;
    header.TimeStamp = frame.timestamp;
    header.ProviderId = guid_from(&frame.provider);
    let descriptor = &frame.descriptor;
    header.EventDescriptor.Id = u16::from_le_bytes([descriptor[0], descriptor[1]]);
    header.EventDescriptor.Version = descriptor[2];
    header.EventDescriptor.Channel = descriptor[3];
    header.EventDescriptor.Level = descriptor[4];
    header.EventDescriptor.Opcode = descriptor[5];
    header.EventDescriptor.Task = u16::from_le_bytes([descriptor[6], descriptor[7]]);
    header.EventDescriptor.Keyword =
        u64::from_le_bytes(descriptor[8..16].try_into().unwrap_or([0; 8]));
    record.ExtendedDataCount = items.len() as u16;
    record.ExtendedData = if items.is_empty() {
        ptr::null_mut()
    } else {
        items.as_mut_ptr()
    };
    record.UserDataLength = frame.payload.len() as u16;
    record.UserData = if frame.payload.is_empty() {
        ptr::null_mut()
    } else {
        frame.payload.as_ptr().cast_mut().cast()
    };
    record.UserContext = ptr::with_exposed_provenance_mut(context);
    // SAFETY: the watcher's EVENT_RECORD_CALLBACK, with a record whose pointers stay valid for
    // the call (`items` and `frame` outlive it).
    unsafe { callback(&raw mut record) };
}

/// `ProcessTrace`, played: the frames, in order, to the callback; a real-time session until
/// it is stopped or the trace closed (then what is left is delivered), a file to its end.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ProcessTrace(
    handles: *const PROCESSTRACE_HANDLE,
    count: u32,
    _start: *const FILETIME,
    _end: *const FILETIME,
) -> u32 {
    if handles.is_null() || count != 1 {
        return ERROR_NOT_SUPPORTED;
    }
    // SAFETY: one readable handle (the contract, count checked).
    let handle = unsafe { handles.read() };
    let Some(index) = usize::try_from(handle.Value)
        .ok()
        .and_then(|v| v.checked_sub(1))
    else {
        return ERROR_INVALID_HANDLE;
    };
    let Some((session, file, Some(callback), context)) = TRACES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(index)
        .map(|trace| {
            (
                trace.session.clone(),
                trace.file.clone(),
                trace.callback,
                trace.context,
            )
        })
    else {
        return ERROR_INVALID_HANDLE;
    };
    let set_processing = |running: bool| {
        if let Some(trace) = TRACES
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(index)
        {
            trace.processing = running;
        }
    };
    set_processing(true);
    let mut offset = 0;
    loop {
        let ending = session.as_ref().is_none_or(|name| {
            TRACES.lock().unwrap_or_else(PoisonError::into_inner)[index].closed
                || fs::metadata(session_file(name)).is_err()
        });
        if let Ok(bytes) = fs::read(&file) {
            let (found, used) = frames(bytes.get(offset..).unwrap_or(&[]));
            offset += used;
            for frame in &found {
                call(frame, callback, context);
            }
        }
        if ending {
            set_processing(false);
            return ERROR_SUCCESS;
        }
        std::thread::sleep(POLL);
    }
}

/// `CloseTrace`, played: `ProcessTrace` returns.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn CloseTrace(handle: PROCESSTRACE_HANDLE) -> u32 {
    let mut traces = TRACES.lock().unwrap_or_else(PoisonError::into_inner);
    let index = usize::try_from(handle.Value)
        .ok()
        .and_then(|v| v.checked_sub(1));
    match index.and_then(|index| traces.get_mut(index)) {
        // "If you are processing events from a log file, you call this function only after
        // the ProcessTrace function returns" ("CloseTrace function"): a watcher that does
        // otherwise is ended here, so that the harness sees it fail, where Windows might
        // only lose events.
        Some(trace) if trace.session.is_none() && trace.processing => {
            eprintln!("etw double: misuse: CloseTrace of a log file while ProcessTrace reads it");
            std::process::abort();
        }
        Some(trace) => {
            trace.closed = true;
            ERROR_SUCCESS
        }
        None => ERROR_INVALID_HANDLE,
    }
}

/// `ControlTraceW`, played: `EVENT_TRACE_CONTROL_STOP` deletes the session's file (by handle,
/// or by name: a stale session), `EVENT_TRACE_CONTROL_QUERY` finds it; both report nothing lost.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ControlTraceW(
    handle: CONTROLTRACE_HANDLE,
    name: PCWSTR,
    properties: *mut EVENT_TRACE_PROPERTIES,
    code: EVENT_TRACE_CONTROL,
) -> u32 {
    // SAFETY: NULL or NUL-terminated (the contract).
    let by_name = unsafe { text_of(name) };
    let Some(name) = started(handle).or(by_name) else {
        return ERROR_INVALID_PARAMETER;
    };
    if handle.Value == 0 && switch("etw-stop-denied") {
        return ERROR_ACCESS_DENIED;
    }
    if fs::metadata(session_file(&name)).is_err() {
        return ERROR_WMI_INSTANCE_NOT_FOUND;
    }
    match code {
        EVENT_TRACE_CONTROL_STOP => {
            if fs::remove_file(session_file(&name)).is_err() {
                return ERROR_ACCESS_DENIED;
            }
            // The name lasts while the kernel side still has the file open (Windows's delete
            // semantics, which Wine keeps): stopped means gone, so that a `StartTraceW` right
            // after (the stale-session path) can create it again.
            for _ in 0..200 {
                match fs::symlink_metadata(session_file(&name)) {
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => break,
                    _ => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        }
        EVENT_TRACE_CONTROL_QUERY => {}
        _ => return ERROR_NOT_SUPPORTED,
    }
    // SAFETY: NULL or a writable EVENT_TRACE_PROPERTIES of Wnode.BufferSize bytes.
    unsafe { fill(properties, &name) };
    ERROR_SUCCESS
}
