//! The field tables (`netnotify_core::model::fields`) are the one home of every field: the docs'
//! tables are made from them, and a field added to a table reaches the line, the readable-row
//! parser, the JSON, the ETW event and the docs.

use netnotify_core::boundary::ffi::{MibIpForwardRow2, SockaddrInet};
use netnotify_core::model::decode::{Lifetime, Luid, Route, Timestamp};
use netnotify_core::model::fields::{self, Field, Kind, Width, route};
use netnotify_core::output::line::Line;
use netnotify_core::output::render::Dec;
use netnotify_core::output::trace;
use netnotify_core::sim::{EtwWrite, decode_etw};
use netnotify_replay::{docs, json, readable};
use proptest::prelude::*;
use serde_json::json;

/// docs/lines.md and docs/replay.md hold exactly the tables `docs::tables` makes from the
/// field tables. `BLESS=1 cargo test -p netnotify-replay --test fields` rewrites them.
#[test]
#[cfg_attr(miri, ignore = "reads and writes files")]
fn the_docs_field_tables_are_made_from_the_field_tables() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for file in ["docs/lines.md", "docs/replay.md"] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).expect("docs");
        let mut made = text.clone();
        for (name, table) in docs::tables() {
            if !name.starts_with(file.trim_start_matches("docs/").trim_end_matches(".md")) {
                continue;
            }
            made = docs::replace(&made, name, &table)
                .unwrap_or_else(|| panic!("{file} has no <!-- fields:{name} --> table"));
        }
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &made).expect("write docs");
        } else {
            assert!(
                text == made,
                "{file}'s field tables differ from the field tables: run BLESS=1 cargo test \
                 -p netnotify-replay --test fields"
            );
        }
    }
}

/// Every field of every row table is in docs/lines.md's tables or its prose (the keys).
#[test]
fn every_field_is_documented_in_the_lines_docs() {
    let lines = include_str!("../../docs/lines.md");
    for field in fields::INTERFACE_ROW
        .iter()
        .chain(&fields::ADDRESS_ROW)
        .chain(&fields::ROUTE_ROW)
        .chain(&fields::interface::FLAG_BITS)
    {
        // A positional key (an address, a destination, a next hop) is named by its C field.
        let named = if field.label.ends_with('=') {
            lines.contains(&format!("`{}", field.name))
                || lines.contains(&format!(" {}=", field.name))
        } else {
            lines.contains(field.c.split(',').next().unwrap_or(field.c))
        };
        assert!(named, "docs/lines.md does not name `{}`", field.name);
    }
}

netnotify_core::fields! {
    /// A field a future issue might add: the route's age again, as a plain number.
    EXTRA: "extra", "Age" @ 96, Kind::Number(Width::U32), Named, "a test's field";
}

netnotify_core::segment! {
    /// The route's tail with the new field: the one place a record's fields are listed.
    fn put_route_tail, visit_route_tail(row: &Route) {
        route::METRIC => row.metric,
        EXTRA => Dec(row.age),
    }
}

/// The route's tail as an ETW schema: its metadata made from the table at compile time.
const TAIL: [trace::Column; 2] = trace::schema::columns(&[route::METRIC, EXTRA], 0);
static TAIL_METADATA: [u8; trace::schema::metadata_len("route", &TAIL)] =
    trace::schema::metadata("route", &TAIL);
static TAIL_SCHEMA: trace::Schema = trace::Schema {
    name: "route",
    level: trace::Level::Informational,
    keyword: trace::keyword::ROUTE,
    metadata: &TAIL_METADATA,
    payload: trace::schema::payload_room(&TAIL),
    names: false,
    change: false,
};

