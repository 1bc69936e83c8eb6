//! The simulated network: the interfaces, addresses and routes that exist, keyed as NETIO
//! identifies them, changed by the scenario's events and read by the driver's `Get*Entry`
//! re-queries.

use std::collections::BTreeMap;
use std::vec::Vec;

use crate::boundary::ffi::{
    AF_UNSPEC, MibIpForwardRow2, MibIpInterfaceRow, MibUnicastIpAddressRow, SockaddrInet,
    notification_type,
};
use crate::model::decode::{AddressKeys, InterfaceKeys, Prefix, RouteKeys, SocketAddress};
use crate::model::notification::Notification;

/// The objects of the simulated network, in the order they appeared.
#[derive(Default)]
pub(super) struct Network {
    interfaces: Table<MibIpInterfaceRow>,
    addresses: Table<MibUnicastIpAddressRow>,
    routes: Table<MibIpForwardRow2>,
}

/// What a NETIO row type means to the simulated network: its keys and its table.
pub(super) trait Object: Copy {
    const NOTIFICATION: Notification;
    /// The keys other than the interface (family; address; destination and next hop).
    type Key: Ord + Copy;
    /// `(InterfaceLuid, InterfaceIndex)`.
    fn interface(&self) -> (u64, u32);
    /// The object's address family (`Family`; the address's or the destination's).
    fn family(&self) -> u16;
    fn key(&self) -> Self::Key;
    fn keys_only(&self) -> Self;
    fn table(network: &mut Network) -> &mut Table<Self>;

    /// Documented: `Get*Entry` fails when both interface keys are unspecified.
    fn has_interface(&self) -> bool {
        self.interface() != (0, 0)
    }
}

/// The objects of one kind, keyed by their keys and interface, so that a change or a
/// `Get*Entry` costs a lookup, not a scan: replaying a scenario takes time in proportion to
/// its length (docs/replay.md).
pub(super) struct Table<R: Object>(BTreeMap<(R::Key, u64, u32), R>);

impl<R: Object> Default for Table<R> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<R: Object> Table<R> {
    /// Where the object `wanted` names is stored, by the `Get*Entry` rule: its other keys,
    /// and `InterfaceLuid` if set, else `InterfaceIndex` (a scan of the objects with the same
    /// other keys: one per interface at most).
    pub(super) fn find(&self, wanted: &R) -> Option<(R::Key, u64, u32)> {
        let (luid, index) = wanted.interface();
        let key = wanted.key();
        let range = if luid == 0 {
            self.0.range((key, 0, 0)..=(key, u64::MAX, u32::MAX))
        } else {
            self.0.range((key, luid, 0)..=(key, luid, u32::MAX))
        };
        range
            .map(|(stored, _)| *stored)
            .find(|&(_, _, stored_index)| luid != 0 || stored_index == index)
    }

    /// Every object of `family` (all for `AF_UNSPEC`), in the table's order: what a
    /// `Get*Table` call returns.
    pub(super) fn of_family(&self, family: u16) -> Vec<R> {
        self.0
            .values()
            .filter(|row| family == AF_UNSPEC || row.family() == family)
            .copied()
            .collect()
    }

    pub(super) fn get(&self, wanted: &R) -> Option<R> {
        self.find(wanted)
            .and_then(|stored| self.0.get(&stored).copied())
    }
}

impl Object for MibIpInterfaceRow {
    const NOTIFICATION: Notification = Notification::Interface;
    type Key = u16;
    fn interface(&self) -> (u64, u32) {
        (self.interface_luid, self.interface_index)
    }
    fn family(&self) -> u16 {
        self.family
    }
    fn key(&self) -> u16 {
        InterfaceKeys::decode(self).family
    }
    fn keys_only(&self) -> Self {
        Self {
            family: self.family,
            interface_luid: self.interface_luid,
            interface_index: self.interface_index,
            ..Self::default()
        }
    }
    fn table(network: &mut Network) -> &mut Table<Self> {
        &mut network.interfaces
    }
}

impl Object for MibUnicastIpAddressRow {
    const NOTIFICATION: Notification = Notification::Address;
    type Key = SocketAddress;
    fn interface(&self) -> (u64, u32) {
        (self.interface_luid, self.interface_index)
    }
    fn family(&self) -> u16 {
        sockaddr_family(&self.address)
    }
    fn key(&self) -> SocketAddress {
        AddressKeys::decode(self).address
    }
    fn keys_only(&self) -> Self {
        Self {
            address: self.address,
            interface_luid: self.interface_luid,
            interface_index: self.interface_index,
            ..Self::default()
        }
    }
    fn table(network: &mut Network) -> &mut Table<Self> {
        &mut network.addresses
    }
}

impl Object for MibIpForwardRow2 {
    const NOTIFICATION: Notification = Notification::Route;
    type Key = (Prefix, SocketAddress);
    fn interface(&self) -> (u64, u32) {
        (self.interface_luid, self.interface_index)
    }
    fn family(&self) -> u16 {
        sockaddr_family(&self.destination_prefix.prefix)
    }
    fn key(&self) -> (Prefix, SocketAddress) {
        let keys = RouteKeys::decode(self);
        (keys.destination, keys.next_hop)
    }
    fn keys_only(&self) -> Self {
        Self {
            interface_luid: self.interface_luid,
            interface_index: self.interface_index,
            destination_prefix: self.destination_prefix,
            next_hop: self.next_hop,
            ..Self::default()
        }
    }
    fn table(network: &mut Network) -> &mut Table<Self> {
        &mut network.routes
    }
}

/// Applies a change to the object `row` describes: add and parameter store its state, delete
/// removes it; other types change nothing.
pub(super) fn apply<R: Object>(network: &mut Network, row: &R, notification_type: i32) {
    let table = R::table(network);
    let existing = table.find(row);
    match notification_type {
        notification_type::ADD | notification_type::PARAMETER => {
            if let Some(stored) = existing {
                table.0.remove(&stored);
            }
            let (luid, index) = row.interface();
            table.0.insert((row.key(), luid, index), *row);
        }
        notification_type::DELETE => {
            if let Some(stored) = existing {
                table.0.remove(&stored);
            }
        }
        _ => {}
    }
}

/// The rows of `family` (all of them for `AF_UNSPEC`): what a stable table holds for a
/// registration of that family.
pub(super) fn of_family(
    rows: &[MibUnicastIpAddressRow],
    family: u16,
) -> Vec<MibUnicastIpAddressRow> {
    rows.iter()
        .filter(|row| family == AF_UNSPEC || sockaddr_family(&row.address) == family)
        .copied()
        .collect()
}

/// `si_family` of a `SOCKADDR_INET`.
pub(super) const fn sockaddr_family(address: &SockaddrInet) -> u16 {
    u16::from_le_bytes([address.bytes[0], address.bytes[1]])
}
