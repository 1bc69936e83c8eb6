//! Lines that carry the driver's decisions: the watcher's, where every event is printed and
//! those storm control or the verbosity kept out are marked `[kept out] ` (docs/lines.md,
//! "Events as lines").
//!
//! This module owns what such an import adds to the line reader's: each change step says
//! whether the driver printed its line (`printed`, docs/replay.md), which the replay takes
//! instead of deciding again, and the clock is made for the storm summaries alone. Storm
//! control's clock is not in the events, and on Windows it is not the events' timestamps, so
//! the time between events is none, but where a summary needs it:
//! - its span (`over 0.046s`) goes between the first and the last event it counts, in gaps
//!   shorter than storm control's quiet second so that no summary comes early;
//! - a summary its timer printed (not one a printed line of its kind or the unload took) gets
//!   the quiet second before it.
//!
//! That is exact for storms of one kind at a time. Where storms of two kinds overlap, one
//! clock cannot give each summary its span and its place; a note says so.

use serde_json::Value;

use super::kind::Kind;
use super::state::{Importer, TICKS_PER_MILLISECOND, VERBOSITY};

/// Storm control's quiet time before a storm's summary (`QUIET`, one second), in milliseconds.
const QUIET_MS: u64 = netnotify_core::policy::storm::QUIET / TICKS_PER_MILLISECOND;

/// The longest gap between two events of one storm: one shorter than the quiet time.
const LONGEST_GAP_MS: u64 = QUIET_MS - 1;

impl Importer {
    /// A change step was written or repeated at `index`: a kept-out one joins its kind's storm
    /// (the episode its next summary counts).
    pub(super) fn kept_out_step(&mut self, kind: Kind, index: usize) {
        // With Verbosity=0 no line is printed and storm control never runs: no summary comes.
        if self.kept
            && self.settings[VERBOSITY] != 0
            && let Some(episode) = self.episodes.get_mut(kind.slot())
        {
            episode.push(index);
        }
    }

    /// A storm summary's line, read from lines with the driver's decisions: its span goes
    /// between the events it counts, and whether its timer printed it is known at the next
    /// line ([`Importer::before_line`]).
    pub(super) fn decided_storm(&mut self, line: usize, body: &str, counts: u64, index: usize) {
        let named = body
            .strip_prefix("storm: ")
            .unwrap_or_default()
            .split(' ')
            .next();
        let Some(kind) = [Kind::Interface, Kind::Address, Kind::Route]
            .into_iter()
            .find(|kind| named == Some(kind.name()))
        else {
            return;
        };
        let span = body
            .rsplit_once(" over ")
            .and_then(|(_, span)| span_ms(span))
            .unwrap_or(0);
        let episode = self
            .episodes
            .get_mut(kind.slot())
            .map(std::mem::take)
            .unwrap_or_default();
        // Each event it counts should be a kept-out line: one missing is an event the
        // session lost (the watcher's summary counts them) or a line cut from the log.
        let carried = u64::try_from(episode.len()).unwrap_or(u64::MAX);
        if carried != counts {
            self.note(
                line,
                format!(
                    "the summary counts {counts} events, the lines show {carried} of them kept \
                     out (an ETW session that lost events, or lines missing): the replay's \
                     summary counts {carried}"
                ),
            );
            self.left_out = self.left_out.saturating_add(counts.saturating_sub(carried));
        }
        if let Some(&last) = episode.last()
            && self.overlaps(kind, last)
        {
            self.note(
                line,
                "storms of two kinds overlap here: one clock cannot give each summary its span \
                 and its place, so the replay may print them elsewhere or with other spans",
            );
        }
        if !self.spread(&episode, span) {
            self.note(
                line,
                format!(
                    "the summary's span ({span} ms) does not fit between the events it counts \
                     in gaps under a second: the replay prints a shorter one"
                ),
            );
        }
        self.storms.push((index, kind));
    }

