//! ETW: netnotify's `TraceLogging` provider.
//!
//! Owns the provider's name, GUID and traits, its keywords and levels, whether a session
//! listens ([`Session`]), the self-describing encoding of an event ([`Event`], written through
//! [`Fields`]), how each value of a record becomes a typed field ([`Fields::value`]), the
//! start of every event and the driver's own events ([`start_change`], [`settings_event`] and
//! their siblings), and the boundary to the kernel's `Etw*` routines ([`Trace`]). Each lives in
//! a module of its own: `provider` (name, GUID, traits, keywords, [`Trace`]), `session`,
//! `encoding` ([`Event`], [`Fields`]) and `events`; their items keep their paths here.
//!
//! One record, two renderings: a notification's or stable table's event carries every field
//! its record has, taken from the field table ([`crate::fields`]) through the renderer's
//! visitors, the same path `cargo replay --json` writes its objects by; the driver's own events
//! carry `--json`'s names and values for its lines. docs/replay.md#etw gives the rules (types,
//! `null`, the keys that are the lines' only), `replay/tests/etw_json.rs` and `ci/wine/run`
//! hold every event to its JSON object.
//!
//! `TraceLogging` events describe themselves: each write carries the provider's traits, the
//! event's metadata (its name, then each field's name and type) and the payload, in three
//! data descriptors, so no manifest is installed (Microsoft Learn, "`TraceLogging`" and
//! "`EtwWriteTransfer`"). The encoding constants (`InType`, `OutType`, `Level`, `Channel`), the
//! descriptor layout and the GUID are Microsoft's `tracelogging` crate's, mirrored in `abi`
//! (which says why the driver does not depend on the crate) and tested against it. The events
//! are built here, in the core, rather than by the crate's `write_event!` in the shell: the
//! crate's provider is a no-op on other hosts, so only events the core builds can be recorded
//! by the simulator's trace double and compared with the lines; and the crate's
//! `Provider::register` has runtime `panic!`s that the image's no-panic proof cannot exclude,
//! so the shell calls the `Etw*` routines itself (`src/shell/etw.rs` says how).
//!
//! Building an event allocates nothing and cannot panic: the metadata and the payload are
//! written into fixed buffers on the caller's stack; an event that does not fit is not
//! written (and counted in [`Session::dropped`]). Storm control does not apply: ETW is made
//! for rates `DbgPrint` is not.

mod abi;
mod encoding;
mod events;
mod provider;
mod session;

pub use abi::{Channel, EventDescriptor, Guid, InType, Level, Opcode, OutType};

pub use encoding::{Event, Fields, METADATA_CAPACITY, PAYLOAD_CAPACITY};
pub use events::{
    ADDRESS_METADATA, AddressEvent, INTERFACE_METADATA, INTERFACE_PAYLOAD, InterfaceEvent,
    MessageEvent, ROUTE_METADATA, ROW_PAYLOAD, RouteEvent, STABLE_METADATA, STORM_METADATA,
    STORM_PAYLOAD, StableEvent, StormEvent, counters_event, message_event, millis_as_seconds,
    settings_event, start_change, start_stable, storm_event,
};
pub use provider::{
    BracedGuid, CAPTURE_STATE, DESCRIPTOR_EVENT_METADATA, DESCRIPTOR_PAYLOAD,
    DESCRIPTOR_PROVIDER_TRAITS, EVENT_PROVIDER_SET_TRAITS, EVENT_PROVIDER_USE_DESCRIPTOR_TYPE,
    PROVIDER_GUID, PROVIDER_NAME, PROVIDER_TRAITS, ProviderInformation, RegHandle, Trace, keyword,
    keyword_of,
};
pub use session::{Control, Session};

#[cfg(test)]
mod tests {
    use super::events::note;
    use super::*;
    use crate::model::record::Note;

    #[test]
    fn the_guid_is_tracelogging_s_hash_of_the_name() {
        let hash = tracelogging::Guid::from_name(PROVIDER_NAME);
        assert_eq!(PROVIDER_GUID.to_u128(), hash.to_u128());
        assert_eq!(PROVIDER_GUID.to_utf8_bytes(), hash.to_utf8_bytes());
        assert_eq!(
            std::format!("{BracedGuid}"),
            "{cabe4808-b99f-5fdb-95a1-c1294a861355}"
        );
    }

    // What Microsoft's crate makes of the same name: its `define_provider!` computes the GUID
    // and the provider metadata at compile time.
    tracelogging::define_provider!(CRATE_PROVIDER, "netnotify");

