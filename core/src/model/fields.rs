//! The one definition of every field netnotify prints: one table per kind of record.
//!
//! Each [`Field`] gives a field's printed name (the `name=` of the lines, the key of a
//! `cargo replay --json` object and of a readable scenario row), its C field and x64 offset
//! where it has one, how it is written ([`Kind`], which also says how a scenario row gives
//! it), and what precedes it in a line ([`Field::label`], made from the name). Everything
//! that names a field is made from these tables or checked against them by a test:
//!
//! - the line renderer ([`crate::output::render`]) writes each field's label from here, and its
//!   segments are declared once for both the line and [`Visit`];
//! - [`Visit`]: "every field of a decoded record", what `cargo replay --json` writes (and an
//!   ETW writer will), through [`crate::model::record::Record::visit`];
//! - the readable-row parser of `cargo replay` walks the row tables ([`INTERFACE_ROW`],
//!   [`ADDRESS_ROW`], [`ROUTE_ROW`]) and writes each field at its offset;
//! - the field tables of `docs/lines.md` and `docs/replay.md` are checked against these
//!   tables by `replay/tests/fields.rs`.
//!
//! Renaming a field is one edit: its name here. Nothing here runs on the callback path but
//! constants: a label is a `&'static str` the renderer pushes exactly as it pushed the
//! literal before.

use crate::model::decode::{Prefix, SocketAddress};
use crate::model::printed::Put;

/// One field of a record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Field {
    /// The printed name: `route-metric`.
    pub name: &'static str,
    /// What comes before the value in a line: ` route-metric=`, ` ` for a positional field,
    /// nothing for one that writes its own words (` via …`/` on-link`).
    pub label: &'static str,
    /// The C field(s) it comes from (`Metric`), empty where there is none.
    pub c: &'static str,
    /// The x64 offset of its (first) C field in the row.
    pub offset: Option<u16>,
    /// How it is written, and so how a scenario row gives it.
    pub kind: Kind,
    /// What the docs say of it beyond its kind (empty when the kind says it all).
    pub about: &'static str,
}

/// How a field is written (in a line, in JSON, in a readable row) and stored in its row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `ADDRESS_FAMILY` (u16): `ipv4`, `ipv6`.
    Family,
    /// An unsigned number (u32, or u8 for a route's `SitePrefixLength`).
    Number(Width),
    /// `NET_LUID` (u64): `ieee80211:2`.
    Luid,
    /// A `BOOLEAN` (u8): `yes`/`no`.
    Flag,
    /// A u32 where `0xFFFFFFFF` is `unset`.
    Unset,
    /// A u32 of milliseconds: `<n>ms`.
    Millis,
    /// A u32 of seconds: `<n>s`.
    Seconds,
    /// A u32 lifetime in seconds, `infinite` for `0xFFFFFFFF`.
    Lifetime,
    /// A C enum (i32): its name, or its number.
    Enum(&'static [(i32, &'static str)]),
    /// A `SOCKADDR_INET` with the u8 prefix length at `length_at`: `192.168.1.0/24`.
    Prefix {
        /// Offset of the prefix length.
        length_at: u16,
    },
    /// A `SOCKADDR_INET`.
    Address,
    /// Two u32 of milliseconds, the second at `max_at`: `<min>-<max>ms`.
    MillisRange {
        /// Offset of the maximum.
        max_at: u16,
    },
    /// Two offload bytes, the receive byte at `receive_at`: `0x<tx>/0x<rx>`.
    Offload {
        /// Offset of the receive byte.
        receive_at: u16,
    },
    /// `ZoneIndices`, 16 u32 indexed by scope level: `<level>:<zone>,…` or `none`.
    Zones,
    /// `BOOLEAN`s listed by name when set, or `none`.
    Flags(&'static [Field]),
    /// A `LARGE_INTEGER` time stamp (i64), written as UTC ISO 8601.
    Timestamp,
    /// Text with no C field (the interface's name and alias; `?` when unknown).
    Text,
    /// A count the driver keeps (u64).
    Count,
    /// A word from a fixed list (a setting's value, a notification's name, …).
    Word,
    /// Notification names joined by commas, or `none`.
    Names,
}

/// The width of a [`Kind::Number`] in its row.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Width {
    /// u8.
    U8,
    /// u32.
    U32,
}

/// What a field's label is made of.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    /// ` name=value`.
    Named,
    /// ` value`: the row's first key (an address, a destination).
    Bare,
    /// The value writes its own words.
    Own,
    /// `name=value` at the start of a group: `interface(initial=2 …)`.
    First,
}

