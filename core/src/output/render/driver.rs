//! The settings as `DriverEntry` reads them, each value that is not valid a warning record.
//!
//! The driver's own lines are its records' (`output::render::records`): `settings`, `loaded`,
//! `unloaded`, `storm:`, warnings and errors are each a [`Record`] variant, printed by
//! [`record_lines`](super::record_lines) and written to `--json` from the same record.

use crate::model::record::{Record, WarningMessage};
use crate::model::settings::{RawValue, Settings};
use crate::output::line::Line;

pub use crate::model::record::StableState;

use super::records::write_warning;

/// The settings as `DriverEntry` reads them: [`Settings::read_with`], each value that is not
/// valid reported as a warning line (its record's). Here rather than in the model, which
/// writes no line.
impl Settings {
    /// Reads every setting with `read` (the shell's query of the value in `Parameters`), and
    /// hands each warning line to `warn`: a value that is not valid takes the default.
    pub fn read(read: impl FnMut(&str) -> RawValue, mut warn: impl FnMut(&Line)) -> Self {
        Self::read_records(read, |record| {
            if let Record::Warning(message) = record {
                warn(&Line::written(|line| write_warning(line, message)));
            }
        })
    }

    /// As [`Settings::read`], handing each warning's record to `warn`.
    pub fn read_records(read: impl FnMut(&str) -> RawValue, mut warn: impl FnMut(&Record)) -> Self {
        Self::read_with(read, |setting, found| {
            warn(&Record::Warning(WarningMessage::setting_defaulted(
                setting, found,
            )));
        })
    }
}
