//! Every record of the driver's own is written twice from the same value: its line (what the
//! driver prints) and its `--json` object. Neither is read from the other: the object is
//! written from the record, with no line to read (`json.rs` has no line parser left).

use netnotify_core::model::counters::{ChangeCounts, StableCounts, Summary};
use netnotify_core::model::notification::{Notification, NotificationSet};
use netnotify_core::model::record::{
    ErrorMessage, Loaded, Record, SCHEMA, StableState, Storm, Totals, VERSION, WarningMessage,
};
use netnotify_core::model::settings::{RawValue, SETTINGS, Settings};
use netnotify_core::model::status::NtStatus;
use netnotify_core::output::render::record_lines;
use netnotify_replay::json::{Sequence, event};
use netnotify_replay::parse;
use netnotify_replay::{Output, run_as};
use serde_json::Value;

/// The record's line (none for `counters`) and its object, the first of its kind.
fn both(record: &Record) -> (Option<String>, String) {
    let (first, more) = record_lines(record);
    assert!(more.is_none(), "one line");
    (
        first.map(|line| line.as_str().to_owned()),
        event(record, &mut Sequence::default()).to_json(),
    )
}

fn totals() -> Totals {
    Totals {
        interface: ChangeCounts {
            initial: 2,
            add: 1,
            ..ChangeCounts::default()
        },
        address: ChangeCounts::default(),
        route: ChangeCounts {
            add: 950,
            delete: 1,
            other: 3,
            ..ChangeCounts::default()
        },
        stable: StableCounts {
            tables: 1,
            entries: 2,
        },
        kept: NotificationSet::EMPTY.with(Notification::Route),
        leaked_tables: 0,
        etw_dropped: 0,
        low_stack: 4,
        min_stack: Some(1100),
    }
}

#[test]
fn settings_line_and_object() {
    let (line, object) = both(&Record::Settings(Settings::DEFAULT));
    assert_eq!(
        line.as_deref(),
        Some(
            "netnotify: settings Notifications=15 Family=0 InitialNotification=1 Requery=1 \
             Verbosity=2 LinesPerSecond=20 Burst=100"
        )
    );
    assert_eq!(
        object,
        "{\"kind\":\"settings\",\"seq\":1,\"printed\":true,\"Notifications\":15,\"Family\":0,\
         \"InitialNotification\":1,\"Requery\":1,\"Verbosity\":2,\"LinesPerSecond\":20,\
         \"Burst\":100}"
    );
}

#[test]
fn loaded_line_and_object() {
    let loaded = Loaded {
        registered: NotificationSet::EMPTY
            .with(Notification::Interface)
            .with(Notification::StableTable),
        family: 23,
        initial: false,
        stable: StableState::Immediate(Some(3)),
        pinned: false,
        etw: false,
    };
    let (line, object) = both(&Record::Loaded(loaded));
    assert_eq!(
        line.as_deref(),
        Some(
            "netnotify: loaded registered=interface,stable-table family=ipv6 initial=no \
             stable-table=immediate entries=3 unload=enabled etw=off"
        )
    );
    assert_eq!(
        object,
        format!(
            "{{\"kind\":\"loaded\",\"seq\":1,\"printed\":true,\"version\":\"{VERSION}\",\
             \"schema\":{SCHEMA},\"registered\":\"interface,stable-table\",\"family\":\"ipv6\",\
             \"initial\":false,\"stable-table\":\"immediate\",\"entries\":3,\
             \"unload\":\"enabled\",\"etw\":\"off\"}}"
        )
    );
    // A NULL immediate table: ` (no table)` in the line, `entries` null in the object.
    let (line, object) = both(&Record::Loaded(Loaded {
        stable: StableState::Immediate(None),
        pinned: true,
        etw: true,
        ..loaded
    }));
    assert_eq!(
        line.as_deref(),
        Some(
            "netnotify: loaded registered=interface,stable-table family=ipv6 initial=no \
             stable-table=immediate (no table) unload=disabled \
             etw={cabe4808-b99f-5fdb-95a1-c1294a861355}"
        )
    );
    assert!(
        object.ends_with(
            "\"stable-table\":\"immediate\",\"entries\":null,\"unload\":\"disabled\",\
             \"etw\":\"{cabe4808-b99f-5fdb-95a1-c1294a861355}\"}"
        ),
        "{object}"
    );
}

#[test]
fn unloaded_line_and_object() {
    let (line, object) = both(&Record::Unloaded(totals()));
    assert_eq!(
        line.as_deref(),
        Some(
            "netnotify: unloaded interface(initial=2 add=1 delete=0 parameter=0 other=0) \
             address(initial=0 add=0 delete=0 parameter=0 other=0) route(initial=0 add=950 \
             delete=1 parameter=0 other=3) stable-table(tables=1 entries=2) kept=route \
             low-stack=4 min-stack=1100"
        )
    );
    assert_eq!(
        object,
        "{\"kind\":\"unloaded\",\"seq\":1,\"printed\":true,\
         \"interface\":{\"initial\":2,\"add\":1,\"delete\":0,\"parameter\":0,\"other\":0},\
         \"address\":{\"initial\":0,\"add\":0,\"delete\":0,\"parameter\":0,\"other\":0},\
         \"route\":{\"initial\":0,\"add\":950,\"delete\":1,\"parameter\":0,\"other\":3},\
         \"stable-table\":{\"tables\":1,\"entries\":2},\"kept\":\"route\",\"etw-dropped\":0,\
         \"low-stack\":4,\"min-stack\":1100}"
    );
}

