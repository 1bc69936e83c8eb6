//! The runs of fields of every record, each declared once (`segment!`) for both the line and
//! a [`Visit`]or, and the visitors `cargo replay --json` walks a record with.

use crate::model::decode::{
    Address, AddressKeys, Flag, Interface, InterfaceKeys, Millis, Offload, Route, RouteKeys,
    SocketAddress, Timestamp,
};
use crate::model::fields::{
    self, Field, Visit, address as address_fields, common, interface as interface_fields,
    route as route_fields,
};
use crate::model::names::Names;
use crate::model::printed::{Out, Put, put};
use crate::model::record::{Completion, Detail};

use super::text::Quoted;
use super::values::{Dec, Family};

/// Writes one field: its label from the table ([`Field::label`]), then its value. Inlined so
/// that the label is the constant it was as a literal, and the empty-label test folds away.
#[doc(hidden)]
#[allow(clippy::inline_always, reason = "the callback path's speed and stack")]
#[inline(always)]
pub fn put_field<O: Out, T: Put + ?Sized>(out: &mut O, field: &Field, value: &T) {
    if !field.label.is_empty() {
        out.put_str(field.label);
    }
    value.put(out);
}

/// Declares a run of fields once, for both writers of a record: `$put` writes them into a
/// line (each label from the table, then the value), `$visit` hands them to a [`Visit`].
/// A field added here appears in the line and in every record writer together. Exported for
/// the test that adds a field (`replay/tests/fields.rs`).
#[doc(hidden)]
#[macro_export]
macro_rules! segment {
    (
        $(#[$meta:meta])*
        $vis:vis fn $put:ident, $visit:ident ($($arg:ident: $ty:ty),*) {
            $($field:path => $value:expr),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis fn $put<O: $crate::output::line::Out>(out: &mut O, $($arg: $ty),*) {
            $( $crate::output::render::segments::put_field(out, &$field, &$value); )+
        }

        $(#[$meta])*
        $vis fn $visit<V: $crate::model::fields::Visit>(visit: &mut V, $($arg: $ty),*) {
            $( $crate::model::fields::Visit::field(visit, &$field, &$value); )+
        }
    };
}

/// ` name=wireless_32768 alias="Wi-Fi"`, with `?` for what is unknown. By hand, not by
/// `segment!`: the line quotes the alias, a record writer takes its text ([`visit_names`]).
fn put_names<O: Out>(out: &mut O, names: &Names) {
    put_field(out, &common::NAME, &names.name);
    put_field(out, &common::ALIAS, &Quoted(&names.alias));
}

/// The names' fields, as [`put_names`] writes them: the alias without its quotes.
fn visit_names<V: Visit>(visit: &mut V, names: &Names) {
    visit.field(&common::NAME, &names.name);
    visit.field(&common::ALIAS, &names.alias);
}

impl Put for Names {
    fn put<O: Out>(&self, out: &mut O) {
        put_names(out, self);
    }
}

/// Ends a line on the row: `(no row)`, or the keys, names and note, or the full state.
pub(super) fn detail<O: Out, K, F>(
    out: &mut O,
    detail: &Detail<K, F>,
    names: &Names,
    keys: impl Fn(&mut O, &K),
    full: impl Fn(&mut O, &F, &Names),
) {
    match detail {
        Detail::NoRow => out.put_str(" (no row)"),
        Detail::Keys(row, note) => {
            keys(out, row);
            put!(out; names, note);
        }
        Detail::Full(row) => full(out, row, names),
    }
}

segment! {
    /// ` family=ipv6 if=12`: what the interface's second line repeats to be found.
    fn interface_identity, visit_interface_identity(keys: &InterfaceKeys) {
        interface_fields::FAMILY => Family(keys.family),
        interface_fields::IF => Dec(keys.index),
    }
}

segment! {
    fn interface_luid, visit_interface_luid(keys: &InterfaceKeys) {
        interface_fields::LUID => keys.luid,
    }
}

pub(super) fn interface_keys<O: Out>(out: &mut O, keys: &InterfaceKeys) {
    interface_identity(out, keys);
    interface_luid(out, keys);
}

fn visit_interface_keys<V: Visit>(visit: &mut V, keys: &InterfaceKeys) {
    visit_interface_identity(visit, keys);
    visit_interface_luid(visit, keys);
}

/// The interface's flags that are set, by name in the table's order, or `none`: thirteen
/// `name=yes/no` pairs would not fit a line.
pub(super) struct InterfaceFlags<'a>(&'a Interface);

impl InterfaceFlags<'_> {
    /// The flags in the order of [`fields::interface::FLAG_BITS`].
    pub(super) const fn values(&self) -> [Flag; 13] {
        let row = self.0;
        [
            row.use_automatic_metric,
            row.forwarding_enabled,
            row.advertising_enabled,
            row.advertise_default_route,
            row.disable_default_routes,
            row.weak_host_send,
            row.weak_host_receive,
            row.use_neighbor_unreachability_detection,
            row.managed_address_configuration_supported,
            row.other_stateful_configuration_supported,
            row.supports_wake_up_patterns,
            row.supports_neighbor_discovery,
            row.supports_router_discovery,
        ]
    }
}

impl Put for InterfaceFlags<'_> {
    // Out of line: its one caller since the events carry the flags' bits is the interface's
    // line, whose frame in `emit_event` would otherwise hold its names' loop (the stack).
    #[inline(never)]
    fn put<O: Out>(&self, out: &mut O) {
        let mut first = true;
        for (flag, field) in self.values().into_iter().zip(&fields::interface::FLAG_BITS) {
            if flag.is_set() {
                if !first {
                    out.put_str(",");
                }
                first = false;
                out.put_str(field.name);
            }
        }
        if first {
            out.put_str("none");
        }
    }
}

