//! The field tables of `docs/lines.md` and `docs/replay.md`, and the example lines a
//! document shows.
//!
//! The tables are made from the core's field tables ([`netnotify_core::model::fields`]);
//! `replay/tests/fields.rs` checks that the docs hold exactly these tables (`BLESS=1` writes
//! them). The example lines ([`shown`]) are what the document tests hold to real output.

use std::fmt::Write as _;

use netnotify_core::model::fields::{self, Field, Kind, Width};

/// `` `a`, `b` or `c` `` of an enum's names.
fn enum_names(names: &[(i32, &str)]) -> String {
    let quoted: Vec<String> = names.iter().map(|(_, name)| format!("`{name}`")).collect();
    quoted.join(", ")
}

/// `` `unchanged` −1, `disabled` 0 ``.
fn enum_numbers(kind: Kind) -> String {
    let Kind::Enum(names) = kind else {
        return String::new();
    };
    let listed: Vec<String> = names
        .iter()
        .map(|(raw, name)| {
            if *raw < 0 {
                format!("`{name}` \u{2212}{}", raw.unsigned_abs())
            } else {
                format!("`{name}` {raw}")
            }
        })
        .collect();
    listed.join(", ")
}

/// How a line prints a field of `kind`.
fn printed(field: &Field) -> String {
    let text = match field.kind {
        Kind::Family => "`ipv4`, `ipv6`".to_owned(),
        Kind::Number(_) | Kind::Count => "a number".to_owned(),
        Kind::Luid => "`<IANA ifType name>:<NetLuidIndex>`".to_owned(),
        Kind::Flag => "`yes`/`no`".to_owned(),
        Kind::Unset => "a number, or `unset` (`0xFFFFFFFF`)".to_owned(),
        Kind::Millis => "`<n>ms`".to_owned(),
        Kind::Seconds => "`<n>s`".to_owned(),
        Kind::Lifetime => "`<n>s`, or `infinite` (`0xFFFFFFFF`)".to_owned(),
        Kind::Enum(names) => format!("{}, or the number", enum_names(names)),
        Kind::Prefix { .. } => "`<address>/<length>`".to_owned(),
        Kind::Address => "` via <address>`, or ` on-link`".to_owned(),
        Kind::MillisRange { .. } => "`<min>-<max>ms`".to_owned(),
        Kind::Offload { .. } => "`0x<tx>/0x<rx>`".to_owned(),
        Kind::Zones => "`<scope level>:<zone>` for each non-zero entry, or `none`".to_owned(),
        Kind::Flags(bits) => {
            let listed: Vec<String> = bits
                .iter()
                .map(|bit| format!("`{}` (`{}`)", bit.name, bit.c))
                .collect();
            format!(
                "the names of those set, in this order, or `none`: {}",
                listed.join(", ")
            )
        }
        Kind::Timestamp => "UTC ISO 8601 (`2024-11-30T04:00:00Z`; the seven-digit fraction \
                            `.1234567` only when not zero)"
            .to_owned(),
        Kind::Text | Kind::Word | Kind::Names => "text".to_owned(),
    };
    if field.about.is_empty() {
        text
    } else {
        format!("{text}; {}", field.about)
    }
}

/// How `--json` writes a field of `kind`.
const fn json(kind: Kind) -> &'static str {
    match kind {
        Kind::Number(_) | Kind::Count | Kind::Millis | Kind::Seconds => "number",
        Kind::Lifetime => "number, or `\"infinite\"`",
        Kind::Unset => "number, or `\"unset\"`",
        Kind::Flag => "`true`/`false`",
        Kind::Enum(_) => "its name, or the number",
        Kind::Address => "the address, `null` when on-link",
        Kind::Text => "string, `null` when unknown",
        _ => "string, as printed",
    }
}

/// The C type(s) of a field of `kind` in its row.
fn c_type(field: &Field) -> String {
    let at = field.offset.unwrap_or(0);
    match field.kind {
        Kind::Family => format!("{at}, u16"),
        Kind::Number(Width::U8) | Kind::Flag => format!("{at}, u8"),
        Kind::Luid => format!("{at}, u64"),
        Kind::Enum(_) => format!("{at}, i32"),
        Kind::Prefix { length_at } => format!("`SOCKADDR_INET` at {at}, u8 at {length_at}"),
        Kind::Address => format!("{at}, `SOCKADDR_INET`"),
        Kind::MillisRange { max_at } => format!("{at} and {max_at}, u32"),
        Kind::Offload { receive_at } => format!("{at} and {receive_at}, u8"),
        Kind::Zones => format!("{at}, u32 \u{d7} 16, indexed by scope level"),
        Kind::Timestamp => format!("{at}, i64"),
        _ => format!("{at}, u32"),
    }
}

