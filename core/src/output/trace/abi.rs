//! The ETW and `TraceLogging` vocabulary the events are written in.
//!
//! Owns [`Guid`] (`GUID`), [`EventDescriptor`] (`EVENT_DESCRIPTOR`) and the encoding values a
//! `TraceLogging` event carries ([`Channel`], [`Level`], [`Opcode`], [`InType`], [`OutType`]),
//! with the names, values and layouts of Microsoft's `tracelogging` crate 1.2.4 (`src/enums.rs`,
//! `src/descriptors.rs`, `src/guid.rs`), only the items the driver uses.
//!
//! Written here rather than taken from the crate because of the Windows link: the crate declares
//! its user-mode `Guid::new` under `#[link(name = "rpcrt4")]` on every Windows target
//! (1.2.4, `src/guid.rs`, `cfg(all(windows, not(proc_macro)))`), so any Windows link of a crate
//! that depends on it names `rpcrt4.lib`, which the WDK's kernel-mode library folder, the only
//! one wdk-build adds for a WDM driver, does not have (docs/checks.md#the-windows-link). The
//! crate stays the oracle: the tests below compare every value, layout and GUID with it, and the
//! layouts with `windows-sys`.

#![allow(
    non_upper_case_globals,
    reason = "the tracelogging crate's names (`InType::U32`), so call sites and the oracle tests read the same"
)]

/// `GUID` (guiddef.h): host-endian fields, as the `Etw*` routines read it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Guid {
    data1: u32,
    data2: u16,
    data3: u16,
    data4: [u8; 8],
}

impl Guid {
    /// The GUID whose text form is `value` in hex (`0xcabe4808_b99f_…` is
    /// `cabe4808-b99f-…`).
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        reason = "each field is the bits shifted down to it, truncated on purpose"
    )]
    pub const fn from_u128(value: &u128) -> Self {
        Self {
            data1: (*value >> 96) as u32,
            data2: (*value >> 80) as u16,
            data3: (*value >> 64) as u16,
            data4: (*value as u64).to_be_bytes(),
        }
    }

    /// The inverse of [`Guid::from_u128`].
    #[must_use]
    pub const fn to_u128(&self) -> u128 {
        (self.data1 as u128) << 96
            | (self.data2 as u128) << 80
            | (self.data3 as u128) << 64
            | u64::from_be_bytes(self.data4) as u128
    }

    /// The registry format without braces, lower-case: `cabe4808-b99f-5fdb-95a1-c1294a861355`.
    #[must_use]
    pub fn to_utf8_bytes(&self) -> [u8; 36] {
        let mut text = [b'-'; 36];
        let mut rest = self.to_u128();
        for (at, byte) in text.iter_mut().enumerate() {
            if matches!(at, 8 | 13 | 18 | 23) {
                continue;
            }
            // The next nibble, from the most significant (a rotation: no shift can overflow).
            rest = rest.rotate_left(4);
            #[allow(clippy::cast_possible_truncation, reason = "masked to 4 bits")]
            let digit = (rest & 0xF) as u8;
            *byte = if digit < 10 {
                b'0'.wrapping_add(digit)
            } else {
                b'a'.wrapping_add(digit).wrapping_sub(10)
            };
        }
        text
    }
}

/// `EVENT_DESCRIPTOR` (evntprov.h), field by field: `Id`, `Version`, `Channel`, `Level`,
/// `Opcode`, `Task`, `Keyword`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventDescriptor {
    /// `Id`: 0 for `TraceLogging` events (the name identifies them).
    pub id: u16,
    /// `Version`.
    pub version: u8,
    /// `Channel`: [`Channel::TraceLogging`].
    pub channel: Channel,
    /// `Level`.
    pub level: Level,
    /// `Opcode`.
    pub opcode: Opcode,
    /// `Task`.
    pub task: u16,
    /// `Keyword`.
    pub keyword: u64,
}

impl EventDescriptor {
    /// Every field 0.
    #[must_use]
    pub const fn zero() -> Self {
        Self {
            id: 0,
            version: 0,
            channel: Channel::TraceClassic,
            level: Level::LogAlways,
            opcode: Opcode::Info,
            task: 0,
            keyword: 0,
        }
    }

    /// A `TraceLogging` event's descriptor: channel 11, opcode `Info`, the level and keyword.
    #[must_use]
    pub const fn new(level: Level, keyword: u64) -> Self {
        Self {
            channel: Channel::TraceLogging,
            level,
            keyword,
            ..Self::zero()
        }
    }
}

