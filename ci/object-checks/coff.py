"""A minimal reader of x86-64 and ARM64 COFF object files (the msvc targets' `.o`): sections
with their bytes and relocations, symbols, and which function lives where. Shared by
no_panic.py and stack_budget.py; no dependencies beyond Python 3."""
import struct

REL32 = 4  # IMAGE_REL_AMD64_REL32 (and _REL32_1.._5 are 5..9)
STORAGE_EXTERNAL, STORAGE_STATIC = 2, 3
# IMAGE_FILE_MACHINE_* (PE Format, learn.microsoft.com/windows/win32/debug/pe-format): the
# name each check prints for the target.
MACHINES = {0x8664: "x64", 0xAA64: "arm64"}


class Coff:
    def __init__(self, path):
        self.path = path
        data = open(path, "rb").read()
        self.data = data
        machine, nsections, _, symtab, nsymbols, optsize, _ = struct.unpack_from("<HHIIIHH", data, 0)
        if machine not in MACHINES:
            raise SystemExit(f"{path}: not an x86-64 or ARM64 COFF object (machine {machine:#x})")
        self.machine = MACHINES[machine]
        strings_at = symtab + 18 * nsymbols

        def string_at(offset):
            end = data.index(b"\0", strings_at + offset)
            return data[strings_at + offset:end].decode("utf-8", "replace")

        # Sections are numbered from 1, as symbols refer to them.
        self.sections = {}
        for number in range(1, nsections + 1):
            at = 20 + optsize + 40 * (number - 1)
            name = data[at:at + 8].rstrip(b"\0").decode("utf-8", "replace")
            if name.startswith("/"):
                name = string_at(int(name[1:]))
            (_, _, size, raw_at, relocs_at, _, nrelocs, _, _) = struct.unpack_from(
                "<IIIIIIHHI", data, at + 8)
            relocations = [struct.unpack_from("<IIH", data, relocs_at + 10 * r) for r in range(nrelocs)]
            self.sections[number] = {
                "name": name,
                "bytes": data[raw_at:raw_at + size] if raw_at else b"",
                # (offset in section, symbol index, type)
                "relocations": relocations,
            }

        # index -> (name, section number (0 undefined), value, storage class, type)
        self.symbols = {}
        index = 0
        while index < nsymbols:
            at = symtab + 18 * index
            raw = data[at:at + 8]
            name = string_at(struct.unpack_from("<I", raw, 4)[0]) if raw[:4] == b"\0\0\0\0" \
                else raw.rstrip(b"\0").decode("utf-8", "replace")
            value, section, kind, storage, aux = struct.unpack_from("<IhHBB", data, at + 8)
            self.symbols[index] = (name, section, value, storage, kind)
            index += 1 + aux

        # Functions: (section, offset) -> name, for the function symbols (type 0x20).
        self.functions = {}
        for name, section, value, storage, kind in self.symbols.values():
            if section > 0 and kind == 0x20 and storage in (STORAGE_EXTERNAL, STORAGE_STATIC):
                self.functions[(section, value)] = name
        self.by_name = {}
        for name, section, value, _, _ in self.symbols.values():
            if section > 0 and not name.startswith("."):
                self.by_name.setdefault(name, (section, value))

    def function_at(self, section, offset):
        """The function containing `offset` of `section` (the nearest start at or before it)."""
        best = None
        for (s, start), name in self.functions.items():
            if s == section and start <= offset and (best is None or start > best[0]):
                best = (start, name)
        return best[1] if best else None

    def is_code(self, section):
        return self.sections[section]["name"].startswith(".text")

    def is_debug(self, section):
        return self.sections[section]["name"].startswith(".debug")
