/* Debian's Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std calls (since 1.78)
 * for random bytes. This stand-in, placed beside a test binary, forwards to advapi32's
 * RtlGenRandom (exported as SystemFunction036), which Wine has. CI only: Windows has the real
 * DLL. Built by .ci/wine/run with mingw-w64. */
#include <windows.h>

typedef BOOLEAN(WINAPI *RtlGenRandomFn)(PVOID, ULONG);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    static RtlGenRandomFn generate;
    if (!generate)
        generate = (RtlGenRandomFn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    while (generate && length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!generate(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return generate != NULL;
}
