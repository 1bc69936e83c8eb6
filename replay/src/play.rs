//! Playing a scenario: the driver loads, the steps happen to the simulated system, it unloads.
//!
//! This module owns the run ([`run`] and its variants, the ETW session of a run), what each
//! step does to the simulator, the lifecycle calls around the steps, and the writing of the
//! lines (or the `--json` objects) as they are printed.

use std::io::{self, Write};

use netnotify_core::model::settings::RawValue;
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::trace::CAPTURE_STATE;
use netnotify_core::output::trace::{EventDescriptor, Level};
use netnotify_core::policy::lifecycle::driver_entry;
use netnotify_core::sim::{EtwWrite, Event, Outcome, Sim};

use crate::json;
use crate::scenario::{Failure, Scenario, Step};

/// How the replay ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Report {
    /// Lines printed.
    pub lines: usize,
    /// Misuse of NETIO the simulator saw (a driver bug); empty in a good run.
    pub violations: Vec<String>,
}

/// What a replay writes on `out`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// The driver's lines.
    Lines,
    /// Every event and every driver record as one JSON object per line (`--json`).
    Json,
}

/// Plays `scenario`: the driver's lines go to `out`, notes about the simulated system (a
/// failed `DriverEntry`, a driver that cannot unload) to `notes`.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run(
    scenario: &Scenario,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<Report> {
    run_as(scenario, Output::Lines, out, notes)
}

/// As [`run`], writing `output`.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_as(
    scenario: &Scenario,
    output: Output,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<Report> {
    run_with(scenario, output, EtwSession::default(), out, notes).map(|(report, _)| report)
}

/// An ETW session during a run, as a controller would run one.
///
/// Listening from before the driver loads (its enable callback comes inside `EtwRegister`) at a level with keywords,
/// and, if `capture_state`, asking for the provider's state after the events, before the
/// unload. The Wine harness's double plays the same session (docs/replay.md#etw).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EtwSession {
    /// The level and `MatchAnyKeyword`; `None`: no session.
    pub listen: Option<(u8, u64)>,
    /// Capture-state after the events.
    pub capture_state: bool,
}

impl EtwSession {
    /// `none`, or `LEVEL:KEYWORDS[:capture-state]` (keywords in hex with `0x`, or decimal).
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn parse(spec: &str) -> Result<Self, String> {
        if spec == "none" {
            return Ok(Self::default());
        }
        let mut parts = spec.split(':');
        let level = parts.next().and_then(|level| level.parse::<u8>().ok());
        let any = parts.next().and_then(|any| {
            any.strip_prefix("0x").map_or_else(
                || any.parse::<u64>().ok(),
                |hex| u64::from_str_radix(hex, 16).ok(),
            )
        });
        let capture_state = match parts.next() {
            None => false,
            Some("capture-state") => true,
            Some(other) => return Err(format!("unknown ETW session option {other:?}")),
        };
        match (level, any) {
            (Some(level), Some(any)) => Ok(Self {
                listen: Some((level, any)),
                capture_state,
            }),
            _ => Err(format!(
                "ETW session {spec:?}: expected none or LEVEL:KEYWORDS[:capture-state]"
            )),
        }
    }
}

