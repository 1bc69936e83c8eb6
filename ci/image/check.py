#!/usr/bin/env python3
"""Checks netnotify.sys as Windows checks a driver image before it loads it, with pefile.

Prints every fact it checked; exits 1 on the first list of deviations (all are printed).

- headers: PE32+, the machine of the target, subsystem NATIVE, the entry point is the
  DriverEntry export, an executable image whose relocations are kept (/DRIVER implies
  /FIXED:NO), not marked WDM_DRIVER (wdk-build passes /DRIVER, not /DRIVER:WDM);
- loader flags: dynamic base, NX compatible, forced integrity (/INTEGRITYCHECK: Windows loads it
  only when signed), base relocations present, a valid non-zero PE checksum;
- memory integrity (HVCI, on by default on Windows 11): page-aligned sections, no section both
  writable and executable, the import address table outside executable sections;
- imports: exactly the expected functions from ntoskrnl.exe and NETIO.SYS, nothing else. In
  particular no KeBugCheckEx (wdk-panic's handler calls it: its absence proves no panic path
  survived in the image) and no ExAllocatePool2/ExFreePool (wdk-alloc: no allocation), and no
  user-mode DLL.

Usage: check.py IMAGE MACHINE             (MACHINE: amd64 or arm64)
       check.py --self-test IMAGE MACHINE  (each planted deviation must be reported)
"""
import sys
import tempfile

import pefile

