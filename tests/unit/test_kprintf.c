/*
 * tests/unit/test_kprintf.c — the kernel's vsnprintf (kernel/lib/printf.c,
 * built for the host): every conversion it supports against the host C
 * library's, at every buffer size from 0 to past the end (truncation and
 * NUL termination; the buffer is allocated at exactly that size so ASan
 * sees a byte written past it), widths and flags, the extremes of each
 * integer type, a NULL %s, %p, and what it does with what it does not
 * support.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#define vsnprintf kernel_vsnprintf
#define snprintf kernel_snprintf
#include "lib/printf.c"
#undef vsnprintf
#undef snprintf

#include <stdio.h>

#include "check.h"

/* Without a format attribute: some cases are formats gcc would refuse. */
static int kfmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kernel_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* The kernel's output for fmt at every size, against want (the host C
 * library's output, or what the kernel is documented to print). */
#define KFMT_IS(want, fmt, ...)                                                \
    do {                                                                       \
        const char *w_ = (want);                                               \
        size_t wlen_ = strlen(w_);                                             \
        for (size_t size_ = 0; size_ <= wlen_ + 2; size_++) {                  \
            char *b_ = size_ ? malloc(size_) : NULL;                           \
            int n_ = kfmt(b_, size_, fmt, __VA_ARGS__);                        \
            CHECK_EQ(n_, wlen_);                                               \
            if (size_) {                                                       \
                size_t k_ = size_ - 1 < wlen_ ? size_ - 1 : wlen_;             \
                if (memcmp(b_, w_, k_) || b_[k_]) {                            \
                    check_failed++;                                            \
                    fprintf(stderr, "%s:%d: \"%s\" at size %zu: \"%.*s\"\n",   \
                            __FILE__, __LINE__, fmt, size_, (int)k_, b_);      \
                }                                                              \
            }                                                                  \
            free(b_);                                                          \
        }                                                                      \
    } while (0)

/* The same as the host's snprintf. */
#define SAME(fmt, ...)                                                         \
    do {                                                                       \
        char host_[256];                                                       \
        snprintf(host_, sizeof(host_), fmt, __VA_ARGS__);                      \
        KFMT_IS(host_, fmt, __VA_ARGS__);                                      \
    } while (0)

static void integers(void)
{
    SAME("%d %i %u", 0, -0, 0u);
    SAME("%d|%d|%d", 1, -1, 42);
    SAME("%d %d", INT_MAX, INT_MIN);
    SAME("%u %x %X", UINT_MAX, UINT_MAX, 0xabcdefu);
    SAME("%ld %ld", LONG_MAX, LONG_MIN);
    SAME("%lld %lli", LLONG_MAX, LLONG_MIN);
    SAME("%lu %lx %lX", ULONG_MAX, ULONG_MAX, 0xdeadbeefcafeUL);
    SAME("%llu %llx", ULLONG_MAX, 0x1ULL);
    SAME("%zu %zx %zd", SIZE_MAX, (size_t)4096, (ssize_t)-5);
    SAME("%hd %hu %hx", 12, 34u, 0xffu);
    SAME("%hd %hu %hx %hhd %hhx", 0x18000, 0x12345u, 0xabcdefu, 0x1ff, 0x1abu);
    SAME("%o %o %lo", 0u, 8u, 0777UL);
    SAME("%04o|%4o|%-4o|", 022u, 7u, 7u);
    SAME("%lo", ULONG_MAX);
}

static void widths(void)
{
    SAME("[%5d][%-5d][%05d]", 42, 42, 42);
    SAME("[%5d][%-5d][%05d]", -42, -42, -42);
    SAME("[%1d][%2d][%02d]", -7, -7, -7);
    SAME("[%016lx][%08X][%02x]", 0xabcUL, 0xbeefu, 0xfu);
    SAME("[%8lu][%02lu][%-3u]", 123UL, 5UL, 9u);
    SAME("[%3d][%3d]", 12345, -12345);
    SAME("[%*d][%*d]", 6, -3, 2, 1000);
    SAME("[%020lld]", LLONG_MIN);
    SAME("[%-20lld]", LLONG_MIN);
    KFMT_IS("[-5      ]", "[%-08d]", -5); /* '-' wins over '0' */
}

static void strings(void)
{
    SAME("[%s][%8s][%-8s]", "abc", "abc", "abc");
    SAME("[%.2s][%.0s][%.10s]", "abcdef", "abcdef", "ab");
    SAME("[%.*s][%.*s]", 3, "abcdef", 0, "x");
    SAME("[%-127s]", "line");
    SAME("[%.48s]", "a model name of more than forty-eight characters!!");
    SAME("[%c%c%c][%%][%s]", 'a', 0x7f, '~', "");
    SAME("%s", "");
    /* A precision stops the read: the string need not be terminated. */
    char unterminated[3] = {'x', 'y', 'z'};
    SAME("[%.3s]", unterminated);
    KFMT_IS("[(null)]", "[%s]", (char *)NULL);
    KFMT_IS("[(nu]", "[%.3s]", (char *)NULL);
}

static void pointers_and_oddities(void)
{
    int x;
    SAME("%p", (void *)&x);
    SAME("%p", (void *)0x1000);
    KFMT_IS("0x0", "%p", (void *)NULL); /* glibc says "(nil)" */
    /* What it does not support it copies; a '%' at the very end is kept
     * and nothing past the terminator is read. */
    KFMT_IS("a%qb", "a%qb", 0);
    KFMT_IS("ab%", "ab%", 0);
    KFMT_IS("ab%", "ab%-05", 0);
    /* A negative precision is as if there were none (C11 7.21.6.1p5). */
    SAME("[%.*s]", -1, "whole");
}

static void sizes(void)
{
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    /* size 0 writes nothing at all, and returns the full length. */
    CHECK_EQ(kfmt(buf, 0, "%s", "hello"), 5);
    CHECK_EQ(buf[0], 'Z');
    CHECK_EQ(kfmt(NULL, 0, "%d", 123456), 6);
    CHECK_EQ(kfmt(buf, 1, "%s", "hello"), 5);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'Z');
    /* A long result through a small buffer: the length is still right. */
    char big[5000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_EQ(kfmt(buf, sizeof(buf), "%s%s", big, big), 2 * 4999);
    CHECK(!strcmp(buf, "aaaaaaa"));
}

int main(void)
{
    integers();
    widths();
    strings();
    pointers_and_oddities();
    sizes();
    return check_done();
}
