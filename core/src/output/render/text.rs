//! Interface names and aliases as printed: the text ([`Text`], kept by the model with the
//! pair of them, [`Names`](crate::model::names::Names)) and the quoted alias.

use crate::model::names::Text;
use crate::model::printed::{Out, Put, put};

/// The characters, or `?` when unknown.
impl<const N: usize> Put for Text<N> {
    fn put<O: Out>(&self, out: &mut O) {
        if self.known {
            out.put_ascii(self.bytes.get(..self.len).unwrap_or_default());
        } else {
            out.put_str("?");
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
