//! The Windows half: the ETW session and the consumer, thin.
//!
//! Owns the calls, in the order "Configuring and Starting an Event Tracing Session" gives
//! (<https://learn.microsoft.com/windows/win32/etw/configuring-and-starting-an-event-tracing-session>):
//! - `StartTraceW` a real-time session named [`SESSION_NAME`]
//!   (<https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-starttracew>); a
//!   session of that name left by a killed watcher (`ERROR_ALREADY_EXISTS`) is stopped, said
//!   so, and started again;
//! - `EnableTraceEx2` the provider at level verbose with the keywords, then again with
//!   `EVENT_CONTROL_CODE_CAPTURE_STATE`
//!   (<https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-enabletraceex2>);
//! - `OpenTraceW` the session (`PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD`),
//!   or the `--etl` file (`PROCESS_TRACE_MODE_EVENT_RECORD`)
//!   (<https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-opentracew>), and
//!   `ProcessTrace` it on a thread of its own, which it blocks
//!   (<https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-processtrace>);
//! - on Ctrl+C (`SetConsoleCtrlHandler`), `ControlTraceW(EVENT_TRACE_CONTROL_STOP)`, which
//!   stops and deletes the session and fills in its `EVENT_TRACE_PROPERTIES`, lost events
//!   included (<https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-controltracew>),
//!   then `CloseTrace`.
//!
//! Each `EVENT_RECORD` (<https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_record>)
//! becomes a [`Received`]: the payload is `UserData`/`UserDataLength`, the metadata the
//! `EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL` item of `ExtendedData`
//! (<https://learn.microsoft.com/windows/win32/api/evntcons/ns-evntcons-event_header_extended_data_item>);
//! everything else is decided in `watcher.rs`.
//!
//! With the feature `wine-etw-double` (the Wine harness's build only, `ci/wine/run --watch`),
//! the six consumer routines come from the ETW transport double, `etwdouble.dll`
//! (ci/wine/netio-double/etw_transport.rs), with windows-sys's signatures: Wine 8.0's sechost
//! stubs them. Everything else, the Windows build included, is as windows-sys binds it
//! (advapi32.dll).

use core::ffi::c_void;
use core::mem::{offset_of, size_of};
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use netnotify_core::output::trace::PROVIDER_GUID;
use windows_sys::Win32::Foundation::{ERROR_CANCELLED, ERROR_SUCCESS, GetLastError};
use windows_sys::Win32::System::Console::{
    CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
};
use windows_sys::Win32::System::Diagnostics::Etw::{
    CONTROLTRACE_HANDLE, EVENT_CONTROL_CODE_CAPTURE_STATE, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
    EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL, EVENT_HEADER_EXTENDED_DATA_ITEM,
    EVENT_HEADER_FLAG_32_BIT_HEADER, EVENT_RECORD, EVENT_TRACE_CONTROL_STOP, EVENT_TRACE_LOGFILEW,
    EVENT_TRACE_PROPERTIES, EVENT_TRACE_REAL_TIME_MODE, PROCESS_TRACE_MODE_EVENT_RECORD,
    PROCESS_TRACE_MODE_REAL_TIME, PROCESSTRACE_HANDLE, TRACE_LEVEL_VERBOSE, WNODE_FLAG_TRACED_GUID,
};
#[cfg(not(feature = "wine-etw-double"))]
use windows_sys::Win32::System::Diagnostics::Etw::{
    CloseTrace, ControlTraceW, EnableTraceEx2, OpenTraceW, ProcessTrace, StartTraceW,
};
use windows_sys::core::{BOOL, GUID};
#[cfg(feature = "wine-etw-double")]
use wine::{CloseTrace, ControlTraceW, EnableTraceEx2, OpenTraceW, ProcessTrace, StartTraceW};

use crate::args::Options;
use crate::watcher::{
    ERROR_ALREADY_EXISTS, Lost, Received, SESSION_NAME, STOPPED_ELSEWHERE, Watcher, failure,
    no_present_state, stale_session,
};

