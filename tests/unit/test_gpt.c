/*
 * tests/unit/test_gpt.c — the GPT reader (common/gpt.c) that finds a
 * bootable disk's partition of large files: a table built here, found
 * through the primary and, when the primary is broken, the backup; every
 * header and entry rule broken once (with the CRCs made right again, so
 * the rule itself is what refuses it); random corruption, with the reader
 * checking that no read leaves the disk; and a table made by sgdisk, the
 * tool gorump builds disks with, so the GUIDs' byte order is sgdisk's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/gpt.h>

#include "check.h"
#include "gpt_build.h"

#define SECTORS 8192u
#define SEC GPT_SEC

static const uint8_t uniq[16] = {1,    2,  3,  4,  5,  6,  7,  0x48,
                                 0x89, 10, 11, 12, 13, 14, 15, 16};

struct mdisk {
    uint8_t *b;
    uint64_t sectors;
    uint64_t fail_from, fail_to; /* reads touching [from, to) fail */
    int outside;                 /* reads asked past the disk */
};

static const uint8_t *mdisk_read(void *ctx, uint64_t lba, uint32_t n)
{
    struct mdisk *d = ctx;

    if (n < 1 || n > GORUMP_GPT_READ_MAX || lba >= d->sectors ||
        n > d->sectors - lba) {
        d->outside++;
        return NULL;
    }
    if (lba < d->fail_to && d->fail_from < lba + n)
        return NULL;
    return d->b + lba * SEC;
}

static uint8_t *hdr(struct mdisk *d, int backup)
{
    return gpt_hdr(d->b, d->sectors, backup);
}

static void fix(struct mdisk *d, int backup)
{
    gpt_fix(d->b, d->sectors, backup);
}

static uint8_t *entry(struct mdisk *d, int backup, uint32_t i)
{
    return gpt_entry(d->b, d->sectors, backup, i);
}

/* Both tables: nentries entries of esize bytes, entry 0 an ESP, entry 2
 * the files' partition at 2048-4095. */
static void build(struct mdisk *d, uint32_t nentries, uint32_t esize)
{
    struct gpt_spec s = {d->sectors, nentries, esize, 2048, 4095, uniq};

    gpt_build(d->b, &s);
    d->fail_from = d->fail_to = 0;
    d->outside = 0;
}

static int find(struct mdisk *d, struct gorump_gpt_part *p)
{
    memset(p, 0, sizeof(*p));
    return gorump_gpt_find(mdisk_read, d, d->sectors, gorump_gpt_files_type,
                           uniq, p);
}

static void expect_found(struct mdisk *d)
{
    struct gorump_gpt_part p;

    CHECK_EQ(find(d, &p), 0);
    CHECK_EQ(p.first, 2048);
    CHECK_EQ(p.sectors, 2048);
    CHECK_EQ(d->outside, 0);
}

