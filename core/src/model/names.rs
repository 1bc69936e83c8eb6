//! An interface's names as the driver keeps them: bounded UTF-16 text ([`Text`]) and the
//! pair of name and alias ([`Names`]), as a callback looked them up.
//!
//! Model vocabulary, not output: records carry them ([`crate::model::record::Record`]) and
//! every writer (line, JSON, ETW) reads them. How a line prints them (`?` when unknown, the
//! alias in quotes) is the output's (`output::render::text`).

/// Characters of an interface name printed at most. A name is `<type>_<NetLuidIndex>`
/// (`wireless_32768`): the longest type word Windows uses and an eight-digit index fit.
pub const NAME_CHARACTERS: usize = 32;

/// Characters of an interface alias printed at most.
///
/// A longer alias keeps its first `ALIAS_CHARACTERS - 3` and ends with `...`. Aliases may be
/// 256 characters long, which no line could hold beside the row; the ones Windows creates
/// (`Ethernet 2`, `Wi-Fi`, `vEthernet (Default Switch)`, `Local Area Connection* 10`) are
/// far shorter.
pub const ALIAS_CHARACTERS: usize = 48;

/// A name or alias as looked up, at most `N` characters, or unknown (`?`).
///
/// Kept as its UTF-16 units (little-endian, as ETW's `CStr16` takes them); the line prints it
/// as ASCII (printable ASCII kept, `"` as `'` since the alias is quoted, anything else `?`:
/// `output::render::text`).
/// A longer text keeps its first `N - 3` characters and ends with `...` (a surrogate pair cut
/// in half at that point is kept as U+FFFD). The line prints the ASCII form; `--json` gives
/// the Unicode string and ETW events carry the units, so both show `Ethernet – Büro` as it
/// is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Text<const N: usize> {
    // The output's writers read them (`output::render::text`, `output::trace`).
    // Its length in one byte (`N` is at most 255): a callback holds its names on its stack.
    pub(crate) units: [[u8; 2]; N],
    len: u8,
    pub(crate) known: bool,
}

impl<const N: usize> Text<N> {
    /// `N` fits in the length's byte.
    const LEN_FITS: () = assert!(N <= u8::MAX as usize, "a text's length is a byte");

    /// Unknown: the lookup failed or was not allowed.
    pub const UNKNOWN: Self = Self {
        units: [[0; 2]; N],
        len: 0,
        known: false,
    };

    /// The text of `units` (UTF-16, up to the first NUL, if any), cut to `N` with `...`.
    #[must_use]
    pub fn from_units(units: impl IntoIterator<Item = u16>) -> Self {
        let () = Self::LEN_FITS;
        let mut text = Self {
            units: [[0; 2]; N],
            len: 0,
            known: true,
        };
        for unit in units {
            if unit == 0 {
                break;
            }
            if !text.push(unit) {
                text.cut();
                break;
            }
        }
        text
    }

    /// Appends `unit`; false when the text is full.
    #[inline]
    fn push(&mut self, unit: u16) -> bool {
        let Some(slot) = self.units.get_mut(usize::from(self.len)) else {
            return false;
        };
        *slot = unit.to_le_bytes();
        self.len = self.len.saturating_add(1);
        true
    }

    /// A full text with more to come: its first `N - 3` units and `...`. Not inlined: one
    /// copy for every source of units (the image's size).
    #[inline(never)]
    fn cut(&mut self) {
        let len = N.saturating_sub(3);
        // A high surrogate whose low half is cut off.
        if let Some(last) = len.checked_sub(1).and_then(|at| self.units.get_mut(at))
            && (0xD800..0xDC00).contains(&u16::from_le_bytes(*last))
        {
            *last = 0xFFFD_u16.to_le_bytes();
        }
        for slot in self.units.iter_mut().skip(len) {
            *slot = u16::from(b'.').to_le_bytes();
        }
        self.len = u8::try_from(N).unwrap_or(u8::MAX);
    }

