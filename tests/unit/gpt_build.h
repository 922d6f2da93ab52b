/*
 * tests/unit/gpt_build.h — GUID partition tables built by hand (UEFI
 * 2.10 §5.3), for tests/unit/test_gpt.c and the fuzzer's seeds
 * (tests/fuzz/make_seeds.c): both tables, an ESP entry and the files'
 * partition (type gorump_gpt_files_type) as entry 2, and the CRCs made
 * right again after a test changes a field.  The host is little-endian.
 */
#ifndef GORUMP_TESTS_GPT_BUILD_H
#define GORUMP_TESTS_GPT_BUILD_H

#include <stdint.h>
#include <string.h>

#include <gorump/gpt.h>

#include "elf_build.h" /* elf_put: little-endian stores */

#define GPT_SEC GORUMP_GPT_SECTOR

/* A disk of `sectors` sectors at b whose files' partition is [first,
 * last] with unique GUID uniq, nentries entries of esize bytes. */
struct gpt_spec {
    uint64_t sectors;
    uint32_t nentries, esize;
    uint64_t first, last;
    const uint8_t *uniq;
};

static const uint8_t gpt_esp_type[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8,
                                         0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0,
                                         0xc9, 0x3e, 0xc9, 0x3b};

static inline uint32_t gpt_get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static inline uint8_t *gpt_hdr(uint8_t *b, uint64_t sectors, int backup)
{
    return b + (backup ? sectors - 1 : 1) * GPT_SEC;
}

/* Entry i of a table, where its header says the entries are. */
static inline uint8_t *gpt_entry(uint8_t *b, uint64_t sectors, int backup,
                                 uint32_t i)
{
    uint8_t *h = gpt_hdr(b, sectors, backup);
    uint64_t lba;

    memcpy(&lba, h + 72, 8);
    return b + lba * GPT_SEC + (uint64_t)i * gpt_get32(h + 84);
}

/* Recomputes a table's entries' CRC (when they lie inside the disk),
 * then its header's. */
static inline void gpt_fix(uint8_t *b, uint64_t sectors, int backup)
{
    uint8_t *h = gpt_hdr(b, sectors, backup);
    uint64_t lba;
    uint32_t n = gpt_get32(h + 80), size = gpt_get32(h + 84);
    uint32_t hs = gpt_get32(h + 12);

    memcpy(&lba, h + 72, 8);
    if (lba < sectors && (uint64_t)n * size <= (sectors - lba) * GPT_SEC)
        elf_put(h + 88, gorump_crc32(0, b + lba * GPT_SEC, (size_t)n * size),
                4);
    elf_put(h + 16, 0, 4);
    elf_put(h + 16, gorump_crc32(0, h, hs <= GPT_SEC ? hs : 92), 4);
}

static inline void gpt_build(uint8_t *b, const struct gpt_spec *s)
{
    uint64_t n = s->sectors;
    uint64_t asec = ((uint64_t)s->nentries * s->esize + GPT_SEC - 1) / GPT_SEC;

    memset(b, 0, (size_t)n * GPT_SEC);
    for (int backup = 0; backup < 2; backup++) {
        uint8_t *h = gpt_hdr(b, n, backup);
        memcpy(h, "EFI PART", 8);
        elf_put(h + 8, 0x00010000, 4);
        elf_put(h + 12, 92, 4);
        elf_put(h + 24, backup ? n - 1 : 1, 8);
        elf_put(h + 32, backup ? 1 : n - 1, 8);
        elf_put(h + 40, 2 + asec, 8);
        elf_put(h + 48, n - 2 - asec, 8);
        elf_put(h + 72, backup ? n - 1 - asec : 2, 8);
        elf_put(h + 80, s->nentries, 4);
        elf_put(h + 84, s->esize, 4);
        memcpy(gpt_entry(b, n, backup, 0), gpt_esp_type, 16);
        elf_put(gpt_entry(b, n, backup, 0) + 32, 2 + asec, 8);
        elf_put(gpt_entry(b, n, backup, 0) + 40, s->first - 1, 8);
        if (s->nentries > 2) {
            uint8_t *e = gpt_entry(b, n, backup, 2);
            memcpy(e, gorump_gpt_files_type, 16);
            memcpy(e + 16, s->uniq, 16);
            elf_put(e + 32, s->first, 8);
            elf_put(e + 40, s->last, 8);
        }
        gpt_fix(b, n, backup);
    }
}

#endif