/// Declares fields as constants:
/// `NAME: "printed-name", "CField" @ offset, kind, style $(, "what the docs say")?;`.
/// The label is made from the printed name, so a field is renamed in one place. Exported
/// for the test that adds a field (`replay/tests/fields.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! fields {
    ($(
        $(#[$meta:meta])*
        $const:ident: $name:literal, $c:literal $(@ $offset:literal)?, $kind:expr, $style:ident
            $(, $about:literal)?;
    )+) => {
        $(
            $(#[$meta])*
            #[doc = concat!("`", $name, "`.")]
            pub const $const: $crate::model::fields::Field = $crate::model::fields::Field {
                name: $name,
                label: $crate::fields!(@label $style $name),
                c: $c,
                offset: $crate::fields!(@offset $($offset)?),
                kind: $kind,
                about: $crate::fields!(@about $($about)?),
            };
        )+
    };
    (@about $about:literal) => { $about };
    (@about) => { "" };
    (@label Named $name:literal) => { concat!(" ", $name, "=") };
    (@label Bare $name:literal) => { " " };
    (@label Own $name:literal) => { "" };
    (@label First $name:literal) => { concat!($name, "=") };
    (@offset $offset:literal) => { Some($offset) };
    (@offset) => { None };
}

/// A C enum's names as `(i32, name)` (all the row enums are i32).
const fn enum_names(names: &'static [(i32, &'static str)]) -> Kind {
    Kind::Enum(names)
}

/// Fields every row kind has: its interface.
pub mod common {
    use super::{Field, Kind, Width};

    fields! {
        /// `InterfaceIndex` (interface row: 16; address: 40; route: 8).
        IF: "if", "InterfaceIndex", Kind::Number(Width::U32), Named;
        /// `InterfaceLuid` (interface row: 8; address: 32; route: 0).
        LUID: "luid", "InterfaceLuid", Kind::Luid, Named;
        /// The name `ConvertInterfaceLuidToNameA` gives.
        NAME: "name", "", Kind::Text, Named;
        /// The alias `ConvertInterfaceLuidToAlias` gives, quoted.
        ALIAS: "alias", "", Kind::Text, Named;
    }

    /// The row-specific copies of `if` and `luid`, with their offsets.
    #[must_use]
    pub const fn at(field: Field, offset: u16) -> Field {
        Field {
            offset: Some(offset),
            ..field
        }
    }
}

/// `MIB_IPINTERFACE_ROW` (168 bytes).
pub mod interface {
    use super::{Field, Kind, Width, common, enum_names};
    use crate::model::decode::{LinkLocalBehavior, RouterDiscovery};

    fields! {
        FAMILY: "family", "Family" @ 0, Kind::Family, Named;
        CONNECTED: "connected", "Connected" @ 156, Kind::Flag, Named;
        MTU: "mtu", "NlMtu" @ 152, Kind::Unset, Named, "bytes";
        METRIC: "metric", "Metric" @ 148, Kind::Number(Width::U32), Named,
            "the interface metric";
        FLAGS: "flags", "", Kind::Flags(&FLAG_BITS), Named,
            "the other 13 `BOOLEAN`s";
        ROUTER_DISCOVERY: "router-discovery", "RouterDiscoveryBehavior" @ 52,
            enum_names(RouterDiscovery::NAMES), Named;
        LINK_LOCAL: "link-local", "LinkLocalAddressBehavior" @ 72,
            enum_names(LinkLocalBehavior::NAMES), Named;
        LINK_LOCAL_TIMEOUT: "link-local-timeout", "LinkLocalAddressTimeout" @ 76, Kind::Millis,
            Named;
        DAD_TRANSMITS: "dad-transmits", "DadTransmits" @ 56, Kind::Number(Width::U32), Named,
            "count";
        REACHABLE: "reachable", "ReachableTime" @ 160, Kind::Millis, Named;
        BASE_REACHABLE: "base-reachable", "BaseReachableTime" @ 60, Kind::Millis, Named;
        RETRANSMIT: "retransmit", "RetransmitTime" @ 64, Kind::Millis, Named;
        PMTU_TIMEOUT: "pmtu-timeout", "PathMtuDiscoveryTimeout" @ 68, Kind::Millis, Named;
        RA_INTERVAL: "ra-interval",
            "MinRouterAdvertisementInterval, MaxRouterAdvertisementInterval" @ 32,
            Kind::MillisRange { max_at: 36 }, Named;
        SITE_PREFIX: "site-prefix", "SitePrefixLength" @ 144, Kind::Number(Width::U32), Named,
            "bits";
        OFFLOAD: "offload", "TransmitOffload, ReceiveOffload" @ 164,
            Kind::Offload { receive_at: 165 }, Named,
            "bit 0 first: NL checksum, NL options, TL datagram checksum, TL stream checksum, \
             TL stream options, fast path, TL large send, TL giant send";
        ZONES: "zones", "ZoneIndices" @ 80, Kind::Zones, Named,
            "scope levels: 1 interface, 2 link, 3 subnet, 4 admin, 5 site, 8 organization, \
             14 global";
    }

