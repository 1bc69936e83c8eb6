//! Scalar writers: flags, intervals, offload bits and zone lists, each
//! written straight into the line ([`Put`]). The integers ([`Dec`], [`Hex`]) are the model's
//! (`model::printed`), as are the LUID, lifetime and time stamp, each beside its parser.

use crate::model::decode::{Flag, Millis, Offload, Unset, ZoneIndices};
use crate::model::printed::{Out, Put, put};

pub use crate::model::decode::Family;
pub use crate::model::printed::{Dec, Hex};

/// `word(value)`: `family(99)`.
pub(super) fn parenthesised<O: Out>(
    out: &mut O,
    word: &str,
    value: impl itoa::Integer + Copy + TryInto<u64>,
) {
    put!(out; word, "(", Dec(value), ")");
}

impl Put for Flag {
    fn put<O: Out>(&self, out: &mut O) {
        out.put_str(if self.is_set() { "yes" } else { "no" });
    }
}

impl Put for Millis {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "ms");
    }
}

impl Put for Unset {
    fn put<O: Out>(&self, out: &mut O) {
        match self.0 {
            Self::UNSET => out.put_str("unset"),
            value => Dec(value).put(out),
        }
    }
}

/// The bitfield byte in hex; the bits are listed in `docs/lines.md` (docs/netio.md#rows).
impl Put for Offload {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; "0x", Hex(u64::from(self.0), 2));
    }
}

/// `level:zone` for every non-zero entry, comma-separated, or `none`.
impl Put for ZoneIndices {
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for (level, zone) in self.0.iter().enumerate() {
            if *zone != 0 {
                if !first {
                    out.put_str(",");
                }
                first = false;
                put!(out; Dec(level), ":", Dec(*zone));
            }
        }
        if first {
            out.put_str("none");
        }
    }
}
