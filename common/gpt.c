/*
 * common/gpt.c — finding a partition in a GUID Partition Table (see
 * include/gorump/gpt.h).  The header (UEFI 2.10 §5.3.2, table 5-5) is
 * checked field by field before anything it says is used: signature,
 * revision 1.x, size, CRC-32, the reserved word, its own LBA, the usable
 * range inside the disk, and an entry array that lies inside the disk,
 * clear of the header and the usable range, of entries of 128 * 2^n
 * bytes (§5.3.2: "128 x 2^n where n is an integer greater than or equal
 * to zero").  The array is read a page at a time, its CRC-32 computed on
 * the way, and an entry found is taken only when the whole array's CRC
 * matches.  The CRC is bit at a time: a table is 16 KiB, read once at
 * boot, and tables would cost the kernel 1 KiB.
 */
#include <stddef.h>
#include <stdint.h>

#include <gorump/gpt.h>

#include "le.h"

/* Header fields (table 5-5) and entry fields (table 5-6). */
#define HDR_SIG 0
#define HDR_REVISION 8
#define HDR_SIZE 12
#define HDR_CRC 16
#define HDR_RESERVED 20
#define HDR_MY_LBA 24
#define HDR_FIRST_USABLE 40
#define HDR_LAST_USABLE 48
#define HDR_ENTRY_LBA 72
#define HDR_NENTRIES 80
#define HDR_ENTRY_SIZE 84
#define HDR_ENTRIES_CRC 88
#define HDR_MIN 92
#define ENT_TYPE 0
#define ENT_UNIQ 16
#define ENT_FIRST 32
#define ENT_LAST 40
#define ENT_MIN 128
#define CHUNK (GORUMP_GPT_READ_MAX * GORUMP_GPT_SECTOR)

/* d02c0ba7-5030-4ac8-a089-c6f932a12807 as a table stores it. */
const uint8_t gorump_gpt_files_type[16] = {0xa7, 0x0b, 0x2c, 0xd0, 0x30, 0x50,
                                           0xc8, 0x4a, 0xa0, 0x89, 0xc6, 0xf9,
                                           0x32, 0xa1, 0x28, 0x07};

struct gpt_hdr {
    uint64_t first_usable, last_usable, entry_lba;
    uint32_t nentries, entry_size, entries_crc;
};

uint32_t gorump_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    crc = ~crc;
    while (len-- > 0) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static int same_guid(const uint8_t *a, const uint8_t *b)
{
    int diff = 0;

    for (int i = 0; i < 16; i++)
        diff |= a[i] ^ b[i];
    return diff == 0;
}

/* The header's CRC: over header_size bytes with the CRC field as zero. */
static uint32_t hdr_crc(const uint8_t *s, uint32_t size)
{
    static const uint8_t zero[4];
    uint32_t crc = gorump_crc32(0, s, HDR_CRC);

    crc = gorump_crc32(crc, zero, 4);
    return gorump_crc32(crc, s + HDR_CRC + 4, size - HDR_CRC - 4);
}

/* Whether [a, a + n) and [b, c] (inclusive) overlap. */
static int overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t c)
{
    return a <= c && b < a + n;
}

/* Checks the header in sector s, read from lba, of a disk of `sectors`
 * sectors; fills *h.  0 or a GORUMP_GPT_E* code. */
static int gpt_header(const uint8_t *s, uint64_t lba, uint64_t sectors,
                      struct gpt_hdr *h)
{
    static const char sig[8] = {'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};
    uint32_t size = le32(s + HDR_SIZE), esize = le32(s + HDR_ENTRY_SIZE);

    for (int i = 0; i < 8; i++)
        if (s[HDR_SIG + i] != (uint8_t)sig[i])
            return GORUMP_GPT_ENOGPT;
    if (size < HDR_MIN || size > GORUMP_GPT_SECTOR)
        return GORUMP_GPT_EHEADER;
    if (hdr_crc(s, size) != le32(s + HDR_CRC))
        return GORUMP_GPT_EHDRCRC;
    h->first_usable = le64(s + HDR_FIRST_USABLE);
    h->last_usable = le64(s + HDR_LAST_USABLE);
    h->entry_lba = le64(s + HDR_ENTRY_LBA);
    h->nentries = le32(s + HDR_NENTRIES);
    h->entry_size = esize;
    h->entries_crc = le32(s + HDR_ENTRIES_CRC);
    if (le32(s + HDR_REVISION) >> 16 != 1 || le32(s + HDR_RESERVED) != 0 ||
        le64(s + HDR_MY_LBA) != lba || h->first_usable > h->last_usable ||
        h->first_usable < 2 || h->last_usable >= sectors - 1)
        return GORUMP_GPT_EHEADER; /* clear of the MBR and both headers */
    /* 128 * 2^n, at most a chunk, so a chunk holds whole entries. */
    if (esize < ENT_MIN || esize > CHUNK || (esize & (esize - 1)) != 0 ||
        h->nentries == 0 ||
        (uint64_t)h->nentries * esize > GORUMP_GPT_ENTRIES_MAX)
        return GORUMP_GPT_EHEADER;
    uint64_t n = ((uint64_t)h->nentries * esize + GORUMP_GPT_SECTOR - 1) /
                 GORUMP_GPT_SECTOR;
    if (h->entry_lba < 1 || h->entry_lba >= sectors ||
        n > sectors - h->entry_lba || overlaps(h->entry_lba, n, lba, lba) ||
        overlaps(h->entry_lba, n, h->first_usable, h->last_usable))
        return GORUMP_GPT_EHEADER;
    return 0;
}

/* Checks a matching entry e against the header; fills *out. */
static int gpt_entry(const uint8_t *e, const struct gpt_hdr *h,
                     struct gorump_gpt_part *out)
{
    uint64_t first = le64(e + ENT_FIRST), last = le64(e + ENT_LAST);

