//! One output line in a fixed stack buffer: printable ASCII, at most one `DbgPrint` call long,
//! always terminated by `"\n\0"`, cut with a visible marker instead of failing when full.
//!
//! Hand-written rather than `heapless::String` because the three properties the driver needs
//! are exactly what a plain fixed string lacks: a NUL kept after the text at all times (so
//! `&Line` is a C string for `DbgPrintEx("%s", …)`), truncation that keeps the line and marks
//! it instead of rejecting the write, and replacement of every byte that is not printable
//! ASCII. Storage is one array and a length; nothing here allocates or panics.

use core::fmt;

// For the users outside the core (`netnotify_core::output::line::Put`): the traits are the model's
// (a value's printed form); the line is one `Out` among others.
pub use crate::model::printed::{Out, Put, display};

use crate::model::printed::eight_digits;

/// Bytes one `DbgPrint` call transmits, the terminating NUL included.
pub const DBGPRINT_LIMIT: usize = 512;

/// Marker that ends a line whose text did not fit.
pub const TRUNCATION_MARKER: &str = " [...]";

/// A line being rendered. Invariant: `len <= Line::MAX_TEXT`, `buf[len] == b'\n'`,
/// `buf[len + 1] == 0`, and `buf[..len]` is printable ASCII.
pub struct Line {
    buf: [u8; DBGPRINT_LIMIT],
    len: usize,
    truncated: bool,
}

impl Line {
    /// Longest text: the limit less the newline and the NUL.
    pub const MAX_TEXT: usize = DBGPRINT_LIMIT - 2;

    /// An empty line.
    #[must_use]
    pub const fn new() -> Self {
        let mut buf = [0; DBGPRINT_LIMIT];
        buf[0] = b'\n';
        Self {
            buf,
            len: 0,
            truncated: false,
        }
    }

    /// A new line with what `write` writes into it.
    #[must_use]
    pub fn written(write: impl FnOnce(&mut Self)) -> Self {
        let mut line = Self::new();
        write(&mut line);
        line
    }

