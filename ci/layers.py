#!/usr/bin/env python3
"""The layers of the core point one way, and no module of the core imports one that imports it
back (docs/checks.md#layers).

Reads every `crate::…`, `$crate::…`, `super::…` and `self::…` path of core/src (`use` trees and
paths written inline; comments, doc comments included, are skipped), resolves it to the module
it names (through the crate root's re-exports, as written in core/src/lib.rs), and fails on:

- an import from a lower rank to a higher one (RANKS below, the one table of allowed
  directions);
- an import circle: two modules of the core (`model::settings`, `output::render`, …) that
  reach each other through imports, or two parts of one module that do;
- a `crate::` path that starts at the root (`crate::render`, a re-export or a module's bare
  name) instead of the layer (`crate::output::render`): paths name the layer. The root
  re-exports only the two routines the kernel calls through a pointer; `$crate::` paths of
  `#[macro_export]` macros are exempt.

`ci/layers.py` checks core/src; `ci/layers.py DIR` checks a copy of it; `ci/layers.py
--self-test` checks that the check fails on each fault injected into a copy of core/src (an
upward import, a circle, a root path) and names it.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Lowest first: a module imports only modules of its own rank or a lower one. A key names a
# layer (every module in its folder) or one module of a layer; the longest key that matches
# wins. `boundary/` is where the kernel meets the core, at three heights: `ffi` (the kernel's
# layouts) is below everything; `netio` and `host` (the kernel's services as traits, which take
# finished lines and ETW events) are above output; `raw` (the kernel calling in: the trampolines
# dispatch to policy::events) is above the callbacks' policy, and below `lifecycle`, which
# installs the extension through it.
RANKS = [
    ("boundary::ffi",),
    ("model",),
    ("output",),
    ("boundary::netio", "boundary::host"),
    ("policy",),
    ("boundary::raw",),
    ("policy::lifecycle",),
    ("sim",),
]
LAYERS = ("boundary", "model", "output", "policy", "sim")


def rank_of(module):
    """The rank of a module path (`output::render::segments`)."""
    best, best_len = None, -1
    for rank, keys in enumerate(RANKS):
        for key in keys:
            parts = key.split("::")
            if module[: len(parts)] == tuple(parts) and len(parts) > best_len:
                best, best_len = rank, len(parts)
    return best


def strip_comments(text):
    """The code without comments; string literals are kept (a `//` inside one is rare here)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for line in text.splitlines():
        in_str = False
        cut = len(line)
        i = 0
        while i < len(line):
            c = line[i]
            if c == "\\" and in_str:
                i += 2
                continue
            if c == '"':
                in_str = not in_str
            elif not in_str and line.startswith("//", i):
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def expand(tree):
    """The paths of a `use` tree: `a::{b, c::{d, e as f}}` gives a::b, a::c::d, a::c::e."""
    tree = re.sub(r"\s*(::|\{|\}|,)\s*", r"\1", tree.strip())
    tree = re.sub(r"\s+", " ", tree)
    if "{" not in tree:
        leaf = tree.split(" as ")[0].strip()
        return [leaf[: -len("::self")] if leaf.endswith("::self") else leaf]
    i = tree.index("{")
    head, body = tree[:i], tree[i + 1 : tree.rindex("}")]
    parts, level, start = [], 0, 0
    for j, d in enumerate(body):
        if d == "{":
            level += 1
        elif d == "}":
            level -= 1
        elif d == "," and level == 0:
            parts.append(body[start:j])
            start = j + 1
    parts.append(body[start:])
    return [p for part in parts if part.strip() for p in expand(head + part)]


def module_files(src):
    """Module path (tuple) of every file under `src`."""
    modules = {}
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src).with_suffix("")
        parts = tuple(p for p in rel.parts if p != "mod")
        if parts == ("lib",):
            parts = ()
        modules[parts] = path
    return modules