    #[test]
    fn the_guid_and_traits_are_those_of_the_crate_s_provider() {
        assert_eq!(CRATE_PROVIDER.id().to_u128(), PROVIDER_GUID.to_u128());
        assert_eq!(CRATE_PROVIDER.raw_meta(), &PROVIDER_TRAITS[..]);
        assert_eq!(CRATE_PROVIDER.name(), PROVIDER_NAME);
    }

    #[test]
    fn the_traits_are_the_size_and_the_name() {
        assert_eq!(usize::from(PROVIDER_TRAITS[0]), PROVIDER_TRAITS.len());
        assert_eq!(&PROVIDER_TRAITS[2..11], PROVIDER_NAME.as_bytes());
    }

    #[test]
    fn an_event_encodes_as_tracelogging_metadata_and_payload() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        event.u32("a", 7);
        event.ipv4("b", [10, 0, 0, 1]);
        event.str("c", "x");
        assert_eq!(
            event.metadata().unwrap(),
            b"\x0f\x00\x00e\0a\0\x08b\0\x88\x08c\0\x02"
        );
        assert_eq!(event.payload(), b"\x07\0\0\0\x0a\0\0\x01x\0");
        let descriptor = event.descriptor();
        assert_eq!(descriptor.level, Level::Warning);
        assert_eq!(descriptor.keyword, keyword::ROUTE);
        assert_eq!(descriptor.channel, Channel::TraceLogging);
    }

    #[test]
    fn a_session_selects_by_level_and_keyword() {
        let session = Session::default();
        session.publish(RegHandle(1));
        assert!(!session.enabled(Level::Error, keyword::ROUTE));
        session.control(1, 4, keyword::ROUTE, 0);
        assert!(session.enabled(Level::Informational, keyword::ROUTE));
        assert!(!session.enabled(Level::Verbose, keyword::ROUTE));
        assert!(!session.enabled(Level::Informational, keyword::INTERFACE));
        session.control(1, 0, u64::MAX, 0);
        assert!(session.enabled(Level::Verbose, keyword::INTERFACE));
        assert_eq!(session.control(2, 0, 0, 0), Control::CaptureState);
        session.control(0, 0, 0, 0);
        assert!(!session.enabled(Level::Error, keyword::LIFECYCLE));
    }

    /// Without a published handle no event could be written: none is wanted, whatever the
    /// session asked for (before the traits are set, after they failed, from the unpublish).
    #[test]
    fn no_event_is_wanted_without_a_published_handle() {
        let session = Session::default();
        session.control(1, 0, u64::MAX, 0);
        assert!(!session.enabled(Level::Critical, keyword::LIFECYCLE));
        session.publish(RegHandle(1));
        assert!(session.enabled(Level::Critical, keyword::LIFECYCLE));
        assert_eq!(session.unpublish(), RegHandle(1));
        assert!(!session.enabled(Level::Critical, keyword::LIFECYCLE));
    }

    #[test]
    fn an_event_that_does_not_fit_is_refused() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        for _ in 0..100 {
            event.str("field", "0123456789");
        }
        assert!(event.metadata().is_none());
    }

    #[test]
    fn seconds_are_the_double_a_parser_reads_from_the_line() {
        let mut millis: u64 = 0;
        while millis < 5_000_000 {
            let text = std::format!("{}.{:03}", millis / 1000, millis % 1000);
            let parsed: f64 = text.parse().unwrap();
            assert_eq!(millis_as_seconds(millis), parsed.to_bits(), "{text}");
            millis += 1 + millis / 7;
        }
        for millis in [
            1,
            46,
            999,
            1000,
            1001,
            u64::from(u32::MAX),
            u64::MAX / 3,
            u64::MAX,
        ] {
            #[allow(clippy::cast_precision_loss, reason = "the reference")]
            let expected = (millis as f64 / 1000.0).to_bits();
            // Division of the nearest double is not always the nearest quotient; the exact
            // quotient's nearest double is, and for these values they agree.
            assert_eq!(millis_as_seconds(millis), expected, "{millis}");
        }
    }

    #[test]
    fn a_note_is_its_words() {
        let mut event: Event = Event::new("e", Level::Warning, keyword::ROUTE);
        note(&mut event.fields(), Note::Gone);
        note(&mut event.fields(), Note::None);
        note(&mut event.fields(), Note::NotPassive(2));
        assert_eq!(
            event.payload(),
            b"gone before re-query\0not re-queried at IRQL 2\0"
        );
    }
}
