//! The stable table's lines (`stable-table`): a header, then its rows, into `stable` steps.

use super::kind::Kind;
use super::state::{Importer, Table};
use super::step::{Json, Step, pending_step, text};
use super::text::{Names, fields, positional};

impl Importer {
    pub(super) fn stable_line(&mut self, line: usize, rest: &str) {
        if let Some(position) = rest.strip_prefix('[') {
            let Some((_, row_text)) = position.split_once("] ") else {
                self.note(line, "a stable-table row without its position: left out");
                return;
            };
            let parsed = positional(Kind::Address, row_text).and_then(|(row, rest)| {
                let parsed = fields(row, rest)?;
                Kind::Address.check(&parsed.row).map(|()| parsed)
            });
            match parsed {
                Err(message) => self.note(line, format!("{message}: the row is left out")),
                Ok(parsed) => {
                    if self.table.is_none() {
                        self.note(line, "a stable-table row without its header: left out");
                        return;
                    }
                    let above_passive = parsed.names == Names::Unknown
                        && parsed
                            .luid
                            .as_ref()
                            .is_some_and(|luid| self.names.contains_key(luid));
                    self.names(line, &parsed, false);
                    let complete = self.table.as_mut().is_some_and(|table| {
                        table.above_passive |= above_passive;
                        table.rows.push(parsed.row);
                        table.expected == Some(table.rows.len())
                    });
                    // Ended here rather than at the next line, whose time may move the clock.
                    if complete {
                        self.end_table();
                    }
                }
            }
            return;
        }
        let (completion, entries) = rest.split_once(' ').unwrap_or((rest, ""));
        let expected = if entries == "(no table)" {
            None
        } else if let Some(Ok(count)) = entries.strip_prefix("entries=").map(str::parse::<usize>) {
            Some(count)
        } else {
            self.note(
                line,
                format!("\"{rest}\" is not a stable-table header: left out"),
            );
            return;
        };
        let pending = match completion {
            "pending" => true,
            "immediate" => false,
            _ => {
                self.note(
                    line,
                    format!("\"{completion}\" is neither immediate nor pending"),
                );
                return;
            }
        };
        if pending {
            self.loaded_by_event(line);
            if !self.seen.stable_pending {
                self.seen.stable_pending = true;
                self.setup.push(pending_step(line));
            }
        }
        self.table = Some(Table {
            line,
            pending,
            expected,
            rows: Vec::new(),
            above_passive: false,
        });
        if expected == Some(0) || expected.is_none() {
            self.end_table();
        }
    }

    pub(super) fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        if let Some(expected) = table.expected
            && table.rows.len() != expected
        {
            self.note(
                table.line,
                format!(
                    "the stable table has entries={expected} but {} rows follow: the scenario \
                     has those",
                    table.rows.len()
                ),
            );
        }
        let rows = table.expected.map(|_| table.rows);
        self.tables += 1;
        if !table.pending {
            self.seen.immediate_table = true;
        }
        if table.pending {
            if self.irql >= 2 {
                self.set_irql(table.line, u8::from(table.above_passive));
            }
            self.push(Step::new(
                table.line,
                vec![
                    ("step", text("stable-complete")),
                    ("rows", Json::Rows(rows)),
                ],
            ));
        } else if rows.as_ref().is_none_or(|rows| !rows.is_empty()) {
            // An immediate table is the registration's: before the load.
            self.setup.push(Step::new(
                table.line,
                vec![
                    ("step", text("stable")),
                    ("completion", text("immediate")),
                    ("rows", Json::Rows(rows)),
                ],
            ));
        }
    }
}