/// [`run`] with an ETW session; also returns every ETW call, one JSON object each
/// (docs/replay.md#etw).
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_with_etw(
    scenario: &Scenario,
    session: EtwSession,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<(Report, Vec<String>)> {
    run_with(scenario, Output::Lines, session, out, notes)
}

/// Plays `scenario` writing `output`, with an ETW `session`; the report and every ETW call.
///
/// # Errors
/// Writing to `out` or `notes` failed.
pub fn run_with(
    scenario: &Scenario,
    output: Output,
    session: EtwSession,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<(Report, Vec<String>)> {
    let sim = Sim::new();
    if let Some((level, any)) = session.listen {
        sim.etw_session_at_register(level, any);
    }
    let lines = run_on(&sim, scenario, output, session.capture_state, out, notes)?;
    let log = sim.etw_log();
    Ok((
        Report {
            lines,
            violations: sim.close(),
        },
        log,
    ))
}

/// Plays `scenario` on `sim`; returns the number of lines printed. `capture_state`: a
/// capture-state request reaches the driver before its unload.
fn run_on(
    sim: &Sim,
    scenario: &Scenario,
    output: Output,
    capture_state: bool,
    out: &mut impl Write,
    notes: &mut impl Write,
) -> io::Result<usize> {
    let mut json = (output == Output::Json).then(JsonState::default);
    let capture = |sim: &Sim| {
        if capture_state {
            sim.etw_control(CAPTURE_STATE, 0, 0, 0);
        }
    };
    let mut printed = 0;
    let mut loaded: Option<bool> = None;
    let mut unloaded = false;
    for step in &scenario.steps {
        if loaded.is_none() && !step.is_setup() {
            loaded = Some(load(sim, notes)?);
        }
        if matches!(step, Step::Unload) {
            capture(sim);
            unload(sim, loaded == Some(true), notes)?;
            unloaded = true;
        } else {
            apply(sim, step);
        }
        printed = flush(sim, printed, json.as_mut(), out)?;
    }
    if loaded.is_none() {
        loaded = Some(load(sim, notes)?);
    }
    if !unloaded {
        capture(sim);
        unload(sim, loaded == Some(true), notes)?;
    }
    flush(sim, printed, json.as_mut(), out)
}

/// What a step does to the simulated system (everything but `unload`, which the caller
/// performs: `cargo replay` calls the lifecycle, the Wine harness runs `sc stop`).
fn apply(sim: &Sim, step: &Step) {
    match step {
        Step::Change {
            event,
            delivery,
            repeat,
            every,
            names,
            printed,
        } => {
            if let Some((name, alias)) = names {
                let luid = match event {
                    Event::Interface(row, _) => row.map(|row| row.interface_luid),
                    Event::Address(row, _) => row.map(|row| row.interface_luid),
                    Event::Route(row, _) => row.map(|row| row.interface_luid),
                };
                if let Some(luid) = luid {
                    sim.name_interface(luid, name, alias);
                }
            }
            // Only a step that carries the driver's decision sets one (and takes it back).
            if printed.is_some() {
                sim.decide(*printed);
            }
            for time in 0..*repeat {
                if time != 0 {
                    sim.advance(*every);
                }
                sim.notify(*event, *delivery);
            }
            if printed.is_some() {
                sim.decide(None);
            }
        }
        Step::Settings(values) => {
            for (name, value) in values {
                sim.set_parameter(name, *value);
            }
        }
        Step::Clock(ticks) => sim.advance(*ticks),
        Step::Stable(mode) => sim.stable(mode.clone()),
        Step::StableComplete(rows) => {
            sim.complete_stable(rows.as_deref());
        }
        Step::Fail(failure) => inject(sim, *failure),
        Step::NullHandle(notification) => sim.script(*notification, Outcome::NullHandle),
        Step::Irql(level) => sim.set_irql(*level),
        Step::Stack(Some(bytes)) => sim.set_stack(*bytes),
        Step::Stack(None) => sim.set_stack_unknown(),
        Step::Name { luid, name, alias } => sim.name_interface(*luid, name, alias),
        Step::CaptureState { level, keywords } => {
            // As a watcher attaching: its session enables the provider, then asks for
            // the state (docs/replay.md#etw).
            sim.etw_control(1, *level, *keywords, 0);
            sim.etw_control(CAPTURE_STATE, *level, *keywords, 0);
        }
        Step::Unload => {}
    }
}

impl Scenario {
    /// The `Parameters` values the scenario sets, in order (for a harness that writes them
    /// into a real registry before the driver loads).
    #[must_use]
    pub fn settings(&self) -> Vec<(&'static str, RawValue)> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Settings(values) => Some(values.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Plays the steps before the driver loads (how the stable table completes, injected
    /// failures, the IRQL, the clock) on `sim`, for a driver that another kernel loads (the
    /// Wine harness's NETIO double). Settings are the harness's: see [`Scenario::settings`].
    pub fn play_setup(&self, sim: &Sim) {
        for step in self.steps.iter().take_while(|step| step.is_setup()) {
            apply(sim, step);
        }
    }

    /// Plays the steps after the driver loaded, up to `unload` (which the caller performs),
    /// on `sim`, exactly as [`run`] does.
    pub fn play_events(&self, sim: &Sim) {
        self.play_events_pacing(sim, |_| {});
    }

    /// As [`Scenario::play_events`], calling `wait` with the ticks of every `clock` step
    /// after moving the clock: a harness whose kernel has real timers (Wine's) waits that
    /// long in real time, so that a timer due within the quiet time expires where it would.
    pub fn play_events_pacing(&self, sim: &Sim, wait: impl FnMut(u64)) {
        self.play_events_controlling(sim, wait, |code, level, keywords| {
            sim.etw_control(code, level, keywords, 0);
        });
    }

    /// As [`Scenario::play_events_pacing`], a `capture-state` step calling `control` (the
    /// control code, the level, `MatchAnyKeyword`) for its enable and its capture-state
    /// request, as a controller would: for a harness that plays ETW itself (the Wine
    /// harness's double), where the simulator's trace double is not the driver's.
    pub fn play_events_controlling(
        &self,
        sim: &Sim,
        mut wait: impl FnMut(u64),
        mut control: impl FnMut(u32, u8, u64),
    ) {
        for step in self
            .steps
            .iter()
            .skip_while(|step| step.is_setup())
            .take_while(|step| !matches!(step, Step::Unload))
        {
            match step {
                Step::CaptureState { level, keywords } => {
                    control(1, *level, *keywords);
                    control(CAPTURE_STATE, *level, *keywords);
                }
                _ => apply(sim, step),
            }
            if let Step::Clock(ticks) = step {
                wait(*ticks);
            }
        }
    }
}

fn load(sim: &Sim, notes: &mut impl Write) -> io::Result<bool> {
    let status = driver_entry(sim);
    if status == NtStatus::SUCCESS {
        return Ok(true);
    }
    writeln!(
        notes,
        "replay: DriverEntry returned {status}: the driver is not loaded"
    )?;
    Ok(false)
}

fn unload(sim: &Sim, loaded: bool, notes: &mut impl Write) -> io::Result<()> {
    if !loaded {
        return Ok(());
    }
    if sim.unload_enabled() {
        // As the I/O manager does: the image is unmapped unless the driver kept its object.
        sim.unload_driver();
        if sim.driver_object_kept() {
            writeln!(
                notes,
                "replay: a cancel failed: the driver kept that registration and stays in memory"
            )?;
        }
    } else {
        // The cause is in the driver's error line: a cancel that failed in the rollback, or
        // a registration without a handle.
        let cause = if sim
            .lines()
            .iter()
            .any(|line| line.starts_with("netnotify: error: CancelMibChangeNotify2 for "))
        {
            "a cancel failed in DriverEntry's rollback and that registration was kept"
        } else {
            "a registration has no handle, so it cannot be cancelled"
        };
        writeln!(
            notes,
            "replay: the driver set no DriverUnload ({cause}): it stays loaded"
        )?;
    }
    Ok(())
}

fn inject(sim: &Sim, failure: Failure) {
    match failure {
        Failure::Register(notification, status) => sim.script(notification, Outcome::Fail(status)),
        Failure::Cancel(notification, status) => sim.fail_cancel(notification, status),
        Failure::Query(notification, status) => sim.fail_query(notification, status),
        Failure::CreateDevice(status) => sim.fail_create_device(status),
        Failure::EtwRegister(status) => sim.fail_etw_register(status),
        Failure::EtwSetTraits(status) => sim.fail_etw_set_traits(status),
        Failure::EtwUseDescriptorType(status) => sim.fail_etw_use_descriptor_type(status),
        Failure::Table(notification, status) => sim.fail_table(notification, status),
    }
}

/// What `--json` has written so far.
#[derive(Default)]
struct JsonState {
    records: usize,
    sequence: json::Sequence,
}

/// Writes the lines printed since `printed` (or, for `--json`, the objects of the records
/// since the last call); returns the new count of lines. Costs the new lines only, so a replay
/// takes time in proportion to its output.
fn flush(
    sim: &Sim,
    printed: usize,
    json: Option<&mut JsonState>,
    out: &mut impl Write,
) -> io::Result<usize> {
    let lines = sim.lines_since(printed);
    let Some(state) = json else {
        for line in &lines {
            writeln!(out, "{line}")?;
        }
        return Ok(printed + lines.len());
    };
    // Every line is a record's: the objects are the records', in order.
    let records = sim.event_records_since(state.records);
    state.records += records.len();
    for (_, record) in records {
        writeln!(
            out,
            "{}",
            json::event(&record, &mut state.sequence).to_json()
        )?;
    }
    Ok(printed + lines.len())
}

/// Every `EtwWriteTransfer` of `log` ([`run_with`]'s ETW calls, docs/replay.md#etw), in
/// order, as the simulator's double saw it; the other calls are skipped.
///
/// # Panics
/// If a line of `log` is not the call the simulator's ETW double writes.
#[must_use]
pub fn etw_writes(log: &[String]) -> Vec<EtwWrite> {
    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
            .collect()
    }
    let mut writes = Vec::new();
    for line in log {
        let call: serde_json::Value = serde_json::from_str(line).expect("a JSON call");
        if call["call"] != "EtwWriteTransfer" {
            continue;
        }
        let level = u8::try_from(call["level"].as_u64().expect("level")).expect("a level");
        let mut write = EtwWrite {
            descriptor: EventDescriptor::new(
                Level::from_int(level),
                call["keyword"].as_u64().expect("keyword"),
            ),
            traits: Vec::new(),
            metadata: Vec::new(),
            payload: Vec::new(),
        };
        for data in call["data"].as_array().expect("data") {
            let data_bytes = bytes(data["hex"].as_str().expect("hex"));
            match data["type"].as_u64().expect("type") {
                2 => write.traits = data_bytes,
                1 => write.metadata = data_bytes,
                _ => write.payload.extend(data_bytes),
            }
        }
        writes.push(write);
    }
    writes
}

/// One printed change event of a replay: its `--json` object and its lines (two for an
/// interface's full state).
#[derive(Debug)]
pub struct RecordedEvent {
    /// The object `--json` writes.
    pub object: json::Object,
    /// The lines it printed.
    pub lines: Vec<String>,
}

/// Plays `scenario` and returns every change event whose line was printed, with its lines:
/// how the round trip of `--json` objects through readable rows is checked.
#[must_use]
pub fn recorded_events(scenario: &Scenario) -> Vec<RecordedEvent> {
    use netnotify_core::model::record::{Record, RowDetail};
    use netnotify_core::output::render::Detail;

    let sim = Sim::new();
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    let _ = run_on(&sim, scenario, Output::Lines, false, &mut out, &mut notes);
    let lines = sim.lines();
    let mut sequence = json::Sequence::default();
    let mut events = Vec::new();
    for (at, record) in sim.event_records_since(0) {
        let Record::Change {
            printed, detail, ..
        } = record
        else {
            continue;
        };
        // Numbered as `--json` numbers it, built only for the lines to compare.
        if !printed {
            json::event_skipped(&record, &mut sequence);
            continue;
        }
        let count = match detail {
            RowDetail::Interface(Detail::Full(_)) => 2,
            _ => 1,
        };
        events.push(RecordedEvent {
            object: json::event(&record, &mut sequence),
            lines: lines.get(at..at + count).unwrap_or_default().to_vec(),
        });
    }
    events
}
