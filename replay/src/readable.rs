//! Rows in the lines' own words.
//!
//! A scenario's `"row"` may be a JSON object whose keys are the field names the driver prints
//! (docs/lines.md), with values as it prints them, so that what a person reads in a line is
//! what they write in a scenario. Fields left out are zero (the row's zero bytes), except the
//! ones docs/replay.md names; the enum names are the core's own tables
//! ([`netnotify_core::decode`]), so the two cannot drift apart.

use std::net::{Ipv4Addr, Ipv6Addr};

use netnotify_core::decode::{
    DadState, IfType, LinkLocalBehavior, PrefixOrigin, RouteOrigin, RouteProtocol, RouterDiscovery,
    SuffixOrigin,
};
use netnotify_core::ffi::{
    AF_INET, AF_INET6, IpAddressPrefix, MibIpForwardRow2, MibIpInterfaceRow,
    MibUnicastIpAddressRow, SockaddrInet,
};
use serde_json::{Map, Value};

use crate::{alternatives, shown, wrong};

/// `0xFFFFFFFF`: an infinite lifetime, an unset MTU or metric.
const ALL_ONES: u32 = u32::MAX;

/// The fields of one readable row, taken one by one; any left over is an error.
struct Row {
    kind: &'static str,
    fields: Map<String, Value>,
}

impl Row {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.fields.remove(name)
    }

    fn finish(self, known: &[&str]) -> Result<(), String> {
        self.fields.keys().next().map_or(Ok(()), |name| {
            Err(format!(
                "an {} row has no field \"{name}\"; its fields are {}",
                self.kind,
                alternatives(known).replace(" or ", " and ")
            ))
        })
    }

    /// A field's value parsed by `parse`, or `default` when it is left out.
    fn field<T>(
        &mut self,
        name: &str,
        default: T,
        parse: impl FnOnce(&Value) -> Option<T>,
        expected: &str,
    ) -> Result<T, String> {
        self.take(name).map_or(Ok(default), |value| {
            parse(&value).ok_or_else(|| wrong(name, &value, expected))
        })
    }

    /// A field that must be given.
    fn required<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&Value) -> Option<T>,
        expected: &str,
    ) -> Result<T, String> {
        let value = self
            .take(name)
            .ok_or_else(|| format!("an {} row needs \"{name}\": {expected}", self.kind))?;
        parse(&value).ok_or_else(|| wrong(name, &value, expected))
    }

    fn number(&mut self, name: &str) -> Result<u32, String> {
        self.field(name, 0, |value| number(value, ""), "a whole number")
    }

    fn unit(&mut self, name: &str, unit: &str) -> Result<u32, String> {
        let expected = format!("a whole number, optionally followed by {unit}");
        self.field(name, 0, |value| number(value, unit), &expected)
    }

    fn yes_no(&mut self, name: &str) -> Result<u8, String> {
        self.field(name, 0, yes_no, "\"yes\" or \"no\"")
    }

    /// A lifetime: seconds (`86400s` or a number) or `infinite`.
    fn lifetime(&mut self, name: &str) -> Result<u32, String> {
        self.field(
            name,
            0,
            |value| match value.as_str() {
                Some("infinite") => Some(ALL_ONES),
                _ => number(value, "s"),
            },
            "seconds (\"86400s\" or a number) or \"infinite\"",
        )
    }

    /// A number that may be `unset` (`0xFFFFFFFF`).
    fn or_unset(&mut self, name: &str) -> Result<u32, String> {
        self.field(
            name,
            0,
            |value| match value.as_str() {
                Some("unset") => Some(ALL_ONES),
                _ => number(value, ""),
            },
            "a whole number or \"unset\"",
        )
    }

    /// A C enum: one of its printed names, or any number.
    fn named(&mut self, name: &str, names: &[(i32, &str)]) -> Result<i32, String> {
        let listed: Vec<&str> = names.iter().map(|(_, text)| *text).collect();
        let expected = format!(
            "{} or a number",
            alternatives(&listed).replace(" or ", ", ")
        );
        self.field(
            name,
            0,
            |value| match value {
                Value::String(text) => names
                    .iter()
                    .find(|(_, known)| known == text)
                    .map(|(raw, _)| *raw),
                _ => value.as_i64().and_then(|raw| i32::try_from(raw).ok()),
            },
            &expected,
        )
    }

    /// `luid`: `<IANA ifType name or number>:<NetLuidIndex>`, or the raw 64-bit value.
    fn luid(&mut self) -> Result<u64, String> {
        self.field(
            "luid",
            0,
            parse_luid,
            "\"<ifType>:<index>\" such as \"ieee80211:2\", or a number",
        )
    }
}

