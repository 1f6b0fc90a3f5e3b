/* Forced into every C file of CPython and SQLite built in the bullseye root (-include): links the
 * libm functions whose default symbol version glibc 2.29 raised (a faster implementation, same
 * results within 1 ulp) to their old versions, so the bundle needs glibc >= 2.28 (UOS 20), not 2.29.
 * bundle-check.sh measures the floor that is really reached. x86_64's base version is 2.2.5;
 * aarch64's is 2.17. */
#if defined(__x86_64__)
#define JIAOYU_OLD_LIBM "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define JIAOYU_OLD_LIBM "GLIBC_2.17"
#endif
#ifdef JIAOYU_OLD_LIBM
__asm__(".symver exp,exp@" JIAOYU_OLD_LIBM);
__asm__(".symver exp2,exp2@" JIAOYU_OLD_LIBM);
__asm__(".symver log,log@" JIAOYU_OLD_LIBM);
__asm__(".symver log2,log2@" JIAOYU_OLD_LIBM);
__asm__(".symver pow,pow@" JIAOYU_OLD_LIBM);
#endif
