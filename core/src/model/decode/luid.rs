//! The `NET_LUID`: its bits, its printed form (`ieee80211:2`) and the parser of that form, in
//! one place, so that what the lines print and what `cargo replay` reads back cannot drift.

use crate::model::printed::{Dec, Hex, Out, Put, display_by_put, put};

use super::enums::IfType;

/// A `NET_LUID`: the interface type (IANA ifType) and the per-type index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Luid(pub u64);

/// Where the reserved bits' hex digits start in a printed LUID, and their count.
const RESERVED: &str = "(reserved=0x";
const RESERVED_DIGITS: u32 = 6;

impl Luid {
    /// `IfType`: bits 48–63.
    #[must_use]
    pub const fn if_type(self) -> IfType {
        // Truncation is the point: the top 16 bits.
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 48..64")]
        let if_type = (self.0 >> 48) as u16;
        IfType::from_raw(if_type)
    }

    /// `NetLuidIndex`: bits 24–47.
    #[must_use]
    pub const fn net_luid_index(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 24..48")]
        let index = ((self.0 >> 24) & 0x00FF_FFFF) as u32;
        index
    }

    /// `Reserved`: bits 0–23, zero in every LUID the stack hands out.
    #[must_use]
    pub const fn reserved(self) -> u32 {
        #[allow(clippy::cast_possible_truncation, reason = "extracts bits 0..24")]
        let reserved = (self.0 & 0x00FF_FFFF) as u32;
        reserved
    }

    /// A LUID as [`Put`] prints it: `<ifType name or number>:<index>`, then
    /// `(reserved=0x<hex>)` when reserved bits are set (`ieee80211:2`,
    /// `999:1(reserved=0x0000AB)`). The index must fit its 24 bits; reserved bits beyond 24
    /// are dropped, as a LUID has no room for them. `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (luid, reserved) = match text.split_once(RESERVED) {
            Some((luid, rest)) => (luid, rest.strip_suffix(')')?),
            None => (text, "0"),
        };
        let (if_type, index) = luid.split_once(':')?;
        let if_type = IfType::NAMES
            .iter()
            .find(|(_, name)| *name == if_type)
            .map(|(raw, _)| *raw)
            .or_else(|| if_type.parse().ok())?;
        let index = index.parse::<u64>().ok().filter(|index| *index < 1 << 24)?;
        let reserved = u64::from_str_radix(reserved, 16).ok()? & 0xFF_FFFF;
        Some(Self(u64::from(if_type) << 48 | index << 24 | reserved))
    }
}

/// `<IANA ifType name or number>:<NetLuidIndex>`, plus the reserved bits if any are set.
impl Put for Luid {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; self.if_type(), ":", Dec(self.net_luid_index()));
        match self.reserved() {
            0 => {}
            reserved => put!(out; RESERVED, Hex(u64::from(reserved), RESERVED_DIGITS), ")"),
        }
    }
}

display_by_put!(Luid);

#[cfg(test)]
mod tests {
    // From the crate root: ci/import-cycles reads `super::` as this file's parent, `decode`.
    use crate::model::decode::luid::Luid;
    use proptest::prelude::*;
    use std::string::ToString;

    #[test]
    fn prints_and_parses_the_documented_forms() {
        for (raw, text) in [
            (71 << 48 | 2 << 24, "ieee80211:2"),
            (6 << 48 | 0xFF_FFFF << 24, "ethernetCsmacd:16777215"),
            (999 << 48 | 1 << 24 | 0xAB, "999:1(reserved=0x0000AB)"),
            (0, "0:0"),
        ] {
            assert_eq!(Luid(raw).to_string(), text);
            assert_eq!(Luid::parse(text), Some(Luid(raw)), "{text}");
        }
        // The number of a named type reads as well as its name.
        assert_eq!(Luid::parse("71:2"), Some(Luid(71 << 48 | 2 << 24)));
    }

    #[test]
    fn rejects_what_it_does_not_print() {
        for text in [
            "",
            "ieee80211",
            "ieee80211:",
            ":2",
            "wifi:2",
            "71:16777216",
            "65536:1",
            "71:2(reserved=0xAB",
            "71:2(reserved=0xZZ)",
            "71:2 ",
        ] {
            assert_eq!(Luid::parse(text), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn every_luid_reads_back_as_printed(raw: u64) {
            prop_assert_eq!(Luid::parse(&Luid(raw).to_string()), Some(Luid(raw)));
        }
    }
}