# What the shell calls (src/shell/): every one must be imported. The Etw* routines are the
# ETW provider's (Windows Vista and later; EtwSetInformation Windows 10 and later, within the
# minimum of Windows 10 1903); the Ex*RundownProtection routines its enable callback's
# (Windows XP and later).
NTOSKRNL = {
    "DbgPrintEx", "EtwRegister", "EtwSetInformation", "EtwUnregister", "EtwWriteTransfer",
    "ExAcquireRundownProtection", "ExInitializeRundownProtection", "ExReleaseRundownProtection",
    "ExWaitForRundownProtectionRelease",
    "IoCreateDevice", "IoDeleteDevice", "IoGetStackLimits", "KeCancelTimer", "KeFlushQueuedDpcs",
    "KeGetCurrentIrql", "KeInitializeDpc", "KeInitializeTimer", "KeQueryUnbiasedInterruptTime",
    "KeSetTimer", "MmGetSystemRoutineAddress", "ObfReferenceObject", "ZwClose", "ZwOpenKey",
    "ZwQueryValueKey",
}
# The C memory routines LLVM emits calls to for copies and zeroing; ntoskrnl.exe exports them.
# Which ones depends on the target's code generation (the arm64 image uses no memset).
MEMORY = {"memcmp", "memcpy", "memmove", "memset"}
# The NETIO imports (src/shell/netio_imports.rs).
NETIO = {
    "CancelMibChangeNotify2", "ConvertInterfaceLuidToAlias", "ConvertInterfaceLuidToNameA",
    "FreeMibTable", "GetIpForwardEntry2", "GetIpForwardTable2", "GetIpInterfaceEntry",
    "GetIpInterfaceTable", "GetUnicastIpAddressEntry", "GetUnicastIpAddressTable",
    "NotifyIpInterfaceChange", "NotifyRouteChange2",
    "NotifyStableUnicastIpAddressTable", "NotifyUnicastIpAddressChange",
}
EXPECTED_IMPORTS = {"ntoskrnl.exe": NTOSKRNL, "NETIO.SYS": NETIO}
# Why a name must never appear, for the message.
FORBIDDEN = {
    "KeBugCheckEx": "a panic path survived (wdk-panic's handler)",
    "ExAllocatePool2": "the driver allocates (wdk-alloc)",
    "ExFreePool": "the driver frees pool memory (wdk-alloc)",
    "UuidCreate": "RPCRT4's, a user-mode DLL (the tracelogging crate's Guid::new, which the "
                  "driver no longer depends on)",
    "IoOpenDriverRegistryKey": "Windows before 10 1803 lacks it and would refuse to load the "
                               "image: the shell resolves it with MmGetSystemRoutineAddress",
}
EXPORTS = {"DriverEntry", "_fltused"}  # _fltused: wdk-sys' #[no_mangle] static, as on Windows
MACHINES = {"amd64": pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"],
            "arm64": pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_ARM64"]}
PAGE = 0x1000

DLL = pefile.DLL_CHARACTERISTICS
FILE = pefile.IMAGE_CHARACTERISTICS
SECTION = pefile.SECTION_CHARACTERISTICS


def check(path, machine):
    """(facts, deviations) of the image at `path`."""
    pe = pefile.PE(path)
    facts, bad = [], []

    def expect(ok, fact, deviation):
        facts.append(fact)
        if not ok:
            bad.append(deviation)

    header, optional = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    expect(optional.Magic == pefile.OPTIONAL_HEADER_MAGIC_PE_PLUS, "PE32+",
           f"optional header magic {optional.Magic:#x}, not PE32+")
    expect(header.Machine == MACHINES[machine], f"machine {machine}",
           f"machine {header.Machine:#x}, not {machine}")
    expect(optional.Subsystem == pefile.SUBSYSTEM_TYPE["IMAGE_SUBSYSTEM_NATIVE"],
           "subsystem NATIVE", f"subsystem {optional.Subsystem}, not NATIVE (1)")

    exports = {symbol.name.decode(): symbol.address
               for symbol in getattr(pe, "DIRECTORY_ENTRY_EXPORT", None).symbols or []}
    entry = optional.AddressOfEntryPoint
    expect(exports.get("DriverEntry") == entry, f"entry point {entry:#x} = DriverEntry",
           f"entry point {entry:#x} is not the DriverEntry export ({exports.get('DriverEntry')})")
    expect(set(exports) == EXPORTS, f"exports {sorted(exports)}",
           f"exports {sorted(exports)}, expected {sorted(EXPORTS)}")
    expect(header.Characteristics & FILE["IMAGE_FILE_EXECUTABLE_IMAGE"], "executable image",
           "not marked executable")
    expect(not header.Characteristics & FILE["IMAGE_FILE_RELOCS_STRIPPED"],
           "relocations not stripped (/DRIVER: /FIXED:NO)", "relocations stripped")
    expect(not optional.DllCharacteristics & DLL["IMAGE_DLLCHARACTERISTICS_WDM_DRIVER"],
           "no WDM_DRIVER bit (/DRIVER as wdk-build passes it)",
           "WDM_DRIVER bit set: wdk-build passes /DRIVER, not /DRIVER:WDM")

    for flag, what in (("DYNAMIC_BASE", "dynamic base"), ("NX_COMPAT", "NX compatible"),
                       ("FORCE_INTEGRITY", "forced integrity (/INTEGRITYCHECK)")):
        expect(optional.DllCharacteristics & DLL[f"IMAGE_DLLCHARACTERISTICS_{flag}"], what,
               f"not {what}")
    relocations = optional.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_BASERELOC"]]
    expect(relocations.Size > 0, f"base relocations: {relocations.Size} bytes",
           "no base relocations: the kernel could not load it at another address")
    checksum = pe.generate_checksum()
    expect(optional.CheckSum == checksum and checksum != 0, f"checksum {checksum:#010x} valid",
           f"checksum {optional.CheckSum:#x}, computed {checksum:#x}")

    expect(optional.SectionAlignment == PAGE, f"section alignment {PAGE:#x}",
           f"section alignment {optional.SectionAlignment:#x}, not a page")
    executable = []
    for section in pe.sections:
        name = section.Name.rstrip(b"\0").decode()
        flags = section.Characteristics
        writes = flags & SECTION["IMAGE_SCN_MEM_WRITE"]
        runs = flags & SECTION["IMAGE_SCN_MEM_EXECUTE"]
        mode = ("R" if flags & SECTION["IMAGE_SCN_MEM_READ"] else "-") + \
            ("W" if writes else "-") + ("X" if runs else "-")
        expect(section.VirtualAddress % PAGE == 0 and not (writes and runs),
               f"section {name} at {section.VirtualAddress:#x}, {section.Misc_VirtualSize:#x} "
               f"bytes, {mode}",
               f"section {name}: {mode} at {section.VirtualAddress:#x} (HVCI needs page-aligned, "
               "never writable and executable)")
        if runs:
            executable.append(section)
    iat = optional.DATA_DIRECTORY[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IAT"]]
    in_code = [s.Name.rstrip(b"\0").decode() for s in executable if s.contains_rva(iat.VirtualAddress)]
    expect(not in_code, f"import address table at {iat.VirtualAddress:#x}, not executable",
           f"import address table inside executable section {in_code}")

    imports = {entry.dll.decode(): {i.name.decode() for i in entry.imports}
               for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])}
    for dll, names in sorted(imports.items()):
        facts.append(f"imports from {dll}: {', '.join(sorted(names))}")
        for name in sorted(names & FORBIDDEN.keys()):
            bad.append(f"imports {name}: {FORBIDDEN[name]}")
    for dll in sorted(imports.keys() | EXPECTED_IMPORTS.keys()):
        allowed = EXPECTED_IMPORTS.get(dll, set()) | (MEMORY if dll == "ntoskrnl.exe" else set())
        extra = imports.get(dll, set()) - allowed
        missing = EXPECTED_IMPORTS.get(dll, set()) - imports.get(dll, set())
        if extra:
            bad.append(f"unexpected imports from {dll}: {', '.join(sorted(extra))}")
        if missing:
            bad.append(f"missing imports from {dll}: {', '.join(sorted(missing))}")
    facts.append(f"size {len(pe.__data__)} bytes")
    return facts, bad