    /// The text, without the newline and NUL.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only printable ASCII is ever stored, so the prefix is valid UTF-8.
        self.buf
            .get(..self.len)
            .and_then(|text| core::str::from_utf8(text).ok())
            .unwrap_or("")
    }

    /// The text followed by `"\n\0"`: what is handed to `DbgPrintEx` as the `%s` argument.
    #[must_use]
    pub fn as_c_str_with_newline(&self) -> &core::ffi::CStr {
        self.buf
            .get(..self.len.saturating_add(2))
            .and_then(|bytes| core::ffi::CStr::from_bytes_with_nul(bytes).ok())
            .unwrap_or(c"\n")
    }

    /// Whether text was cut to fit.
    #[must_use]
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Appends `text`, replacing every byte that is not printable ASCII with `?`. What does
    /// not fit is cut and the line marked. One bulk copy per call: `core::fmt` hands over a
    /// line in many small pieces, so per-byte bookkeeping would dominate the cost.
    pub fn push_str(&mut self, text: &str) {
        self.push_bytes(text.as_bytes());
    }

    /// As [`Line::push_str`], for bytes.
    #[inline]
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        if !self.push_mapped(bytes, printable) {
            self.push_rest(bytes);
        }
    }

    /// Appends UTF-16 text (little-endian units) in its printed form
    /// ([`crate::model::names::ascii`]), mapped straight into the buffer: an interface's name
    /// and alias, on every line that names one.
    #[inline]
    pub fn push_utf16_as_ascii(&mut self, units: &[[u8; 2]]) {
        if !self.push_mapped(units, crate::model::names::ascii) {
            self.push_utf16_rest(units);
        }
    }

    /// Appends `value` in decimal: below 10^8 (every number a line prints but the rarest) its
    /// digits computed at once ([`eight_digits`]) and stored with the newline and the NUL in
    /// one 16-byte write; else, or within 16 bytes of the end, a digit at a time. No
    /// intermediate buffer, no loop and no printable check for what can only be digits; one
    /// copy for every integer type the lines print (the image's size). Measured with
    /// callgrind against `itoa` and a push per call site: 48 to 51 instructions a number
    /// where an out-of-line `Dec::put` took 79 to 95; with the names' writer, 8.6 KB less
    /// code in the image (docs/checks.md).
    #[inline(never)]
    pub fn push_decimal(&mut self, value: u64) {
        if let Ok(small) = u32::try_from(value)
            && let Some((digits, count)) = eight_digits(small)
            && let Some(window) = self.buf.get_mut(self.len..self.len.saturating_add(16))
            && let Some((window, _)) = window.split_first_chunk_mut::<16>()
        {
            // The digits and NULs, eight NULs more, then `\n` after the digits (`count` is at
            // most 8, so the terminator is within the window and the new length at most 8
            // bytes on). Stored straight into the line, never built in a local and copied: a
            // 16-byte load of bytes just stored 8 and 1 at a time cannot be forwarded from
            // the stores and stalls (criterion: the interface line 479 ns against 342 with
            // fewer instructions).
            let count = usize::try_from(count).unwrap_or(8);
            let (first, rest) = window.split_at_mut(8);
            first.copy_from_slice(&digits);
            rest.copy_from_slice(&[0; 8]);
            if let Some(newline) = window.get_mut(count) {
                *newline = b'\n';
            }
            self.len = self.len.saturating_add(count);
            return;
        }
        self.push_decimal_rest(value);
    }

    /// A number of nine digits or more, or one near the end of the line: a digit at a time
    /// from the first, each pushed (and cut, at the end) as any text. Rare, so small rather
    /// than fast, and without a digit buffer on the callbacks' stack.
    #[cold]
    #[inline(never)]
    fn push_decimal_rest(&mut self, value: u64) {
        let mut power = 1_u64;
        while power <= value / 10 {
            power = power.saturating_mul(10);
        }
        while power != 0 {
            let digit = value.checked_div(power).unwrap_or(0) % 10;
            self.push_bytes(&[b'0' | u8::try_from(digit).unwrap_or(0)]);
            power /= 10;
        }
    }

    /// The common case of a push, kept short: `items` mapped to one printable byte each fit
    /// with room for the newline and the NUL. `false` (and nothing written) if they do not.
    #[allow(clippy::inline_always, reason = "one copy per push, its map inlined")]
    #[inline(always)]
    fn push_mapped<T: Copy>(&mut self, items: &[T], map: impl Fn(T) -> u8) -> bool {
        let end = self.len.saturating_add(items.len());
        if end <= Self::MAX_TEXT
            && let Some(target) = self.buf.get_mut(self.len..end.saturating_add(2))
            && let Some((text, terminator)) = target.split_at_mut_checked(items.len())
        {
            for (slot, item) in text.iter_mut().zip(items) {
                *slot = map(*item);
            }
            if let [newline, nul] = terminator {
                (*newline, *nul) = (b'\n', 0);
            }
            self.len = end;
            return true;
        }
        false
    }

    /// UTF-16 text that does not fit: as much as does, a unit at a time, then the marker (as
    /// [`Line::push_rest`]). Rare (a line is sized not to need it), so small rather than fast,
    /// and a leaf: the callbacks' stack.
    #[cold]
    #[inline(never)]
    fn push_utf16_rest(&mut self, units: &[[u8; 2]]) {
        if self.truncated {
            return;
        }
        for unit in units {
            if self.len >= Self::MAX_TEXT {
                self.cut();
                return;
            }
            self.set(self.len, crate::model::names::ascii(*unit));
            self.len = self.len.saturating_add(1);
        }
        self.terminate();
    }

    /// What does not fit: as much as does, then the marker.
    #[cold]
    #[inline(never)]
    fn push_rest(&mut self, bytes: &[u8]) {
        if self.truncated {
            return;
        }
        let room = Self::MAX_TEXT.saturating_sub(self.len);
        let fitting = bytes.len().min(room);
        let end = self.len.saturating_add(fitting);
        if let (Some(target), Some(source)) =
            (self.buf.get_mut(self.len..end), bytes.get(..fitting))
        {
            for (slot, byte) in target.iter_mut().zip(source) {
                *slot = printable(*byte);
            }
            self.len = end;
        }
        if bytes.len() > room {
            self.cut();
        } else {
            self.terminate();
        }
    }

    /// Replaces the tail with the marker. Every stored byte is ASCII, so any position is a
    /// character boundary.
    fn cut(&mut self) {
        self.truncated = true;
        self.len = Self::MAX_TEXT.saturating_sub(TRUNCATION_MARKER.len());
        for byte in TRUNCATION_MARKER.bytes() {
            self.set(self.len, byte);
            self.len = self.len.saturating_add(1);
        }
        self.terminate();
    }

    fn terminate(&mut self) {
        self.set(self.len, b'\n');
        self.set(self.len.saturating_add(1), 0);
    }

    fn set(&mut self, index: usize, byte: u8) {
        if let Some(slot) = self.buf.get_mut(index) {
            *slot = byte;
        }
    }
}

/// The byte itself if it is printable ASCII, space to tilde (0x20..=0x7E), else `?`.
const fn printable(byte: u8) -> u8 {
    if byte.wrapping_sub(b' ') <= b'~' - b' ' {
        byte
    } else {
        b'?'
    }
}

impl Out for Line {
    fn put_str(&mut self, text: &str) {
        self.push_str(text);
    }

    fn put_ascii(&mut self, bytes: &[u8]) {
        self.push_bytes(bytes);
    }

    fn put_decimal(&mut self, value: u64) {
        self.push_decimal(value);
    }

