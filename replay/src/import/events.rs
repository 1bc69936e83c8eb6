//! The three event lines (`interface`, `address`, `route`) back into change steps.
//!
//! This module owns the joining of an interface's two lines, what a line says of the IRQL and
//! of the interface's names, and the clock time storm control needed to print every line read;
//! what differs per kind of event is [`super::kind`]'s.

use netnotify_core::model::status::NtStatus;
use serde_json::Value;

use super::kind::Kind;
use super::state::{CUT, HalfInterface, Importer, Phase, REQUERY, VERBOSITY};
use super::step::{Json, Row, Step, text};
use super::text::{Names, Note, Parsed, field, fields, luid, ntstatus, positional, split_note};
use crate::MAX_REPEAT;

impl Importer {
    pub(super) fn set_irql(&mut self, line: usize, level: u8) {
        if level > 2 {
            // NETIO's callbacks never run above DISPATCH_LEVEL (docs/netio.md#irql).
            self.note(
                line,
                format!("IRQL {level}: a scenario's callbacks run at 0 to 2; the IRQL stays"),
            );
            return;
        }
        if self.phase == Phase::Loaded && !self.started && level != 0 {
            // The replay loads at its first event, and DriverEntry refuses to load above
            // PASSIVE_LEVEL.
            self.note(
                line,
                format!(
                    "the driver's first event ran at IRQL {level}; the scenario loads the driver \
                     at its first event, which cannot be above PASSIVE_LEVEL: it plays at \
                     PASSIVE_LEVEL"
                ),
            );
            return;
        }
        if self.irql != level {
            self.irql = level;
            self.push(Step::new(
                line,
                vec![
                    ("step", text("irql")),
                    ("level", Json::Value(Value::from(level))),
                ],
            ));
        }
    }

    /// The names a line printed for a LUID: a `name` step the first time (or when they
    /// change); unknown names of a named interface mean the callback ran above
    /// `PASSIVE_LEVEL`, where the driver does not ask (a scenario cannot unname it).
    /// `passive`: the line shows the callback ran at `PASSIVE_LEVEL`.
    pub(super) fn names(&mut self, line: usize, parsed: &Parsed, passive: bool) {
        // A kept-out event's line names nothing (the driver asks NETIO nothing for it), at
        // any IRQL.
        if self.kept {
            return;
        }
        let Some(luid_text) = &parsed.luid else {
            return;
        };
        if !parsed.has_names {
            return;
        }
        match &parsed.names {
            Names::Known(name, alias) => {
                self.set_irql(line, 0);
                if self.names.get(luid_text) != Some(&(name.clone(), alias.clone())) {
                    self.names
                        .insert(luid_text.clone(), (name.clone(), alias.clone()));
                    let luid_value =
                        luid(luid_text).unwrap_or_else(|| Value::String(luid_text.clone()));
                    self.push(Step::new(
                        line,
                        vec![
                            ("step", text("name")),
                            ("luid", Json::Value(luid_value)),
                            ("name", text(name)),
                            ("alias", text(alias)),
                        ],
                    ));
                }
            }
            Names::NameOnly(name) => self.note(
                line,
                format!(
                    "{luid_text} has the name {name} but no alias: no scenario step makes \
                     NETIO fail the alias alone; the interface stays unnamed in the scenario"
                ),
            ),
            Names::Unknown if self.names.contains_key(luid_text) => {
                if passive {
                    self.note(
                        line,
                        format!(
                            "the names of {luid_text} are unknown here, though an earlier line \
                             named it and this one ran at PASSIVE_LEVEL: a scenario cannot \
                             unname an interface, so the replay prints its names"
                        ),
                    );
                } else if self.irql == 0 {
                    self.set_irql(line, 1);
                }
            }
            Names::Unknown => {}
        }
    }

