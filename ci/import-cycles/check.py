#!/usr/bin/env python3
"""Import circles between the modules of a crate: no module may import a module that imports
it back, directly or around a longer circle (issue 23, "Layers that point one way").

An edge A -> B is any path in A's code that names B or an item of B: `use crate::b::…`,
`use super::…`, `use child::…` of a module A declares, and the same paths written inline
(`crate::b::f()`, `super::X`); `{…}` groups count each of their paths. A path names the deepest
module it walks through (`crate::MAX_REPEAT` names the crate root). A `mod` declaration alone
is no edge, nor is a path into another crate. Comments and string literals are left out.

    ci/import-cycles/check.py [SRC_DIR…]      # default: every crate's src/ in the workspace
    ci/import-cycles/check.py replay/src      # one crate
    ci/import-cycles/check.py --self-test     # must find an injected circle

Prints the edges and every circle (the strongly connected components, each with one cycle
through it); exit status 1 if there is one.
"""

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRATES = ["core/src", "replay/src", "src"]

STRING = re.compile(r'r#*"(?:.|\n)*?"#*|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'')
COMMENT = re.compile(r"//[^\n]*|/\*(?:.|\n)*?\*/")
USE = re.compile(r"\buse\s+([^;]+);")
# A path in code; not one that names a macro (`$crate::fields!`): an exported macro lives at the
# crate's root whichever module defines it, and invoking it imports no module.
INLINE = re.compile(r"(?<![\w:])((?:crate|super|self|[a-z_][a-z0-9_]*)(?:::[A-Za-z_]\w*)+)(?![\w!])")


def module_of(src, path):
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def expand(tree):
    """The paths of one `use` tree: `a::{b, c::{d, e}}` is a::b, a::c::d, a::c::e."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree.split(" as ")[0]]
    prefix, _, rest = tree.partition("{")
    body = rest[: rest.rfind("}")]
    parts, depth, current = [], 0, ""
    for char in body:
        depth += char == "{"
        depth -= char == "}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [path for part in parts if part for path in expand(prefix + part)]


def resolve(path, current, modules):
    segments = path.split("::")
    head = segments[0]
    if head == "crate":
        base = ()
    elif head == "super":
        base = current[:-1]
    elif head == "self":
        base = current
    elif current + (head,) in modules:
        base = current + (head,)
    else:
        return None  # another crate, a type's associated item, a local name
    rest = segments[1:]
    while rest and rest[0] == "super":
        base, rest = base[:-1], rest[1:]
    for segment in rest:
        if base + (segment,) not in modules:
            break
        base += (segment,)
    return base


def edges_of(src):
    files = {module_of(src, path): path for path in sorted(src.rglob("*.rs"))
             if not (path.name == "main.rs" and (src / "lib.rs").exists())}
    modules = set(files)
    edges = {}
    for module, path in files.items():
        code = COMMENT.sub("", STRING.sub('""', path.read_text()))
        paths = [p for tree in USE.findall(code) for p in expand(tree)]
        paths += INLINE.findall(USE.sub("", code))
        for found in paths:
            target = resolve(found, module, modules)
            if target is not None and target != module:
                edges.setdefault(module, set()).add(target)
    return modules, edges


def circles(modules, edges):
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(modules):
        if node not in index:
            visit(node)
    return found


def cycle_through(component, edges):
    """One cycle through the component's first module, by breadth-first search."""
    members, start = set(component), component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(edges.get(node, ())):
            if target == start:
                return paths[node] + [start]
            if target in members and target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    return component


def name(crate, module):
    return crate + ("/" + "/".join(module) if module else " (root)")


def check(src, crate):
    modules, edges = edges_of(src)
    found = circles(modules, edges)
    for component in found:
        cycle = cycle_through(component, edges)
        print(f"{crate}: circle of {len(component)} modules: "
              + " -> ".join(name(crate, module) for module in cycle))
        for module in component:
            inside = sorted(t for t in edges.get(module, ()) if t in component)
            print(f"    {name(crate, module)} imports "
                  + ", ".join(name(crate, t) for t in inside))
    return len(found)


def self_test():
    with tempfile.TemporaryDirectory() as directory:
        src = Path(directory)
        (src / "lib.rs").write_text("mod a;\nmod b;\n")
        (src / "a.rs").write_text("use crate::b::{self, B};\n// use crate::nothing;\n")
        (src / "b.rs").write_text('pub struct B;\nfn f() { let _ = "crate::a"; super::a::g(); }\n')
        found = circles(*edges_of(src))
        if found != [[("a",), ("b",)]]:
            print(f"self-test: expected the circle a <-> b, found {found}")
            return 1
        (src / "b.rs").write_text('pub struct B;\nfn f() { let _ = "crate::a"; }\n')
        if circles(*edges_of(src)):
            print("self-test: a string or comment counted as an import")
            return 1
    print("self-test: an injected circle is found; strings and comments are not imports")
    return 0


def main(arguments):
    if arguments == ["--self-test"]:
        return self_test()
    total = 0
    for directory in arguments or CRATES:
        src = (ROOT / directory) if not Path(directory).is_absolute() else Path(directory)
        crate = src.parent.name if src.parent != ROOT else "netnotify"
        total += check(src, crate)
    print(f"{total} import circles" if total else "no import circles")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