/// What a scenario row writes for a field of `kind`.
fn row_value(field: &Field) -> String {
    match field.kind {
        Kind::Family => "`ipv4` (2), `ipv6` (23)".to_owned(),
        Kind::Number(_) => "number".to_owned(),
        Kind::Luid => "`ieee80211:2`, or the raw number".to_owned(),
        Kind::Flag => "`yes`/`no` (or `true`/`false`)".to_owned(),
        Kind::Unset => "number or `unset`".to_owned(),
        Kind::Millis => "ms: a number or `<n>ms`".to_owned(),
        Kind::Seconds => "seconds: a number or `<n>s`".to_owned(),
        Kind::Lifetime => "seconds (a number or `<n>s`) or `infinite`".to_owned(),
        Kind::Enum(_) => "name or number".to_owned(),
        Kind::Prefix { .. } => "`192.168.1.0/24`, `fe80::1%12/64`".to_owned(),
        Kind::Address => "an address; left out or `null`: on-link (the unspecified address \
                          of the destination's family)"
            .to_owned(),
        Kind::Flags(bits) => {
            let listed: Vec<String> = bits
                .iter()
                .map(|bit| format!("`{}` ({} {})", bit.name, bit.c, bit.offset.unwrap_or(0)))
                .collect();
            format!(
                "the names of those set, joined by commas, or `none`: {}",
                listed.join(", ")
            )
        }
        Kind::Timestamp => "UTC ISO 8601 as printed (`\"2024-11-30T03:59:59Z\"`, a \
                            `\".1234567\"` fraction allowed), or the raw number"
            .to_owned(),
        _ => printed(field),
    }
}

/// The table of a run of fields in `docs/lines.md`: name, C field, how it is printed.
#[must_use]
pub fn lines_table(fields: &[Field]) -> String {
    let mut text = String::from("| field | from | printed as |\n|---|---|---|\n");
    for field in fields {
        let from = if field.c.is_empty() {
            "the other 13 `BOOLEAN`s".to_owned()
        } else {
            let names: Vec<String> = field.c.split(", ").map(|c| format!("`{c}`")).collect();
            names.join(", ")
        };
        let printed = printed(&Field {
            about: if matches!(field.kind, Kind::Flags(_)) {
                ""
            } else {
                field.about
            },
            ..*field
        });
        let _ = writeln!(text, "| `{}` | {from} | {printed} |", field.name);
    }
    text
}

/// The table of a row in `docs/replay.md`: the readable row's fields, their C fields and x64
/// offsets, what a row writes, what `--json` writes, and the enum numbers.
#[must_use]
pub fn replay_table(fields: &[Field]) -> String {
    let mut text = String::from(
        "| field | C field (x64 offset, type) | values | `--json` | enum numbers |\n\
         |---|---|---|---|---|\n",
    );
    for (index, field) in fields.iter().enumerate() {
        let required = if index == 0 { " (required)" } else { "" };
        let c = if field.c.is_empty() {
            "the `BOOLEAN`s listed".to_owned()
        } else {
            format!("`{}` ({})", field.c, c_type(field))
        };
        let _ = writeln!(
            text,
            "| `{}`{required} | {c} | {} | {} | {} |",
            field.name,
            row_value(field),
            json(field.kind),
            enum_numbers(field.kind)
        );
    }
    text
}

/// Every generated table: the marker naming it in the docs, and its text.
#[must_use]
pub fn tables() -> Vec<(&'static str, String)> {
    let interface = &fields::INTERFACE_ROW;
    vec![
        (
            "lines:interface-first",
            lines_table(interface.get(3..7).unwrap_or_default()),
        ),
        (
            "lines:interface-second",
            lines_table(interface.get(7..).unwrap_or_default()),
        ),
        (
            "lines:address",
            lines_table(fields::ADDRESS_ROW.get(3..).unwrap_or_default()),
        ),
        (
            "lines:route",
            lines_table(fields::ROUTE_ROW.get(4..).unwrap_or_default()),
        ),
        ("replay:interface", replay_table(&fields::INTERFACE_ROW)),
        ("replay:address", replay_table(&fields::ADDRESS_ROW)),
        ("replay:route", replay_table(&fields::ROUTE_ROW)),
    ]
}

/// `text` with the table between `<!-- fields:NAME -->` and `<!-- /fields -->` replaced by
/// `table`; `None` if the markers are missing.
#[must_use]
pub fn replace(text: &str, name: &str, table: &str) -> Option<String> {
    let open = format!("<!-- fields:{name} -->\n");
    let start = text.find(&open)? + open.len();
    let end = start + text.get(start..)?.find("<!-- /fields -->")?;
    Some(format!("{}{table}{}", text.get(..start)?, text.get(end..)?))
}

/// The lines `document` shows that `is_line` accepts, in order.
///
/// Its code-block lines (indented or not, the indent left out) and its inline code spans.
/// Those with `…` are a format, not an example, and are left out.
pub fn shown(document: &str, is_line: impl Fn(&str) -> bool) -> Vec<&str> {
    let mut shown = Vec::new();
    for line in document.lines() {
        let trimmed = line.trim_start();
        if is_line(trimmed) {
            shown.push(trimmed);
        } else {
            shown.extend(
                line.split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|span| is_line(span)),
            );
        }
    }
    shown.retain(|line| !line.contains('…'));
    shown
}