/// `<min>-<max>ms`: the router advertisement interval.
pub(super) struct MillisRange(u32, Millis);

impl Put for MillisRange {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "-", self.1);
    }
}

/// `0x<transmit>/0x<receive>`.
pub(super) struct OffloadPair(Offload, Offload);

impl Put for OffloadPair {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; self.0, "/", self.1);
    }
}

/// `<n>s`: a route's age.
pub(super) struct Seconds(pub(super) u32);

impl Put for Seconds {
    fn put<O: Out>(&self, out: &mut O) {
        put!(out; Dec(self.0), "s");
    }
}

/// ` via <next hop>`, or ` on-link` when it is unspecified.
pub(super) struct NextHop(pub(super) SocketAddress);

impl Put for NextHop {
    fn put<O: Out>(&self, out: &mut O) {
        if self.0.is_unspecified() {
            out.put_str(" on-link");
        } else {
            put!(out; " via ", self.0);
        }
    }
}

segment! {
    /// The first line of an interface's full state, after the keys and names: whether it
    /// is up.
    fn interface_first, visit_interface_first(row: &Interface) {
        interface_fields::CONNECTED => row.connected,
        interface_fields::MTU => row.nl_mtu,
        interface_fields::METRIC => Dec(row.metric),
        interface_fields::FLAGS => InterfaceFlags(row),
    }
}

/// The first line of an interface's full state: who it is and whether it is up.
pub(super) fn interface_full<O: Out>(out: &mut O, row: &Interface, names: &Names) {
    interface_keys(out, &row.keys);
    put_names(out, names);
    interface_first(out, row);
}

segment! {
    /// The second line of an interface's full state, after `family=` and `if=`: its IPv4 or
    /// IPv6 settings.
    fn interface_second, visit_interface_second(row: &Interface) {
        interface_fields::ROUTER_DISCOVERY => row.router_discovery_behavior,
        interface_fields::LINK_LOCAL => row.link_local_address_behavior,
        interface_fields::LINK_LOCAL_TIMEOUT => row.link_local_address_timeout,
        interface_fields::DAD_TRANSMITS => Dec(row.dad_transmits),
        interface_fields::REACHABLE => row.reachable_time,
        interface_fields::BASE_REACHABLE => row.base_reachable_time,
        interface_fields::RETRANSMIT => row.retransmit_time,
        interface_fields::PMTU_TIMEOUT => row.path_mtu_discovery_timeout,
        interface_fields::RA_INTERVAL => MillisRange(
            row.min_router_advertisement_interval.0,
            row.max_router_advertisement_interval,
        ),
        interface_fields::SITE_PREFIX => Dec(row.site_prefix_length),
        interface_fields::OFFLOAD => OffloadPair(row.transmit_offload, row.receive_offload),
        interface_fields::ZONES => row.zone_indices,
    }
}

/// The second line of an interface's full state: its IPv4/IPv6 protocol settings.
pub(super) fn interface_more<O: Out>(out: &mut O, row: &Interface) {
    interface_identity(out, &row.keys);
    interface_second(out, row);
}

segment! {
    pub(super) fn address_keys, visit_address_keys(keys: &AddressKeys) {
        address_fields::ADDRESS => keys.address,
        address_fields::IF => Dec(keys.index),
        address_fields::LUID => keys.luid,
    }
}

segment! {
    /// The keys of a full state: the address with its on-link prefix length.
    fn address_full_keys, visit_address_full_keys(row: &Address) {
        address_fields::ADDRESS => row.prefix(),
        address_fields::IF => Dec(row.keys.index),
        address_fields::LUID => row.keys.luid,
    }
}

