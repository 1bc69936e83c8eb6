#!/usr/bin/env python3
"""Reads a `--keep-etw` log (docs/replay.md#etw) and decodes its TraceLogging events with a
decoder this project did not write: PyPI `etl-parser`'s TraceLogging decoder
(`etl.parsers.tracelogging.TraceLogging().load(metadata, payload)`), pinned in REQUIREMENTS.

    ci/wine/etw.py FILE.etw.jsonl     prints each decoded event as one JSON object a line
    ci/wine/etw.py FILE.etw.jsonl JSON.jsonl
                                      checks them against `cargo replay --json`'s objects
                                      (json_view: docs/replay.md#etw)

Each event decodes to `{"event": NAME, FIELD: VALUE, ...}` (docs/replay.md#etw): integers
as numbers (a UINT64 whose out-type says HEX, a LUID, as "0x" and sixteen digits), BOOL32 as
true/false, DOUBLE as a number, text (8-bit and UTF-16) as strings, a counted UINT32 array
as a list, and a BINARY whose out-type says SOCKETADDRESS as its SOCKADDR_INET shown by its
family (IPv4 dotted, IPv6 as eight hex groups, none elided, with "%<scope id>" when set).
Every event of a name must carry the same metadata bytes (one schema per event name).
"""
import datetime
import hashlib
import ipaddress
import json
import pathlib
import re
import struct
import subprocess
import sys
import uuid

# The decoder and its one dependency, pinned (installed as pefile is: .ci/run, ci/wine/run).
REQUIREMENTS = ["etl-parser==1.0.1", "construct==2.10.70"]
PROVIDER = "netnotify"
# TraceLogging out-types (TraceLoggingProvider.h: TlgOutHEX, TlgOutIPV4/6,
# TlgOutSOCKETADDRESS).
OUT_HEX, OUT_IPV4, OUT_IPV6, OUT_SOCKADDR = 4, 8, 9, 10
# TraceLogging in-types (TlgInUNICODESTRING, TlgInANSISTRING, TlgInUINT8, TlgInUINT32,
# TlgInINT64, TlgInUINT64, TlgInDOUBLE, TlgInBOOL32, TlgInBINARY) and the variable-count flag
# (_TlgInVcount: a UINT16 count, then the elements).
IN_UTF16, IN_TEXT, IN_UINT8, IN_UINT32, IN_INT64, IN_UINT64 = 1, 2, 4, 8, 9, 10
IN_DOUBLE, IN_BOOL32, IN_BINARY, VCOUNT = 12, 13, 14, 0x40
# The name of the column after a prefix's address (`destination-length`).
LENGTH = "-length"
# The IANA ifType names a LUID prints, and the interface's flags in their order
# (docs/lines.md, which its tests hold to the code).
LINES_MD = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "lines.md").read_text(
    encoding="utf-8")
IF_TYPES = dict((name, int(number)) for name, number in re.findall(
    r"`(\w+)` (\d+)", LINES_MD.split("IANA ifType names printed:", 1)[1].split("\n\n", 1)[0]))
FLAGS = re.findall(r"`([a-z-]+)` \(`\w+`\)",
                   next(line for line in LINES_MD.splitlines() if line.startswith("| `flags` |")))


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


def parts(call):
    """A write's data by descriptor type: the payload is every type-0 descriptor's bytes, in
    order (ETW concatenates them)."""
    data = {}
    for part in call["data"]:
        data[part["type"]] = data.get(part["type"], b"") + bytes.fromhex(part["hex"])
    data.setdefault(0, b"")
    return data


def metadata_name(metadata):
    """The event name in TraceLogging metadata (after its size and tags byte)."""
    return metadata[3:].split(b"\0", 1)[0].decode("ascii")


def one_schema_per_name(calls):
    """None if every event of a name carries the same metadata bytes, else what differs."""
    seen = {}
    for call in calls:
        if call["call"] == "EtwWriteTransfer":
            metadata = parts(call)[1]
            first = seen.setdefault(metadata_name(metadata), metadata)
            if first != metadata:
                return f"an event {metadata_name(metadata)!r} with metadata {metadata.hex()} " \
                       f"unlike its earlier one's {first.hex()}"
    return None


