//! Interface names and aliases as printed: the text ([`Text`], kept by the model with the
//! pair of them, [`Names`](crate::model::names::Names)) and the quoted alias.

use crate::model::names::Text;
use crate::model::printed::{Out, Put, put};

/// The characters as ASCII (printable ASCII kept, `"` as `'` since the alias is quoted,
/// anything else `?`), or `?` when unknown.
impl<const N: usize> Put for Text<N> {
    fn put<O: Out>(&self, out: &mut O) {
        if !self.known {
            out.put_str("?");
            return;
        }
        // In chunks: a name's whole buffer would sit on the line's stack.
        let units = self.units.get(..self.len()).unwrap_or_default();
        for units in units.chunks(16) {
            let mut chunk = [0_u8; 16];
            for (byte, unit) in chunk.iter_mut().zip(units) {
                *byte = match u16::from_le_bytes(*unit) {
                    0x22 => b'\'',
                    unit @ 0x20..=0x7E => u8::try_from(unit).unwrap_or(b'?'),
                    _ => b'?',
                };
            }
            out.put_ascii(chunk.get(..units.len()).unwrap_or_default());
        }
    }
}

/// An alias in quotes, or `?` when unknown.
pub(super) struct Quoted<'a, const N: usize>(pub(super) &'a Text<N>);

impl<const N: usize> Put for Quoted<'_, N> {
    fn put<O: Out>(&self, out: &mut O) {
        if self.0.known {
            put!(out; "\"", self.0, "\"");
        } else {
            out.put_str("?");
        }
    }
}