static void test_basics(struct mdisk *d)
{
    static const uint32_t sizes[][2] = {
        {128, 128}, {3, 128}, {4, 256}, {64, 4096}, {4096, 128}};
    char text[37];
    struct gorump_gpt_part p;
    uint8_t other[16];

    CHECK_EQ(gorump_crc32(0, "123456789", 9), 0xcbf43926u);
    CHECK_EQ(gorump_crc32(gorump_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
    gorump_gpt_guid_text(gorump_gpt_files_type, text);
    CHECK(strcmp(text, "d02c0ba7-5030-4ac8-a089-c6f932a12807") == 0);
    CHECK(strcasecmp(text, GORUMP_GPT_FILES_TYPE) == 0);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        build(d, sizes[i][0], sizes[i][1]);
        expect_found(d);
    }
    build(d, 128, 128);
    memcpy(other, uniq, 16);
    other[15] ^= 1;
    CHECK_EQ(gorump_gpt_find(mdisk_read, d, d->sectors, gorump_gpt_files_type,
                             other, &p),
             GORUMP_GPT_ENOPART);
    CHECK_EQ(gorump_gpt_find(mdisk_read, d, d->sectors, gpt_esp_type, uniq, &p),
             GORUMP_GPT_ENOPART);
    CHECK_EQ(gorump_gpt_find(mdisk_read, d, 2, gorump_gpt_files_type, uniq, &p),
             GORUMP_GPT_ENOGPT);
    for (int e = GORUMP_GPT_EDUP; e <= GORUMP_GPT_EIO; e++)
        CHECK(strcmp(gorump_gpt_strerror(e), "unknown error") != 0);
}

/* The primary broken: the backup is used; both: the primary's error. */
static void test_backup(struct mdisk *d)
{
    struct gorump_gpt_part p;

    build(d, 128, 128);
    hdr(d, 0)[60] ^= 1; /* the disk GUID, under the header's CRC */
    expect_found(d);
    hdr(d, 1)[60] ^= 1;
    CHECK_EQ(find(d, &p), GORUMP_GPT_EHDRCRC);
    build(d, 128, 128);
    memset(hdr(d, 0), 0, SEC);
    expect_found(d);
    memset(hdr(d, 1), 0, 8);
    CHECK_EQ(find(d, &p), GORUMP_GPT_ENOGPT);
    build(d, 128, 128);
    entry(d, 0, 100)[0] ^= 1; /* an unused entry, under the entries' CRC */
    expect_found(d);
    entry(d, 1, 100)[0] ^= 1;
    CHECK_EQ(find(d, &p), GORUMP_GPT_EENTRIES);
    build(d, 128, 128);
    d->fail_from = 0; /* the primary unreadable */
    d->fail_to = 40;
    expect_found(d);
    d->fail_to = SECTORS;
    CHECK_EQ(find(d, &p), GORUMP_GPT_EIO);
    /* A valid primary's answer stands, whatever the backup says. */
    build(d, 128, 128);
    memset(entry(d, 0, 2) + 16, 0, 16);
    fix(d, 0);
    CHECK_EQ(find(d, &p), GORUMP_GPT_ENOPART);
}

/* One header field of both tables set to v (of n bytes); the CRCs made
 * right again. */
static int mutate_header(struct mdisk *d, int off, int n, uint64_t v)
{
    struct gorump_gpt_part p;

    build(d, 128, 128);
    for (int backup = 0; backup < 2; backup++) {
        elf_put(hdr(d, backup) + off, v, n);
        fix(d, backup);
    }
    int err = find(d, &p);
    CHECK_EQ(d->outside, 0);
    return err;
}

static void test_header_rules(struct mdisk *d)
{
    static const struct {
        int off, n;
        uint64_t v;
    } bad[] = {
        {8, 4, 0x00020000},      /* revision 2.0 */
        {12, 4, 91},             /* header smaller than the fields */
        {12, 4, 513},            /* larger than its sector */
        {20, 4, 1},              /* reserved */
        {24, 8, 7},              /* not its own LBA */
        {40, 8, 0},              /* usable from LBA 0 (the MBR) */
        {40, 8, 1},              /* usable over the primary header */
        {40, 8, 9000},           /* first usable after the last */
        {48, 8, SECTORS - 1},    /* last usable over the backup header */
        {48, 8, SECTORS},        /* last usable past the disk */
        {48, 8, UINT64_MAX},     /* and far past it */
        {72, 8, 0},              /* entries in the MBR */
        {72, 8, SECTORS},        /* entries past the disk */
        {72, 8, SECTORS - 2},    /* entries running past the disk */
        {72, 8, 1000},           /* entries in the usable range */
        {72, 8, UINT64_MAX - 1}, /* entry_lba + n overflows */
        {80, 4, 0},              /* no entries */
        {80, 4, 0xffffffffu},    /* far too many */
        {80, 4, 8193},           /* over GORUMP_GPT_ENTRIES_MAX */
        {84, 4, 0},              /* entry size 0 */
        {84, 4, 100},            /* under 128 */
        {84, 4, 384},            /* not 128 * 2^n */
        {84, 4, 8192},           /* over a read */
        {84, 4, 0x80000000u},    /* huge */
    };

    CHECK_EQ(mutate_header(d, 8, 4, 0x00010002), 0); /* revision 1.2 */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int err = mutate_header(d, bad[i].off, bad[i].n, bad[i].v);
        if (err != GORUMP_GPT_EHEADER)
            fprintf(stderr, "header rule %zu: %d\n", i, err);
        CHECK_EQ(err, GORUMP_GPT_EHEADER);
    }
    /* The header's own size field under its CRC. */
    build(d, 128, 128);
    for (int backup = 0; backup < 2; backup++) {
        elf_put(hdr(d, backup) + 12, 100, 4);
        hdr(d, backup)[95] = 0xaa; /* covered now */
        fix(d, backup);
        hdr(d, backup)[99] ^= 1;
    }
    struct gorump_gpt_part p;
    CHECK_EQ(find(d, &p), GORUMP_GPT_EHDRCRC);
}

/* The files' entry in both tables from first to last, and copied to
 * entry 77 too when dup; CRCs made right. */
