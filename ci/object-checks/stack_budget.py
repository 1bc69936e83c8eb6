#!/usr/bin/env python3
"""The deepest stack each callback the kernel calls can use (the four NETIO callbacks, the storm
timer's DPC and the ETW enable callback), from one COFF object built for
x86_64-pc-windows-msvc with fat LTO (the driver's release build).

- Frame sizes are exact: the x64 unwind codes (.pdata/.xdata) that the Windows ABI requires
  for every function that moves the stack pointer, and that the kernel unwinds with (pushes,
  allocations, the caller's shadow space included), plus the return address. A function with
  no unwind info is a leaf that only has its return address on the stack.
- Direct calls and tail calls are `call rel32` / `jmp rel32` relocations. Indirect calls
  (`call *`, `jmp *` in llvm-objdump's disassembly, except jumps through rip-relative import
  pointers) can reach only a function whose address was taken — as a code reference or through
  a vtable in data — by a function on the current path, so each path carries that set.
  Two kinds matter: `core::fmt::write` calling the argument formatters its caller took the
  address of (code references, handed down direct calls, not visible to the formatter it
  calls), and `dyn Write` methods (vtables in data, inherited down the whole path). A function
  already on the stack is not a candidate: the driver never re-enters a function through a
  pointer (no type formats a value of its own type, and `core::fmt` never calls the
  `write_fmt` of its `dyn Write`). Recursion through direct calls is reported as an error.
- Kernel functions (DbgPrintEx, the NETIO calls) run on the stack beyond our frames; the
  figure is the driver's own use at the deepest point.

Usage: stack_budget.py OBJECT OBJDUMP BUDGET   (exit 0: every callback within BUDGET bytes)
"""
import re
import struct
import subprocess
import sys
from functools import lru_cache

from coff import REL32, Coff

# The four NETIO callbacks (core/src/boundary/raw.rs), and the two other entry points the kernel calls
# on its own stacks: the storm timer's DPC and the ETW enable callback (src/shell.rs).
CALLBACK = re.compile(
    r"netnotify_core8boundary3raw\d+(\w+?_callback)17h|netnotify5shell\d+(storm_timer_dpc|etw_enable_callback)17h"
)


def demangle(name):
    """Legacy Rust mangling (`_ZN…17h<hash>E`) to a readable path; other names unchanged."""
    match = re.fullmatch(r"_ZN(.*)17h[0-9a-f]{16}E", name)
    if not match:
        return name
    parts, rest = [], match.group(1)
    while rest and rest[0].isdigit():
        length = int(re.match(r"\d+", rest).group(0))
        rest = rest[len(str(length)):]
        parts.append(rest[:length])
        rest = rest[length:]
    text = "::".join(parts)
    for code, char in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"),
                       ("$C$", ","), ("$u7b$", "{"), ("$u7d$", "}"), ("..", "::")):
        text = text.replace(code, char)
    return text


