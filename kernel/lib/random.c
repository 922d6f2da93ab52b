/*
 * lib/random.c — the kernel's random numbers: ChaCha20 (RFC 8439 block
 * function) in fast-key-erasure mode, keyed at boot from RDRAND when the
 * CPU has it, mixed with TSC readings.  Feeds getrandom, /dev/urandom and
 * AT_RANDOM.
 */
#include "lib/lib.h"
#include "arch/x86_64/arch.h"

static struct {
    uint32_t key[8];
    uint64_t counter;
    uint8_t buf[64];
    unsigned avail;
} rng;

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)                                                         \
    do {                                                                       \
        a += b, d ^= a, d = ROTL(d, 16);                                       \
        c += d, b ^= c, b = ROTL(b, 12);                                       \
        a += b, d ^= a, d = ROTL(d, 8);                                        \
        c += d, b ^= c, b = ROTL(b, 7);                                        \
    } while (0)

static void chacha_block(uint32_t out[16])
{
    uint32_t s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    memcpy(&s[4], rng.key, 32);
    s[12] = (uint32_t)rng.counter;
    s[13] = (uint32_t)(rng.counter >> 32);
    rng.counter++;
    uint32_t x[16];
    memcpy(x, s, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        out[i] = x[i] + s[i];
}

static bool rdrand64(uint64_t *v)
{
    unsigned char ok;
    for (int i = 0; i < 10; i++) {
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

void random_init(void)
{
    for (int i = 0; i < 8; i++) {
        uint64_t v = 0;
        if (cpu_has_rdrand)
            rdrand64(&v);
        v ^= rdtsc() * 0x9e3779b97f4a7c15ULL;
        rng.key[i] ^= (uint32_t)v ^ (uint32_t)(v >> 32);
    }
    rng.avail = 0;
}

/* Each block's first 32 bytes become the next key, so earlier output
 * cannot be recomputed from the state. */
static void refill(void)
{
    uint32_t block[16];
    chacha_block(block);
    memcpy(rng.key, block, 32);
    memcpy(rng.buf, (uint8_t *)block + 32, 32);
    rng.avail = 32;
    memset(block, 0, sizeof(block));
}

void random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
    while (n) {
        if (!rng.avail)
            refill();
        size_t c = MIN(n, (size_t)rng.avail);
        memcpy(p, rng.buf + 32 - rng.avail, c);
        memset(rng.buf + 32 - rng.avail, 0, c);
        rng.avail -= c;
        p += c;
        n -= c;
    }
}