/// The Wine harness's flavour: the consumer routines from the ETW transport double, declared
/// with windows-sys's signatures ("`StartTraceW` function (evntrace.h)" and its siblings).
#[cfg(feature = "wine-etw-double")]
mod wine {
    use windows_sys::Win32::Foundation::{FILETIME, WIN32_ERROR};
    use windows_sys::Win32::System::Diagnostics::Etw::{
        CONTROLTRACE_HANDLE, ENABLE_TRACE_PARAMETERS, EVENT_TRACE_CONTROL, EVENT_TRACE_LOGFILEW,
        EVENT_TRACE_PROPERTIES, PROCESSTRACE_HANDLE,
    };
    use windows_sys::core::{GUID, PCWSTR};

    #[link(name = "etwdouble", kind = "raw-dylib")]
    unsafe extern "system" {
        pub fn StartTraceW(
            tracehandle: *mut CONTROLTRACE_HANDLE,
            instancename: PCWSTR,
            properties: *mut EVENT_TRACE_PROPERTIES,
        ) -> WIN32_ERROR;
        pub fn EnableTraceEx2(
            tracehandle: CONTROLTRACE_HANDLE,
            providerid: *const GUID,
            controlcode: u32,
            level: u8,
            matchanykeyword: u64,
            matchallkeyword: u64,
            timeout: u32,
            enableparameters: *const ENABLE_TRACE_PARAMETERS,
        ) -> WIN32_ERROR;
        pub fn OpenTraceW(logfile: *mut EVENT_TRACE_LOGFILEW) -> PROCESSTRACE_HANDLE;
        pub fn ProcessTrace(
            handlearray: *const PROCESSTRACE_HANDLE,
            handlecount: u32,
            starttime: *const FILETIME,
            endtime: *const FILETIME,
        ) -> WIN32_ERROR;
        pub fn CloseTrace(tracehandle: PROCESSTRACE_HANDLE) -> WIN32_ERROR;
        pub fn ControlTraceW(
            tracehandle: CONTROLTRACE_HANDLE,
            instancename: PCWSTR,
            properties: *mut EVENT_TRACE_PROPERTIES,
            controlcode: EVENT_TRACE_CONTROL,
        ) -> WIN32_ERROR;
    }
}

/// Set by the console's Ctrl+C (or Ctrl+Break, or the console closing).
static STOP: AtomicBool = AtomicBool::new(false);

/// Set by `run` once the session is stopped and the summary printed.
static DONE: AtomicBool = AtomicBool::new(false);

/// How long a closing console waits for `run` to stop the session: the system ends the
/// process some seconds after `CTRL_CLOSE_EVENT` whatever the handler does ("CTRL+CLOSE
/// Signal", Microsoft Learn), 5 seconds by default.
const CLOSE_WAIT: Duration = Duration::from_millis(4_500);