def self_test(path, machine):
    """The checker must report each deviation planted in a copy of a good image."""
    plants = {
        "checksum": lambda pe: setattr(pe.OPTIONAL_HEADER, "CheckSum", pe.OPTIONAL_HEADER.CheckSum ^ 1),
        "subsystem": lambda pe: setattr(pe.OPTIONAL_HEADER, "Subsystem", 3),
        "section": lambda pe: setattr(pe.sections[0], "Characteristics",
                                      pe.sections[0].Characteristics | SECTION["IMAGE_SCN_MEM_WRITE"]),
        "relocations": lambda pe: setattr(pe.FILE_HEADER, "Characteristics",
                                          pe.FILE_HEADER.Characteristics | FILE["IMAGE_FILE_RELOCS_STRIPPED"]),
    }
    failures = 0
    for name, plant in plants.items():
        pe = pefile.PE(path)
        plant(pe)
        if name != "checksum":  # the other plants keep a valid checksum: one deviation each
            pe.OPTIONAL_HEADER.CheckSum = pe.generate_checksum()
        with tempfile.NamedTemporaryFile(suffix=".sys") as planted:
            pe.write(planted.name)
            _, bad = check(planted.name, machine)
        print(f"  self-test {name}: {'reported: ' + '; '.join(bad) if bad else 'NOT REPORTED'}")
        failures += len(bad) != 1
    return failures


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--self-test":
        print("checker self-test (a deviation planted in a copy of the image):")
        return 1 if self_test(sys.argv[2], sys.argv[3]) else 0
    if len(sys.argv) != 3 or sys.argv[2] not in MACHINES:
        print(__doc__, file=sys.stderr)
        return 2
    facts, bad = check(sys.argv[1], sys.argv[2])
    print(f"{sys.argv[1]}:")
    for fact in facts:
        print(f"  {fact}")
    if bad:
        print("NOT A VALID DRIVER IMAGE:", file=sys.stderr)
        for deviation in bad:
            print(f"  {deviation}", file=sys.stderr)
        return 1
    print(f"ok: {len(facts)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
