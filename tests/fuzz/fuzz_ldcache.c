/*
 * tests/fuzz/fuzz_ldcache.c — libFuzzer target for the tool's
 * /etc/ld.so.cache reader (tool/ldcache.c): any bytes are either refused
 * or give paths that lie inside the buffer and end there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_find(const struct ldcache *c, const uint8_t *data,
                       size_t size, const char *name)
{
    uint32_t cursor = 0, last = 0;
    const char *path;

    while ((path = ldcache_find(c, name, &cursor)) != NULL) {
        const uint8_t *p = (const uint8_t *)path;
        if (p < data || p >= data + size ||
            memchr(p, '\0', size - (size_t)(p - data)) == NULL)
            abort();
        if (cursor <= last && last != 0)
            abort(); /* the cursor always moves on */
        last = cursor;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ldcache c;

    if (ldcache_open(&c, data, size) != 0)
        return 0;
    if (c.base < data || c.len > size - (size_t)(c.base - data))
        abort();
    check_find(&c, data, size, "libc.so.6");
    check_find(&c, data, size, "libx.so");
    check_find(&c, data, size, "");
    return 0;
}