/// `SetConsoleCtrlHandler`'s routine (on a thread of its own): asks the main thread to stop;
/// `TRUE`, handled. For the console closing (or a logoff or shutdown), "the process
/// terminates" once it returns TRUE ("CTRL+CLOSE Signal"), so it first waits for `run` to
/// have stopped the session: a real-time session left without its consumer fills its
/// buffers, and the driver's writes then fail until a watcher stops it.
unsafe extern "system" fn on_ctrl(ctrl_type: u32) -> BOOL {
    STOP.store(true, Ordering::SeqCst);
    if matches!(
        ctrl_type,
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT
    ) {
        let started = Instant::now();
        while !DONE.load(Ordering::SeqCst) && started.elapsed() < CLOSE_WAIT {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    1
}

/// `PEVENT_TRACE_BUFFER_CALLBACKW`: after each buffer of a log file, `FALSE` once Ctrl+C
/// asked to stop, which ends `ProcessTrace` (the `CloseTrace` page: for a log file, the way to
/// stop processing early; `CloseTrace` only after `ProcessTrace` returned).
unsafe extern "system" fn on_buffer(_logfile: *mut EVENT_TRACE_LOGFILEW) -> u32 {
    u32::from(!STOP.load(Ordering::SeqCst))
}

/// `EVENT_TRACE_PROPERTIES` with room for the session's name after it, where
/// `LoggerNameOffset` points: `StartTraceW` and `ControlTraceW` copy the name there.
#[repr(C)]
struct Properties {
    base: EVENT_TRACE_PROPERTIES,
    name: [u16; 64],
}

impl Properties {
    /// A real-time session's: its size, `WNODE_FLAG_TRACED_GUID`, QPC timestamps
    /// (`ClientContext` 1), a one-second flush so events come promptly.
    fn new() -> Box<Self> {
        let mut properties = Box::new(Self {
            base: EVENT_TRACE_PROPERTIES::default(),
            name: [0; 64],
        });
        properties.base.Wnode.BufferSize = u32::try_from(size_of::<Self>()).unwrap_or(u32::MAX);
        properties.base.Wnode.Flags = WNODE_FLAG_TRACED_GUID;
        properties.base.Wnode.ClientContext = 1;
        properties.base.LogFileMode = EVENT_TRACE_REAL_TIME_MODE;
        properties.base.FlushTimer = 1;
        properties.base.LoggerNameOffset = u32::try_from(offset_of!(Self, name)).unwrap_or(0);
        properties
    }

    const fn lost(&self) -> Lost {
        Lost {
            events: self.base.EventsLost,
            log_buffers: self.base.LogBuffersLost,
            real_time_buffers: self.base.RealTimeBuffersLost,
        }
    }
}

/// `text` as a NUL-terminated UTF-16 string.
fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain([0]).collect()
}

/// What the event-record callback reaches through `EVENT_RECORD.UserContext`.
struct Shared {
    watcher: Mutex<Watcher>,
}

/// The provider's GUID as windows-sys spells it.
static PROVIDER: GUID = GUID::from_u128(PROVIDER_GUID.to_u128());

/// `PEVENT_RECORD_CALLBACK`: one event, on `ProcessTrace`'s thread.
unsafe extern "system" fn on_event(record: *mut EVENT_RECORD) {
    // SAFETY: ETW passes a valid EVENT_RECORD, read-only, for the callback's duration
    // ("EVENT_RECORD_CALLBACK callback function", Microsoft Learn).
    let Some(record) = (unsafe { record.as_ref() }) else {
        return;
    };
    let header = &record.EventHeader;
    // A capture holds other providers' events, and its own header event: not ours.
    if header.ProviderId.data1 != PROVIDER.data1
        || header.ProviderId.data2 != PROVIDER.data2
        || header.ProviderId.data3 != PROVIDER.data3
        || header.ProviderId.data4 != PROVIDER.data4
    {
        return;
    }
    // SAFETY: UserContext is `EVENT_TRACE_LOGFILEW.Context`: the `Shared` that `run` keeps
    // alive until `ProcessTrace` has returned and its thread is joined.
    let Some(shared) = (unsafe { record.UserContext.cast::<Shared>().as_ref() }) else {
        return;
    };
    let items: &[EVENT_HEADER_EXTENDED_DATA_ITEM] = if record.ExtendedDataCount == 0
        || record.ExtendedData.is_null()
    {
        &[]
    } else {
        // SAFETY: ExtendedData points to ExtendedDataCount items, valid for the callback
        // ("EVENT_RECORD structure", Microsoft Learn).
        unsafe {
            core::slice::from_raw_parts(record.ExtendedData, usize::from(record.ExtendedDataCount))
        }
    };
    let metadata = items
        .iter()
        .find(|item| u32::from(item.ExtType) == EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL)
        .and_then(|item| {
            let address = usize::try_from(item.DataPtr).ok()?;
            let data = core::ptr::with_exposed_provenance::<u8>(address);
            if data.is_null() {
                return None;
            }
            // SAFETY: DataPtr points to DataSize bytes, valid for the callback
            // ("EVENT_HEADER_EXTENDED_DATA_ITEM structure", Microsoft Learn).
            Some(unsafe { core::slice::from_raw_parts(data, usize::from(item.DataSize)) })
        });
    let payload: &[u8] = if record.UserData.is_null() || record.UserDataLength == 0 {
        &[]
    } else {
        // SAFETY: UserData points to UserDataLength bytes, valid for the callback.
        unsafe {
            core::slice::from_raw_parts(
                record.UserData.cast::<u8>(),
                usize::from(record.UserDataLength),
            )
        }
    };
    let received = Received {
        keyword: header.EventDescriptor.Keyword,
        timestamp: header.TimeStamp,
        pointer_size: if u32::from(header.Flags) & EVENT_HEADER_FLAG_32_BIT_HEADER != 0 {
            4
        } else {
            8
        },
        metadata,
        payload,
    };
    if let Ok(mut watcher) = shared.watcher.lock() {
        let _ = watcher.event(
            &received,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        );
    }
}

/// A failure's line on stderr; the exit status.
fn fail(call: &str, code: u32) -> ExitCode {
    eprintln!("{}", failure(call, code));
    ExitCode::FAILURE
}

/// `StartTraceW` the session; once more after stopping a stale one of the same name.
fn start(name: &[u16]) -> Result<(CONTROLTRACE_HANDLE, Box<Properties>), u32> {
    let mut properties = Properties::new();
    let mut handle = CONTROLTRACE_HANDLE { Value: 0 };
    // SAFETY: `name` is NUL-terminated; `properties` is a writable EVENT_TRACE_PROPERTIES
    // whose Wnode.BufferSize covers the name's room at LoggerNameOffset.
    let status = unsafe { StartTraceW(&raw mut handle, name.as_ptr(), &raw mut properties.base) };
    if status != ERROR_ALREADY_EXISTS {
        return if status == ERROR_SUCCESS {
            Ok((handle, properties))
        } else {
            Err(status)
        };
    }
    let mut stale = Properties::new();
    // SAFETY: as above; a zero handle with the name addresses the session by name.
    let stopped = unsafe {
        ControlTraceW(
            CONTROLTRACE_HANDLE { Value: 0 },
            name.as_ptr(),
            &raw mut stale.base,
            EVENT_TRACE_CONTROL_STOP,
        )
    };
    if stopped != ERROR_SUCCESS {
        return Err(ERROR_ALREADY_EXISTS);
    }
    eprintln!("{}", stale_session());
    properties = Properties::new();
    // SAFETY: as the first call.
    let status = unsafe { StartTraceW(&raw mut handle, name.as_ptr(), &raw mut properties.base) };
    if status == ERROR_SUCCESS {
        Ok((handle, properties))
    } else {
        Err(status)
    }
}

/// `ControlTraceW(EVENT_TRACE_CONTROL_STOP)`: stops and deletes the session; what it lost.
fn stop(handle: CONTROLTRACE_HANDLE, name: &[u16]) -> Result<Lost, u32> {
    let mut properties = Properties::new();
    // SAFETY: the handle StartTraceW returned; `properties` as in `start`.
    let status = unsafe {
        ControlTraceW(
            handle,
            name.as_ptr(),
            &raw mut properties.base,
            EVENT_TRACE_CONTROL_STOP,
        )
    };
    if status == ERROR_SUCCESS {
        Ok(properties.lost())
    } else {
        Err(status)
    }
}

/// `OpenTraceW`'s failure value (`INVALID_PROCESSTRACE_HANDLE`); its 32-bit form too, as
/// the page says to compare with both.
const fn invalid(handle: PROCESSTRACE_HANDLE) -> bool {
    handle.Value == u64::MAX || handle.Value == 0x0000_0000_FFFF_FFFF
}

/// `EnableTraceEx2` the provider on the session at level verbose with `keywords`: its status
/// on failure. Then asks for its capture state, whose failure is only a note
/// ([`no_present_state`]).
fn enable(handle: CONTROLTRACE_HANDLE, keywords: u64) -> Result<(), u32> {
    let control = |code| {
        // SAFETY: the session's handle; the GUID is a static; no enable parameters.
        unsafe {
            EnableTraceEx2(
                handle,
                &raw const PROVIDER,
                code,
                u8::try_from(TRACE_LEVEL_VERBOSE).unwrap_or(5),
                keywords,
                0,
                0,
                core::ptr::null(),
            )
        }
    };
    let status = control(EVENT_CONTROL_CODE_ENABLE_PROVIDER);
    if status != ERROR_SUCCESS {
        return Err(status);
    }
    let status = control(EVENT_CONTROL_CODE_CAPTURE_STATE);
    if status != ERROR_SUCCESS {
        eprintln!("{}", no_present_state(status));
    }
    Ok(())
}

/// A panic anywhere (the event callback included) stops the session before the process
/// ends. The workspace builds with `panic = "abort"`, so nothing unwinds and no `Drop` runs:
/// without this a real-time session would stay without its consumer, fill its buffers, and
/// the driver's writes would fail until the next watcher stopped it as stale.
fn stop_on_panic(name: Vec<u16>) {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        // A zero handle with the name addresses the session by name (as for a stale one).
        let stopped = stop(CONTROLTRACE_HANDLE { Value: 0 }, &name).is_ok();
        eprintln!(
            "netnotify-watch: stopped by a bug (please report the message above); its session {}",
            if stopped {
                "was stopped"
            } else {
                "may be left: stop it with `logman stop netnotify-watch -ets`"
            }
        );
    }));
}