    /// Whether another kind's storm, still open, has an event before this one's `last`: the
    /// clock this one's span needs would count in that one's quiet time too.
    fn overlaps(&self, kind: Kind, last: usize) -> bool {
        self.episodes
            .iter()
            .enumerate()
            .filter(|(slot, _)| *slot != kind.slot())
            .any(|(_, other)| other.iter().any(|&index| index < last))
    }

    /// Puts `span` milliseconds between the first and the last of a storm's events (step
    /// indices, one per event), every gap shorter than the quiet time: first before each of
    /// its steps but the first, from the last, then between the repetitions of a step that
    /// repeats, then before the last repetition of one. Whether it all fitted.
    fn spread(&mut self, episode: &[usize], span: u64) -> bool {
        let mut steps: Vec<(usize, u64)> = Vec::new();
        for &index in episode {
            match steps.last_mut() {
                Some((last, count)) if *last == index => *count += 1,
                _ => steps.push((index, 1)),
            }
        }
        let why = "part of a storm summary's span";
        let mut left = span;
        for &(index, _) in steps.iter().skip(1).rev() {
            let gap = left.min(LONGEST_GAP_MS);
            if let Some(step) = self.steps.get_mut(index) {
                step.wait_before(gap, why);
                left -= gap;
            }
        }
        for &(index, count) in steps.iter().rev() {
            if count < 2 || left < count - 1 {
                continue;
            }
            let every = (left / (count - 1)).min(LONGEST_GAP_MS);
            if let Some(step) = self.steps.get_mut(index) {
                step.every_ms = every;
                left -= every * (count - 1);
            }
        }
        for &(index, count) in steps.iter().rev() {
            if left == 0 {
                break;
            }
            if let Some(step) = self.steps.get_mut(index)
                && count >= 2
                && step.every_ms < LONGEST_GAP_MS
            {
                let more = left.min(LONGEST_GAP_MS - step.every_ms);
                step.last_gap_ms = more;
                left -= more;
            }
        }
        left == 0
    }

    /// Before each line read with the driver's decisions: if storm summaries are waiting to
    /// be placed, this line says whether their timer printed them. A printed line of the
    /// last one's kind took that one; the unload takes all; another summary joins them.
    /// Anything else came after the timer printed them: the quiet second goes before them.
    pub(super) fn before_line(&mut self, body: &str) {
        let Some(&(_, last_kind)) = self.storms.last() else {
            return;
        };
        let word = body.split(' ').next().unwrap_or_default();
        if word == "storm:" {
            return;
        }
        if word == "unloaded" {
            self.storms.clear();
            return;
        }
        if !self.kept && word == last_kind.name() {
            self.storms.pop();
        }
        self.timer_printed();
    }

    /// The waiting summaries came from their timer: the quiet second before the first.
    pub(super) fn timer_printed(&mut self) {
        let storms = std::mem::take(&mut self.storms);
        let Some(&(first, _)) = storms.first() else {
            return;
        };
        let open = self.episodes.iter().any(|episode| !episode.is_empty());
        if let Some(step) = self.steps.get_mut(first) {
            step.wait_before(
                QUIET_MS,
                "storm control's quiet second: the storm timer printed the summary",
            );
        }
        if open && let Some(step) = self.steps.get(first) {
            let line = step.first_line;
            self.note(
                line,
                "a storm of another kind is still going on at this summary: the replay's quiet \
                 second may print its summary here too",
            );
        }
    }

    /// The step of a change read with the driver's decisions says whether it was printed.
    pub(super) const fn printed_field(&self) -> (&'static str, super::step::Json) {
        ("printed", super::step::Json::Value(Value::Bool(!self.kept)))
    }
}

/// `0.046s` in milliseconds.
fn span_ms(text: &str) -> Option<u64> {
    let (seconds, millis) = text.strip_suffix('s')?.split_once('.')?;
    let (seconds, millis) = (seconds.parse::<u64>().ok()?, millis.parse::<u64>().ok()?);
    if millis > 999 {
        return None;
    }
    seconds.checked_mul(1000)?.checked_add(millis)
}