    /// `if` in this row.
    pub const IF: Field = common::at(common::IF, 16);
    /// `luid` in this row.
    pub const LUID: Field = common::at(common::LUID, 8);

    fields! {
        AUTO_METRIC: "auto-metric", "UseAutomaticMetric" @ 44, Kind::Flag, Own;
        FORWARDING: "forwarding", "ForwardingEnabled" @ 41, Kind::Flag, Own;
        ADVERTISING: "advertising", "AdvertisingEnabled" @ 40, Kind::Flag, Own;
        ADVERTISE_DEFAULT: "advertise-default", "AdvertiseDefaultRoute" @ 48, Kind::Flag, Own;
        NO_DEFAULT_ROUTES: "no-default-routes", "DisableDefaultRoutes" @ 166, Kind::Flag, Own;
        WEAK_SEND: "weak-send", "WeakHostSend" @ 42, Kind::Flag, Own;
        WEAK_RECEIVE: "weak-receive", "WeakHostReceive" @ 43, Kind::Flag, Own;
        NUD: "nud", "UseNeighborUnreachabilityDetection" @ 45, Kind::Flag, Own;
        MANAGED: "managed", "ManagedAddressConfigurationSupported" @ 46, Kind::Flag, Own;
        OTHER_STATEFUL: "other-stateful", "OtherStatefulConfigurationSupported" @ 47,
            Kind::Flag, Own;
        WAKE: "wake", "SupportsWakeUpPatterns" @ 157, Kind::Flag, Own;
        ND: "nd", "SupportsNeighborDiscovery" @ 158, Kind::Flag, Own;
        RD: "rd", "SupportsRouterDiscovery" @ 159, Kind::Flag, Own;
    }

    /// The thirteen `BOOLEAN`s `flags` lists, in the order it lists them.
    pub const FLAG_BITS: [Field; 13] = [
        AUTO_METRIC,
        FORWARDING,
        ADVERTISING,
        ADVERTISE_DEFAULT,
        NO_DEFAULT_ROUTES,
        WEAK_SEND,
        WEAK_RECEIVE,
        NUD,
        MANAGED,
        OTHER_STATEFUL,
        WAKE,
        ND,
        RD,
    ];
}

/// `MIB_UNICASTIPADDRESS_ROW` (80 bytes).
pub mod address {
    use super::{Field, Kind, Width, common, enum_names};
    use crate::model::decode::{DadState, PrefixOrigin, SuffixOrigin};

    fields! {
        /// The address; with `/<OnLinkPrefixLength>` when the full state is known.
        ADDRESS: "address", "Address, OnLinkPrefixLength" @ 0, Kind::Prefix { length_at: 60 },
            Bare;
        DAD: "dad", "DadState" @ 64, enum_names(DadState::NAMES), Named;
        PREFIX_ORIGIN: "prefix-origin", "PrefixOrigin" @ 44, enum_names(PrefixOrigin::NAMES),
            Named;
        SUFFIX_ORIGIN: "suffix-origin", "SuffixOrigin" @ 48, enum_names(SuffixOrigin::NAMES),
            Named, "`random` is a privacy address";
        VALID: "valid", "ValidLifetime" @ 52, Kind::Lifetime, Named;
        PREFERRED: "preferred", "PreferredLifetime" @ 56, Kind::Lifetime, Named;
        SKIP_AS_SOURCE: "skip-as-source", "SkipAsSource" @ 61, Kind::Flag, Named;
        SCOPE_ID: "scope-id", "ScopeId" @ 68, Kind::Number(Width::U32), Named,
            "the raw `SCOPE_ID` value";
        CREATED: "created", "CreationTimeStamp" @ 72, Kind::Timestamp, Named,
            "read as a `FILETIME` (100 ns since 1601-01-01 UTC), which its values are; the \
             documentation does not state its unit, so a negative value, which no system time \
             is, prints as its number";
    }

