//! The driver's own lines (`settings`, `loaded`, `unloaded`, `storm:`, `warning:`, `error:`)
//! into the steps that make the driver print them.

use netnotify_core::model::notification::Notification;
use netnotify_core::model::settings::SETTINGS;
use netnotify_core::model::status::NtStatus;
use netnotify_core::policy::events::STACK_FLOOR;
use netnotify_core::sim::DEFAULT_STACK;
use serde_json::Value;

use super::kind::Kind;
use super::state::{
    BURST, FAMILY, Found, INITIAL, Importer, LINES_PER_SECOND, Limiter, NOTIFICATIONS, Phase,
    VERBOSITY,
};
use super::step::{Json, Step, pending_step, text};
use super::text::{ntstatus, shorten};
use crate::scenario::MAX_STACK;

/// The routines of a capture-state rundown, whose failure lines import.
const TABLES: [&str; 3] = [
    "GetIpInterfaceTable",
    "GetUnicastIpAddressTable",
    "GetIpForwardTable2",
];

impl Importer {
    pub(super) fn settings_line(&mut self, line: usize, rest: &str) {
        let mut values = self.settings;
        for (key, value) in rest.split(' ').filter_map(|field| field.split_once('=')) {
            if key == "overrides" {
                // An older driver's: these came from the State key, which the driver no
                // longer reads; their values go to Parameters with the others.
                self.note(
                    line,
                    format!(
                        "overrides={value}: an older driver read these from the State key; \
                         settings are read from Parameters only, so the scenario sets them there"
                    ),
                );
            } else if let Some(index) = SETTINGS.iter().position(|setting| setting.name == key)
                && let (Some(slot), Ok(value)) = (values.get_mut(index), value.parse())
            {
                *slot = value;
            } else {
                self.note(line, format!("\"{key}={value}\" is not a setting: ignored"));
            }
        }
        self.settings = values;
        self.seen.settings = true;
        if values[VERBOSITY] == 0 {
            self.note(
                line,
                "Verbosity=0: the driver printed no event, so the scenario has none (the \
                 unloaded line counts them, and they cannot come back)",
            );
        }
        self.limiter = Limiter::new(values[LINES_PER_SECOND], values[BURST]);
        self.settings_step(line);
    }

    /// The `settings` step: the bad values the warnings found, and the values in effect that
    /// are not the defaults (from the `settings` line, or what `loaded` says without one).
    pub(super) fn settings_step(&mut self, line: usize) {
        let mut parameters = Vec::new();
        for (index, setting) in SETTINGS.iter().enumerate() {
            let value = self.settings.get(index).copied().unwrap_or(setting.default);
            if let Some(found) = self.found.get(index).cloned().flatten() {
                parameters.push((setting.name.to_owned(), found.json()));
            } else if value != setting.default {
                parameters.push((setting.name.to_owned(), Value::from(value)));
            }
        }
        if parameters.is_empty() {
            return;
        }
        self.setup.push(Step::new(
            line,
            vec![
                ("step", text("settings")),
                ("values", Json::Row(parameters.into_iter().collect())),
            ],
        ));
    }