    /// As [`Text::from_units`], from single bytes (an ANSI name: ASCII, `<type>_<index>`).
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self::from_units(bytes.iter().map(|byte| u16::from(*byte)))
    }

    /// As [`Text::from_units`], from a `&str` (the simulator's names).
    #[must_use]
    pub fn from_text(text: &str) -> Self {
        Self::from_units(text.encode_utf16())
    }

    /// The printed (ASCII) form, written into `buffer`: printable ASCII kept, `"` as `'`
    /// (the alias is quoted), anything else `?`; `None` if unknown.
    #[must_use]
    pub fn as_ascii<'a>(&self, buffer: &'a mut [u8; N]) -> Option<&'a str> {
        if !self.known {
            return None;
        }
        for (byte, unit) in buffer.iter_mut().zip(self.utf16()) {
            *byte = ascii(*unit);
        }
        core::str::from_utf8(buffer.get(..self.len()).unwrap_or_default()).ok()
    }

    /// The units kept.
    #[must_use]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether no unit is kept (unknown, or looked up empty).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the text is known.
    #[must_use]
    pub const fn is_known(&self) -> bool {
        self.known
    }

    /// The units kept, little-endian (empty if unknown).
    #[must_use]
    pub fn utf16_bytes(&self) -> &[u8] {
        self.utf16().as_flattened()
    }

    /// The units kept, each little-endian (empty if unknown): what a line maps to ASCII
    /// ([`ascii`]).
    #[must_use]
    pub fn utf16(&self) -> &[[u8; 2]] {
        self.units.get(..self.len()).unwrap_or_default()
    }

    /// The units kept (none if unknown).
    pub fn units(&self) -> impl Iterator<Item = u16> + '_ {
        self.units
            .get(..self.len())
            .unwrap_or_default()
            .iter()
            .map(|unit| u16::from_le_bytes(*unit))
    }
}

/// A UTF-16 unit (little-endian) in a text's printed form.
///
/// Printable ASCII kept, `"` as `'` (the alias is quoted), anything else `?`. Without
/// branches, so that a line maps a name in one pass the compiler can vectorize.
#[must_use]
#[inline]
pub const fn ascii(unit: [u8; 2]) -> u8 {
    let [low, high] = unit;
    let byte = if high == 0 && low.wrapping_sub(b' ') <= b'~' - b' ' {
        low
    } else {
        b'?'
    };
    if byte == b'"' { b'\'' } else { byte }
}

/// The names Windows tools show for an interface.
///
/// Its name (`ConvertInterfaceLuidToNameA`, `InterfaceName` in `Get-NetAdapter`) and its
/// alias (`ConvertInterfaceLuidToAlias`, `InterfaceAlias`, the name in the Control Panel).
/// Looked up by the callback (`policy::events`), printed after the row's keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Names {
    /// `name=`.
    pub name: Text<NAME_CHARACTERS>,
    /// `alias="…"`.
    pub alias: Text<ALIAS_CHARACTERS>,
}

impl Names {
    /// Neither known: printed `name=? alias=?`.
    pub const UNKNOWN: Self = Self {
        name: Text::UNKNOWN,
        alias: Text::UNKNOWN,
    };

    /// Both known, from text (tests and the simulator).
    #[must_use]
    pub fn new(name: &str, alias: &str) -> Self {
        Self {
            name: Text::from_text(name),
            alias: Text::from_text(alias),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Text;
    use std::vec::Vec;

    fn units<const N: usize>(text: &Text<N>) -> Vec<u16> {
        text.units().collect()
    }

    #[test]
    fn a_text_of_n_units_is_kept_whole_and_a_longer_one_ends_with_dots() {
        let whole = Text::<8>::from_text("abcdefgh");
        assert_eq!(units(&whole), "abcdefgh".encode_utf16().collect::<Vec<_>>());
        assert_eq!(whole.len(), 8);
        let cut = Text::<8>::from_text("abcdefghi");
        assert_eq!(units(&cut), "abcde...".encode_utf16().collect::<Vec<_>>());
        // A NUL ends the text; what follows it is not read.
        assert_eq!(units(&Text::<8>::from_units([0x61, 0, 0x62])), [0x61]);
        assert!(Text::<8>::from_text("").is_known());
        assert!(Text::<8>::from_text("").is_empty());
        assert!(!Text::<8>::UNKNOWN.is_known());
    }

    #[test]
    fn a_surrogate_pair_cut_in_half_is_the_replacement_character() {
        // "abcd" then U+1F600 (a surrogate pair) at units 4 and 5: the cut keeps 5 units.
        let cut = Text::<8>::from_text("abcd\u{1F600}xyz");
        assert_eq!(
            units(&cut),
            [0x61, 0x62, 0x63, 0x64, 0xFFFD, 0x2E, 0x2E, 0x2E]
        );
        let mut ascii = [0; 8];
        assert_eq!(cut.as_ascii(&mut ascii), Some("abcd?..."));
    }
}