def layouts(calls, tracelogging=None):
    """Each event name's fields and in-types, in order, as etl-parser reads its metadata."""
    tracelogging = tracelogging or decoder()
    found = {}
    for call in calls:
        if call["call"] == "EtwWriteTransfer":
            data = parts(call)
            decoded = tracelogging().load(data[1], data[0])
            found.setdefault(decoded.get_name(),
                             [(f.name, f.tag_in & 0x7F, out_type(f))
                              for f in decoded.scheme.fields])
    return found


def out_type(field):
    """A metadata field's out-type, 0 when it has none."""
    return field.tag_out if field.tag_in & 0x80 else 0


def socket_address(sockaddr):
    """A SOCKADDR_INET's bytes as the decoders here show it ("" for none)."""
    if not sockaddr:
        return ""
    if len(sockaddr) != 28:
        return bytes(sockaddr).hex()
    family = struct.unpack_from("<H", sockaddr)[0]
    if family == 2:
        return str(ipaddress.IPv4Address(sockaddr[4:8]))
    if family == 23:
        groups = struct.unpack_from(">8H", sockaddr, 8)
        scope = struct.unpack_from("<I", sockaddr, 24)[0]
        return ":".join(f"{group:x}" for group in groups) + (f"%{scope}" if scope else "")
    return f"family({family})"


def decode(call, tracelogging=None):
    """One EtwWriteTransfer call's event, decoded by etl-parser."""
    tracelogging = tracelogging or decoder()
    data = parts(call)
    decoded = tracelogging().load(data[1], data[0])
    event = {"event": decoded.get_name()}
    for field in decoded.scheme.fields:
        value = decoded[field.name]
        out = out_type(field)
        if out == OUT_IPV4:
            value = str(ipaddress.IPv4Address(struct.pack("<I", value)))
        elif out == OUT_IPV6:
            value = str(ipaddress.IPv6Address(bytes(value)))
        elif out == OUT_SOCKADDR:
            value = socket_address(bytes(value))
        elif out == OUT_HEX and field.tag_in & 0x1F == IN_UINT64:
            value = f"{value:#018x}"
        elif out == OUT_HEX and field.tag_in & 0x1F == IN_UINT32:
            value = f"{value:#010x}"
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


# The notifications' events carry their `seq` (the driver's count of the kind's events); a
# driver event's `seq` numbers the provider's events of its name.


def zero(in_type, out=0):
    """A column's zero: what an event holds for a value its record lacks."""
    if in_type in (IN_TEXT, IN_UTF16, IN_BINARY):
        return ""
    if in_type & VCOUNT:
        return []
    if in_type == IN_UINT64 and out == OUT_HEX:
        return f"{0:#018x}"
    if in_type == IN_UINT32 and out == OUT_HEX:
        return f"{0:#010x}"
    if in_type == IN_BOOL32:
        return False
    if in_type == IN_DOUBLE:
        return 0.0
    return 0


def luid(text):
    """A LUID's line form (`ieee80211:2`, `999:1(reserved=0x0000AB)`) as its 64 bits."""
    match = re.fullmatch(r"(\w+):(\d+)(?:\(reserved=0x([0-9A-Fa-f]+)\))?", text)
    if not match:
        return None
    if_type = IF_TYPES.get(match.group(1))
    if if_type is None:
        if_type = int(match.group(1))
    reserved = int(match.group(3) or "0", 16) & 0xFFFFFF
    return if_type << 48 | int(match.group(2)) << 24 | reserved


def flags(text):
    """The flags' line form (`auto-metric,nud`, or `none`) as their bits (bit n: the n-th of
    FLAGS)."""
    if text == "none":
        return 0
    bits = 0
    for name in text.split(","):
        if name not in FLAGS:
            return None
        bits |= 1 << FLAGS.index(name)
    return bits


FILETIME_EPOCH = datetime.datetime(1601, 1, 1)


def filetime(text):
    """A time stamp's line form (`2024-11-30T04:00:00Z`, a fraction of up to seven digits, or
    a negative number) as its 100-ns units since 1601."""
    if re.fullmatch(r"-\d+", text):
        return int(text)
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z", text)
    if not match:
        return None
    stamp = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S") - FILETIME_EPOCH
    ticks = (stamp.days * 86400 + stamp.seconds) * 10_000_000
    return ticks + int((match.group(2) or "").ljust(7, "0"))


def zones(text):
    """The zones' line form (`1:12,14:1`, or `none`) as their sixteen numbers."""
    values = [0] * 16
    if text != "none":
        for pair in text.split(","):
            level, zone = pair.split(":")
            values[int(level)] = int(zone)
    return values


