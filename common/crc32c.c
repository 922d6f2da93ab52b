/*
 * common/crc32c.c — CRC-32C (Castagnoli, reflected polynomial 0x82f63b78),
 * the checksum of gorump images.  Software only, slicing-by-8, so the same
 * file builds into the hosted tool and the freestanding kernel (which has
 * no SSE4.2 at boot and no libc): it includes nothing but stdint/stddef.
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

uint32_t gorump_crc32c(uint32_t crc, const void *buf, size_t len)
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