segment! {
    fn address_rest, visit_address_rest(row: &Address) {
        address_fields::DAD => row.dad_state,
        address_fields::PREFIX_ORIGIN => row.prefix_origin,
        address_fields::SUFFIX_ORIGIN => row.suffix_origin,
        address_fields::VALID => row.valid_lifetime,
        address_fields::PREFERRED => row.preferred_lifetime,
        address_fields::SKIP_AS_SOURCE => row.skip_as_source,
        address_fields::SCOPE_ID => Dec(row.scope_id),
        address_fields::CREATED => Timestamp(row.creation_time_stamp),
    }
}

pub(super) fn address_full<O: Out>(out: &mut O, row: &Address, names: &Names) {
    address_full_keys(out, row);
    put_names(out, names);
    address_rest(out, row);
}

fn visit_address_full<V: Visit>(visit: &mut V, row: &Address, names: &Names) {
    visit_address_full_keys(visit, row);
    visit_names(visit, names);
    visit_address_rest(visit, row);
}

segment! {
    pub(super) fn route_keys, visit_route_keys(keys: &RouteKeys) {
        route_fields::DESTINATION => keys.destination,
        route_fields::VIA => NextHop(keys.next_hop),
        route_fields::IF => Dec(keys.index),
        route_fields::LUID => keys.luid,
    }
}

segment! {
    // `route-metric` is the route's own metric: `route print` and `Get-NetRoute`'s effective
    // metric add the interface's metric to it.
    fn route_rest, visit_route_rest(row: &Route) {
        route_fields::METRIC => row.metric,
        route_fields::PROTOCOL => row.protocol,
        route_fields::ORIGIN => row.origin,
        route_fields::VALID => row.valid_lifetime,
        route_fields::PREFERRED => row.preferred_lifetime,
        route_fields::AGE => Seconds(row.age),
        route_fields::SITE_PREFIX => Dec(row.site_prefix_length),
        route_fields::LOOPBACK => row.loopback,
        route_fields::AUTOCONF => row.autoconfigure_address,
        route_fields::PUBLISH => row.publish,
        route_fields::IMMORTAL => row.immortal,
    }
}

pub(super) fn route_full<O: Out>(out: &mut O, row: &Route, names: &Names) {
    route_keys(out, &row.keys);
    put_names(out, names);
    route_rest(out, row);
}

/// Hands every field of an event's detail to `visit`, in the lines' order: the keys, the
/// names, and for a full state every other field (an interface's two lines together, its
/// `family` and `if` once). Nothing for `(no row)`.
fn visit_detail<V: Visit, K, F>(
    visit: &mut V,
    detail: &Detail<K, F>,
    names: &Names,
    keys: impl Fn(&mut V, &K),
    full: impl Fn(&mut V, &F),
) {
    match detail {
        Detail::NoRow => {}
        Detail::Keys(row, _) => {
            keys(visit, row);
            visit_names(visit, names);
        }
        Detail::Full(row) => {
            full(visit, row);
        }
    }
}

/// Every field of an interface event.
pub fn visit_interface<V: Visit>(
    visit: &mut V,
    detail: &Detail<InterfaceKeys, Interface>,
    names: &Names,
) {
    visit_detail(visit, detail, names, visit_interface_keys, |visit, row| {
        visit_interface_keys(visit, &row.keys);
        visit_names(visit, names);
        visit_interface_first(visit, row);
        visit_interface_second(visit, row);
    });
}

/// Every field of an address event.
pub fn visit_address<V: Visit>(
    visit: &mut V,
    detail: &Detail<AddressKeys, Address>,
    names: &Names,
) {
    visit_detail(visit, detail, names, visit_address_keys, |visit, row| {
        visit_address_full(visit, row, names);
    });
}

/// Every field of a route event.
pub fn visit_route<V: Visit>(visit: &mut V, detail: &Detail<RouteKeys, Route>, names: &Names) {
    visit_detail(visit, detail, names, visit_route_keys, |visit, row| {
        visit_route_keys(visit, &row.keys);
        visit_names(visit, names);
        visit_route_rest(visit, row);
    });
}

/// The fields of a stable table's header: `completion`, and `entries` unless the table is
/// NULL.
pub fn visit_stable_header<V: Visit>(visit: &mut V, completion: Completion, entries: Option<u32>) {
    visit.field(&fields::stable::COMPLETION, &completion);
    if let Some(entries) = entries {
        visit.field(&fields::stable::ENTRIES, &Dec(entries));
    }
}

/// Every field of a stable-table row (its position, then the address row in full).
pub fn visit_stable_entry<V: Visit>(visit: &mut V, position: u32, row: &Address, names: &Names) {
    visit.field(&fields::stable::POSITION, &Dec(position));
    visit_address_full(visit, row, names);
}