    pub(super) fn loaded_line(&mut self, line: usize, rest: &str) {
        if !self.seen.settings {
            for (key, value) in rest.split(' ').filter_map(|field| field.split_once('=')) {
                match key {
                    "registered" => {
                        let bits = value.split(',').fold(0, |bits, name| {
                            Notification::ALL
                                .iter()
                                .position(|notification| notification.name() == name)
                                .map_or(bits, |position| bits | 1 << position)
                        });
                        self.settings[NOTIFICATIONS] = bits;
                    }
                    "family" => {
                        self.settings[FAMILY] = match value {
                            "ipv4" => 4,
                            "ipv6" => 6,
                            _ => 0,
                        };
                    }
                    "initial" => self.settings[INITIAL] = u32::from(value == "yes"),
                    _ => {}
                }
            }
        }
        // A table returned at once whose lines are not in the log (`Verbosity=0`): `loaded`
        // says how many rows it had, not what they were.
        if let Some(entries) = rest
            .split_once(" stable-table=immediate entries=")
            .and_then(|(_, entries)| entries.split(' ').next()?.parse::<usize>().ok())
            .filter(|entries| *entries != 0 && !self.seen.immediate_table)
        {
            // Of the registration's family, or NETIO would not return them.
            let address = if self.settings[FAMILY] == 6 {
                "::"
            } else {
                "0.0.0.0"
            };
            self.note(
                line,
                format!(
                    "the stable table returned at load had {entries} rows, which are not in the \
                     lines: the scenario's are zero (address {address})"
                ),
            );
            let key = Kind::Address.fields().first().copied().unwrap_or_default();
            let row = vec![(key.to_owned(), Value::String(address.to_owned()))];
            let rows = vec![row; entries.min(1000)];
            self.setup.push(Step::new(
                line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(Some(rows))),
                ],
            ));
            self.tables += 1;
        }
        // A NULL table returned at once prints no header: `loaded` alone says so.
        if rest.contains(" stable-table=immediate (no table)") {
            self.setup.push(Step::new(
                line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(None)),
                ],
            ));
        }
        if rest.contains(" stable-table=pending") && !self.seen.stable_pending {
            self.seen.stable_pending = true;
            self.setup.push(pending_step(line));
        }
        self.end_load(line);
    }

    /// The `unloaded` line's `min-stack`: the least stack the driver saw at a callback's entry,
    /// as a `stack` step (docs/netio.md#stack), so that the replay prints it again. Not below
    /// the floor (the replay would print none of the events the log shows: what the stack
    /// guard skipped is in the counters), nor when it is the simulator's own.
    pub(super) fn stack(&mut self, line: usize, rest: &str) {
        let Some(bytes) = rest
            .rsplit_once(" min-stack=")
            .and_then(|(_, bytes)| bytes.split(' ').next()?.parse::<u64>().ok())
        else {
            return;
        };
        let useful = bytes <= MAX_STACK
            && usize::try_from(bytes)
                .is_ok_and(|bytes| bytes >= STACK_FLOOR && bytes != DEFAULT_STACK);
        if useful {
            self.setup.push(Step::new(
                line,
                vec![
                    ("step", text("stack")),
                    ("bytes", Json::Value(Value::from(bytes))),
                ],
            ));
        }
    }

    /// The `unloaded` line's counters (events and stable tables) against the lines read: the
    /// difference is what the lines do not show, beyond the storm summaries (a summary that a
    /// kept registration never let print, `Verbosity=0`, or the stack guard's `low-stack`).
    pub(super) fn counted(&mut self, line: usize, rest: &str) {
        let mut counted: u64 = 0;
        for kind in ["interface(", "address(", "route("] {
            let Some((_, counts)) = rest.split_once(kind) else {
                continue;
            };
            let counts = counts.split(')').next().unwrap_or_default();
            counted = counts
                .split(' ')
                .filter_map(|field| field.split_once('=')?.1.parse::<u64>().ok())
                .fold(counted, u64::saturating_add);
        }
        // Stable tables count as notifications too.
        let tables = rest
            .split_once("stable-table(tables=")
            .and_then(|(_, tables)| tables.split(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let hidden = counted
            .saturating_sub(self.printed)
            .saturating_add(tables.saturating_sub(self.tables));
        if hidden > self.left_out {
            self.note(
                line,
                format!(
                    "the unloaded line counts {} more than the lines and their storm summaries \
                     show (left out by storm control, by the verbosity or for lack of stack, or \
                     lines missing from the log): they cannot come back",
                    match hidden - self.left_out {
                        1 => "1 event".to_owned(),
                        more => format!("{more} events"),
                    }
                ),
            );
            self.left_out = hidden;
        }
    }

    pub(super) fn storm_line(&mut self, line: usize, body: &str) {
        let counts: u64 = body
            .split(' ')
            .filter_map(|field| field.split_once('='))
            .filter_map(|(_, count)| count.parse::<u64>().ok())
            // A log line is input: counts near u64::MAX must not overflow the sum.
            .fold(0, u64::saturating_add);
        // With the driver's decisions the events it counts are in the scenario, kept out as
        // the driver kept them (`decided`); else they are lost to it.
        let decided = self.decided && self.phase != Phase::Loading;
        let why = if decided {
            "the events it counts are the steps above with printed false"
        } else {
            "left out of the lines by storm control: they cannot come back"
        };
        self.push(Step::new(
            line,
            vec![(
                "comment",
                Json::Value(Value::String(format!("line {line}: {body} ({why})"))),
            )],
        ));
        if decided {
            self.decided_storm(line, body, counts, self.steps.len() - 1);
        } else {
            self.left_out = self.left_out.saturating_add(counts);
        }
    }

    pub(super) fn warning_line(&mut self, line: usize, rest: &str) {
        // The ETW provider could not be registered: the driver loads without it.
        if let Some(status) = rest
            .strip_prefix("EtwRegister failed with status ")
            .and_then(|status| ntstatus(status.split(';').next()?))
            .filter(|status| status.is_error())
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text("EtwRegister")),
                    ("status", text(&status.to_string())),
                ],
            ));
            return;
        }
        // Setting the provider's traits failed: with the descriptor type in their place, or
        // with it too (then the driver loads without ETW).
        let set_information = |class: &str, status: NtStatus| {
            let mut fields = vec![
                ("step", text("fail")),
                ("call", text("EtwSetInformation")),
                ("status", text(&status.to_string())),
            ];
            if class != "EventProviderSetTraits" {
                fields.push(("class", text(class)));
            }
            fields
        };
        if let Some(status) = rest
            .strip_prefix("EtwSetInformation(EventProviderSetTraits) failed with status ")
            .and_then(|status| ntstatus(status.split(';').next()?))
            .filter(|status| status.is_error())
        {
            self.push(Step::new(
                line,
                set_information("EventProviderSetTraits", status),
            ));
            return;
        }
        if let Some((traits, descriptor_type)) = rest
            .strip_prefix("EtwSetInformation failed with status ")
            .and_then(|rest| rest.split_once(" (EventProviderSetTraits) and "))
            .and_then(|(traits, rest)| {
                let descriptor_type = rest.split_once(" (EventProviderUseDescriptorType)")?.0;
                Some((ntstatus(traits)?, ntstatus(descriptor_type)?))
            })
            .filter(|(traits, descriptor_type)| traits.is_error() && descriptor_type.is_error())
        {
            self.push(Step::new(
                line,
                set_information("EventProviderSetTraits", traits),
            ));
            self.push(Step::new(
                line,
                set_information("EventProviderUseDescriptorType", descriptor_type),
            ));
            return;
        }
        let Some(setting) = rest.strip_prefix("setting ") else {
            self.note(
                line,
                format!(
                    "\"warning: {}\": no scenario step makes the driver print it; left out",
                    shorten(rest)
                ),
            );
            return;
        };
        let (name, rest) = setting.split_once(": found ").unwrap_or((setting, ""));
        if name.ends_with(" in State") {
            self.note(
                line,
                "an older driver's warning about the State key, which the driver no longer \
                 reads (settings are read from Parameters only): left out",
            );
            return;
        }
        let found = rest.split_once(';').map_or(rest, |(found, _)| found);
        let value = found.parse().map(Found::Dword).ok().or_else(|| {
            found
                .strip_prefix("registry type 1, ")
                .and_then(|size| size.strip_suffix(" bytes"))
                .and_then(|size| size.parse::<usize>().ok())
                .filter(|size| size % 2 == 0 && *size >= 2)
                .map(|size| Found::String(size / 2 - 1))
        });
        let index = SETTINGS.iter().position(|setting| setting.name == name);
        match (index.and_then(|index| self.found.get_mut(index)), value) {
            (Some(slot), Some(value)) => *slot = Some(value),
            _ => self.note(
                line,
                format!(
                    "the setting warning \"{}\" names a value a scenario cannot hold (numbers \
                     and REG_SZ strings only): left out",
                    shorten(rest)
                ),
            ),
        }
    }

    /// A capture-state rundown's failed table (docs/netio.md#rundown): the failure, then a
    /// session attaching with every kind's keyword. The rundown itself has no line, so
    /// nothing else of it comes back.
    fn table_failed(&mut self, line: usize, function: &str, status: &str) {
        self.loaded_by_event(line);
        self.push(Step::new(
            line,
            vec![
                ("step", text("fail")),
                ("call", text(function)),
                ("status", text(status)),
            ],
        ));
        self.push(Step::new(line, vec![("step", text("capture-state"))]));
    }

    pub(super) fn error_line(&mut self, line: usize, rest: &str) {
        let error_of = |text: &str| {
            text.split_once("status ")
                .and_then(|(_, status)| ntstatus(status.split([';', ' ']).next()?))
                .filter(|status| status.is_error())
                .map(|status| status.to_string())
        };
        let function = rest.split(' ').next().unwrap_or_default();
        let registration = Notification::ALL
            .into_iter()
            .find(|notification| notification.function() == function);
        if let Some(level) = rest
            .strip_prefix("DriverEntry called at IRQL ")
            .and_then(|level| level.split(',').next())
            .and_then(|level| level.parse::<u8>().ok())
        {
            self.set_irql(line, level);
            self.phase = Phase::Failed;
        } else if let Some(kind) = rest
            .strip_prefix("CancelMibChangeNotify2 for ")
            .and_then(|rest| rest.split(' ').next())
            .filter(|kind| Notification::ALL.iter().any(|n| n.name() == *kind))
            && let Some(status) = error_of(rest)
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text("CancelMibChangeNotify2")),
                    ("status", text(&status)),
                    ("notification", text(kind)),
                ],
            ));
        } else if let Some(notification) = registration
            && rest.contains(" without a handle")
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("null-handle")),
                    ("call", text(notification.function())),
                ],
            ));
        } else if (registration.is_some() || function == "IoCreateDevice")
            && rest.contains(" failed with status ")
            && let Some(status) = error_of(rest)
        {
            self.push(Step::new(
                line,
                vec![
                    ("step", text("fail")),
                    ("call", text(function)),
                    ("status", text(&status)),
                ],
            ));
            if rest.ends_with("not loading") {
                self.phase = Phase::Failed;
            } else if rest.ends_with("stays loaded (unload disabled)") {
                // A rollback whose cancel failed: loaded for good, with no `loaded` line.
                self.end_load(line);
            }
        } else if TABLES.contains(&function)
            && rest.contains(" failed with status ")
            && let Some(status) = error_of(rest)
        {
            self.table_failed(line, function, &status);
        } else if let Some(level) = rest
            .strip_prefix("stable-table pending delivered at IRQL ")
            .and_then(|level| level.split(':').next())
            .and_then(|level| level.parse::<u8>().ok())
        {
            self.loaded_by_event(line);
            if !self.seen.stable_pending {
                self.seen.stable_pending = true;
                self.setup.push(pending_step(line));
            }
            self.set_irql(line, level);
            self.tables += 1;
            self.push(Step::new(
                line,
                vec![
                    ("step", text("stable-complete")),
                    ("rows", Json::Rows(Some(Vec::new()))),
                ],
            ));
        } else if rest.starts_with("unload requested") {
            // The `unloaded` line that follows (`kept=` every registration) is the unload.
            self.note(
                line,
                "\"error: unload requested\": DriverUnload ran although the driver set none, \
                 which no scenario step makes happen; left out (the unloaded line after it is \
                 the unload)",
            );
        } else {
            self.note(
                line,
                format!(
                    "\"error: {}\": no scenario step makes the driver print it; left out",
                    shorten(rest)
                ),
            );
        }
    }
}
