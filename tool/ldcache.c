/*
 * tool/ldcache.c — the ld.so.cache reader (see ldcache.h).  The layout,
 * from glibc's sysdeps/generic/dl-cache.h (struct cache_file_new):
 *
 *   char magic[17] "glibc-ld.so.cache", char version[3] "1.1",
 *   uint32 nlibs, uint32 len_strings, uint8 flags, uint8 pad[3],
 *   uint32 extension_offset, uint32 unused[3]          (48 bytes)
 *   nlibs entries of { int32 flags; uint32 key, value; uint32 osversion;
 *                      uint64 hwcap }                  (24 bytes each)
 *   the strings, which key and value locate from the header's start.
 *
 * The old format ("ld.so-1.7.0", uint32 nlibs, 12-byte entries) may come
 * first; the new header then follows it at the next 8-byte boundary.
 * Entry flags: FLAG_ELF_LIBC6 (3) | FLAG_X8664_LIB64 (0x0300) for an
 * x86-64 library.  A hwcap with bit 62 set (DL_CACHE_HWCAP_EXTENSION)
 * names a glibc-hwcaps subdirectory variant, which ld.so may prefer on a
 * capable CPU but always backs with the plain entry.
 */
#include <string.h>

#include "ldcache.h"

#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_HDR 48u
#define NEW_ENTRY 24u
#define OLD_HDR 16u
#define OLD_ENTRY 12u
#define FLAGS_X8664 0x0303u
#define HWCAP_EXTENSION (1ull << 62)

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Where the new-format header starts: 0, after the old table, or -1. */
static long ldcache_new_at(const uint8_t *buf, size_t len)
{
    size_t at;
    uint32_t n;

    if (len >= sizeof(NEW_MAGIC) - 1 &&
        memcmp(buf, NEW_MAGIC, sizeof(NEW_MAGIC) - 1) == 0)
        return 0;
    if (len < OLD_HDR || memcmp(buf, OLD_MAGIC, sizeof(OLD_MAGIC) - 1) != 0)
        return -1;
    n = rd32(buf + 12);
    if (n > (len - OLD_HDR) / OLD_ENTRY)
        return -1;
    at = (OLD_HDR + (size_t)n * OLD_ENTRY + 7) & ~(size_t)7;
    if (at > len || len - at < sizeof(NEW_MAGIC) - 1 ||
        memcmp(buf + at, NEW_MAGIC, sizeof(NEW_MAGIC) - 1) != 0)
        return -1;
    return (long)at;
}

int ldcache_open(struct ldcache *c, const uint8_t *buf, size_t len)
{
    long at = ldcache_new_at(buf, len);

    memset(c, 0, sizeof(*c));
    if (at < 0 || len - (size_t)at < NEW_HDR)
        return -1;
    c->base = buf + at;
    c->len = len - (size_t)at;
    c->nlibs = rd32(c->base + 20);
    if (c->nlibs > (c->len - NEW_HDR) / NEW_ENTRY) {
        memset(c, 0, sizeof(*c));
        return -1;
    }
    return 0;
}

/* The string at OFF, if it ends inside the file; else NULL. */
static const char *ldcache_string(const struct ldcache *c, uint32_t off)
{
    if (off >= c->len || memchr(c->base + off, '\0', c->len - off) == NULL)
        return NULL;
    return (const char *)c->base + off;
}

const char *ldcache_find(const struct ldcache *c, const char *name,
                         uint32_t *cursor)
{
    for (; *cursor < c->nlibs; (*cursor)++) {
        const uint8_t *e = c->base + NEW_HDR + (size_t)*cursor * NEW_ENTRY;
        const char *key = ldcache_string(c, rd32(e + 4));
        const char *value = ldcache_string(c, rd32(e + 8));
        if (rd32(e) != FLAGS_X8664 || (rd64(e + 16) & HWCAP_EXTENSION) ||
            key == NULL || value == NULL || strcmp(key, name) != 0)
            continue;
        (*cursor)++;
        return value;
    }
    return NULL;
}
