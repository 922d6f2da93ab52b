/*
 * tests/unit/test_kstring.c — the kernel's memchr (kernel/lib/string.c,
 * built for the host under other names) against the C library's: every
 * length up to 80 at every alignment up to 16, the byte absent, at each
 * position and repeated, bytes next to it differing by one bit (the
 * word-at-a-time test must not see them), and 0x00 and 0xff.  Each
 * buffer is allocated at exactly its size, so ASan sees a read past it.
 */
#include <stdlib.h>
#include <string.h>

#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define memchr k_memchr
#define strcspn k_strcspn
#include "lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef memchr
#undef strcspn

#include "check.h"

static void one(const unsigned char *pattern, size_t len, size_t align, int c)
{
    unsigned char *block = malloc(align + len + 1);
    unsigned char *p = block + align;
    memcpy(p, pattern, len);
    /* The buffer ends exactly at len: a copy at its own allocation. */
    unsigned char *exact = malloc(len ? len : 1);
    memcpy(exact, pattern, len);
    CHECK(k_memchr(p, c, len) == memchr(p, c, len));
    CHECK(k_memchr(exact, c, len) == memchr(exact, c, len));
    free(exact);
    free(block);
}

int main(void)
{
    static const int bytes[] = {0x10, 0x00, 0xff, 0x80, 0x01};
    unsigned char buf[80];
    for (size_t b = 0; b < sizeof(bytes) / sizeof(bytes[0]); b++) {
        int c = bytes[b];
        for (size_t len = 0; len <= sizeof(buf); len++) {
            for (size_t align = 0; align < 16; align++) {
                /* Neighbours one bit away from c, never c itself. */
                for (size_t i = 0; i < len; i++)
                    buf[i] = (unsigned char)(c ^ (1 << (i % 8)));
                one(buf, len, align, c);
                for (size_t at = 0; at < len; at++) {
                    unsigned char keep = buf[at];
                    buf[at] = (unsigned char)c;
                    one(buf, len, align, c);
                    if (at + 9 < len) {
                        buf[at + 9] = (unsigned char)c; /* a second one */
                        one(buf, len, align, c);
                        buf[at + 9] =
                            (unsigned char)(c ^ (1 << ((at + 9) % 8)));
                    }
                    buf[at] = keep;
                }
            }
        }
    }
    /* An int with bits above the byte, as memchr(3) takes it. */
    buf[5] = 0x10;
    CHECK(k_memchr(buf, 0x110, 10) == buf + 5);
    return check_done();
}
