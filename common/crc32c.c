/*
 * common/crc32c.c — CRC-32C (Castagnoli, reflected polynomial 0x82f63b78),
 * the checksum of gorump images.  Slicing-by-8 in software, so the same
 * file builds into the hosted tool and the freestanding kernel (which has
 * no SSE4.2 at boot and no libc): it includes nothing but stdint/stddef.
 * Hosted on x86-64 (the tool, which checksums every image it writes or is
 * given, 100 MB for a 100 MB program), SSE4.2's crc32 instruction when the
 * CPU has it: it computes exactly this CRC (Intel SDM, "CRC32"), in three
 * interleaved streams joined by the CRC's linearity, about ten times
 * faster than the tables.
 *
 * The tables are computed on first use.  That is race-free in practice
 * because the kernel checks its image on one CPU during boot and the tool
 * is single-threaded; a caller that may race should call
 * gorump_crc32c(0, NULL, 0) once first.
 */
#include <stddef.h>
#include <stdint.h>

#include <gorump/image.h>

#define CRC32C_POLY 0x82f63b78u

static struct {
    int ready;
    uint32_t t[8][256];
} crc32c_tab;

static void crc32c_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc32c_tab.t[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = crc32c_tab.t[0][n];
        for (int k = 1; k < 8; k++) {
            c = crc32c_tab.t[0][c & 0xff] ^ (c >> 8);
            crc32c_tab.t[k][n] = c;
        }
    }
    crc32c_tab.ready = 1;
}

/* Eight bytes at once: each table entry is one byte's effect shifted by
 * its distance from the end of the block. */
static uint32_t crc32c_block8(uint32_t crc, const uint8_t *p)
{
    uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                         (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                  (uint32_t)p[7] << 24;

    return crc32c_tab.t[7][lo & 0xff] ^ crc32c_tab.t[6][(lo >> 8) & 0xff] ^
           crc32c_tab.t[5][(lo >> 16) & 0xff] ^ crc32c_tab.t[4][lo >> 24] ^
           crc32c_tab.t[3][hi & 0xff] ^ crc32c_tab.t[2][(hi >> 8) & 0xff] ^
           crc32c_tab.t[1][(hi >> 16) & 0xff] ^ crc32c_tab.t[0][hi >> 24];
}

#if defined(__x86_64__) && defined(__GNUC__) && __STDC_HOSTED__
#define CRC32C_HW 1
/* Streams of this many bytes run side by side: one crc32 takes three
 * cycles to give its result but the CPU starts one a cycle. */
#define CRC32C_LANE 4096u

/* The register form of the CRC (no inversions), eight bytes at a time. */
__attribute__((target("sse4.2"))) static uint64_t
crc32c_hw1(uint64_t c, const uint8_t *p, size_t len)
{
    unsigned long long v;

    for (; len >= 8; len -= 8, p += 8) {
        __builtin_memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
    }
    for (; len > 0; len--, p++)
        c = __builtin_ia32_crc32qi((unsigned)c, *p);
    return c;
}

/* The register form is linear: crc(c, A B) = shift(crc(c, A), |B|) ^
 * crc(0, B), where shift feeds zeros.  shift by one lane, a byte of the
 * register at a time. */
static struct {
    int ready;
    uint32_t t[4][256];
} crc32c_shift_tab;

/* Shifting is linear too, so the 1,024 entries come from the 32 single
 * bits' shifts (a lane of zeros each): entry b of byte k is the XOR of
 * its bits' entries.  Shifting each of the 1,024 through a lane of zeros
 * cost 4 MB of crc32, more than a hello image's whole checksum. */
static void crc32c_shift_init(void)
{
    static const uint8_t zeros[CRC32C_LANE];
    uint32_t bit[32];

    for (unsigned i = 0; i < 32; i++)
        bit[i] = (uint32_t)crc32c_hw1(1ull << i, zeros, CRC32C_LANE);
    for (unsigned k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t t = 0;
            for (unsigned i = 0; i < 8; i++)
                if (b & (1u << i))
                    t ^= bit[8 * k + i];
            crc32c_shift_tab.t[k][b] = t;
        }
    crc32c_shift_tab.ready = 1;
}

static uint32_t crc32c_shift(uint32_t c)
{
    if (!crc32c_shift_tab.ready)
        crc32c_shift_init();
    return crc32c_shift_tab.t[0][c & 0xff] ^
           crc32c_shift_tab.t[1][(c >> 8) & 0xff] ^
           crc32c_shift_tab.t[2][(c >> 16) & 0xff] ^
           crc32c_shift_tab.t[3][c >> 24];
}

/* Three lanes at once, then whatever is left. */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
    uint64_t c0 = crc;

    for (; len >= 3 * CRC32C_LANE; len -= 3 * CRC32C_LANE) {
        uint64_t c1 = 0, c2 = 0;
        unsigned long long v0, v1, v2;
        for (unsigned i = 0; i < CRC32C_LANE; i += 8, p += 8) {
            __builtin_memcpy(&v0, p, 8);
            __builtin_memcpy(&v1, p + CRC32C_LANE, 8);
            __builtin_memcpy(&v2, p + 2 * CRC32C_LANE, 8);
            c0 = __builtin_ia32_crc32di(c0, v0);
            c1 = __builtin_ia32_crc32di(c1, v1);
            c2 = __builtin_ia32_crc32di(c2, v2);
        }
        p += 2 * CRC32C_LANE;
        c0 = crc32c_shift((uint32_t)c0) ^ (uint32_t)c1;
        c0 = crc32c_shift((uint32_t)c0) ^ (uint32_t)c2;
    }
    return (uint32_t)crc32c_hw1(c0, p, len);
}
#endif

uint32_t gorump_crc32c(uint32_t crc, const void *buf, size_t len)
{
#ifdef CRC32C_HW
    if (__builtin_cpu_supports("sse4.2"))
        return ~crc32c_hw(~crc, buf, len);
#endif
    return gorump_crc32c_tables(crc, buf, len);
}

uint32_t gorump_crc32c_tables(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!crc32c_tab.ready)
        crc32c_init();
    crc = ~crc;
    for (; len >= 8; len -= 8, p += 8)
        crc = crc32c_block8(crc, p);
    for (; len > 0; len--, p++)
        crc = crc32c_tab.t[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
    return ~crc;
}