    /// `if` in this row.
    pub const IF: Field = common::at(common::IF, 40);
    /// `luid` in this row.
    pub const LUID: Field = common::at(common::LUID, 32);
}

/// `MIB_IPFORWARD_ROW2` (104 bytes).
pub mod route {
    use super::{Field, Kind, Width, common, enum_names};
    use crate::model::decode::{RouteOrigin, RouteProtocol};

    fields! {
        DESTINATION: "destination", "DestinationPrefix" @ 12, Kind::Prefix { length_at: 40 },
            Bare;
        /// ` via <NextHop>`, or ` on-link` when it is unspecified.
        VIA: "via", "NextHop" @ 44, Kind::Address, Own;
        METRIC: "route-metric", "Metric" @ 84, Kind::Unset, Named,
            "the route's own metric: not what `route print` or `Get-NetRoute`'s effective \
             metric shows, which adds the interface's `metric` to it";
        PROTOCOL: "protocol", "Protocol" @ 88, enum_names(RouteProtocol::NAMES), Named;
        ORIGIN: "origin", "Origin" @ 100, enum_names(RouteOrigin::NAMES), Named;
        VALID: "valid", "ValidLifetime" @ 76, Kind::Lifetime, Named;
        PREFERRED: "preferred", "PreferredLifetime" @ 80, Kind::Lifetime, Named;
        AGE: "age", "Age" @ 96, Kind::Seconds, Named,
            "since the route was added or changed";
        SITE_PREFIX: "site-prefix", "SitePrefixLength" @ 72, Kind::Number(Width::U8), Named,
            "bits";
        LOOPBACK: "loopback", "Loopback" @ 92, Kind::Flag, Named;
        AUTOCONF: "autoconf", "AutoconfigureAddress" @ 93, Kind::Flag, Named;
        PUBLISH: "publish", "Publish" @ 94, Kind::Flag, Named;
        IMMORTAL: "immortal", "Immortal" @ 95, Kind::Flag, Named;
    }

    /// `if` in this row.
    pub const IF: Field = common::at(common::IF, 8);
    /// `luid` in this row.
    pub const LUID: Field = common::at(common::LUID, 0);
}

/// A stable-table line: its header and the position of a row (the row is an address row).
pub mod stable {
    use super::{Kind, Width};

    fields! {
        /// `immediate` or `pending`.
        COMPLETION: "completion", "", Kind::Word, Bare;
        /// The rows in the table (absent for a NULL table).
        ENTRIES: "entries", "NumEntries", Kind::Number(Width::U32), Named;
        /// A row's index in the table, `[n]`.
        POSITION: "position", "", Kind::Number(Width::U32), Own;
    }
}

/// The driver's own records: `settings`, `loaded`, `unloaded`, `storm:` and errors.
pub mod driver {
    use super::{Kind, Width};

    fields! {
        /// The notifications registered.
        REGISTERED: "registered", "", Kind::Names, Named;
        /// The `Family` setting as a word.
        FAMILY: "family", "", Kind::Family, Named;
        /// The `InitialNotification` setting.
        INITIAL: "initial", "", Kind::Flag, Named;
        /// How the stable table registered: `off`, `immediate`, `pending`, `uncancellable`.
        STABLE_TABLE: "stable-table", "", Kind::Word, Named;
        /// The rows of an immediate stable table.
        ENTRIES: "entries", "NumEntries", Kind::Number(Width::U32), Named;
        /// `enabled`, or `disabled` when a registration cannot be cancelled.
        UNLOAD: "unload", "", Kind::Word, Named;
        /// The ETW provider's GUID in braces, or `off` when its registration failed.
        ETW: "etw", "", Kind::Word, Named;
        /// Counts of one notification's events by change type (`interface(...)`, …).
        INITIAL_COUNT: "initial", "", Kind::Count, First;
        /// `add` events.
        ADD: "add", "", Kind::Count, Named;
        /// `delete` events.
        DELETE: "delete", "", Kind::Count, Named;
        /// `parameter` events.
        PARAMETER: "parameter", "", Kind::Count, Named;
        /// Events of any other type.
        OTHER: "other", "", Kind::Count, Named;
        /// Stable tables delivered.
        TABLES: "tables", "", Kind::Count, First;
        /// Stable-table rows delivered.
        ROWS: "entries", "", Kind::Count, Named;
        /// Kinds whose `CancelMibChangeNotify2` failed (only when any did).
        KEPT: "kept", "", Kind::Names, Named;
        /// Stable tables delivered above `PASSIVE_LEVEL` and not freed (only when any were).
        LEAKED_TABLES: "leaked-tables", "", Kind::Count, Named;
        /// ETW events that did not fit their buffers, so were not written (in the line only
        /// when any were; in the `unloaded` and `counters` events always).
        ETW_DROPPED: "etw-dropped", "", Kind::Count, Named;
        /// Callback entries taken to the count-only path for lack of stack.
        ///
        /// Events, stable tables and expiries of the storm timer (docs/netio.md#stack); in the
        /// line only when any were, in the events always.
        LOW_STACK: "low-stack", "", Kind::Count, Named;
        /// The least stack left at a callback's or the storm timer's entry, in bytes.
        ///
        /// `none` in the line (JSON `null`, 0 in the events) while nothing ran.
        MIN_STACK: "min-stack", "", Kind::Count, Named;
        /// The kind a storm summary counts.
        STORM_KIND: "notification", "", Kind::Word, Own;
        /// The time from the first to the last line left out: `<s>.<ms>s`.
        OVER: "over", "", Kind::Word, Named;
        /// An error or warning line's text after `error: `/`warning: `.
        MESSAGE: "message", "", Kind::Text, Own;
    }
}

