/*
 * tool/ldcache.h — reading glibc's /etc/ld.so.cache, the table ldconfig
 * writes from library names to the paths the dynamic loader opens, so the
 * tool finds a program's libraries as glibc's ld.so would.  Only the
 * "glibc-ld.so.cache1.1" format (alone, or after the old "ld.so-1.7.0"
 * table, as older ldconfigs wrote it) is understood; every offset in the
 * file is checked, so a damaged cache only finds nothing.
 */
#ifndef GORUMP_TOOL_LDCACHE_H
#define GORUMP_TOOL_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

struct ldcache {
    const uint8_t *base; /* the new-format header: string offsets count
                            from here */
    size_t len;          /* bytes from base to the end of the file */
    uint32_t nlibs;
};

/* Checks buf[0..len) and fills *c (which points into buf).  0, or -1
 * when it is not a cache in a format we read. */
int ldcache_open(struct ldcache *c, const uint8_t *buf, size_t len);

/*
 * The path of the next x86-64 library entry named NAME from *cursor on
 * (start with 0), skipping the glibc-hwcaps variants; NULL when there is
 * no more.  The string points into the cache.
 */
const char *ldcache_find(const struct ldcache *c, const char *name,
                         uint32_t *cursor);

#endif
