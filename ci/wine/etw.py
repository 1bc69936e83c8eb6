#!/usr/bin/env python3
"""Reads a `--keep-etw` log (docs/replay.md#etw) and decodes its TraceLogging events with a
decoder this project did not write: PyPI `etl-parser`'s TraceLogging decoder
(`etl.parsers.tracelogging.TraceLogging().load(metadata, payload)`), pinned in REQUIREMENTS.

    ci/wine/etw.py FILE.etw.jsonl     prints each decoded event as one JSON object a line
    ci/wine/etw.py FILE.etw.jsonl JSON.jsonl
                                      checks them against `cargo replay --json`'s objects
                                      (json_view: docs/replay.md#etw)

Each event decodes to `{"event": NAME, FIELD: VALUE, ...}`: integers as numbers, BOOL32 as
true/false, DOUBLE as a number, text as strings, and the fields whose out-type says IPv4 (a
UINT32 in network order) or IPv6 (16 counted bytes) as addresses, as ETW's own decoders show
them.
"""
import hashlib
import ipaddress
import json
import struct
import subprocess
import sys
import uuid

# The decoder and its one dependency, pinned (installed as pefile is: .ci/run, ci/wine/run).
REQUIREMENTS = ["etl-parser==1.0.1", "construct==2.10.70"]
PROVIDER = "netnotify"
OUT_IPV4, OUT_IPV6 = 8, 9  # TraceLogging out-types (TraceLoggingProvider.h, TlgOutIPV4/6)


def decoder():
    """etl-parser's TraceLogging class, installed if missing."""
    try:
        from etl.parsers.tracelogging import TraceLogging
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                       check=True)
        from etl.parsers.tracelogging import TraceLogging
    return TraceLogging


def name_hash(name):
    """The provider GUID ETW tools derive from a name (`*name` in tracelog, WPR, PerfView):
    SHA-1 over the EventSource namespace and the upper-cased name in UTF-16BE, the first 16
    bytes with the version nibble 5, read as a little-endian GUID. Written from the algorithm
    here, not from the driver's code, so that it checks the driver's constant."""
    namespace = bytes.fromhex("482C2DB2C39047C887F81A15BFC130FB")
    digest = bytearray(hashlib.sha1(namespace + name.upper().encode("utf-16-be")).digest()[:16])
    digest[7] = (digest[7] & 0x0F) | 0x50
    return "{" + str(uuid.UUID(bytes_le=bytes(digest))) + "}"


def load(path):
    """The calls of a log, in order."""
    with open(path, encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]


def decode(call, tracelogging=None):
    """One EtwWriteTransfer call's event, decoded by etl-parser."""
    tracelogging = tracelogging or decoder()
    data = {part["type"]: bytes.fromhex(part["hex"]) for part in call["data"]}
    decoded = tracelogging().load(data[1], data[0])
    event = {"event": decoded.get_name()}
    for field in decoded.scheme.fields:
        value = decoded[field.name]
        out = field.tag_out if field.tag_in & 0x80 else 0
        if out == OUT_IPV4:
            value = str(ipaddress.IPv4Address(struct.pack("<I", value)))
        elif out == OUT_IPV6:
            value = str(ipaddress.IPv6Address(bytes(value)))
        event[field.name] = value
    return event


def events(calls):
    """The decoded events of a log's writes, in order."""
    tracelogging = decoder()
    return [decode(call, tracelogging) for call in calls if call["call"] == "EtwWriteTransfer"]


# The one value that differs between Wine and `cargo replay` (docs/checks.md#wine): the least
# stack the driver saw, `min-stack`, the last field of the unloaded and counters events. Under
# Wine IoGetStackLimits gives a user thread's limits, real but different in every run; the
# simulator gives a fixed number. Compared, both are set to 0, and nothing else is touched.
STACK_FIELD = "min-stack"
STACK_EVENTS = ("unloaded", "counters")


def without_stack(calls, tracelogging=None):
    """The calls with `min-stack`'s eight payload bytes zeroed in the unloaded and counters
    events (where it is the last field: checked by decoding)."""
    tracelogging = tracelogging or decoder()
    normalised = []
    for call in calls:
        if call["call"] == "EtwWriteTransfer":
            event = decode(call, tracelogging)
            if event["event"] in STACK_EVENTS and list(event)[-1] == STACK_FIELD:
                data = []
                for part in call["data"]:
                    if part["type"] == 0:
                        part = {**part, "hex": part["hex"][:-16] + "00" * 8}
                    data.append(part)
                call = {**call, "data": data}
        normalised.append(call)
    return normalised


def stack_of(calls, tracelogging=None):
    """`min-stack` of the last unloaded (or counters) event of the calls, if any."""
    tracelogging = tracelogging or decoder()
    found = None
    for call in calls:
        if call["call"] == "EtwWriteTransfer":
            event = decode(call, tracelogging)
            if event["event"] in STACK_EVENTS:
                found = event.get(STACK_FIELD, found)
    return found


# The notifications' events carry their `seq` (the driver's count); the driver's own records'
# `seq` numbers `cargo replay --json`'s objects and is in no event.
NOTIFICATION_KINDS = ("interface", "address", "route", "stable-table")


def json_view(objects, registered=True):
    """What the driver's events decode to, from `cargo replay --json`'s objects, in order: one
    record, two renderings (docs/replay.md#etw, the same rules as netnotify_replay::json::
    etw_view). No event for the objects before `settings` (printed before EtwRegister), or at
    all without a provider; `kind` is the event's name; `printed` and a driver record's `seq`
    are the lines' and left out; a null is a field the event leaves out; a nested object is its
    fields named `outer.inner`; the unloaded event always has low-stack and min-stack (0 where
    the line leaves low-stack out or says min-stack=none)."""
    if not registered:
        return []
    first = next((n for n, o in enumerate(objects) if o.get("kind") == "settings"), None)
    if first is None:
        return []
    view = []
    for obj in objects[first:]:
        kind = obj["kind"]
        event = {"event": kind}
        for key, value in obj.items():
            if kind == "unloaded" and key == "min-stack":
                # The stack guard's counters are in every unloaded event: low-stack 0 where the
                # line leaves it out, min-stack 0 where it says none (JSON null).
                event.setdefault("low-stack", 0)
                event[key] = 0 if value is None else value
                continue
            if key == "kind" or key == "printed" or value is None or \
                    (key == "seq" and kind not in NOTIFICATION_KINDS):
                continue
            if isinstance(value, dict):
                event.update({f"{key}.{name}": inner for name, inner in value.items()})
            else:
                event[key] = value
        view.append(event)
    return view


def same(events, objects):
    """The first index where decoded events and json_view objects differ (keys in order, and
    values), or None."""
    for n, (event, obj) in enumerate(zip(events, objects)):
        if list(event.items()) != list(obj.items()):
            return n
    return None if len(events) == len(objects) else min(len(events), len(objects))


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    if len(sys.argv) == 3:
        calls = load(sys.argv[1])
        decoded = events(calls)
        objects = json_view(load(sys.argv[2]), any(c["call"] == "EtwRegister" for c in calls))
        at = same(decoded, objects)
        if at is not None:
            print(f"event {at}: {decoded[at:at + 1]}\n  --json: {objects[at:at + 1]}")
            return 1
        print(f"{len(decoded)} events equal cargo replay --json's objects")
        return 0
    for event in events(load(sys.argv[1])):
        print(json.dumps(event, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