/// What every record starts with ([`crate::model::record::Header`]), and the versions of the
/// `loaded` and `counters` records.
pub mod header {
    use super::{Kind, Width};

    fields! {
        /// The record's kind: the event's name, the line's first word.
        KIND: "kind", "", Kind::Word, Own;
        /// A change record's change: its word, or the number of a type Windows does not
        /// define.
        CHANGE: "change", "", Kind::Word, Own;
        /// The record's number among its kind's, from 1.
        SEQ: "seq", "", Kind::Count, Own;
        /// Whether its line was printed.
        PRINTED: "printed", "", Kind::Flag, Own;
        /// `null` where NETIO passed no row.
        ROW: "row", "", Kind::Word, Own;
        /// Why a line carries only the keys: the note without its parentheses.
        NOTE: "note", "", Kind::Text, Own;
        /// The driver's version (`loaded`, `counters`).
        VERSION: "version", "", Kind::Text, Own;
        /// The records' schema version (`loaded`, `counters`).
        SCHEMA: "schema", "", Kind::Number(Width::U32), Own;
    }
}

/// The `settings` line's fields: every setting by its registry value name, a number.
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated at compile time: a fault fails the build"
)]
pub const SETTINGS: [Field; 7] = {
    let mut fields = [Field {
        name: "",
        label: "",
        c: "",
        offset: None,
        kind: Kind::Count,
        about: "",
    }; 7];
    let mut at = 0;
    while at < fields.len() {
        // The name is the setting's own: declared once, in `SETTINGS`.
        fields[at].name = crate::model::settings::SETTINGS[at].name;
        fields[at].c = crate::model::settings::SETTINGS[at].name;
        at += 1;
    }
    fields
};

/// Every field of an interface row, in the lines' order (keys, first line, second line).
pub const INTERFACE_ROW: [Field; 19] = [
    interface::FAMILY,
    interface::IF,
    interface::LUID,
    interface::CONNECTED,
    interface::MTU,
    interface::METRIC,
    interface::FLAGS,
    interface::ROUTER_DISCOVERY,
    interface::LINK_LOCAL,
    interface::LINK_LOCAL_TIMEOUT,
    interface::DAD_TRANSMITS,
    interface::REACHABLE,
    interface::BASE_REACHABLE,
    interface::RETRANSMIT,
    interface::PMTU_TIMEOUT,
    interface::RA_INTERVAL,
    interface::SITE_PREFIX,
    interface::OFFLOAD,
    interface::ZONES,
];

/// Every field of an address row (and of a stable-table row), in the lines' order.
pub const ADDRESS_ROW: [Field; 11] = [
    address::ADDRESS,
    address::IF,
    address::LUID,
    address::DAD,
    address::PREFIX_ORIGIN,
    address::SUFFIX_ORIGIN,
    address::VALID,
    address::PREFERRED,
    address::SKIP_AS_SOURCE,
    address::SCOPE_ID,
    address::CREATED,
];

