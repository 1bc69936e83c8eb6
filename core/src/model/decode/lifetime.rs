//! An address's lifetime: its value, its printed form (`86400s`, `infinite`), the word a record
//! writer gives the infinite one, and the parser of the printed form, in one place.

use crate::model::printed::{Dec, Out, Put, display_by_put, put};

/// A lifetime in seconds; `0xFFFFFFFF` is infinite (docs/netio.md#values).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Lifetime(pub u32);

impl Lifetime {
    /// The documented "infinite" value.
    pub const INFINITE: u32 = u32::MAX;

    /// What the lines, `cargo replay --json` and the readable rows write for [`Self::INFINITE`]
    /// (the JSON word is `render`'s `FieldValue`, which takes it from here).
    pub const INFINITE_WORD: &str = "infinite";

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
        match self.0 {
            Self::INFINITE => out.put_str(Self::INFINITE_WORD),
            seconds => put!(out; Dec(seconds), "s"),
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
