//! The watcher's decoder (`netnotify_core::output::trace::decode`) over every simulator write:
//! each scenario here and under `ci/wine/scenarios/` played with a session that takes every
//! event (capture state included), each `EtwWriteTransfer`'s metadata and payload as the
//! simulator's ETW double logs them (docs/replay.md#etw), decoded with no error, and each
//! field's value the one the simulator's own reading of the same bytes (`sim::decode_etw`)
//! gives. By in-type: a field of a type or out-type this test does not convert is held to its
//! key only, so the columns can change type without this test knowing them.

use std::path::Path;

use netnotify_core::output::trace::decode::{self, Item, Value as Decoded, in_type, out_type};
use netnotify_core::sim::decode_etw;
use netnotify_replay::EtwSession;
use serde_json::{Map, Value};

/// A decoded value as the simulator's JSON writes it; `None`: not converted here.
fn json(value: &Decoded<'_>, in_type_: u8, out_type_: u8) -> Option<Value> {
    Some(match (*value, in_type_, out_type_) {
        (Decoded::U32(bits), in_type::U32, out_type::IPV4) => {
            Value::from(std::net::Ipv4Addr::from(bits.to_le_bytes()).to_string())
        }
        (Decoded::Binary(bytes), in_type::BINARY, out_type::IPV6) => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            Value::from(std::net::Ipv6Addr::from(octets).to_string())
        }
        (_, _, out_type::DEFAULT) => match *value {
            Decoded::U8(number) => Value::from(number),
            Decoded::U16(number) => Value::from(number),
            Decoded::U32(number) => Value::from(number),
            Decoded::I32(number) => Value::from(number),
            Decoded::I64(number) => Value::from(number),
            Decoded::U64(number) => Value::from(number),
            Decoded::F64(number) => Value::from(number),
            Decoded::Bool32(number) => Value::from(number != 0),
            Decoded::CStr8(bytes) => Value::from(std::str::from_utf8(bytes).ok()?),
            Decoded::CStr16(units) => Value::from(units.chars().collect::<String>()),
            _ => return None,
        },
        _ => return None,
    })
}

/// The writes of one scenario compared with the simulator's reading; those after (a storm's
/// hundred thousand) are decoded without error only, to keep the test's time.
const COMPARED: usize = 2000;

/// Every write of `scenario` played with every event asked for: (events, fields compared).
fn check(name: &str, text: &str) -> (usize, usize) {
    let scenario =
        netnotify_replay::parse(text).unwrap_or_else(|error| panic!("{name}: {error:?}"));
    let session = EtwSession::parse("5:0xffffffffffffffff:capture-state").unwrap();
    let (_, log) =
        netnotify_replay::run_with_etw(&scenario, session, &mut Vec::new(), &mut Vec::new())
            .unwrap();
    let (mut events, mut fields) = (0, 0);
    for write in netnotify_replay::etw_writes(&log) {
        let event = decode::decode(&write.metadata, &write.payload, 8)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        events += 1;
        if events > COMPARED {
            for item in event.fields {
                item.unwrap_or_else(|error| panic!("{name}: {error}"));
            }
            continue;
        }
        let theirs: Map<String, Value> = serde_json::from_str(&decode_etw(&write))
            .unwrap_or_else(|error| panic!("{name}: {error}: {}", decode_etw(&write)));
        assert_eq!(
            decode::ProviderTraits::read(&write.traits).unwrap().name,
            "netnotify"
        );
        assert_eq!(Some(event.name), theirs["event"].as_str(), "{name}");
        let mut keys = vec!["event".to_owned()];
        for item in event.fields {
            let Item::Field(field) = item.unwrap_or_else(|error| panic!("{name}: {error}")) else {
                panic!("{name}: the driver writes no struct");
            };
            keys.push(field.meta.name.to_owned());
            if let Some(ours) = json(&field.value, field.meta.in_type, field.meta.out_type) {
                assert_eq!(
                    theirs.get(field.meta.name),
                    Some(&ours),
                    "{name}: {} field {}",
                    event.name,
                    field.meta.name
                );
                fields += 1;
            }
        }
        let their_keys: Vec<String> = theirs.keys().cloned().collect();
        assert_eq!(keys, their_keys, "{name}: {}", event.name);
    }
    (events, fields)
}

#[test]
#[cfg_attr(miri, ignore = "reads files, which Miri's isolation forbids")]
fn every_simulator_write_decodes_to_the_simulator_s_own_reading() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for folder in ["replay/scenarios", "replay/tests", "ci/wine/scenarios"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|extension| extension == "jsonl")
                && !path.to_string_lossy().ends_with(".hex.jsonl")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut events, mut fields) = (0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let (more_events, more_fields) = check(&path.display().to_string(), &text);
        events += more_events;
        fields += more_fields;
    }
    println!(
        "{} scenarios, {events} events, {fields} fields compared",
        files.len()
    );
    assert!(files.len() >= 10, "{files:?}");
    assert!(events > 100, "{events}");
}