def root_aliases(lib_text):
    """Names the crate root re-exports, and the module path each stands for."""
    aliases = {}
    for tree in re.findall(r"\buse\s+([^;]+);", strip_comments(lib_text)):
        for path in expand(tree):
            parts = path.split("::")
            if parts[0] in ("crate", "self"):
                parts = parts[1:]
            if parts and parts[-1] != "*":
                aliases[parts[-1]] = tuple(parts)
    return aliases


def resolve(module, path, aliases, modules, is_mod_rs):
    """The module a path names (the longest prefix that is a module), and whether it started at
    a root re-export."""
    parts = path.split("::")
    via_alias = False
    if parts[0] in ("crate", "$crate"):
        rest = parts[1:]
        if rest and rest[0] not in LAYERS and rest[0] not in aliases:
            # A module's name at the root with no re-export there (`crate::counters`): the
            # compiler refuses it too, but say which layer path was meant.
            owners = [m for m in modules if len(m) == 2 and m[-1] == rest[0]]
            if len(owners) == 1:
                via_alias = True
                rest = list(owners[0]) + rest[1:]
        if rest and rest[0] not in LAYERS and rest[0] in aliases:
            via_alias = True
            rest = list(aliases[rest[0]]) + rest[1:]
            # An alias of a re-exported item (`crate::storm_timer_expired`) resolves further.
            while rest and rest[0] not in LAYERS and rest[0] in aliases and tuple(rest[:1]) not in modules:
                rest = list(aliases[rest[0]]) + rest[1:]
        base = []
    else:
        # `self::`/`super::` count from the file's module (a mod.rs is its folder's module).
        base = list(module)
        rest = parts
        while rest and rest[0] in ("self", "super"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
        if not is_mod_rs and parts[0] == "self":
            pass
    full = base + list(rest)
    for n in range(len(full), 0, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n]), via_alias
    return None, via_alias


PATH = re.compile(r"(?<![\w:])(\$?crate|super|self)((?:::(?:\{[^;]*?\}|[A-Za-z_]\w*))+)")


def imports(src):
    """(from module, to module, line number, text, via alias, in macro_export) of every import."""
    modules = module_files(src)
    aliases = root_aliases((src / "lib.rs").read_text())
    found = []
    for module, path in modules.items():
        if not module:
            continue
        code = strip_comments(path.read_text())
        exported = set()
        for m in re.finditer(r"#\[macro_export\]\s*macro_rules!\s*\w+\s*\{", code):
            # The macro's body: to its matching brace.
            level, i = 1, m.end()
            while level and i < len(code):
                level += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            exported.add((m.start(), i))
        # Inline modules (`mod tests { use super::…; }`): `super` counts from them.
        inline = []
        for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
            level, i = 1, m.end()
            while level and i < len(code):
                level += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            inline.append((m.start(), i, m.group(1)))

        def at(position, module=module, inline=inline):
            return module + tuple(n for a, b, n in inline if a <= position < b)

        uses = [(m.start(), m.group(1)) for m in re.finditer(r"\buse\s+([^;]+);", code)]
        spans = []
        for start, tree in uses:
            line = code.count("\n", 0, start) + 1
            spans.append((start, start + len(tree) + 4))
            for item in expand(tree):
                if item.split("::")[0] in ("crate", "$crate", "super", "self"):
                    found.append((at(start), item, line, path))
        for m in PATH.finditer(code):
            if any(a <= m.start() < b for a, b in spans):
                continue
            line = code.count("\n", 0, m.start()) + 1
            text = m.group(0)
            for item in expand(text) if "{" in text else [text]:
                in_macro = any(a <= m.start() < b for a, b in exported)
                found.append((at(m.start()), item, line, path, in_macro))
    result = []
    for entry in found:
        module, item, line, path = entry[:4]
        in_macro = entry[4] if len(entry) > 4 else False
        target, via_alias = resolve(module, item, aliases, modules, path.name == "mod.rs")
        # The file's module (an inline `mod tests` belongs to its file).
        while module not in modules:
            module = module[:-1]
        if target is None:
            continue
        result.append((module, target, line, path, item, via_alias, in_macro))
    return result