    if (first > last || first < h->first_usable || last > h->last_usable)
        return GORUMP_GPT_EPART;
    out->first = first;
    out->sectors = last - first + 1;
    return 0;
}

/* The table whose header is at lba: 0 (*out filled) or a code. */
static int gpt_try(gorump_gpt_read_fn *read, void *ctx, uint64_t sectors,
                   uint64_t lba, const uint8_t *type, const uint8_t *uniq,
                   struct gorump_gpt_part *out)
{
    const uint8_t *s = read(ctx, lba, 1);
    struct gpt_hdr h;
    int err, found = 0, bad = 0;

    if (s == NULL)
        return GORUMP_GPT_EIO;
    err = gpt_header(s, lba, sectors, &h);
    if (err != 0)
        return err;
    uint64_t bytes = (uint64_t)h.nentries * h.entry_size;
    uint32_t crc = 0;
    for (uint64_t off = 0; off < bytes; off += CHUNK) {
        uint32_t len = bytes - off < CHUNK ? (uint32_t)(bytes - off) : CHUNK;
        s = read(ctx, h.entry_lba + off / GORUMP_GPT_SECTOR,
                 (len + GORUMP_GPT_SECTOR - 1) / GORUMP_GPT_SECTOR);
        if (s == NULL)
            return GORUMP_GPT_EIO;
        crc = gorump_crc32(crc, s, len);
        for (uint32_t e = 0; e < len; e += h.entry_size) {
            if (!same_guid(s + e + ENT_UNIQ, uniq) ||
                !same_guid(s + e + ENT_TYPE, type))
                continue;
            if (found++ == 0)
                bad = gpt_entry(s + e, &h, out);
        }
    }
    if (crc != h.entries_crc)
        return GORUMP_GPT_EENTRIES;
    return found == 0 ? GORUMP_GPT_ENOPART : found > 1 ? GORUMP_GPT_EDUP : bad;
}

int gorump_gpt_find(gorump_gpt_read_fn *read, void *ctx, uint64_t disk_sectors,
                    const uint8_t type[16], const uint8_t uniq[16],
                    struct gorump_gpt_part *out)
{
    int err, backup;

    if (disk_sectors < 3) /* MBR, a header and an entry at least */
        return GORUMP_GPT_ENOGPT;
    err = gpt_try(read, ctx, disk_sectors, 1, type, uniq, out);
    if (err == 0 || err == GORUMP_GPT_ENOPART || err == GORUMP_GPT_EPART ||
        err == GORUMP_GPT_EDUP)
        return err;
    backup =
        gpt_try(read, ctx, disk_sectors, disk_sectors - 1, type, uniq, out);
    return backup == 0 || backup == GORUMP_GPT_ENOPART ||
                   backup == GORUMP_GPT_EPART || backup == GORUMP_GPT_EDUP
               ? backup
               : err;
}

const char *gorump_gpt_strerror(int err)
{
    switch (err) {
    case GORUMP_GPT_EIO:
        return "cannot read its partition table";
    case GORUMP_GPT_ENOGPT:
        return "no GUID partition table";
    case GORUMP_GPT_EHDRCRC:
        return "the partition table's header fails its CRC";
    case GORUMP_GPT_EHEADER:
        return "the partition table's header is malformed";
    case GORUMP_GPT_EENTRIES:
        return "the partition table's entries fail their CRC";
    case GORUMP_GPT_ENOPART:
        return "no such partition";
    case GORUMP_GPT_EPART:
        return "the partition lies outside the disk's usable sectors";
    case GORUMP_GPT_EDUP:
        return "the partition is listed twice";
    }
    return "unknown error";
}

void gorump_gpt_guid_text(const uint8_t g[16], char out[37])
{
    /* Bytes in text order: the first three fields are little-endian. */
    static const uint8_t order[16] = {3, 2, 1,  0,  5,  4,  7,  6,
                                      8, 9, 10, 11, 12, 13, 14, 15};
    static const char hex[] = "0123456789abcdef";
    int o = 0;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[g[order[i]] >> 4];
        out[o++] = hex[g[order[i]] & 15];
    }
    out[o] = '\0';
}
