/* TEST ONLY, never shipped: wine 8 has no bcryptprimitives.dll. Windows 10 and 11 have it, and Rust
 * programs built with Rust >= 1.78 (the Windows wheels of cryptography and python-calamine) import
 * its ProcessPrng. dist-test-windows builds this stand-in into the fresh wine prefix's system32, so
 * the installed app can load those wheels there as on Windows. ProcessPrng is documented to fill
 * the buffer with random bytes and always return TRUE; BCryptGenRandom (which wine has) does that. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