/// One field added to a table (`EXTRA`, declared once above) appears in the line, in the
/// readable-row parser (written at its offset), in the JSON, in the ETW event, and in the
/// docs' table.
#[test]
fn a_field_added_to_the_table_appears_everywhere() {
    let table: Vec<Field> = fields::ROUTE_ROW.iter().copied().chain([EXTRA]).collect();
    // The row parser: a row that gives `extra` has its value at the field's offset.
    let bytes = readable::row_of(
        "route",
        &table,
        size_of::<MibIpForwardRow2>(),
        json!({"destination": "10.0.0.0/8", "extra": 42})
            .as_object()
            .expect("object")
            .clone(),
    )
    .expect("a row with the new field");
    assert_eq!(bytes[96..100], 42_u32.to_le_bytes());
    let row = MibIpForwardRow2::from_bytes(&bytes).expect("a route row");
    let decoded = Route::decode(&row);
    // The line.
    let line = Line::written(|line| put_route_tail(line, &decoded));
    assert_eq!(line.as_str(), " route-metric=0 extra=42");
    // The JSON.
    let mut object = json::Object::default();
    visit_route_tail(&mut object, &decoded);
    assert_eq!(object.to_json(), "{\"route-metric\":0,\"extra\":42}");
    // The ETW event: the same field under the same name, a UINT32 (its kind's width), in a
    // schema whose metadata is made from the table at compile time (`TAIL_SCHEMA`); decoded
    // it equals the JSON object.
    let mut event: trace::Event<8> = trace::Event::new(&TAIL_SCHEMA);
    visit_route_tail(&mut event.fields(), &decoded);
    assert!(event.finish());
    assert!(TAIL_METADATA.ends_with(b"route-metric\0\x08extra\0\x08"));
    let write = EtwWrite {
        descriptor: event.descriptor(),
        traits: trace::PROVIDER_TRAITS.to_vec(),
        metadata: event.metadata().to_vec(),
        payload: event.payload().to_vec(),
    };
    assert_eq!(
        decode_etw(&write),
        "{\"event\":\"route\",\"route-metric\":0,\"extra\":42}"
    );
    // The docs.
    assert!(
        docs::replay_table(&table).contains("| `extra` | `Age` (96, u32) | number | number |  |")
    );
    assert!(docs::lines_table(&table).contains("| `extra` | `Age` | a number; a test's field |"));
    // The readable parser refuses it where the table does not have it.
    let refused = readable::route(
        json!({"destination": "10.0.0.0/8", "extra": 42})
            .as_object()
            .expect("object")
            .clone(),
    );
    assert!(refused.unwrap_err().contains("has no field \"extra\""));
    let _ = SockaddrInet::default();
}

/// Visiting a full record hands over exactly the fields of its row table, in order (and the
/// interface's names after the keys): the line, the JSON and the tables agree.
#[test]
fn visiting_a_full_record_gives_the_row_tables_fields_in_order() {
    let scenario = netnotify_replay::parse(netnotify_replay::LAPTOP_JOINS_WIFI).expect("valid");
    let mut seen = std::collections::BTreeSet::new();
    for event in netnotify_replay::recorded_events(&scenario) {
        let map = event.object.to_map();
        let kind = map["kind"].as_str().expect("kind").to_owned();
        let table: &[Field] = match kind.as_str() {
            "interface" => &fields::INTERFACE_ROW,
            "address" => &fields::ADDRESS_ROW,
            "route" => &fields::ROUTE_ROW,
            _ => continue,
        };
        let keys: Vec<&str> = event
            .object
            .keys()
            .filter(|key| !["kind", "change", "seq", "printed", "note", "row"].contains(key))
            .filter(|key| !["name", "alias"].contains(key))
            .collect();
        if keys.len() == table.len() {
            let names: Vec<&str> = table.iter().map(|field| field.name).collect();
            assert_eq!(keys, names, "{kind}");
            seen.insert(kind);
        }
    }
    assert_eq!(seen.len(), 3, "a full record of every kind: {seen:?}");
}

/// The `loaded` line's keys are the `LOADED` table's names (the lifecycle writes that line
/// itself), and `--json` reads the driver's records with those tables.
#[test]
#[cfg_attr(miri, ignore = "5000 notifications are too slow under Miri")]
fn the_loaded_line_has_the_loaded_tables_fields() {
    let mut with_entries = false;
    for text in [
        netnotify_replay::LAPTOP_JOINS_WIFI,
        netnotify_replay::VPN_ROUTE_STORM,
        "{\"step\":\"stable\",\"completion\":\"immediate\",\"rows\":[]}\n",
    ] {
        let scenario = netnotify_replay::parse(text).expect("valid");
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        netnotify_replay::run(&scenario, &mut out, &mut notes).expect("in memory");
        let out = String::from_utf8(out).expect("ASCII");
        let loaded = out
            .lines()
            .find_map(|line| line.strip_prefix("netnotify: loaded "))
            .expect("a loaded line");
        let keys: Vec<&str> = loaded
            .split(' ')
            .filter_map(|pair| pair.split_once('=').map(|(key, _)| key))
            .collect();
        let expected: Vec<&str> = fields::LOADED
            .iter()
            .map(|field| field.name)
            .filter(|name| *name != "entries" || keys.contains(&"entries"))
            .collect();
        with_entries |= keys.contains(&"entries");
        assert_eq!(keys, expected, "{loaded}");
    }
    assert!(with_entries);
}