def top(module):
    """The module of the core a path belongs to: `output::render` for `output::render::time`."""
    return module[:2] if module[0] != "sim" else module[:1]


def circles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def name(module):
    return "::".join(module) or "crate"


# Each fault: the file it is added to, the line added after the file's module docs, and what
# the check must then say.
FAULTS = [
    (
        "model/fields.rs",
        "use crate::output::render::PREFIX;",
        "model/fields.rs:{line}: upward import: model::fields (rank 1) uses"
        " crate::output::render::PREFIX (output::render, rank 2)",
    ),
    (
        "output/line.rs",
        "use crate::policy::storm::QUIET;",
        "upward import: output::line (rank 2) uses crate::policy::storm::QUIET",
    ),
    (
        "model/status.rs",
        "use crate::model::settings::REG_DWORD;",
        "import circle: model::settings <-> model::status",
    ),
    (
        "policy/storm.rs",
        "use crate::counters::ChangeCounts;",
        "crate::counters::ChangeCounts: name the layer (crate::model::counters)",
    ),
]


def self_test(src):
    """Injects each fault into a copy of `src` and checks that the check fails naming it."""
    failed = 0
    for file, added, expected in FAULTS:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "src"
            shutil.copytree(src, copy)
            target = copy / file
            lines = target.read_text().split("\n")
            first = next(i for i, line in enumerate(lines) if not line.startswith("//!"))
            lines.insert(first, added)
            target.write_text("\n".join(lines))
            run = subprocess.run(
                [sys.executable, __file__, str(copy)], capture_output=True, text=True, check=False
            )
            expected = expected.format(line=first + 1)
            if run.returncode == 1 and expected in run.stdout:
                print(f"ok: {file} + `{added}`: fails with: {expected}")
            else:
                failed += 1
                print(f"FAIL: {file} + `{added}`: exit {run.returncode}, not naming: {expected}")
                print(run.stdout, end="")
    print(f"layers self-test: {len(FAULTS) - failed} of {len(FAULTS)} faults caught")
    return 1 if failed else 0


def main():
    root = Path(__file__).resolve().parent.parent
    if sys.argv[1:] == ["--self-test"]:
        return self_test(root / "core" / "src")
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "core" / "src"
    found = imports(src)
    failures = []
    named = set()
    for module, target, line, path, item, via_alias, in_macro in found:
        if via_alias and not in_macro:
            head = item.split("::")[1]
            if (path, line, head) not in named:
                named.add((path, line, head))
                failures.append(
                    f"{path.relative_to(src)}:{line}: {item}: name the layer"
                    f" (crate::{name(target)}), not a root path"
                )
        if target == module:
            continue
        rel = path.relative_to(src)
        here, there = rank_of(module), rank_of(target)
        if here is None or there is None:
            failures.append(f"{rel}:{line}: {item}: no rank for {name(module)} or {name(target)}")
        elif there > here:
            failures.append(
                f"{rel}:{line}: upward import: {name(module)} (rank {here}) uses {item}"
                f" ({name(target)}, rank {there})"
            )
    between = set()
    within = set()
    for module, target, *_ in found:
        if target == module:
            continue
        if top(module) != top(target):
            between.add((top(module), top(target)))
        elif module[: len(target)] != target and target[: len(module)] != module:
            # Two parts of one module, neither inside the other.
            within.add((module, target))
    for component in circles(between) + circles(within):
        failures.append("import circle: " + " <-> ".join(name(m) for m in component))
    for failure in failures:
        print(failure)
    modules = {top(m) for m, *_ in found} | {top(t) for _, t, *_ in found}
    if failures:
        print(f"layers: {len(failures)} failure(s)")
        return 1
    print(
        f"layers: {len(found)} imports between {len(modules)} modules of core/src point down"
        f" ({' < '.join('/'.join(keys) for keys in RANKS)}); no circle"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