def unwind_frame(xdata, offset):
    """Bytes a function's prologue puts on the stack, from its UNWIND_INFO."""
    flags = xdata[offset] >> 3
    codes = xdata[offset + 2]
    size, slot = 0, 0
    while slot < codes:
        at = offset + 4 + 2 * slot
        operation, info = xdata[at + 1] & 0x0F, xdata[at + 1] >> 4
        if operation == 0:  # UWOP_PUSH_NONVOL
            size += 8
            slot += 1
        elif operation == 1:  # UWOP_ALLOC_LARGE
            if info == 0:
                size += struct.unpack_from("<H", xdata, at + 2)[0] * 8
                slot += 2
            else:
                size += struct.unpack_from("<I", xdata, at + 2)[0]
                slot += 3
        elif operation == 2:  # UWOP_ALLOC_SMALL
            size += info * 8 + 8
            slot += 1
        elif operation == 3:  # UWOP_SET_FPREG
            slot += 1
        elif operation in (4, 8):  # UWOP_SAVE_NONVOL, UWOP_SAVE_XMM128: inside the allocation
            slot += 2
        elif operation in (5, 9):  # the _FAR forms
            slot += 3
        elif operation == 10:  # UWOP_PUSH_MACHFRAME
            size += 48 if info else 40
            slot += 1
        else:
            raise SystemExit(f"unknown unwind operation {operation}")
    if flags & 4:  # UNW_FLAG_CHAININFO: never emitted by LLVM for these functions
        raise SystemExit("chained unwind info is not supported")
    return size


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, objdump, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
    obj = Coff(path)

    # Frame of every function: 8 (return address) + what its prologue allocates.
    frame = {name: 8 for name in obj.functions.values()}
    for section in obj.sections.values():
        if section["name"] != ".pdata":
            continue
        relocations = {offset: symbol for offset, symbol, _ in section["relocations"]}
        for entry in range(0, len(section["bytes"]), 12):
            function = obj.symbols[relocations[entry]]
            unwind = obj.symbols[relocations[entry + 8]]
            begin = function[2] + struct.unpack_from("<I", section["bytes"], entry)[0]
            name = obj.function_at(function[1], begin)
            xdata = obj.sections[unwind[1]]["bytes"]
            at = unwind[2] + struct.unpack_from("<I", section["bytes"], entry + 8)[0]
            frame[name] = max(frame.get(name, 8), 8 + unwind_frame(xdata, at))

    # Edges of every function: direct calls, functions whose address it takes in code (the
    # argument formatters of `format_args!`), and functions it reaches through data (vtables).
    calls, code_taken, data_taken = {}, {}, {}

    def data_functions(section, seen):
        """Functions a data section (a vtable, a table of pointers) refers to, transitively."""
        found = set()
        if section in seen:
            return found
        seen.add(section)
        for _, symbol, _ in obj.sections[section]["relocations"]:
            name, target, value, _, _ = obj.symbols[symbol]
            if target <= 0:
                continue
            if obj.is_code(target):
                found.add(obj.function_at(target, value))
            elif not obj.is_debug(target):
                found |= data_functions(target, seen)
        return found

    for number, section in obj.sections.items():
        if not obj.is_code(number):
            continue
        code = section["bytes"]
        for offset, symbol, kind in section["relocations"]:
            caller = obj.function_at(number, offset)
            name, target, value, _, _ = obj.symbols[symbol]
            calls.setdefault(caller, set())
            code_taken.setdefault(caller, set())
            data_taken.setdefault(caller, set())
            direct = kind == REL32 and offset >= 1 and code[offset - 1] in (0xE8, 0xE9)
            through_pointer = offset >= 2 and code[offset - 2:offset] in (b"\xff\x15", b"\xff\x25")
            if target <= 0:
                if direct or through_pointer:
                    calls[caller].add(("kernel", name))
                continue
            addend = struct.unpack_from("<i", code, offset)[0] if kind == REL32 else 0
            if obj.is_code(target):
                callee = obj.function_at(target, value + addend)
                if direct:
                    calls[caller].add(("code", callee))
                elif callee != caller:
                    code_taken[caller].add(callee)
            elif not obj.is_debug(target):
                # A function's own jump tables point back into it: not a call target.
                data_taken[caller] |= data_functions(target, set()) - {caller}

    # Functions that make indirect calls, from the disassembly.
    indirect = set()
    listing = subprocess.run([objdump, "-d", "--no-show-raw-insn", "-r", path],
                             check=True, capture_output=True, text=True).stdout
    current = None
    for line in listing.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if header:
            current = header.group(1)
            continue
        instruction = re.match(r"^\s+[0-9a-f]+:\s+(callq|jmpq|call|jmp)\s+\*(.*)$", line)
        if instruction and current and "%rip" not in instruction.group(2):
            indirect.add(current)

    @lru_cache(maxsize=None)
    def deepest(function, arguments, vtables, path, chain):
        """(bytes, frames) of the deepest stack from entering `function`.

        `arguments`: functions whose address the direct-call chain since the last indirect
        call took (an indirect call in `core::fmt::write` can reach those); `vtables`: functions
        reachable through the data of any caller on the path (the `dyn Write` being written to);
        `path`: every function on the stack; `chain`: those since the last indirect call."""
        if function in chain:
            raise SystemExit(f"direct recursion: {' -> '.join(map(demangle, chain + (function,)))}")
        own = frame.get(function, 8)
        arguments = arguments | frozenset(code_taken.get(function, ()))
        vtables = vtables | frozenset(data_taken.get(function, ()))
        path, chain = path | {function}, chain + (function,)
        best = (0, ())
        for kind, callee in calls.get(function, ()):
            if kind == "code":
                best = max(best, deepest(callee, arguments, vtables, path, chain))
        if function in indirect:
            # `core::fmt` calls `write_str`/`write_char` of its `dyn Write`, never `write_fmt`.
            candidates = {callee for callee in arguments | vtables
                          if not demangle(callee).startswith("core::fmt::Write::write_fmt")}
            for callee in candidates - path:
                # A callee reached indirectly cannot see its caller's format arguments.
                best = max(best, deepest(callee, frozenset(), vtables, path, ()))
        return own + best[0], ((function, own),) + best[1]

    roots = sorted({name for name in obj.functions.values() if CALLBACK.search(name)})
    if len(roots) != 6:
        raise SystemExit(f"expected the four callbacks, the DPC and the enable callback, found {roots}")
    worst, over = 0, []
    for root in roots:
        size, chain = deepest(root, frozenset(), frozenset(), frozenset(), ())
        found = CALLBACK.search(root)
        name = found.group(1) or found.group(2)
        # The enable callback runs at PASSIVE_LEVEL on the thread of the tool that starts or
        # queries a session (inside its system call), never on NETIO's or a DPC's stack: it
        # gets twice the budget, stated in docs/checks.md.
        allowed = budget * 2 if name == "etw_enable_callback" else budget
        if allowed == budget:
            worst = max(worst, size)
        if size > allowed:
            over.append(f"{name}: {size} > {allowed} bytes")
        print(f"{name}: {size} bytes (budget {allowed})")
        for function, own in chain:
            print(f"  {own:5}  {demangle(function)}")
    if over:
        print(f"OVER BUDGET: {'; '.join(over)}", file=sys.stderr)
        return 1
    print(f"every callback within its budget (deepest on NETIO's and the DPC's stacks {worst} of {budget})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
