//! An address's lifetime: its value, its printed form (`86400s`, `infinite`), the word a record
//! writer gives the infinite one, and the parser of the printed form, in one place.

use crate::model::printed::{Dec, Out, Put, display_by_put, put};

/// A lifetime in seconds; `0xFFFFFFFF` is infinite (docs/netio.md#values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Lifetime(pub u32);

impl Lifetime {
    /// The documented "infinite" value.
    pub const INFINITE: u32 = u32::MAX;

    /// What the lines, `cargo replay --json` and the readable rows write for [`Self::INFINITE`].
    pub const INFINITE_WORD: &str = "infinite";

    /// The word this lifetime is written as, if it is one (the infinite lifetime); else it is a
    /// number of seconds.
    #[must_use]
    pub const fn word(self) -> Option<&'static str> {
        match self.0 {
            Self::INFINITE => Some(Self::INFINITE_WORD),
            _ => None,
        }
    }

    /// A lifetime as [`Put`] prints it: `<seconds>s` or `infinite`. `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text == Self::INFINITE_WORD {
            return Some(Self(Self::INFINITE));
        }
        text.strip_suffix('s')?.parse().ok().map(Self)
    }
}

impl Put for Lifetime {
    fn put<O: Out>(&self, out: &mut O) {
        if let Some(word) = self.word() {
            out.put_str(word);
        } else {
            put!(out; Dec(self.0), "s");
        }
    }
}

display_by_put!(Lifetime);

#[cfg(test)]
mod tests {
    // From the crate root: ci/import-cycles reads `super::` as this file's parent, `decode`.
    use crate::model::decode::lifetime::Lifetime;
    use proptest::prelude::*;
    use std::string::ToString;

    #[test]
    fn prints_and_parses_seconds_and_infinite() {
        for (seconds, text) in [(0, "0s"), (86_400, "86400s"), (u32::MAX, "infinite")] {
            assert_eq!(Lifetime(seconds).to_string(), text);
            assert_eq!(Lifetime::parse(text), Some(Lifetime(seconds)));
        }
        for text in [
            "",
            "s",
            "86400",
            "86400ms",
            "-1s",
            "4294967296s",
            "Infinite",
        ] {
            assert_eq!(Lifetime::parse(text), None, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn every_lifetime_reads_back_as_printed(seconds: u32) {
            prop_assert_eq!(
                Lifetime::parse(&Lifetime(seconds).to_string()),
                Some(Lifetime(seconds))
            );
        }
    }
}