static int mutate_entry(struct mdisk *d, uint64_t first, uint64_t last, int dup)
{
    struct gorump_gpt_part p;

    build(d, 128, 128);
    for (int backup = 0; backup < 2; backup++) {
        elf_put(entry(d, backup, 2) + 32, first, 8);
        elf_put(entry(d, backup, 2) + 40, last, 8);
        if (dup)
            memcpy(entry(d, backup, 77), entry(d, backup, 2), 128);
        fix(d, backup);
    }
    return find(d, &p);
}

static void test_entry_rules(struct mdisk *d)
{
    uint64_t last_usable = SECTORS - 2 - 32;

    CHECK_EQ(mutate_entry(d, 34, last_usable, 0), 0);
    CHECK_EQ(mutate_entry(d, 4096, 2048, 0), GORUMP_GPT_EPART);
    CHECK_EQ(mutate_entry(d, 33, 4095, 0), GORUMP_GPT_EPART);
    CHECK_EQ(mutate_entry(d, 2048, last_usable + 1, 0), GORUMP_GPT_EPART);
    CHECK_EQ(mutate_entry(d, 2048, UINT64_MAX, 0), GORUMP_GPT_EPART);
    CHECK_EQ(mutate_entry(d, UINT64_MAX, UINT64_MAX, 0), GORUMP_GPT_EPART);
    CHECK_EQ(mutate_entry(d, 2048, 4095, 1), GORUMP_GPT_EDUP);
}

/* Random bytes over the tables: an answer, never a read off the disk, and
 * a partition found only inside it. */
static void test_random(struct mdisk *d)
{
    struct gorump_gpt_part p;

    srand(15);
    for (int round = 0; round < 3000; round++) {
        build(d, 128, 128);
        int flips = 1 + rand() % 8;
        for (int i = 0; i < flips; i++) {
            uint64_t s = (uint64_t)(rand() % 68);
            s = s < 34 ? s : d->sectors - 68 + s;
            d->b[s * SEC + (uint64_t)(rand() % SEC)] = (uint8_t)rand();
        }
        if (round % 2 == 0)
            for (int backup = 0; backup < 2; backup++)
                fix(d, backup);
        int err = find(d, &p);
        CHECK(err <= 0 && err >= GORUMP_GPT_EDUP);
        CHECK_EQ(d->outside, 0);
        if (err == 0)
            CHECK(p.sectors > 0 && p.first < d->sectors &&
                  p.sectors <= d->sectors - p.first);
    }
}

/* A table sgdisk writes, as tool/bootdisk.c has it write. */
static void test_sgdisk(void)
{
    char path[] = "/tmp/gorump-gpt-XXXXXX", cmd[512], guid[37];
    int fd = mkstemp(path);
    struct mdisk d = {.sectors = SECTORS};
    struct gorump_gpt_part p;

    if (fd < 0 || system("command -v sgdisk >/dev/null") != 0) {
        fprintf(stderr, "test_gpt: no sgdisk: its table not checked\n");
        if (fd >= 0) {
            unlink(path);
            close(fd);
        }
        return;
    }
    CHECK(ftruncate(fd, SECTORS * SEC) == 0);
    gorump_gpt_guid_text(uniq, guid);
    snprintf(cmd, sizeof(cmd),
             "sgdisk -n 1:2048:4095 -t 1:EF00 -n 2:4096:6143 -t 2:%s -u 2:%s "
             "%s >/dev/null",
             GORUMP_GPT_FILES_TYPE, guid, path);
    CHECK(system(cmd) == 0);
    d.b = calloc(SECTORS, SEC);
    CHECK(d.b != NULL && pread(fd, d.b, SECTORS * SEC, 0) == SECTORS * SEC);
    CHECK_EQ(find(&d, &p), 0);
    CHECK_EQ(p.first, 4096);
    CHECK_EQ(p.sectors, 2048);
    memset(d.b + SEC, 0, SEC); /* sgdisk's backup too */
    CHECK_EQ(find(&d, &p), 0);
    CHECK_EQ(p.first, 4096);
    free(d.b);
    unlink(path);
    close(fd);
}

int main(void)
{
    struct mdisk d = {.sectors = SECTORS};

    d.b = malloc((size_t)SECTORS * SEC);
    CHECK(d.b != NULL);
    test_basics(&d);
    test_backup(&d);
    test_header_rules(&d);
    test_entry_rules(&d);
    test_random(&d);
    free(d.b);
    test_sgdisk();
    return check_done();
}