    pub(super) fn event(&mut self, line: usize, kind: Kind, rest: &str) {
        if self.phase == Phase::Unloaded || self.phase == Phase::Failed {
            self.note(line, "an event after the driver unloaded: left out");
            return;
        }
        let (change, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        // One event each, but an interface's second line (which repeats no LUID).
        if kind != Kind::Interface || rest == "(no row)" || rest.contains("luid=") {
            self.printed += 1;
        }
        let change_value = match change {
            "add" | "delete" | "parameter" | "initial" => Value::String(change.to_owned()),
            _ => {
                let Some(Ok(raw)) = change.strip_prefix("type=").map(str::parse::<i32>) else {
                    self.note(
                        line,
                        format!(
                            "\"{change}\" is not a change (add, delete, parameter, initial or \
                             type=<n>): left out"
                        ),
                    );
                    return;
                };
                Value::from(raw)
            }
        };
        if rest == "(no row)" {
            if self.phase == Phase::Loading && change == "initial" {
                // The registration's own initial notification: it comes back by itself.
                let wait = self.limiter_wait(kind);
                self.advance(line, wait);
                return;
            }
            self.loaded_by_event(line);
            self.change_step(
                line,
                kind,
                change_value,
                kind.placeholder(),
                Some("null"),
                None,
            );
            return;
        }
        self.loaded_by_event(line);
        let cut = rest.ends_with(CUT);
        // The last field may be cut in its middle: it goes too.
        let rest = rest.strip_suffix(CUT).map_or(rest, |rest| {
            rest.rsplit_once(' ').map_or(rest, |(head, _)| head)
        });
        if cut {
            self.note(
                line,
                "cut at the 512-byte limit (it ends with [...]): the fields after the cut are \
                 zero in the scenario",
            );
        }
        // Checked before any step is written for it (a name, a failure, an IRQL).
        let parsed = split_note(rest).and_then(|(rest, note)| {
            let (positional, rest) = positional(kind, rest)?;
            let parsed = fields(positional, rest)?;
            kind.check(&parsed.row)?;
            Ok((parsed, note))
        });
        let (parsed, note) = match parsed {
            Ok(parsed) => parsed,
            Err(message) => {
                self.note(line, format!("{message}: the line is left out"));
                return;
            }
        };
        let full = kind.is_full(&parsed.row);
        let requery = self.settings[REQUERY] != 0 && self.settings[VERBOSITY] == 2;
        let state_change = matches!(change, "add" | "parameter");
        let passive = match &note {
            Note::Gone | Note::QueryFailed(_) => true,
            Note::NotPassive(_) => false,
            Note::None => full && requery && state_change,
        };
        // The second line of an interface's full state.
        if kind == Kind::Interface && parsed.luid.is_none() {
            self.second_half(line, change, &parsed.row);
            return;
        }
        if let Note::NotPassive(level) = note {
            self.set_irql(line, level);
        }
        self.names(line, &parsed, passive);
        if passive && self.irql != 0 {
            self.set_irql(line, 0);
        }
        self.query_failure(line, kind, &note);
        // Without re-query the driver prints the row NETIO delivered: deliver all of it.
        let deliver = (full && !requery).then_some("full");
        if kind == Kind::Interface && full && !cut {
            let (family, index) = (field(&parsed.row, "family"), field(&parsed.row, "if"));
            self.change_step(
                line,
                kind,
                change_value,
                parsed.row,
                deliver,
                Some((change.to_owned(), family, index)),
            );
            return;
        }
        self.change_step(line, kind, change_value, parsed.row, deliver, None);
    }

    /// A re-query that failed: the same failure, injected into the same call.
    fn query_failure(&mut self, line: usize, kind: Kind, note: &Note) {
        let status = match note {
            // The driver prints this for STATUS_NOT_FOUND (core/src/policy/events.rs).
            Note::Gone => NtStatus::NOT_FOUND,
            Note::QueryFailed(status) => {
                let Some(status) = ntstatus(status) else {
                    self.note(line, format!("\"{status}\" is not an NTSTATUS: no failure"));
                    return;
                };
                status
            }
            Note::None | Note::NotPassive(_) => return,
        };
        let status = status.to_string();
        self.push(Step::new(
            line,
            vec![
                ("step", text("fail")),
                ("call", text(kind.query())),
                ("status", text(&status)),
            ],
        ));
    }

    /// The milliseconds the clock must move for storm control to print an event of `kind`
    /// now: none where the lines carry its decisions (`super::decided`).
    fn limiter_wait(&mut self, kind: Kind) -> u64 {
        if self.decided {
            0
        } else {
            self.limiter.admit(kind, self.now)
        }
    }

    /// An event line before any `loaded` line: the capture began after the driver loaded.
    pub(super) fn loaded_by_event(&mut self, line: usize) {
        if self.phase == Phase::Loading {
            if !self.seen.settings {
                self.note(
                    line,
                    "an event before the driver's settings and loaded lines: the capture began \
                     after it loaded; the scenario uses the default settings",
                );
            }
            self.end_load(line);
        }
    }

    fn change_step(
        &mut self,
        line: usize,
        kind: Kind,
        change: Value,
        row: Row,
        deliver: Option<&'static str>,
        half: Option<(String, String, String)>,
    ) {
        if half.is_none()
            && let Err(message) = kind.check(&row)
        {
            self.note(line, format!("{message}: the line is left out"));
            return;
        }
        let wait = self.limiter_wait(kind);
        if wait != 0 && !self.started {
            self.note(
                line,
                "the registration's initial lines spent storm control's burst, and the scenario \
                 loads the driver at its first event, with no time between them: the replay \
                 may leave this event out",
            );
        }
        self.advance(line, wait);
        let mut fields = vec![
            ("step", text(kind.name())),
            ("type", Json::Value(change)),
            ("row", Json::Row(row)),
        ];
        if let Some(deliver) = deliver {
            fields.push(("deliver", text(deliver)));
        }
        if self.decided {
            fields.push(self.printed_field());
        }
        let step = Step::new(line, fields);
        if let Some((change, family, index)) = half {
            self.halves.push(HalfInterface {
                step: self.steps.len(),
                line,
                change,
                family,
                index,
            });
            self.started = true;
            self.steps.push(step);
            self.kept_out_step(kind, self.steps.len() - 1);
            return;
        }
        // The same event again: one step that repeats.
        let last_is_half = self
            .halves
            .iter()
            .any(|half| half.step + 1 == self.steps.len());
        if !last_is_half
            && let Some(last) = self.steps.last_mut()
            && last.is_change()
            && last.fields == step.fields
            && last.repeat < MAX_REPEAT
        {
            last.repeat += 1;
            last.last_line = line;
            self.kept_out_step(kind, self.steps.len() - 1);
            return;
        }
        self.started = true;
        self.steps.push(step);
        self.kept_out_step(kind, self.steps.len() - 1);
    }

    /// An interface's second line: joined to its first (lines of concurrent events may come
    /// between them).
    fn second_half(&mut self, line: usize, change: &str, row: &Row) {
        let (family, index) = (field(row, "family"), field(row, "if"));
        let Some(position) = self
            .halves
            .iter()
            .position(|half| half.change == change && half.family == family && half.index == index)
        else {
            self.note(
                line,
                format!(
                    "the second line of an interface (family={family} if={index}) whose first \
                     line is not in the log: left out"
                ),
            );
            return;
        };
        let half = self.halves.remove(position);
        let Some(step) = self.steps.get_mut(half.step) else {
            return;
        };
        step.last_line = line;
        let mut problem = None;
        for (name, value) in &mut step.fields {
            if *name == "row"
                && let Json::Row(first) = value
            {
                first.extend(
                    row.iter()
                        .filter(|(field, _)| field != "family" && field != "if")
                        .cloned(),
                );
                problem = Kind::Interface.check(first).err();
            }
        }
        if let Some(message) = problem {
            self.note(
                line,
                format!(
                    "{message}: the interface of lines {} and {line} is left out",
                    half.line
                ),
            );
            // Neutralised rather than removed: later indices stay valid.
            if let Some(step) = self.steps.get_mut(half.step) {
                step.fields = vec![("comment", text("an interface left out"))];
            }
        }
    }
}
