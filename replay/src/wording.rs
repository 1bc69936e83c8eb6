//! The wording of every message about a value in a scenario: the value as a message shows
//! it, the alternatives a field takes, and a value that is not one of them.
//!
//! Shared by the step reader ([`crate::scenario`]) and the readable rows ([`crate::readable`]),
//! so that both speak alike; it imports neither.

use serde_json::Value;

/// `"a", "b" or "c"`.
pub fn alternatives(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A value as a message shows it: its JSON text, cut short.
pub fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        return text;
    }
    let cut: String = text.chars().take(37).collect();
    format!("{cut}...")
}

/// `"field" is <value>, expected <expected>`.
pub fn wrong(field: &str, value: &Value, expected: &str) -> String {
    format!("\"{field}\" is {}, expected {expected}", shown(value))
}