/// Capture-state's counters: an ETW event only, so no line; its object has the versions.
#[test]
fn counters_has_no_line_and_its_object() {
    let (line, object) = both(&Record::Counters(Totals {
        kept: NotificationSet::EMPTY,
        low_stack: 0,
        min_stack: None,
        etw_dropped: 7,
        ..totals()
    }));
    assert_eq!(line, None);
    assert_eq!(
        object,
        format!(
            "{{\"kind\":\"counters\",\"seq\":1,\"printed\":false,\"version\":\"{VERSION}\",\
             \"schema\":{SCHEMA},\
             \"interface\":{{\"initial\":2,\"add\":1,\"delete\":0,\"parameter\":0,\"other\":0}},\
             \"address\":{{\"initial\":0,\"add\":0,\"delete\":0,\"parameter\":0,\"other\":0}},\
             \"route\":{{\"initial\":0,\"add\":950,\"delete\":1,\"parameter\":0,\"other\":3}},\
             \"stable-table\":{{\"tables\":1,\"entries\":2}},\"etw-dropped\":7,\
             \"min-stack\":null}}"
        )
    );
}

#[test]
fn storm_line_and_object() {
    let storm = Storm {
        notification: Notification::Route,
        summary: Summary {
            counts: ChangeCounts {
                add: 950,
                ..ChangeCounts::default()
            },
            first: 10_000_000,
            // 1.25 s and 0.9 ms later: the line and the object keep whole milliseconds.
            last: 22_509_000,
        },
    };
    let (line, object) = both(&Record::Storm(storm));
    assert_eq!(
        line.as_deref(),
        Some(
            "netnotify: storm: route lines not printed: initial=0 add=950 delete=0 \
             parameter=0 other=0 over 1.250s"
        )
    );
    assert_eq!(
        object,
        "{\"kind\":\"storm\",\"seq\":1,\"printed\":true,\"notification\":\"route\",\
         \"initial\":0,\"add\":950,\"delete\":0,\"parameter\":0,\"other\":0,\"over\":1.25}"
    );
}

#[test]
fn error_line_and_object() {
    let (line, object) = both(&Record::Error(ErrorMessage::FailedKept {
        notification: Notification::Route,
        status: NtStatus(0xC000_009Au32.cast_signed()),
        cancelled: NotificationSet::EMPTY.with(Notification::Interface),
        kept: NotificationSet::EMPTY.with(Notification::Address),
    }));
    let message = "NotifyRouteChange2 failed with status 0xC000009A; rolled back interface; \
                   kept=address; netnotify stays loaded (unload disabled)";
    assert_eq!(line, Some(format!("netnotify: error: {message}")));
    assert_eq!(
        object,
        format!("{{\"kind\":\"error\",\"seq\":1,\"printed\":true,\"message\":\"{message}\"}}")
    );
    let (line, object) = both(&Record::Error(ErrorMessage::StableLeaked(2)));
    let message = "stable-table pending delivered at IRQL 2: not read, not freed \
                   (FreeMibTable needs IRQL below DISPATCH_LEVEL); leaked";
    assert_eq!(line, Some(format!("netnotify: error: {message}")));
    assert_eq!(
        object,
        format!("{{\"kind\":\"error\",\"seq\":1,\"printed\":true,\"message\":\"{message}\"}}")
    );
}

#[test]
fn warning_line_and_object() {
    let family = SETTINGS
        .iter()
        .find(|s| s.name == "Family")
        .expect("Family");
    let record = Record::Warning(WarningMessage::setting_defaulted(
        family,
        RawValue::Other {
            value_type: 1,
            size: 6,
        },
    ));
    let (line, object) = both(&record);
    let message =
        "setting Family: found registry type 1, 6 bytes; expected a REG_DWORD 0, 4 or 6; using 0";
    assert_eq!(line, Some(format!("netnotify: warning: {message}")));
    assert_eq!(
        object,
        format!("{{\"kind\":\"warning\",\"seq\":1,\"printed\":true,\"message\":\"{message}\"}}")
    );
}

/// At `Verbosity` 0 no event line is printed, yet every event and every driver record has its
/// object: the objects come from the records, not from the lines (the old `--json` read the
/// driver's records back from their lines and had no object for a record without one).
#[test]
fn json_at_verbosity_0_has_every_record() {
    let text = "{\"step\":\"settings\",\"values\":{\"Verbosity\":0}}\n".to_owned()
        + netnotify_replay::LAPTOP_JOINS_WIFI;
    let scenario = parse(&text).expect("valid");
    let (mut lines, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Lines, &mut lines, &mut notes).expect("in memory");
    let lines = String::from_utf8(lines).expect("UTF-8");
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    run_as(&scenario, Output::Json, &mut out, &mut notes).expect("in memory");
    let objects: Vec<Value> = String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("an object"))
        .collect();
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    // Printed: only the driver's own lines.
    assert_eq!(
        lines.lines().count(),
        objects.iter().filter(|o| o["printed"] == true).count()
    );
    assert!(
        lines
            .lines()
            .all(|line| !line.starts_with("netnotify: interface "))
    );
    assert_eq!(kinds.first(), Some(&"settings"));
    assert!(
        kinds.contains(&"loaded") && kinds.contains(&"unloaded"),
        "{kinds:?}"
    );
    let events: Vec<&Value> = objects
        .iter()
        .filter(|o| ["interface", "address", "route"].contains(&o["kind"].as_str().unwrap()))
        .collect();
    assert!(events.len() > 10, "{}", events.len());
    assert!(events.iter().all(|o| o["printed"] == false));
    for object in &objects {
        let keys: Vec<&str> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.contains(&"seq") && keys.contains(&"printed"),
            "{object}"
        );
    }
}