/// The `unloaded` line's `kept=`, `leaked-tables=` and `etw-dropped=` (docs/netio.md#failed-cancel:
/// after the counts, each only when not empty) are in the table, and `--json` writes them from
/// the same record as a string and numbers; `etw-dropped` is 0 when the line has none, as in
/// the event.
#[test]
fn the_unloaded_lines_kept_leaked_tables_and_etw_dropped_are_in_its_object() {
    use netnotify_core::model::counters::{ChangeCounts, StableCounts};
    use netnotify_core::model::notification::{Notification, NotificationSet};
    use netnotify_core::model::record::{Record, Totals};

    let counts = ChangeCounts {
        initial: 2,
        add: 1,
        ..ChangeCounts::default()
    };
    let plain = Totals {
        interface: counts,
        address: counts,
        route: counts,
        stable: StableCounts {
            tables: 1,
            entries: 2,
        },
        kept: NotificationSet::EMPTY,
        leaked_tables: 0,
        etw_dropped: 0,
        low_stack: 0,
        min_stack: None,
    };
    let kept = Totals {
        kept: NotificationSet::EMPTY
            .with(Notification::Address)
            .with(Notification::Route),
        leaked_tables: 1,
        etw_dropped: 3,
        ..plain
    };
    let line = |totals| {
        netnotify_core::output::render::record_lines(&Record::Unloaded(totals))
            .0
            .expect("a line")
            .as_str()
            .to_owned()
    };
    assert!(
        line(kept).ends_with(&format!(
            "{}address,route{}1{}3 min-stack=none",
            fields::driver::KEPT.label,
            fields::driver::LEAKED_TABLES.label,
            fields::driver::ETW_DROPPED.label
        )),
        "{}",
        line(kept)
    );
    let object = json::event(&Record::Unloaded(kept), &mut json::Sequence::default()).to_json();
    assert!(
        object.ends_with(
            "\"stable-table\":{\"tables\":1,\"entries\":2},\"kept\":\"address,route\",\
             \"leaked-tables\":1,\"etw-dropped\":3,\"min-stack\":null}"
        ),
        "{object}"
    );
    assert!(line(plain).ends_with("stable-table(tables=1 entries=2) min-stack=none"));
    let object = json::event(&Record::Unloaded(plain), &mut json::Sequence::default()).to_json();
    assert!(
        object.ends_with(
            "\"stable-table\":{\"tables\":1,\"entries\":2},\"etw-dropped\":0,\
             \"min-stack\":null}"
        ),
        "{object}"
    );
}

proptest! {
    /// What a line prints of a LUID, a lifetime and a time stamp, written in a readable row,
    /// is the value the line was printed from: the parsers are the printers' own
    /// (`Luid::parse`, `Lifetime::parse`, `Timestamp::parse`), for every value, including a
    /// LUID with reserved bits and a negative time stamp, which replay refused before.
    #[test]
    fn a_readable_row_reads_back_what_a_line_printed(luid: u64, valid: u32, created: i64) {
        let row = readable::address_row(
            json!({
                "address": "192.168.1.23/24",
                "luid": Luid(luid).to_string(),
                "valid": Lifetime(valid).to_string(),
                "created": Timestamp(created).to_string(),
            })
            .as_object()
            .expect("object")
            .clone(),
        )
        .expect("a row of printed values");
        prop_assert_eq!(row.interface_luid, luid);
        prop_assert_eq!(row.valid_lifetime, valid);
        prop_assert_eq!(row.creation_time_stamp, created);
    }
}
