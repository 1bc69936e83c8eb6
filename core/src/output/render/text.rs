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
        let mut chunk = [0_u8; 16];
        let mut len = 0;
        for unit in self.units() {
            let byte = match u8::try_from(unit) {
                Ok(b'"') => b'\'',
                Ok(byte @ b' '..=b'~') => byte,
                _ => b'?',
            };
            if let Some(slot) = chunk.get_mut(len) {
                *slot = byte;
                len = len.saturating_add(1);
            }
            if len == chunk.len() {
                out.put_ascii(&chunk);
                len = 0;
            }
        }
        out.put_ascii(chunk.get(..len).unwrap_or_default());
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
