//! What a record writer sees of each value ([`FieldValue`]): numbers as numbers, enums and
//! the lines' special values as their words, everything else as its printed form.

use crate::boundary::ffi::{AF_INET, AF_INET6, AF_UNSPEC};
use crate::model::decode::{
    DadState, Flag, Lifetime, LinkLocalBehavior, Luid, Millis, Prefix, PrefixOrigin, RouteOrigin,
    RouteProtocol, RouterDiscovery, SocketAddress, SuffixOrigin, Timestamp, Unset, ZoneIndices,
};
use crate::model::fields::{Bits, FieldValue, Value};
use crate::model::names::Text;
use crate::model::record::Completion;

use super::segments::{InterfaceFlags, MillisRange, NextHop, OffloadPair, Seconds};
use super::text::Quoted;
use super::values::{Dec, Family};

impl<T: itoa::Integer + Copy + Into<u64>> FieldValue for Dec<T> {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Family {
    fn value(&self) -> Value<'_> {
        match self.0 {
            AF_UNSPEC => Value::Word("unspec"),
            AF_INET => Value::Word("ipv4"),
            AF_INET6 => Value::Word("ipv6"),
            other => Value::Number(other.into()),
        }
    }
}

impl FieldValue for Flag {
    fn value(&self) -> Value<'_> {
        Value::Bool(self.is_set())
    }
}

impl FieldValue for Lifetime {
    fn value(&self) -> Value<'_> {
        match self.0 {
            Self::INFINITE => Value::Word(Self::INFINITE_WORD),
            seconds => Value::Number(seconds.into()),
        }
    }
}

impl FieldValue for Millis {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Seconds {
    fn value(&self) -> Value<'_> {
        Value::Number(self.0.into())
    }
}

impl FieldValue for Unset {
    fn value(&self) -> Value<'_> {
        match self.0 {
            Self::UNSET => Value::Word("unset"),
            value => Value::Number(value.into()),
        }
    }
}

impl FieldValue for SocketAddress {
    fn value(&self) -> Value<'_> {
        Value::Address(*self)
    }
}

impl FieldValue for Prefix {
    fn value(&self) -> Value<'_> {
        Value::Prefix(*self)
    }
}

/// An on-link route has no next hop: `null`.
impl FieldValue for NextHop {
    fn value(&self) -> Value<'_> {
        if self.0.is_unspecified() {
            Value::Unknown
        } else {
            Value::Address(self.0)
        }
    }
}

/// A name: its UTF-16 units as kept (`--json`'s Unicode string; the line prints the ASCII
/// form, ETW carries the units: `output::trace`), or `null` when unknown.
impl<const N: usize> FieldValue for Text<N> {
    fn value(&self) -> Value<'_> {
        if self.is_known() {
            Value::Utf16(self.utf16_bytes())
        } else {
            Value::Unknown
        }
    }
}

impl<const N: usize> FieldValue for Quoted<'_, N> {
    fn value(&self) -> Value<'_> {
        self.0.value()
    }
}

/// Printed as the lines print them (`ieee80211:2`, `2024-11-30T04:00:00Z`, `0x3F/0x1F`, …).
macro_rules! printed_value {
    ($($type:ty),+ $(,)?) => {
        $(
            impl FieldValue for $type {
                fn value(&self) -> Value<'_> {
                    Value::Printed
                }
            }
        )+
    };
}

/// A LUID, a time stamp and the zone indices: printed, and carried binary by the ETW events
/// ([`Bits`]).
macro_rules! binary_value {
    ($($type:ty => |$value:ident| $bits:expr),+ $(,)?) => {
        $(
            impl FieldValue for $type {
                fn value(&self) -> Value<'_> {
                    Value::Printed
                }

                fn bits(&self) -> Bits<'_> {
                    let $value = self;
                    $bits
                }
            }
        )+
    };
}

binary_value!(
    Luid => |luid| Bits::Luid(luid.0),
    Timestamp => |stamp| Bits::Timestamp(stamp.0),
    ZoneIndices => |zones| Bits::Zones(&zones.0),
    InterfaceFlags<'_> => |flags| Bits::Flags(
        flags
            .values()
            .iter()
            .rev()
            .fold(0, |bits, flag| bits << 1 | u32::from(flag.is_set()))
    ),
);

printed_value!(MillisRange, OffloadPair);

impl FieldValue for Completion {
    fn value(&self) -> Value<'_> {
        Value::Word(match self {
            Self::Immediate => "immediate",
            Self::Pending => "pending",
        })
    }
}

/// A C enum: its name, or its number when Windows defines no such value.
macro_rules! enum_value {
    ($($type:ty),+ $(,)?) => {
        $(
            impl FieldValue for $type {
                fn value(&self) -> Value<'_> {
                    match (self.name(), self) {
                        (Some(name), _) => Value::Word(name),
                        (None, Self::Unknown(raw)) => Value::Signed((*raw).into()),
                        (None, _) => Value::Printed,
                    }
                }
            }
        )+
    };
}

enum_value!(
    DadState,
    PrefixOrigin,
    SuffixOrigin,
    RouteProtocol,
    RouteOrigin,
    RouterDiscovery,
    LinkLocalBehavior,
);