    fn put_utf16_as_ascii(&mut self, units: &[[u8; 2]]) {
        self.push_utf16_as_ascii(units);
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

/// Never fails: text that does not fit is cut and marked.
impl fmt::Write for Line {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push_str(text);
        Ok(())
    }
}

impl fmt::Debug for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::{Line, TRUNCATION_MARKER};
    use crate::model::names::Text;
    use core::fmt::Write;
    use std::string::{String, ToString};

    #[test]
    fn empty_line_is_a_newline_c_string() {
        let line = Line::new();
        assert_eq!(line.as_str(), "");
        assert_eq!(line.as_c_str_with_newline().to_bytes(), b"\n");
    }

    #[test]
    fn text_is_followed_by_newline_and_nul() {
        let mut line = Line::new();
        let kind = "route";
        write!(line, "netnotify: {kind} {}", 7).unwrap();
        assert_eq!(line.as_str(), "netnotify: route 7");
        assert_eq!(
            line.as_c_str_with_newline().to_bytes(),
            b"netnotify: route 7\n"
        );
        assert!(!line.is_truncated());
    }

    #[test]
    fn non_printable_and_non_ascii_become_question_marks() {
        let mut line = Line::new();
        line.push_str("a\tb\u{e9}c%\n");
        // `é` is two UTF-8 bytes, so two replacement marks.
        assert_eq!(line.as_str(), "a?b??c%?");
    }

    #[test]
    fn exactly_full_line_is_not_cut() {
        let mut line = Line::new();
        let text: String = "x".repeat(Line::MAX_TEXT);
        line.push_str(&text);
        assert!(!line.is_truncated());
        assert_eq!(line.as_str().len(), Line::MAX_TEXT);
        assert_eq!(line.as_c_str_with_newline().to_bytes_with_nul().len(), 512);
    }

    #[test]
    fn overlong_line_is_cut_with_marker_and_fits_one_dbgprint() {
        let mut line = Line::new();
        let text: String = "y".repeat(Line::MAX_TEXT + 1);
        line.push_str(&text);
        line.push_str("more text that is dropped");
        assert!(line.is_truncated());
        assert_eq!(line.as_str().len(), Line::MAX_TEXT);
        assert!(line.as_str().ends_with(TRUNCATION_MARKER));
        assert!(line.as_str().starts_with("yyyy"));
        assert_eq!(line.as_c_str_with_newline().to_bytes_with_nul().len(), 512);
    }

    /// A line of `len` x's, then what `push` appends to it.
    fn after(len: usize, push: impl FnOnce(&mut Line)) -> Line {
        let mut line = Line::new();
        line.push_str(&"x".repeat(len));
        push(&mut line);
        line
    }

    fn same(written: &Line, expected: &Line) {
        assert_eq!(written.as_str(), expected.as_str());
        assert_eq!(written.is_truncated(), expected.is_truncated());
        assert_eq!(
            written.as_c_str_with_newline(),
            expected.as_c_str_with_newline()
        );
    }

    #[test]
    fn a_decimal_is_its_text_pushed_anywhere_in_the_line() {
        // Within 16 bytes of the end the digits are not written in one piece, and the last
        // ones do not fit: as the text itself would be pushed, cut and marked.
        let values = [
            0,
            7,
            42,
            100,
            65_535,
            12_345_678,
            99_999_999,
            100_000_000,
            u64::from(u32::MAX),
            u64::MAX,
        ];
        for len in (0..8).chain(Line::MAX_TEXT - 30..=Line::MAX_TEXT) {
            for value in values {
                let written = after(len, |line| line.push_decimal(value));
                let expected = after(len, |line| line.push_str(&value.to_string()));
                same(&written, &expected);
            }
        }
        // Two in a row: the second starts where the first ended, on its newline.
        let written = after(3, |line| {
            line.push_decimal(12);
            line.push_decimal(345);
        });
        assert_eq!(written.as_c_str_with_newline().to_bytes(), b"xxx12345\n");
    }

    #[test]
    fn utf16_text_is_its_ascii_form_pushed_anywhere_in_the_line() {
        let texts = [
            "Wi-Fi",
            "Ethernet \u{2013} B\u{fc}ro",
            "say \"hi\"\t",
            "\u{1F600} 0123456789abcdefghijklmnopqrstuvwxyz",
        ];
        for len in (0..4).chain(Line::MAX_TEXT - 50..=Line::MAX_TEXT) {
            for text in texts {
                let text = Text::<48>::from_text(text);
                let mut ascii = [0; 48];
                let ascii = text.as_ascii(&mut ascii).unwrap().to_string();
                let written = after(len, |line| line.push_utf16_as_ascii(text.utf16()));
                let expected = after(len, |line| line.push_str(&ascii));
                same(&written, &expected);
            }
        }
        let text = Text::<48>::from_text("Ethernet \u{2013} \"B\u{fc}ro\"");
        let written = after(0, |line| line.push_utf16_as_ascii(text.utf16()));
        assert_eq!(written.as_str(), "Ethernet ? 'B?ro'");
    }
}
