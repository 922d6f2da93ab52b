/*
 * tests/unit/test_crc32c.c — CRC-32C (common/crc32c.c): the known answer,
 * and both implementations (the tables, and the crc32 instruction where
 * the host has it) against a bit-at-a-time reference for every length and
 * alignment, whole and in pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gorump/image.h>

#include "check.h"

static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return ~crc;
}

typedef uint32_t crc_fn(uint32_t crc, const void *buf, size_t len);

static void test_known(crc_fn *crc)
{
    uint8_t zeros[32], ones[32];

    memset(zeros, 0, sizeof(zeros));
    memset(ones, 0xff, sizeof(ones));
    CHECK_EQ(crc(0, "123456789", 9), 0xe3069283u);
    CHECK_EQ(crc(0, "", 0), 0);
    CHECK_EQ(crc(0, NULL, 0), 0);
    /* RFC 3720 B.4: 32 bytes of zeros, and of 0xff. */
    CHECK_EQ(crc(0, zeros, 32), 0x8a9136aau);
    CHECK_EQ(crc(0, ones, 32), 0x62a8ab43u);
}

static void test_against_reference(crc_fn *crc)
{
    static uint8_t buf[300];
    uint32_t a, b;

    srand(7);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rand();
    for (size_t off = 0; off < 8; off++) {
        for (size_t n = 0; n + off <= sizeof(buf); n += 1 + n / 16) {
            a = crc(0, buf + off, n);
            CHECK_EQ(a, crc_ref(0, buf + off, n));
            /* In two pieces, continuing from the first's result. */
            b = crc(crc(0, buf + off, n / 3), buf + off + n / 3, n - n / 3);
            CHECK_EQ(a, b);
        }
    }
}

/* Long buffers (the instruction's three interleaved lanes, joined) against
 * the tables, at every alignment and around the lane sizes. */
static void test_long(void)
{
    static uint8_t buf[70000];
    static const size_t lens[] = {12287, 12288, 12289, 24576 + 100, 69000};

    srand(11);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rand();
    for (size_t off = 0; off < 8; off++)
        for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
            CHECK_EQ(gorump_crc32c(0, buf + off, lens[k]),
                     gorump_crc32c_tables(0, buf + off, lens[k]));
            CHECK_EQ(gorump_crc32c(0x12345678u, buf + off, lens[k]),
                     gorump_crc32c_tables(0x12345678u, buf + off, lens[k]));
        }
}

int main(void)
{
    test_known(gorump_crc32c);
    test_against_reference(gorump_crc32c);
    test_known(gorump_crc32c_tables);
    test_against_reference(gorump_crc32c_tables);
    test_long();
    return check_done();
}