/// Every field of a route row, in the lines' order.
pub const ROUTE_ROW: [Field; 15] = [
    route::DESTINATION,
    route::VIA,
    route::IF,
    route::LUID,
    route::METRIC,
    route::PROTOCOL,
    route::ORIGIN,
    route::VALID,
    route::PREFERRED,
    route::AGE,
    route::SITE_PREFIX,
    route::LOOPBACK,
    route::AUTOCONF,
    route::PUBLISH,
    route::IMMORTAL,
];

/// The interface's names: after the key fields in every line that has a row.
pub const NAMES: [Field; 2] = [common::NAME, common::ALIAS];

/// The counts of one change notification in the `unloaded` line.
pub const CHANGE_COUNTS: [Field; 5] = [
    driver::INITIAL_COUNT,
    driver::ADD,
    driver::DELETE,
    driver::PARAMETER,
    driver::OTHER,
];

/// The stable table's counts in the `unloaded` line.
pub const STABLE_COUNTS: [Field; 2] = [driver::TABLES, driver::ROWS];

/// The `loaded` line's fields (`entries` only after `stable-table=immediate`).
pub const LOADED: [Field; 7] = [
    driver::REGISTERED,
    driver::FAMILY,
    driver::INITIAL,
    driver::STABLE_TABLE,
    driver::ENTRIES,
    driver::UNLOAD,
    driver::ETW,
];

/// The `unloaded` line's own fields after the counts, in the line's order: each printed only
/// when not empty, but `min-stack` always.
pub const UNLOADED: [Field; 5] = [
    driver::KEPT,
    driver::LEAKED_TABLES,
    driver::ETW_DROPPED,
    driver::LOW_STACK,
    driver::MIN_STACK,
];

/// A value as a record writer sees it: what a JSON or ETW writer needs to know of its type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Value<'a> {
    /// A number (a JSON number, an ETW integer).
    Number(u64),
    /// A signed number (an enum value no name is known for).
    Signed(i64),
    /// A word the lines print (an enum's name, `infinite`, `unset`).
    Word(&'a str),
    /// A `BOOLEAN`.
    Bool(bool),
    /// Text.
    Text(&'a str),
    /// UTF-16 text, its units little-endian: an interface's name or alias as NETIO gave it
    /// (`--json`'s Unicode string; the line prints its ASCII form, ETW carries the units).
    Utf16(&'a [u8]),
    /// Not known (a name or alias NETIO could not give), or none (an on-link route's next
    /// hop): JSON `null`.
    Unknown,
    /// An address.
    Address(SocketAddress),
    /// An address and a prefix length.
    Prefix(Prefix),
    /// Any other value: its printed form ([`Put`]).
    Printed,
}

/// A value's bits, for a writer that carries them binary rather than as their printed text
/// (the ETW events, docs/replay.md#etw): what [`Value::Printed`] leaves out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bits<'a> {
    /// Only its printed form.
    None,
    /// A `NET_LUID`'s `Value`.
    Luid(u64),
    /// A `LARGE_INTEGER` time stamp, as the row holds it.
    Timestamp(i64),
    /// `ZoneIndices`, by scope level.
    Zones(&'a [u32; 16]),
    /// `BOOLEAN`s as bits: bit `n` set when the `n`-th of [`Kind::Flags`]' fields is.
    Flags(u32),
}

/// A field's value: its printed form, and what a record writer needs of it.
pub trait FieldValue: Put {
    /// The value's type and, where it is a number or word, the value.
    fn value(&self) -> Value<'_>;

    /// The value's bits where its [`FieldValue::value`] is [`Value::Printed`] and a binary
    /// writer carries them instead: [`Bits::None`] by default.
    fn bits(&self) -> Bits<'_> {
        Bits::None
    }
}

/// Receives every field of a record, in the lines' order: the JSON writer of
/// `cargo replay --json`, a future ETW writer, the tests.
pub trait Visit {
    /// One field and its value.
    fn field<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T);

    /// The fields up to [`Visit::end_group`] belong to the group `name` (the `unloaded`
    /// line's `interface(…)`): JSON nests them in an object. Nothing by default.
    fn group(&mut self, _name: &'static str) {}

    /// Ends the group [`Visit::group`] began.
    fn end_group(&mut self) {}

    /// A span of `millis` milliseconds (a storm's `over`), whose printed form is `value`:
    /// JSON writes its seconds as a number. By default, the field.
    fn span<T: FieldValue + ?Sized>(&mut self, field: &Field, value: &T, millis: u64) {
        let _ = millis;
        self.field(field, value);
    }
}