/// `created`: UTC ISO 8601 as the driver prints it (`2024-11-30T03:59:59Z`, with an optional
/// fraction of up to seven digits), back to 100-ns units since 1601; or the raw value.
fn timestamp(value: &Value) -> Option<i64> {
    if let Some(raw) = value.as_i64() {
        return Some(raw);
    }
    let text = value.as_str()?.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let (time, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut time = time.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
    if fraction.len() > 7 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let ticks: i64 = format!("{fraction:0<7}").parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Howard Hinnant's days_from_civil: days from 1970-01-01.
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second + 11_644_473_600;
    seconds.checked_mul(10_000_000)?.checked_add(ticks)
}

/// A whole number, or a string of digits followed by `unit`.
fn number(value: &Value, unit: &str) -> Option<u32> {
    match value {
        Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(text) if !unit.is_empty() => text.strip_suffix(unit)?.parse().ok(),
        _ => None,
    }
}

fn yes_no(value: &Value) -> Option<u8> {
    match value {
        Value::String(text) if text == "yes" => Some(1),
        Value::String(text) if text == "no" => Some(0),
        Value::Bool(flag) => Some(u8::from(*flag)),
        _ => None,
    }
}

/// A LUID as lines print it (`ieee80211:2`, `71:2`), or its raw 64-bit value.
#[must_use]
pub fn parse_luid(value: &Value) -> Option<u64> {
    if let Some(raw) = value.as_u64() {
        return Some(raw);
    }
    let (if_type, index) = value.as_str()?.split_once(':')?;
    let if_type = IfType::NAMES
        .iter()
        .find(|(_, name)| *name == if_type)
        .map(|(raw, _)| *raw)
        .or_else(|| if_type.parse().ok())?;
    let index: u64 = index.parse().ok().filter(|index| *index < 1 << 24)?;
    Some(u64::from(if_type) << 48 | index << 24)
}

/// `C enum` names as `(i32, name)`, whatever the enum's raw type.
fn names<T: Copy>(table: &[(T, &'static str)]) -> Vec<(i32, &'static str)>
where
    i32: From<T>,
{
    table
        .iter()
        .map(|(raw, name)| (i32::from(*raw), *name))
        .collect()
}

/// An address as the lines print it, with an optional `/<length>`: `192.168.1.23/24`,
/// `fe80::1%12/64`.
fn address(text: &str) -> Option<(SockaddrInet, Option<u8>)> {
    let (address, length) = match text.split_once('/') {
        Some((address, length)) => (address, Some(length.parse().ok()?)),
        None => (text, None),
    };
    let mut bytes = [0_u8; 28];
    if let Ok(v4) = address.parse::<Ipv4Addr>() {
        bytes[..2].copy_from_slice(&AF_INET.to_le_bytes());
        bytes[4..8].copy_from_slice(&v4.octets());
    } else {
        let (v6, scope) = match address.split_once('%') {
            Some((v6, scope)) => (v6, scope.parse::<u32>().ok()?),
            None => (address, 0),
        };
        let v6: Ipv6Addr = v6.parse().ok()?;
        bytes[..2].copy_from_slice(&AF_INET6.to_le_bytes());
        bytes[8..24].copy_from_slice(&v6.octets());
        bytes[24..28].copy_from_slice(&scope.to_le_bytes());
    }
    Some((SockaddrInet { bytes }, length))
}

const fn family_of(address: &SockaddrInet) -> u16 {
    u16::from_le_bytes([address.bytes[0], address.bytes[1]])
}

const ADDRESS_EXPECTED: &str = "an address as the lines print it, such as \"192.168.1.23/24\" \
                                or \"fe80::1%12/64\"";

/// A `MIB_IPINTERFACE_ROW` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn interface(fields: Map<String, Value>) -> Result<MibIpInterfaceRow, String> {
    let mut row = Row {
        kind: "interface",
        fields,
    };
    let family = row.required(
        "family",
        |value| match value.as_str()? {
            "ipv4" => Some(AF_INET),
            "ipv6" => Some(AF_INET6),
            _ => None,
        },
        "\"ipv4\" or \"ipv6\"",
    )?;
    let zones = zones(&mut row)?;
    let (transmit_offload, receive_offload) = row.field(
        "offload",
        (0, 0),
        |value| {
            let (tx, rx) = value.as_str()?.split_once('/')?;
            let hex = |text: &str| u8::from_str_radix(text.strip_prefix("0x")?, 16).ok();
            Some((hex(tx)?, hex(rx)?))
        },
        "\"0x<transmit>/0x<receive>\" such as \"0x3F/0x1F\"",
    )?;
    let (min_ra, max_ra) = row.field(
        "ra-interval",
        (0, 0),
        |value| {
            let (min, max) = value.as_str()?.strip_suffix("ms")?.split_once('-')?;
            Some((min.parse().ok()?, max.parse().ok()?))
        },
        "\"<min>-<max>ms\" such as \"200000-600000ms\"",
    )?;
    let flags = flags(&mut row)?;
    let result = MibIpInterfaceRow {
        family,
        interface_index: row.number("if")?,
        interface_luid: row.luid()?,
        connected: row.yes_no("connected")?,
        nl_mtu: row.or_unset("mtu")?,
        metric: row.number("metric")?,
        router_discovery_behavior: row.named("router-discovery", &names(RouterDiscovery::NAMES))?,
        link_local_address_behavior: row.named("link-local", &names(LinkLocalBehavior::NAMES))?,
        link_local_address_timeout: row.unit("link-local-timeout", "ms")?,
        dad_transmits: row.number("dad-transmits")?,
        reachable_time: row.unit("reachable", "ms")?,
        base_reachable_time: row.unit("base-reachable", "ms")?,
        retransmit_time: row.unit("retransmit", "ms")?,
        path_mtu_discovery_timeout: row.unit("pmtu-timeout", "ms")?,
        min_router_advertisement_interval: min_ra,
        max_router_advertisement_interval: max_ra,
        site_prefix_length: row.number("site-prefix")?,
        transmit_offload,
        receive_offload,
        zone_indices: zones,
        use_automatic_metric: flags[0],
        forwarding_enabled: flags[1],
        advertising_enabled: flags[2],
        advertise_default_route: flags[3],
        disable_default_routes: flags[4],
        weak_host_send: flags[5],
        weak_host_receive: flags[6],
        use_neighbor_unreachability_detection: flags[7],
        managed_address_configuration_supported: flags[8],
        other_stateful_configuration_supported: flags[9],
        supports_wake_up_patterns: flags[10],
        supports_neighbor_discovery: flags[11],
        supports_router_discovery: flags[12],
        ..MibIpInterfaceRow::default()
    };
    row.finish(&INTERFACE_FIELDS)?;
    Ok(result)
}

/// `zones`: `<scope level>:<zone>` entries joined by commas, or `none`.
fn zones(row: &mut Row) -> Result<[u32; 16], String> {
    let mut zones = [0_u32; 16];
    let zones_text = row.field(
        "zones",
        String::new(),
        |v| v.as_str().map(str::to_owned),
        "",
    )?;
    if !zones_text.is_empty() && zones_text != "none" {
        for zone in zones_text.split(',') {
            let slot = zone
                .split_once(':')
                .and_then(|(level, zone)| Some((level.parse::<usize>().ok()?, zone.parse().ok()?)))
                .and_then(|(level, zone)| zones.get_mut(level).map(|slot| (slot, zone)));
            let Some((slot, zone)) = slot else {
                return Err(wrong(
                    "zones",
                    &Value::String(zones_text.clone()),
                    "\"<scope level 0-15>:<zone>\" entries joined by commas, or \"none\"",
                ));
            };
            *slot = zone;
        }
    }
    Ok(zones)
}

/// The 13 BOOLEANs `flags` lists, in the row's order: the names of those set, or `none`.
fn flags(row: &mut Row) -> Result<[u8; 13], String> {
    let flag_names = [
        "auto-metric",
        "forwarding",
        "advertising",
        "advertise-default",
        "no-default-routes",
        "weak-send",
        "weak-receive",
        "nud",
        "managed",
        "other-stateful",
        "wake",
        "nd",
        "rd",
    ];
    let flags_text = row.field(
        "flags",
        String::new(),
        |v| v.as_str().map(str::to_owned),
        "",
    )?;
    let mut flags = [0_u8; 13];
    if !flags_text.is_empty() && flags_text != "none" {
        for flag in flags_text.split(',') {
            let Some(position) = flag_names.iter().position(|name| *name == flag) else {
                return Err(format!(
                    "\"flags\" has {}, expected the names of the flags that are set, joined by \
                     commas: {}",
                    shown(&Value::String(flag.to_owned())),
                    alternatives(&flag_names)
                ));
            };
            flags[position] = 1;
        }
    }
    Ok(flags)
}

/// Every field of a readable interface row, in the lines' order.
pub const INTERFACE_FIELDS: [&str; 19] = [
    "family",
    "if",
    "luid",
    "connected",
    "mtu",
    "metric",
    "router-discovery",
    "link-local",
    "link-local-timeout",
    "dad-transmits",
    "reachable",
    "base-reachable",
    "retransmit",
    "pmtu-timeout",
    "ra-interval",
    "site-prefix",
    "offload",
    "zones",
    "flags",
];

/// A `MIB_UNICASTIPADDRESS_ROW` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn address_row(fields: Map<String, Value>) -> Result<MibUnicastIpAddressRow, String> {
    let mut row = Row {
        kind: "address",
        fields,
    };
    let (address, length) = row.required(
        "address",
        |value| address(value.as_str()?),
        ADDRESS_EXPECTED,
    )?;
    let result = MibUnicastIpAddressRow {
        address,
        on_link_prefix_length: length.unwrap_or(0),
        interface_index: row.number("if")?,
        interface_luid: row.luid()?,
        dad_state: row.named("dad", &names(DadState::NAMES))?,
        prefix_origin: row.named("prefix-origin", &names(PrefixOrigin::NAMES))?,
        suffix_origin: row.named("suffix-origin", &names(SuffixOrigin::NAMES))?,
        valid_lifetime: row.lifetime("valid")?,
        preferred_lifetime: row.lifetime("preferred")?,
        skip_as_source: row.yes_no("skip-as-source")?,
        scope_id: row.number("scope-id")?,
        creation_time_stamp: row.field(
            "created",
            0,
            timestamp,
            "a UTC time as lines print it (\"2024-11-30T03:59:59Z\"), or the raw 64-bit value",
        )?,
    };
    row.finish(&ADDRESS_FIELDS)?;
    Ok(result)
}

/// Every field of a readable address row, in the lines' order.
pub const ADDRESS_FIELDS: [&str; 11] = [
    "address",
    "if",
    "luid",
    "dad",
    "prefix-origin",
    "suffix-origin",
    "valid",
    "preferred",
    "skip-as-source",
    "scope-id",
    "created",
];

/// A `MIB_IPFORWARD_ROW2` from its printed fields.
///
/// # Errors
/// The first field that is missing, unknown, or not a value the lines print.
pub fn route(fields: Map<String, Value>) -> Result<MibIpForwardRow2, String> {
    let mut row = Row {
        kind: "route",
        fields,
    };
    let (destination, length) = row.required(
        "destination",
        |value| address(value.as_str()?),
        "a prefix as the lines print it, such as \"192.168.1.0/24\" or \"::/0\"",
    )?;
    // No `via`: on-link, the unspecified address of the destination's family.
    let mut on_link = SockaddrInet::default();
    on_link.bytes[..2].copy_from_slice(&family_of(&destination).to_le_bytes());
    let next_hop = row.field(
        "via",
        on_link,
        |value| {
            address(value.as_str()?)
                .filter(|(_, length)| length.is_none())
                .map(|(a, _)| a)
        },
        "the next hop's address, such as \"192.168.1.1\" (leave it out for on-link)",
    )?;
    let result = MibIpForwardRow2 {
        destination_prefix: IpAddressPrefix {
            prefix: destination,
            prefix_length: length.unwrap_or(0),
        },
        next_hop,
        interface_index: row.number("if")?,
        interface_luid: row.luid()?,
        metric: row.or_unset("route-metric")?,
        protocol: row.named("protocol", &names(RouteProtocol::NAMES))?,
        origin: row.named("origin", &names(RouteOrigin::NAMES))?,
        valid_lifetime: row.lifetime("valid")?,
        preferred_lifetime: row.lifetime("preferred")?,
        age: row.unit("age", "s")?,
        site_prefix_length: u8::try_from(row.number("site-prefix")?)
            .map_err(|_| "\"site-prefix\" is more than 255 bits".to_owned())?,
        loopback: row.yes_no("loopback")?,
        autoconfigure_address: row.yes_no("autoconf")?,
        publish: row.yes_no("publish")?,
        immortal: row.yes_no("immortal")?,
    };
    row.finish(&ROUTE_FIELDS)?;
    Ok(result)
}

/// Every field of a readable route row, in the lines' order.
pub const ROUTE_FIELDS: [&str; 15] = [
    "destination",
    "via",
    "if",
    "luid",
    "route-metric",
    "protocol",
    "origin",
    "valid",
    "preferred",
    "age",
    "site-prefix",
    "loopback",
    "autoconf",
    "publish",
    "immortal",
];
