/*
 * include/gorump/gpt.h — finding one partition in a GUID Partition Table
 * (UEFI 2.10 §5.3), for the kernel, which finds the image's disk of large
 * files as a partition of the disk it booted from (docs/IMAGE.md, "On a
 * bootable disk"), and for the tests.  The table is untrusted input: every
 * field is checked before it is used (common/gpt.c), and whatever the
 * bytes, the parser reads only the sectors it asks its reader for, inside
 * the disk.  C11 and stdint only, like image.h.
 */
#ifndef GORUMP_GPT_H
#define GORUMP_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GORUMP_GPT_SECTOR 512 /* the logical block size gorump's disks use */
/* Sectors one read asks for at most (4 KiB: one page). */
#define GORUMP_GPT_READ_MAX 8
/* Bytes of partition entries a table may have (the usual 128 of 128
 * bytes are 16 KiB). */
#define GORUMP_GPT_ENTRIES_MAX (1u << 20)

/* The partition type of an image's disk of large files on a bootable
 * disk: a GUID of gorump's own (text form, for sgdisk -t; the table
 * stores it as gorump_gpt_files_type's bytes). */
#define GORUMP_GPT_FILES_TYPE "D02C0BA7-5030-4AC8-A089-C6F932A12807"
extern const uint8_t gorump_gpt_files_type[16];

/* Reads n sectors (1 to GORUMP_GPT_READ_MAX) from lba on; gives their
 * n * GORUMP_GPT_SECTOR bytes, valid until the next call, or NULL when
 * they cannot be read. */
typedef const uint8_t *gorump_gpt_read_fn(void *ctx, uint64_t lba, uint32_t n);

/* A partition: its first sector and how many (last - first + 1). */
struct gorump_gpt_part {
    uint64_t first;
    uint64_t sectors;
};

#define GORUMP_GPT_EIO (-1)      /* the reader failed */
#define GORUMP_GPT_ENOGPT (-2)   /* no "EFI PART" signature */
#define GORUMP_GPT_EHDRCRC (-3)  /* the header's CRC-32 does not match */
#define GORUMP_GPT_EHEADER (-4)  /* a header field out of bounds */
#define GORUMP_GPT_EENTRIES (-5) /* the entries' CRC-32 does not match */
#define GORUMP_GPT_ENOPART (-6)  /* no entry of that type and unique GUID */
#define GORUMP_GPT_EPART (-7)    /* the entry lies outside the usable LBAs */
#define GORUMP_GPT_EDUP (-8)     /* two entries have that unique GUID */

/*
 * Finds the partition of type `type` whose unique partition GUID is
 * `uniq` (both as the table stores them) on a disk of disk_sectors
 * sectors, read through read(ctx, ...).  The primary table (header at
 * LBA 1) is used when valid; otherwise the backup, whose header is at
 * the disk's last sector (UEFI 2.10 §5.3.2).  A valid table's answer
 * stands: the backup is not asked where the primary has no such entry.
 * 0 and *out filled, or a GORUMP_GPT_E* code (the primary's, when both
 * tables are bad).
 */
int gorump_gpt_find(gorump_gpt_read_fn *read, void *ctx, uint64_t disk_sectors,
                    const uint8_t type[16], const uint8_t uniq[16],
                    struct gorump_gpt_part *out);

/* What a GORUMP_GPT_E* code means, for a message. */
const char *gorump_gpt_strerror(int err);

/* The text form of a GUID stored as g (its first three fields
 * little-endian, UEFI 2.10 appendix A): 36 characters and a NUL. */
void gorump_gpt_guid_text(const uint8_t g[16], char out[37]);

/* CRC-32 (ISO-HDLC, reflected polynomial 0xedb88320), the checksum of
 * GPT headers and entries; crc is 0 or a previous result, to go on. */
uint32_t gorump_crc32(uint32_t crc, const void *buf, size_t len);

#endif
