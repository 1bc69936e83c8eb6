/* bcryptprimitives.dll for Wine 8.0, which has none: the one export Rust's standard library
 * (1.78 and later, windows-gnu) imports from it, ProcessPrng, for the NETIO double's hash-map
 * seeds (serde_json's ordered maps in the replay crate it links). Harness only: netnotify.sys
 * never imports it (ci/image/check.py checks the image's imports). Same contract as Windows'
 * ProcessPrng: fills the buffer with random bytes and returns TRUE. Built by ci/wine/run with
 * mingw-w64; the bytes come from advapi32's RtlGenRandom (SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length != 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
