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
        out.put_utf16_as_ascii(self.utf16());
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