def address(text):
    """An address's line form (with a prefix's `/<length>` or not) as socket_address shows
    its SOCKADDR_INET."""
    text = text.split("/", 1)[0]
    if text.startswith("family("):
        return text
    address_, _, scope = text.partition("%")
    ip = ipaddress.ip_address(address_)
    if ip.version == 4:
        return str(ip)
    groups = struct.unpack(">8H", ip.packed)
    return ":".join(f"{group:x}" for group in groups) + (f"%{scope}" if int(scope or 0) else "")


def typed(in_type, value, out=0):
    """A JSON value in its column's type (docs/replay.md#etw): `infinite`/`unset` of a UINT32
    as its all-ones value, a number of a text column (a value Windows does not define) as its
    decimal text, a LUID, a time stamp, the zones and an address as decode shows them."""
    if in_type == IN_UINT32 and value in ("infinite", "unset"):
        return 0xFFFFFFFF
    if in_type == IN_TEXT and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        converted = None
        if in_type == IN_UINT32 and out == OUT_HEX:
            converted = flags(value)
            converted = None if converted is None else f"{converted:#010x}"
        elif in_type == IN_UINT64 and out == OUT_HEX:
            converted = luid(value)
            converted = None if converted is None else f"{converted:#018x}"
        elif in_type == IN_INT64:
            converted = filetime(value)
        elif in_type == IN_UINT32 | VCOUNT:
            converted = zones(value)
        elif in_type == IN_BINARY and out == OUT_SOCKADDR:
            converted = address(value)
        if converted is not None:
            return converted
    return value


def prefix_length(text):
    """The length of a prefix's line form (`10.0.0.0/8`, `.../200(invalid)`), or None."""
    match = re.search(r"/(\d+)(?:\(invalid\))?$", text) if isinstance(text, str) else None
    return int(match.group(1)) if match else None


def json_view(objects, layouts, registered=True):
    """What the driver's events decode to, from `cargo replay --json`'s objects, in order: one
    record, two renderings (docs/replay.md#etw, the same rules as netnotify_replay::etw_view::
    etw_view). The fields of each event name are its schema's, as etl-parser read them from
    the events' metadata (`layouts`), which one_schema_per_name holds to one per name. No event
    for the objects before `settings` (printed before EtwRegister), nor the warning that
    setting the traits failed, or at all without a provider; `kind` is the event's name; every
    field of the schema in order, a key the object lacks (or has as null) as its type's zero
    with its bit clear in `present` (bit n: the n-th field after it); `note` empty when none;
    every event's `seq` its object's (the record's, which the driver gives its event) and
    `printed` true where the object has none; a
    nested object is its fields named `outer.inner`; a key no field takes is kept as
    `unexpected.KEY`, so that it fails the comparison."""
    if not registered:
        return []
    first = next((n for n, o in enumerate(objects) if o.get("kind") == "settings"), None)
    if first is None:
        return []
    view = []
    for obj in objects[first:]:
        kind = obj["kind"]
        if kind == "warning" and obj.get("message", "").startswith("EtwSetInformation("):
            continue
        event, used, present, bits = {"event": kind}, {"kind", "row"}, None, 0
        for at, (field, in_type, out) in enumerate(layouts.get(kind, [])):
            outer, _, inner = field.partition(".")
            stem = field[:-len(LENGTH)] if field.endswith(LENGTH) else None
            if stem and in_type == IN_UINT8 and stem in obj:
                value = prefix_length(obj[stem])
            elif inner and isinstance(obj.get(outer), dict):
                used.add(outer)
                value = obj[outer].get(inner)
            else:
                used.add(field)
                value = obj.get(field)
            if field == "printed":
                event[field] = obj.get("printed", True)
            elif field == "present":
                present = at
                event[field] = 0
            elif value is None:
                event[field] = zero(in_type, out)
            else:
                if present is not None:
                    bits |= 1 << (at - present - 1)
                event[field] = typed(in_type, value, out)
        if present is not None:
            event["present"] = bits
        for key, value in obj.items():
            if key not in used:
                event[f"unexpected.{key}"] = value
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
        differs = one_schema_per_name(calls)
        if differs:
            print(differs)
            return 1
        decoded = events(calls)
        objects = json_view(load(sys.argv[2]), layouts(calls),
                            any(c["call"] == "EtwRegister" for c in calls))
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