/// Declares a one-byte newtype with the crate's `from_int`/`as_int` and its named values.
macro_rules! byte_values {
    ($(#[$doc:meta])* $name:ident { $($(#[$value_doc:meta])* $value:ident = $int:literal,)* }) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u8);

        impl $name {
            /// The value `value`, named or not.
            #[must_use]
            pub const fn from_int(value: u8) -> Self {
                Self(value)
            }

            /// The byte written.
            #[must_use]
            pub const fn as_int(self) -> u8 {
                self.0
            }

            $($(#[$value_doc])* pub const $value: Self = Self($int);)*
        }
    };
}

byte_values! {
    /// `EVENT_DESCRIPTOR.Channel`.
    Channel {
        /// 0: not a `TraceLogging` event.
        TraceClassic = 0,
        /// 11: a `TraceLogging` event (decoders find its metadata in the data descriptors).
        TraceLogging = 11,
    }
}

byte_values! {
    /// `EVENT_DESCRIPTOR.Level` (`TRACE_LEVEL_*`): a session selects events at or below its level.
    Level {
        /// 0.
        LogAlways = 0,
        /// 1.
        Critical = 1,
        /// 2.
        Error = 2,
        /// 3.
        Warning = 3,
        /// 4.
        Informational = 4,
        /// 5.
        Verbose = 5,
    }
}

byte_values! {
    /// `EVENT_DESCRIPTOR.Opcode`.
    Opcode {
        /// 0: an informational event, the only kind written.
        Info = 0,
    }
}

byte_values! {
    /// A field's type in the event metadata (`TlgIn_t`, TraceLoggingProvider.h): how the
    /// payload holds it.
    InType {
        /// NUL-terminated UTF-16 string (`TlgInUNICODESTRING`).
        CStr16 = 1,
        /// NUL-terminated 8-bit string.
        CStr8 = 2,
        /// `u8`.
        U8 = 4,
        /// `u16`, little-endian.
        U16 = 6,
        /// `i32`.
        I32 = 7,
        /// `u32`.
        U32 = 8,
        /// `i64`.
        I64 = 9,
        /// `u64`.
        U64 = 10,
        /// IEEE double.
        F64 = 12,
        /// 32-bit boolean.
        Bool32 = 13,
        /// A `u16` byte count, then the bytes.
        Binary = 14,
        /// A `u16` element count, then that many `u32`: `U32` with the variable-count flag
        /// (`TlgInUINT32 | _TlgInVcount`, TraceLoggingProvider.h's
        /// `TraceLoggingUInt32Array`).
        U32Array = 0x48,
    }
}

byte_values! {
    /// A field's format in the event metadata (`TlgOut_t`, TraceLoggingProvider.h): how a
    /// decoder shows it.
    OutType {
        /// The in-type's default.
        Default = 0,
        /// An integer in hexadecimal (`TlgOutHEX`).
        Hex = 4,
        /// A `U32` as an IPv4 address (network order).
        IPv4 = 8,
        /// A 16-byte `Binary` as an IPv6 address.
        IPv6 = 9,
        /// A `Binary` `SOCKADDR` of any family, read by its family (`TlgOutSOCKETADDRESS`).
        SocketAddress = 10,
        /// A 64-bit integer as a `FILETIME` date and time (`TlgOutFILETIME`).
        DateTime = 16,
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    //! The oracle: Microsoft's crate (a dev-dependency: tests run on the host, which links
    //! whatever it names) and `windows-sys`.
    use core::mem::{align_of, offset_of, size_of};

    use windows_sys::Win32::System::Diagnostics::Etw::EVENT_DESCRIPTOR;
    use windows_sys::core::GUID;

    use crate::output::trace::abi::*;

    #[test]
    fn every_value_is_the_crate_s() {
        use tracelogging as tl;
        let channels = [
            (Channel::TraceClassic, tl::Channel::TraceClassic),
            (Channel::TraceLogging, tl::Channel::TraceLogging),
        ];
        for (ours, theirs) in channels {
            assert_eq!(ours.as_int(), theirs.as_int());
        }
        let levels = [
            (Level::LogAlways, tl::Level::LogAlways),
            (Level::Critical, tl::Level::Critical),
            (Level::Error, tl::Level::Error),
            (Level::Warning, tl::Level::Warning),
            (Level::Informational, tl::Level::Informational),
            (Level::Verbose, tl::Level::Verbose),
        ];
        for (ours, theirs) in levels {
            assert_eq!(ours.as_int(), theirs.as_int());
        }
        assert_eq!(Opcode::Info.as_int(), tl::Opcode::Info.as_int());
        let in_types = [
            (InType::CStr16, tl::InType::CStr16),
            (InType::CStr8, tl::InType::CStr8),
            (InType::U8, tl::InType::U8),
            (InType::U16, tl::InType::U16),
            (InType::I32, tl::InType::I32),
            (InType::U32, tl::InType::U32),
            (InType::I64, tl::InType::I64),
            (InType::U64, tl::InType::U64),
            (InType::F64, tl::InType::F64),
            (InType::Bool32, tl::InType::Bool32),
            (InType::Binary, tl::InType::Binary),
        ];
        for (ours, theirs) in in_types {
            assert_eq!(ours.as_int(), theirs.as_int(), "{theirs:?}");
        }
        assert_eq!(
            InType::U32Array.as_int(),
            tl::InType::U32.as_int() | tl::InType::VariableCountFlag
        );
        let out_types = [
            (OutType::Default, tl::OutType::Default),
            (OutType::Hex, tl::OutType::Hex),
            (OutType::IPv4, tl::OutType::IPv4),
            (OutType::IPv6, tl::OutType::IPv6),
            (OutType::SocketAddress, tl::OutType::SocketAddress),
            (OutType::DateTime, tl::OutType::DateTime),
        ];
        for (ours, theirs) in out_types {
            assert_eq!(ours.as_int(), theirs.as_int(), "{theirs:?}");
        }
        for value in 0..=u8::MAX {
            assert_eq!(InType::from_int(value).as_int(), value);
            assert_eq!(OutType::from_int(value).as_int(), value);
            assert_eq!(Level::from_int(value).as_int(), value);
        }
    }

    #[test]
    fn the_descriptor_is_the_crate_s_and_windows_s() {
        use tracelogging::_internal::EventDescriptor as Theirs;
        assert_eq!(size_of::<EventDescriptor>(), size_of::<Theirs>());
        assert_eq!(align_of::<EventDescriptor>(), align_of::<Theirs>());
        assert_eq!(size_of::<EventDescriptor>(), size_of::<EVENT_DESCRIPTOR>());
        assert_eq!(
            align_of::<EventDescriptor>(),
            align_of::<EVENT_DESCRIPTOR>()
        );
        let offsets = [
            (
                offset_of!(EventDescriptor, id),
                offset_of!(Theirs, id),
                offset_of!(EVENT_DESCRIPTOR, Id),
            ),
            (
                offset_of!(EventDescriptor, version),
                offset_of!(Theirs, version),
                offset_of!(EVENT_DESCRIPTOR, Version),
            ),
            (
                offset_of!(EventDescriptor, channel),
                offset_of!(Theirs, channel),
                offset_of!(EVENT_DESCRIPTOR, Channel),
            ),
            (
                offset_of!(EventDescriptor, level),
                offset_of!(Theirs, level),
                offset_of!(EVENT_DESCRIPTOR, Level),
            ),
            (
                offset_of!(EventDescriptor, opcode),
                offset_of!(Theirs, opcode),
                offset_of!(EVENT_DESCRIPTOR, Opcode),
            ),
            (
                offset_of!(EventDescriptor, task),
                offset_of!(Theirs, task),
                offset_of!(EVENT_DESCRIPTOR, Task),
            ),
            (
                offset_of!(EventDescriptor, keyword),
                offset_of!(Theirs, keyword),
                offset_of!(EVENT_DESCRIPTOR, Keyword),
            ),
        ];
        for (ours, crate_s, windows) in offsets {
            assert_eq!((ours, ours), (crate_s, windows));
        }
        // The same constructors: every field equal, byte for byte.
        let pairs = [
            (EventDescriptor::zero(), Theirs::zero()),
            (
                EventDescriptor::new(Level::Warning, 0x8000_0000_0000_0010),
                Theirs::new(tracelogging::Level::Warning, 0x8000_0000_0000_0010),
            ),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(
                (
                    ours.id,
                    ours.version,
                    ours.channel.as_int(),
                    ours.level.as_int()
                ),
                (
                    theirs.id,
                    theirs.version,
                    theirs.channel.as_int(),
                    theirs.level.as_int()
                )
            );
            assert_eq!(
                (ours.opcode.as_int(), ours.task, ours.keyword),
                (theirs.opcode.as_int(), theirs.task, theirs.keyword)
            );
        }
    }

    #[test]
    fn the_guid_is_the_crate_s_and_windows_s() {
        assert_eq!(size_of::<Guid>(), size_of::<GUID>());
        assert_eq!(align_of::<Guid>(), align_of::<GUID>());
        assert_eq!(offset_of!(Guid, data1), offset_of!(GUID, data1));
        assert_eq!(offset_of!(Guid, data2), offset_of!(GUID, data2));
        assert_eq!(offset_of!(Guid, data3), offset_of!(GUID, data3));
        assert_eq!(offset_of!(Guid, data4), offset_of!(GUID, data4));
        assert_eq!(size_of::<Guid>(), size_of::<tracelogging::Guid>());
        assert_eq!(align_of::<Guid>(), align_of::<tracelogging::Guid>());
        for value in [
            0,
            u128::MAX,
            0xa3a2_a1a0_b1b0_c1c0_d7d6_d5d4_d3d2_d1d0,
            0xcabe_4808_b99f_5fdb_95a1_c129_4a86_1355,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            let ours = Guid::from_u128(&value);
            let theirs = tracelogging::Guid::from_u128(&value);
            assert_eq!(ours.to_u128(), value);
            assert_eq!(ours.to_utf8_bytes(), theirs.to_utf8_bytes(), "{value:#x}");
            let fields = theirs.to_fields();
            assert_eq!((ours.data1, ours.data2, ours.data3, ours.data4), fields);
            let windows = GUID::from_u128(value);
            assert_eq!(
                (ours.data1, ours.data2, ours.data3, ours.data4),
                (windows.data1, windows.data2, windows.data3, windows.data4)
            );
        }
    }
}
