#!/usr/bin/env python3
"""Is a panic reachable from the driver's entry points? Reads one COFF object (x86-64) built
with fat LTO, follows every relocation from the sections that define the roots (code and
data: function pointers handed to NETIO and vtables are relocations too), and reports whether
the sentinel symbol that the panic handler calls can be reached, with the path if it can.

Usage: reachable.py OBJECT SENTINEL ROOT...   (exit 0: unreachable; 1: reachable; 2: error)
"""
import struct
import sys


def read_coff(path):
    data = open(path, "rb").read()
    machine, nsections, _, symtab, nsymbols, optsize, _ = struct.unpack_from("<HHIIIHH", data, 0)
    if machine != 0x8664:
        raise SystemExit(f"{path}: not an x86-64 COFF object (machine {machine:#x})")
    strings_at = symtab + 18 * nsymbols

    def name_of(raw):
        if raw[:4] == b"\0\0\0\0":
            offset = struct.unpack_from("<I", raw, 4)[0]
            end = data.index(b"\0", strings_at + offset)
            return data[strings_at + offset:end].decode("utf-8", "replace")
        return raw.rstrip(b"\0").decode("utf-8", "replace")

    sections = []
    for index in range(nsections):
        at = 20 + optsize + 40 * index
        raw_name = data[at:at + 8]
        name = raw_name.rstrip(b"\0").decode("utf-8", "replace")
        if name.startswith("/"):  # long section name: offset into the string table
            offset = int(name[1:])
            end = data.index(b"\0", strings_at + offset)
            name = data[strings_at + offset:end].decode()
        (_, _, _, _, relocs_at, _, nrelocs, _, _) = struct.unpack_from("<IIIIIIHHI", data, at + 8)
        relocations = [struct.unpack_from("<IIH", data, relocs_at + 10 * r)[1] for r in range(nrelocs)]
        sections.append({"name": name, "relocations": relocations})

    symbols = {}
    index = 0
    while index < nsymbols:
        at = symtab + 18 * index
        raw_name = data[at:at + 8]
        _, section, _, storage, aux = struct.unpack_from("<IhHBB", data, at + 8)
        symbols[index] = (name_of(raw_name), section, storage)
        index += 1 + aux
    return sections, symbols


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, sentinel, roots = sys.argv[1], sys.argv[2], sys.argv[3:]
    sections, symbols = read_coff(path)
    # The symbols each section defines (external or static, not the section symbols).
    defined = {}
    for name, section, storage in symbols.values():
        if section > 0 and storage in (2, 3) and not name.startswith("."):
            defined.setdefault(section, []).append(name)
    by_name = {name: section for name, section, _ in symbols.values() if section > 0}

    def label(node):
        if isinstance(node, str):
            return node
        names = defined.get(node, [])
        return names[0] if names else sections[node - 1]["name"]

    start = []
    for root in roots:
        if root not in by_name:
            print(f"{path}: root {root} is not defined", file=sys.stderr)
            return 2
        start.append(by_name[root])
    parent = {node: None for node in start}
    queue = list(start)
    while queue:
        node = queue.pop(0)
        if isinstance(node, str):
            continue
        section = sections[node - 1]
        if section["name"].startswith(".debug"):
            continue
        for symbol in section["relocations"]:
            name, target, _ = symbols[symbol]
            nxt = target if target > 0 else name  # defined here, or external
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)

    reached_code = sum(1 for node in parent if not isinstance(node, str)
                       and sections[node - 1]["name"].startswith(".text"))
    externals = sorted(node for node in parent if isinstance(node, str))
    print(f"roots: {', '.join(roots)}")
    print(f"reachable: {reached_code} code sections; external symbols: {', '.join(externals)}")
    if sentinel not in parent:
        print(f"no panic path: {sentinel} is unreachable")
        return 0
    path_nodes = []
    node = sentinel
    while node is not None:
        path_nodes.append(label(node))
        node = parent[node]
    print("PANIC REACHABLE:\n  " + "\n  -> ".join(reversed(path_nodes)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
