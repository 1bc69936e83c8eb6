//! The kinds of event line (`interface`, `address`, `route`) and what differs per kind.
//!
//! This module owns [`Kind`]: a step's name, the re-query call, and the readable row's field
//! table and checker. The line readers ([`super::text`], [`super::events`]) both use it.

use serde_json::{Map, Value};

use super::step::Row;
use crate::readable;

/// The per-kind facts of the three event lines: the step's name, the `Get*Entry` call that
/// re-queries it, and the readable row's field table and checker ([`readable`]'s, so that the
/// field names are defined in one place).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Interface,
    Address,
    Route,
}

impl Kind {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::Interface => "interface",
            Self::Address => "address",
            Self::Route => "route",
        }
    }

    pub(super) const fn query(self) -> &'static str {
        match self {
            Self::Interface => "GetIpInterfaceEntry",
            Self::Address => "GetUnicastIpAddressEntry",
            Self::Route => "GetIpForwardEntry2",
        }
    }

    pub(super) const fn slot(self) -> usize {
        match self {
            Self::Interface => 0,
            Self::Address => 1,
            Self::Route => 2,
        }
    }

    /// The readable row's fields, in the lines' order: the key field first.
    pub(super) const fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Interface => &readable::INTERFACE_FIELDS,
            Self::Address => &readable::ADDRESS_FIELDS,
            Self::Route => &readable::ROUTE_FIELDS,
        }
    }

    /// The smallest row the step format takes, for a `(no row)` line (`"deliver":"null"`):
    /// the key field, of IPv4.
    pub(super) fn placeholder(self) -> Row {
        let key = self.fields().first().copied().unwrap_or_default();
        let value = match self {
            Self::Interface => "ipv4",
            Self::Address => "0.0.0.0",
            Self::Route => "0.0.0.0/0",
        };
        vec![(key.to_owned(), Value::String(value.to_owned()))]
    }

    /// Checks a readable row exactly as the scenario reader will.
    pub(super) fn check(self, row: &Row) -> Result<(), String> {
        let map: Map<String, Value> = row.iter().cloned().collect();
        match self {
            Self::Interface => readable::interface(map).map(drop),
            Self::Address => readable::address_row(map).map(drop),
            Self::Route => readable::route(map).map(drop),
        }
    }

    /// Whether a row of this kind printed every field rather than its keys: it has the field
    /// that follows the keys (`luid` is the last key of every kind).
    pub(super) fn is_full(self, row: &Row) -> bool {
        let fields = self.fields();
        let first_full_field = fields
            .iter()
            .position(|field| *field == "luid")
            .and_then(|luid| fields.get(luid + 1));
        row.iter()
            .any(|(field, _)| Some(&field.as_str()) == first_full_field)
    }
}
