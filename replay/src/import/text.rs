//! A captured line's text, read: the time column, the fields a row prints and the note after them.
//!
//! Nothing here knows the import's state: each function reads text and returns values or a
//! message.

use netnotify_core::model::decode::Luid;
use netnotify_core::model::status::NtStatus;
use serde_json::Value;

use super::kind::Kind;
use super::step::Row;

/// A `Get*Entry` outcome or the IRQL, as the note at the end of a keys line says.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) enum Note {
    None,
    Gone,
    QueryFailed(String),
    NotPassive(u8),
}

/// `DebugView`'s saved log: `<sequence>\t<time>\t<text>`. The time is the elapsed seconds
/// (`12.34567890`, the default) or the clock time (`20:27:46`, `20:27:46.123` with Show
/// Milliseconds); returns milliseconds and whether it is a clock time.
pub(super) fn debugview_time(before: &str) -> Option<(u64, bool)> {
    let mut columns = before.split('\t');
    let sequence = columns.next()?.trim();
    let time = columns.next()?.trim();
    columns.next()?;
    if sequence.is_empty() || !sequence.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // A 12-hour clock, as some Windows locales show the time.
    let (time, afternoon) = match (time.strip_suffix(" AM"), time.strip_suffix(" PM")) {
        (Some(time), _) => (time, Some(false)),
        (_, Some(time)) => (time, Some(true)),
        _ => (time, None),
    };
    let (whole, fraction) = time.split_once('.').unwrap_or((time, ""));
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let milliseconds: u64 = format!("{:0<3}", fraction.get(..3).unwrap_or(fraction))
        .parse()
        .ok()?;
    if whole.contains(':') {
        let mut parts = whole.split(':').map(str::parse::<u64>);
        let (hours, minutes, seconds) = (
            parts.next()?.ok()?,
            parts.next()?.ok()?,
            parts.next()?.ok()?,
        );
        if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
            return None;
        }
        let hours = match afternoon {
            Some(false) => hours % 12,
            Some(true) => hours % 12 + 12,
            None => hours,
        };
        return Some((
            ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds,
            true,
        ));
    }
    let seconds: u64 = whole.parse().ok()?;
    Some((seconds.checked_mul(1000)?.checked_add(milliseconds)?, false))
}

/// An `NTSTATUS` as the lines print it: `0x` and eight hex digits (fewer: a cut line).
pub(super) fn ntstatus(text: &str) -> Option<NtStatus> {
    let hex = text.strip_prefix("0x").filter(|hex| hex.len() == 8)?;
    u32::from_str_radix(hex, 16)
        .ok()
        .map(|status| NtStatus(status.cast_signed()))
}

/// The value of a printed field: a number when it is one, else the text as printed.
fn value(text: &str) -> Value {
    if let Ok(number) = text.parse::<u64>() {
        return Value::from(number);
    }
    if let Ok(number) = text.parse::<i64>() {
        return Value::from(number);
    }
    Value::String(text.to_owned())
}

/// A LUID as printed: `ieee80211:2`, kept as text; `999:1(reserved=0x0000AB)` as its raw
/// 64-bit value ([`Luid::parse`]), which the readable form takes.
pub(super) fn luid(text: &str) -> Option<Value> {
    if !text.contains("(reserved=0x") {
        return Some(Value::String(text.to_owned()));
    }
    Luid::parse(text).map(|luid| Value::from(luid.0))
}

/// An address or prefix as printed, without the `(invalid)` after a length beyond the
/// family's (the readable form takes the length as it is).
fn address(text: &str) -> Value {
    Value::String(text.trim_end_matches("(invalid)").to_owned())
}

/// The note at the end of a keys line, if any, and the line without it.
pub(super) fn split_note(rest: &str) -> Result<(&str, Note), String> {
    if !rest.ends_with(')') {
        return Ok((rest, Note::None));
    }
    let Some(at) = rest.rfind(" (") else {
        return Ok((rest, Note::None));
    };
    let (head, note) = (
        rest.get(..at).unwrap_or_default(),
        rest.get(at + 2..rest.len() - 1).unwrap_or_default(),
    );
    if note == "gone before re-query" {
        return Ok((head, Note::Gone));
    }
    if let Some(status) = note.strip_prefix("re-query failed with status ") {
        return Ok((head, Note::QueryFailed(status.to_owned())));
    }
    if let Some(level) = note.strip_prefix("not re-queried at IRQL ") {
        return level
            .parse()
            .map(|level| (head, Note::NotPassive(level)))
            .map_err(|_| format!("the note \"({note})\" names no IRQL"));
    }
    // Not a note: an address's `(invalid)` or a mangled end; the fields will tell.
    Ok((rest, Note::None))
}

