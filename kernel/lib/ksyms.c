/*
 * lib/ksyms.c — function names for panic backtraces.  The kernel is linked
 * twice: the first link has no table (these weak empty definitions); the
 * second adds the table scripts/gen-ksyms.sh made from the first.
 */
#include "lib/lib.h"

__attribute__((weak)) extern const uint64_t ksyms_count;
__attribute__((weak)) extern const uint64_t ksyms_addr[];
__attribute__((weak)) extern const char ksyms_names[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    if (!&ksyms_count || !ksyms_count || addr < ksyms_addr[0])
        return NULL;
    uint64_t lo = 0, hi = ksyms_count;
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (ksyms_addr[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    const char *name = ksyms_names;
    for (uint64_t i = 0; i < lo; i++)
        name += strlen(name) + 1;
    *offset = addr - ksyms_addr[lo];
    return name;
}
