//! The C enums of the rows (`NL_PREFIX_ORIGIN`, `NL_DAD_STATE`, `NL_ROUTE_PROTOCOL`, the
//! IANA `ifType`, ...), each a Rust enum whose `Unknown` variant keeps any other value.

use crate::model::printed::{Out, Put, display_by_put};

/// Declares a C enum as a Rust enum with an `Unknown` variant that keeps any other value: a
/// C enum may hold values this driver has never heard of, so transmuting would be undefined
/// behaviour. `Put` and `Display` print the name, or the number for an unknown value.
macro_rules! c_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $raw:ty {
            $($variant:ident = $value:literal => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum $name {
            $(
                #[doc = concat!("`", stringify!($value), "`, printed `", $text, "`.")]
                $variant,
            )+
            /// Any other value, printed as its number.
            Unknown($raw),
        }

        impl $name {
            /// Every value Windows defines, with its printed name (for tools that read the
            /// names back, such as `cargo replay`'s readable rows).
            pub const NAMES: &'static [($raw, &'static str)] = &[$(($value, $text),)+];

            /// Decodes the raw value.
            #[must_use]
            pub const fn from_raw(raw: $raw) -> Self {
                match raw {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(other),
                }
            }

            /// The printed name; `None` for an unknown value.
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($text),)+
                    Self::Unknown(_) => None,
                }
            }
        }

        impl Put for $name {
            fn put<O: Out>(&self, out: &mut O) {
                match self {
                    Self::Unknown(raw) => out.put_str(itoa::Buffer::new().format(*raw)),
                    known => out.put_str(known.name().unwrap_or("")),
                }
            }
        }

        display_by_put!($name);
    };
}

c_enum! {
    /// `NL_PREFIX_ORIGIN`: where an address's prefix came from.
    pub enum PrefixOrigin: i32 {
        Other = 0 => "other",
        Manual = 1 => "manual",
        WellKnown = 2 => "well-known",
        Dhcp = 3 => "dhcp",
        RouterAdvertisement = 4 => "router-advertisement",
        Unchanged = 16 => "unchanged",
    }
}

c_enum! {
    /// `NL_SUFFIX_ORIGIN`: where an address's interface identifier came from.
    pub enum SuffixOrigin: i32 {
        Other = 0 => "other",
        Manual = 1 => "manual",
        WellKnown = 2 => "well-known",
        Dhcp = 3 => "dhcp",
        LinkLayerAddress = 4 => "link-layer-address",
        Random = 5 => "random",
        Unchanged = 16 => "unchanged",
    }
}

c_enum! {
    /// `NL_DAD_STATE`: duplicate address detection.
    pub enum DadState: i32 {
        Invalid = 0 => "invalid",
        Tentative = 1 => "tentative",
        Duplicate = 2 => "duplicate",
        Deprecated = 3 => "deprecated",
        Preferred = 4 => "preferred",
    }
}

c_enum! {
    /// `NL_ROUTE_PROTOCOL` (`MIB_IPPROTO_*`): who added a route.
    pub enum RouteProtocol: i32 {
        Other = 1 => "other",
        Local = 2 => "local",
        NetMgmt = 3 => "netmgmt",
        Icmp = 4 => "icmp",
        Egp = 5 => "egp",
        Ggp = 6 => "ggp",
        Hello = 7 => "hello",
        Rip = 8 => "rip",
        IsIs = 9 => "is-is",
        EsIs = 10 => "es-is",
        Cisco = 11 => "cisco",
        Bbn = 12 => "bbn",
        Ospf = 13 => "ospf",
        Bgp = 14 => "bgp",
        Idpr = 15 => "idpr",
        Eigrp = 16 => "eigrp",
        Dvmrp = 17 => "dvmrp",
        Rpl = 18 => "rpl",
        Dhcp = 19 => "dhcp",
        NtAutostatic = 10002 => "nt-autostatic",
        NtStatic = 10006 => "nt-static",
        NtStaticNonDod = 10007 => "nt-static-non-dod",
    }
}

c_enum! {
    /// `NL_ROUTE_ORIGIN`: how a route was created.
    pub enum RouteOrigin: i32 {
        Manual = 0 => "manual",
        WellKnown = 1 => "well-known",
        Dhcp = 2 => "dhcp",
        RouterAdvertisement = 3 => "router-advertisement",
        SixToFour = 4 => "6to4",
    }
}

c_enum! {
    /// `NL_ROUTER_DISCOVERY_BEHAVIOR`.
    pub enum RouterDiscovery: i32 {
        Unchanged = -1 => "unchanged",
        Disabled = 0 => "disabled",
        Enabled = 1 => "enabled",
        Dhcp = 2 => "dhcp",
    }
}

c_enum! {
    /// `NL_LINK_LOCAL_ADDRESS_BEHAVIOR`.
    pub enum LinkLocalBehavior: i32 {
        Unchanged = -1 => "unchanged",
        AlwaysOff = 0 => "always-off",
        Delayed = 1 => "delayed",
        AlwaysOn = 2 => "always-on",
    }
}

c_enum! {
    /// `IFTYPE`: the IANA ifType of an interface, printed by name (docs/netio.md#values).
    pub enum IfType: u16 {
        Other = 1 => "other",
        EthernetCsmacd = 6 => "ethernetCsmacd",
        Iso88025TokenRing = 9 => "iso88025TokenRing",
        Fddi = 15 => "fddi",
        Ppp = 23 => "ppp",
        SoftwareLoopback = 24 => "softwareLoopback",
        Slip = 28 => "slip",
        Atm = 37 => "atm",
        Modem = 48 => "modem",
        PropVirtual = 53 => "propVirtual",
        PropMultiplexor = 54 => "propMultiplexor",
        FastEther = 62 => "fastEther",
        Ieee80211 = 71 => "ieee80211",
        GigabitEthernet = 117 => "gigabitEthernet",
        Tunnel = 131 => "tunnel",
        L2Vlan = 135 => "l2vlan",
        L3IpVlan = 136 => "l3ipvlan",
        Ieee1394 = 144 => "ieee1394",
        Ieee8023adLag = 161 => "ieee8023adLag",
        Ieee80216Wman = 237 => "ieee80216WMAN",
        WwanPp = 243 => "wwanPP",
        WwanPp2 = 244 => "wwanPP2",
        XboxWireless = 281 => "xboxWireless",
    }
}