/// The fields of a row's text: `key=value` pairs, with the quoted alias (`"` inside it prints
/// as `'`, so the first `"` ends it) and the name (everything up to ` alias=`) kept whole.
fn tokens(text: &str) -> Result<Vec<(String, String, bool)>, String> {
    let mut fields = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = rest
            .split_once('=')
            .filter(|(key, _)| !key.contains(' '))
            .ok_or_else(|| {
                let word = rest.split(' ').next().unwrap_or(rest);
                format!("\"{word}\" is not a field (name=value)")
            })?;
        let quoted = key == "alias" && after.starts_with('"');
        let (value, next) = if quoted {
            let inner = after.get(1..).unwrap_or_default();
            let end = inner
                .find('"')
                .ok_or_else(|| "the alias has no closing quote".to_owned())?;
            (
                inner.get(..end).unwrap_or_default(),
                inner.get(end + 1..).unwrap_or_default(),
            )
        } else if key == "name" && after.contains(" alias=") {
            after
                .split_once(" alias=")
                .map_or((after, ""), |(name, _)| {
                    (name, after.get(name.len()..).unwrap_or_default())
                })
        } else {
            after.split_once(' ').unwrap_or((after, ""))
        };
        fields.push((key.to_owned(), value.to_owned(), quoted));
        rest = next.trim_start();
    }
    Ok(fields)
}

/// What a line says of an interface's names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) enum Names {
    /// Both known (a name printed `?` with a known alias is the name `?`: it prints the same).
    Known(String, String),
    /// The name only: NETIO could not convert the alias, which no scenario step reproduces.
    NameOnly(String),
    /// Neither.
    Unknown,
}

/// A row's text, parsed: its fields, and the interface's names.
pub(super) struct Parsed {
    pub(super) row: Row,
    pub(super) luid: Option<String>,
    pub(super) names: Names,
    /// Whether the line printed names (`name=`), known or not.
    pub(super) has_names: bool,
}

/// Reads the fields after the positional ones: every `key=value` into the row, but `name` and
/// `alias`, which are NETIO's answers for the LUID rather than fields of the row.
pub(super) fn fields(mut row: Row, text: &str) -> Result<Parsed, String> {
    let mut name = None;
    let mut alias = None;
    let mut luid_text = None;
    for (key, printed, quoted) in tokens(text)? {
        match key.as_str() {
            "name" => name = Some(printed),
            // Known aliases print quoted, an unknown one as a bare `?`.
            "alias" => alias = Some(quoted.then_some(printed)),
            "luid" => {
                let parsed =
                    luid(&printed).ok_or_else(|| format!("luid={printed} is not a LUID"))?;
                luid_text = Some(printed);
                row.push((key, parsed));
            }
            _ => row.push((key, value(&printed))),
        }
    }
    let has_names = name.is_some();
    let names = match (name, alias.flatten()) {
        (Some(name), Some(alias)) => Names::Known(name, alias),
        (Some(name), None) if name != "?" => Names::NameOnly(name),
        _ => Names::Unknown,
    };
    Ok(Parsed {
        row,
        luid: luid_text,
        names,
        has_names,
    })
}

/// A row field's value as text, for matching an interface's two lines.
pub(super) fn field(row: &Row, name: &str) -> String {
    row.iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// The fields a row prints before its `key=value` pairs: an address's `<address>`, a route's
/// `<destination> via <next hop>` or `<destination> on-link`.
pub(super) fn positional(kind: Kind, text: &str) -> Result<(Row, &str), String> {
    match kind {
        Kind::Interface => Ok((Vec::new(), text)),
        Kind::Address => {
            let (address_text, rest) = text.split_once(' ').unwrap_or((text, ""));
            Ok((vec![("address".to_owned(), address(address_text))], rest))
        }
        Kind::Route => {
            let mut words = text.splitn(3, ' ');
            let destination = words.next().unwrap_or_default();
            let mut row = vec![("destination".to_owned(), address(destination))];
            match words.next() {
                Some("on-link") => {
                    let rest = text
                        .get(destination.len() + " on-link".len()..)
                        .unwrap_or_default();
                    Ok((row, rest))
                }
                Some("via") => {
                    let rest = words.next().unwrap_or_default();
                    let (hop, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                    row.push(("via".to_owned(), address(hop)));
                    Ok((row, rest))
                }
                _ => Err(format!(
                    "the route {destination} has neither \"via <next hop>\" nor \"on-link\""
                )),
            }
        }
    }
}

/// A line as a note quotes it: at most 60 characters.
pub(super) fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_owned();
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}...")
}
