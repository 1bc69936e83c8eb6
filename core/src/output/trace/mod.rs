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
//! its record has, taken from the field table ([`crate::model::fields`]) through the renderer's
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
pub mod decode;
mod encoding;
mod events;
pub(crate) mod provider;
pub mod read;
pub mod schema;
mod session;

pub use abi::{Channel, EventDescriptor, Guid, InType, Level, Opcode, OutType};

pub use encoding::{Event, Fields};
pub use events::{
    AddressEvent, CountersEvent, InterfaceEvent, LoadedEvent, MessageEvent, RouteEvent,
    SettingsEvent, StableEvent, StormEvent, change_event, counters_event, loaded_event,
    message_event, millis_as_seconds, new_message_event, new_storm_event, settings_event,
    stable_event, start_change, start_stable, storm_event,
};
pub use provider::{
    BracedGuid, CAPTURE_STATE, DESCRIPTOR_EVENT_METADATA, DESCRIPTOR_PAYLOAD,
    DESCRIPTOR_PROVIDER_TRAITS, EVENT_PROVIDER_SET_TRAITS, EVENT_PROVIDER_USE_DESCRIPTOR_TYPE,
    PAYLOAD_PARTS, PROVIDER_GUID, PROVIDER_NAME, PROVIDER_TRAITS, Parts, ProviderInformation,
    RegHandle, Trace, keyword, keyword_of,
};
pub use schema::{Column, Columns, SCHEMAS, Schema, schema};
pub use session::{Control, Session};

#[cfg(test)]
mod tests {
    use super::events::start_change;
    use super::*;
    use crate::model::decode::Change;
    use crate::model::record::Note;
    use crate::model::record::NoteWords;

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

    /// A schema's metadata, built at compile time, is TraceLoggingProvider.h's layout: its
    /// size, no tags, the name, each column's name and in-type (with the high bit and the
    /// out-type when it has one).
    #[test]
    fn a_schema_s_metadata_is_tracelogging_s_layout() {
        const COLUMNS: [Column; 3] = [
            Column::u32("a"),
            Column {
                out_type: OutType::IPv4,
                ..Column::u32("b")
            },
            Column::text("c", 4),
        ];
        static METADATA: [u8; schema::metadata_len("e", &COLUMNS)] =
            schema::metadata("e", &COLUMNS);
        assert_eq!(&METADATA, b"\x0f\x00\x00e\0a\0\x08b\0\x88\x08c\0\x02");
    }

    /// Every schema's metadata starts with its size and names the event; each event's
    /// descriptor is the schema's level and keyword on the `TraceLogging` channel.
    #[test]
    fn every_schema_s_metadata_is_its_name_and_columns() {
        for schema in &SCHEMAS {
            let size = u16::from_le_bytes([schema.metadata[0], schema.metadata[1]]);
            assert_eq!(usize::from(size), schema.metadata.len(), "{}", schema.name);
            let name_end = 3 + schema.name.len();
            assert_eq!(&schema.metadata[3..name_end], schema.name.as_bytes());
            let event: Event<8> = Event::new(schema);
            let descriptor = event.descriptor();
            assert_eq!(descriptor.level, schema.level);
            assert_eq!(descriptor.keyword, schema.keyword);
            assert_eq!(descriptor.channel, Channel::TraceLogging);
            assert!(core::ptr::eq(event.metadata(), schema.metadata));
        }
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
        let mut event: Event<4> = Event::new(&schema::SETTINGS_EVENT);
        event.fields().u64("seq", 1);
        assert!(!event.finish());
        // Written out of its schema's order: refused too.
        let mut event: Event<{ schema::SETTINGS_EVENT.payload }> =
            Event::new(&schema::SETTINGS_EVENT);
        event.fields().bool32("printed", true);
        event.fields().u64("seq", 1);
        assert!(!event.finish());
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

    /// The change header, written without looking its columns up, is byte for byte what the
    /// column-by-column writer makes of the same values; its note is its words or empty.
    #[test]
    fn a_change_header_is_what_the_columns_writer_makes() {
        for (change, note, words) in [
            (Change::Add, Note::Gone, "gone before re-query"),
            (Change::Other(7), Note::None, ""),
            (
                Change::Parameter,
                Note::NotPassive(2),
                "not re-queried at IRQL 2",
            ),
        ] {
            let mut fast: Event<{ schema::ROUTE.payload }> = Event::new(&schema::ROUTE);
            start_change(&mut fast, change, 1, true, note);
            let mut slow: Event<{ schema::ROUTE.payload }> = Event::new(&schema::ROUTE);
            let mut fields = slow.fields();
            let mut number = itoa::Buffer::new();
            let word = match change {
                Change::Other(raw) => number.format(raw),
                known => known.name(),
            };
            fields.str("change", word);
            fields.u64("seq", 1);
            fields.bool32("printed", true);
            fields.put("note", &NoteWords(note));
            fields.present();
            fields.u32("if", 3);
            fast.fields().u32("if", 3);
            assert!(fast.finish() && slow.finish());
            assert_eq!(fast.payload(), slow.payload(), "{word} {words}");
            let at = word.len() + 1 + 8 + 4;
            assert_eq!(&fast.payload()[at..at + words.len()], words.as_bytes());
            assert_eq!(fast.payload()[at + words.len()], 0);
        }
    }

    /// A schema without the change header (the stable table's) refuses it: malformed, not
    /// written.
    #[test]
    fn a_change_header_in_another_schema_is_refused() {
        const {
            assert!(
                schema::ROUTE.change
                    && !schema::STABLE_TABLE.change
                    && !schema::LOADED_EVENT.change
            );
        }
        let mut event: Event<{ schema::STABLE_TABLE.payload }> = Event::new(&schema::STABLE_TABLE);
        start_change(&mut event, Change::Add, 1, true, Note::None);
        assert!(!event.finish());
        // Nor after a column was written.
        let mut event: Event<{ schema::ROUTE.payload }> = Event::new(&schema::ROUTE);
        event.fields().str("change", "add");
        start_change(&mut event, Change::Add, 1, true, Note::None);
        assert!(!event.finish());
    }
}
