/*
 * lib/string.c — memory and string functions for the freestanding kernel.
 * gcc emits calls to memcpy/memset/memmove/memcmp itself, so these must
 * exist under exactly these names.
 */
#include "lib/lib.h"

/* Eight bytes a step, then the rest: as fast as rep movsb on hardware,
 * and under QEMU's TCG, which emulates each step of a rep, eight times
 * fewer steps (a file system's copies through its bounce buffers went
 * from 25-50 to 58-92 MiB/s, docs/PERFORMANCE.md, bench/storage). */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep movsq"
                     : "+D"(dst), "+S"(src), "+c"(words)
                     :
                     : "memory");
    __asm__ volatile("rep movsb"
                     : "+D"(dst), "+S"(src), "+c"(bytes)
                     :
                     : "memory");
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

/* As memcpy: eight bytes a step, then the rest. */
void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    size_t words = n / 8, bytes = n % 8;
    uint64_t v = 0x0101010101010101ULL * (uint8_t)c;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(bytes) : "a"(v) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

/* A word at a time between the unaligned ends: the console scans every
 * byte a program writes for its escape byte, and a byte loop cost more
 * than the copies under emulation.  A word holds the byte when the word
 * XOR the byte repeated has a zero byte: (x - 0x01..01) & ~x & 0x80..80
 * is non-zero exactly then. */
void *memchr(const void *s, int c, size_t n)
{
    typedef uint64_t __attribute__((may_alias)) word;
    const uint64_t ones = 0x0101010101010101ULL, highs = ones << 7;
    const unsigned char *p = s, ch = (unsigned char)c;
    const uint64_t pat = ones * ch;
    for (; n > 0 && ((uintptr_t)p & 7); p++, n--)
        if (*p == ch)
            return (void *)p;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t x = *(const word *)p ^ pat;
        if ((x - ones) & ~x & highs)
            break;
    }
    for (; n > 0; p++, n--)
        if (*p == ch)
            return (void *)p;
    return NULL;
}

size_t strcspn(const char *s, const char *reject)
{
    size_t n = 0;
    while (s[n] && !strchr(reject, s[n]))
        n++;
    return n;
}
