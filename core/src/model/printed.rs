//! A value's printed form: the text the lines show of it.
//!
//! `cargo replay --json` and the ETW events reuse it for what has no number or word of its
//! own. [`Put`] writes it into an [`Out`]; [`display`] and `display_by_put!` give `Display`
//! from it.
//!
//! In the model, not with the line: the printed form belongs to the value (as its name, its
//! parser and its JSON word do), and every writer (the fixed-size line, a `Formatter`, the ETW
//! payload, replay's JSON) is an [`Out`] above it. So the model's types (the C enums, the
//! field table's [`FieldValue`](crate::model::fields::FieldValue)) name their printed form
//! without importing the output layer.

use core::fmt;

/// Where rendered text goes: the output's line on the callback path, a `core::fmt::Formatter`
/// for `Display` ([`display`]).
pub trait Out {
    /// Appends `text`.
    fn put_str(&mut self, text: &str);

    /// Appends bytes the renderer produced, all ASCII (digits, hex): what is not becomes `?`.
    /// For a line, without the UTF-8 check a `&str` would cost.
    fn put_ascii(&mut self, bytes: &[u8]) {
        self.put_str(core::str::from_utf8(bytes).unwrap_or("?"));
    }
}

/// A value that writes its printed form into an [`Out`].
///
/// Why not `core::fmt::Display` on the callback path: every `write!` goes through
/// `core::fmt::write`, a `Formatter` and one indirect call per piece. Writing the pieces
/// straight into the line took from 2.3 to 2.8 times fewer instructions per event, and the
/// formatting frames left NETIO's stack (measured: `core/benches/render.rs`,
/// `ci/object-checks/`). `Display` is
/// still there for every type, through [`display`], for the lines printed outside callbacks.
pub trait Put {
    /// Writes the printed form.
    fn put<O: Out>(&self, out: &mut O);
}

impl Put for str {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(self);
    }
}

impl<T: Put + ?Sized> Put for &T {
    fn put<O: Out>(&self, out: &mut O) {
        (**self).put(out);
    }
}

/// Writes each value in turn: `put!(line; " mtu=", row.nl_mtu, " metric=", Dec(m))`.
macro_rules! put {
    ($out:expr; $($value:expr),+ $(,)?) => {{
        $( $crate::model::printed::Put::put(&$value, $out); )+
    }};
}
pub(crate) use put;

/// A `Formatter` as an [`Out`]; keeps the first error.
struct FmtOut<'a, 'b> {
    formatter: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl Out for FmtOut<'_, '_> {
    fn put_str(&mut self, text: &str) {
        if self.result.is_ok() {
            self.result = self.formatter.write_str(text);
        }
    }
}

/// `Display::fmt` of a [`Put`] value.
///
/// # Errors
/// The formatter's first error.
pub fn display(value: &(impl Put + ?Sized), formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut out = FmtOut {
        formatter,
        result: Ok(()),
    };
    value.put(&mut out);
    out.result
}

/// Implements `Display` through [`Put`] for each type named.
macro_rules! display_by_put {
    ($($type:ty),+ $(,)?) => {
        $(
            impl core::fmt::Display for $type {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    $crate::model::printed::display(self, f)
                }
            }
        )+
    };
}
pub(crate) use display_by_put;