/// Ends the processing of `trace`, once its session (`real_time`) was stopped or Ctrl+C asked
/// a log file's to end; `ProcessTrace`'s status.
fn close(
    trace: PROCESSTRACE_HANDLE,
    real_time: bool,
    processing: std::thread::ScopedJoinHandle<'_, u32>,
) -> u32 {
    if real_time {
        // A stopped session's last buffers are still delivered; a `CloseTrace` now would end
        // `ProcessTrace` "after it has processed all real-time events in its buffers" and the
        // flushed ones could be lost (the `CloseTrace` page). Wait for it to end by itself, a
        // while.
        let waited = Instant::now();
        while !processing.is_finished() && waited.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: the handle OpenTraceW returned; a real-time trace may be closed while
        // ProcessTrace runs, which then returns.
        let _ = unsafe { CloseTrace(trace) };
        processing.join().unwrap_or(ERROR_SUCCESS)
    } else {
        // A log file: closed only after ProcessTrace returned (the page's rule); Ctrl+C ends
        // it through `on_buffer`.
        let status = processing.join().unwrap_or(ERROR_SUCCESS);
        // SAFETY: the handle OpenTraceW returned, ProcessTrace done with it.
        let _ = unsafe { CloseTrace(trace) };
        status
    }
}

/// Watches until Ctrl+C (or the end of a capture); the exit status.
pub fn run(options: Options) -> ExitCode {
    // SAFETY: `on_ctrl` only stores to an atomic; adding a routine has no other precondition.
    if unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 1) } == 0 {
        // SAFETY: no precondition.
        return fail("SetConsoleCtrlHandler", unsafe { GetLastError() });
    }
    let name = wide(SESSION_NAME);
    let etl = options
        .etl
        .as_ref()
        .map(|path| wide(&path.to_string_lossy()));
    let keywords = options.keywords;
    let shared = Shared {
        watcher: Mutex::new(Watcher::new(options)),
    };
    let session = if etl.is_none() {
        let (handle, _properties) = match start(&name) {
            Ok(started) => started,
            Err(code) => return fail("StartTraceW", code),
        };
        stop_on_panic(name.clone());
        if let Err(status) = enable(handle, keywords) {
            let _ = stop(handle, &name);
            return fail("EnableTraceEx2", status);
        }
        Some(handle)
    } else {
        None
    };
    let mut logfile = EVENT_TRACE_LOGFILEW::default();
    // Kept until the trace is closed: OpenTraceW reads the names through these pointers.
    let mut logger_name = name.clone();
    let mut file_name = etl.clone().unwrap_or_default();
    if etl.is_some() {
        logfile.LogFileName = file_name.as_mut_ptr();
        logfile.Anonymous1.ProcessTraceMode = PROCESS_TRACE_MODE_EVENT_RECORD;
    } else {
        logfile.LoggerName = logger_name.as_mut_ptr();
        logfile.Anonymous1.ProcessTraceMode =
            PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD;
    }
    logfile.Anonymous2.EventRecordCallback = Some(on_event);
    logfile.BufferCallback = Some(on_buffer);
    logfile.Context = core::ptr::from_ref(&shared).cast_mut().cast::<c_void>();
    // SAFETY: `logfile` names the session or file with a NUL-terminated string that outlives
    // the trace, and the callback's context is `shared`, which outlives ProcessTrace's thread.
    let trace = unsafe { OpenTraceW(&raw mut logfile) };
    if invalid(trace) {
        // SAFETY: no precondition; read right after the failed call.
        let code = unsafe { GetLastError() };
        if let Some(handle) = session {
            let _ = stop(handle, &name);
        }
        return fail("OpenTraceW", code);
    }
    let started = Instant::now();
    let (status, lost) = std::thread::scope(|scope| {
        // SAFETY: the handle OpenTraceW returned, one of it; no time bounds.
        let processing = scope.spawn(move || unsafe {
            ProcessTrace(&raw const trace, 1, core::ptr::null(), core::ptr::null())
        });
        while !STOP.load(Ordering::SeqCst) && !processing.is_finished() {
            std::thread::sleep(Duration::from_millis(200));
            if session.is_some() {
                let note = shared
                    .watcher
                    .lock()
                    .ok()
                    .and_then(|mut watcher| watcher.idle(started.elapsed()));
                if let Some(note) = note {
                    eprintln!("{note}");
                }
            }
        }
        // A real-time `ProcessTrace` that returned by itself: another program stopped the
        // session (a second watcher, `logman stop`). Not stopped again: its handle may name
        // a session started since, which that would stop.
        let ended_elsewhere = session.is_some() && !STOP.load(Ordering::SeqCst);
        if ended_elsewhere {
            eprintln!("{STOPPED_ELSEWHERE}");
        }
        let lost = session
            .filter(|_| !ended_elsewhere)
            .map(|handle| stop(handle, &name));
        (close(trace, session.is_some(), processing), lost)
    });
    let _ = std::io::stdout().flush();
    let lost = match lost {
        Some(Err(code)) => {
            eprintln!(
                "{}",
                failure("ControlTraceW(EVENT_TRACE_CONTROL_STOP)", code)
            );
            None
        }
        Some(Ok(lost)) => Some(lost),
        None => None,
    };
    if let Ok(mut watcher) = shared.watcher.lock() {
        // `--scenario`: the steps of every event, once the session has ended.
        let _ = watcher.finish(&mut std::io::stdout().lock(), &mut std::io::stderr().lock());
        let _ = std::io::stdout().flush();
        eprintln!("{}", watcher.summary(lost));
    }
    // A closing console's handler may let the process end now.
    DONE.store(true, Ordering::SeqCst);
    drop((logger_name, file_name));
    if status == ERROR_SUCCESS || status == ERROR_CANCELLED {
        ExitCode::SUCCESS
    } else {
        fail("ProcessTrace", status)
    }
}
