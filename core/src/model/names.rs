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
    pub(crate) units: [[u8; 2]; N],
    pub(crate) len: usize,
    pub(crate) known: bool,
}

impl<const N: usize> Text<N> {
    /// Unknown: the lookup failed or was not allowed.
    pub const UNKNOWN: Self = Self {
        units: [[0; 2]; N],
        len: 0,
        known: false,
    };

    /// The text of `units` (UTF-16, up to the first NUL, if any), cut to `N` with `...`.
    #[must_use]
    pub fn from_units(units: impl IntoIterator<Item = u16>) -> Self {
        let mut text = Self {
            units: [[0; 2]; N],
            len: 0,
            known: true,
        };
        let mut cut = false;
        for unit in units.into_iter().take_while(|unit| *unit != 0) {
            if let Some(slot) = text.units.get_mut(text.len) {
                *slot = unit.to_le_bytes();
                text.len = text.len.saturating_add(1);
            } else {
                cut = true;
                break;
            }
        }
        if cut {
            text.len = N.saturating_sub(3);
            // A high surrogate whose low half is cut off.
            if let Some(last) = text
                .len
                .checked_sub(1)
                .and_then(|at| text.units.get_mut(at))
                && (0xD800..0xDC00).contains(&u16::from_le_bytes(*last))
            {
                *last = 0xFFFD_u16.to_le_bytes();
            }
            for slot in text.units.iter_mut().skip(text.len) {
                *slot = u16::from(b'.').to_le_bytes();
            }
            text.len = N;
        }
        text
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
        for (byte, unit) in buffer.iter_mut().zip(self.units()) {
            *byte = match u8::try_from(unit) {
                Ok(b'"') => b'\'',
                Ok(byte @ b' '..=b'~') => byte,
                _ => b'?',
            };
        }
        core::str::from_utf8(buffer.get(..self.len).unwrap_or_default()).ok()
    }

    /// Whether the text is known.
    #[must_use]
    pub const fn is_known(&self) -> bool {
        self.known
    }

    /// The units kept, little-endian (empty if unknown).
    #[must_use]
    pub fn utf16_bytes(&self) -> &[u8] {
        self.units
            .get(..self.len)
            .unwrap_or_default()
            .as_flattened()
    }

    /// The units kept (none if unknown).
    pub fn units(&self) -> impl Iterator<Item = u16> + '_ {
        self.units
            .get(..self.len)
            .unwrap_or_default()
            .iter()
            .map(|unit| u16::from_le_bytes(*unit))
    }
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
