#!/usr/bin/env python3
"""Is a panic reachable from the driver's entry points? Follows every relocation (code and
data: function pointers handed to NETIO and vtables are relocations too) from the sections
that define the roots, in one COFF object built with fat LTO, and reports whether the sentinel
symbol that the panic handler calls can be reached, with the path if it can.

Usage: no_panic.py OBJECT SENTINEL ROOT...   (exit 0: unreachable; 1: reachable; 2: error)
"""
import sys

from coff import Coff


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, sentinel, roots = sys.argv[1], sys.argv[2], sys.argv[3:]
    obj = Coff(path)

    def label(node):
        if isinstance(node, str):
            return node
        names = [name for (section, _), name in obj.functions.items() if section == node]
        return names[0] if names else obj.sections[node]["name"]

    start = []
    for root in roots:
        if root not in obj.by_name:
            print(f"{path}: root {root} is not defined", file=sys.stderr)
            return 2
        start.append(obj.by_name[root][0])
    parent = {node: None for node in start}
    queue = list(start)
    while queue:
        node = queue.pop(0)
        if isinstance(node, str) or obj.is_debug(node):
            continue
        for _, symbol, _ in obj.sections[node]["relocations"]:
            name, target, _, _, _ = obj.symbols[symbol]
            nxt = target if target > 0 else name  # a section here, or an external symbol
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)

    code = sum(1 for node in parent if not isinstance(node, str) and obj.is_code(node))
    externals = sorted(node for node in parent if isinstance(node, str))
    print(f"roots: {', '.join(roots)}")
    print(f"reachable: {code} code sections; external symbols: {', '.join(externals)}")
    if sentinel not in parent:
        print(f"no panic path: {sentinel} is unreachable")
        return 0
    chain = []
    node = sentinel
    while node is not None:
        chain.append(label(node))
        node = parent[node]
    print("PANIC REACHABLE:\n  " + "\n  -> ".join(reversed(chain)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
