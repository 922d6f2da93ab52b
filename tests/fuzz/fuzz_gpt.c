/*
 * tests/fuzz/fuzz_gpt.c — libFuzzer target for the GPT reader
 * (common/gpt.c) the kernel runs on every block device of a bootable
 * disk: the input is a disk (its first 16 bytes the unique GUID looked
 * for, the rest whole sectors, at least three).  Any bytes are either
 * refused or give a partition inside the disk, and the reader is never
 * asked for a sector outside it or for more than GORUMP_GPT_READ_MAX.
 */
#include <stdint.h>
#include <stdlib.h>

#include <gorump/gpt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fdisk {
    const uint8_t *b;
    uint64_t sectors;
};

static const uint8_t *fdisk_read(void *ctx, uint64_t lba, uint32_t n)
{
    const struct fdisk *d = ctx;

    if (n < 1 || n > GORUMP_GPT_READ_MAX || lba >= d->sectors ||
        n > d->sectors - lba)
        abort();
    return d->b + lba * GORUMP_GPT_SECTOR;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdisk d = {data + 16, 0};
    struct gorump_gpt_part p;

    if (size < 16)
        return 0;
    d.sectors = (size - 16) / GORUMP_GPT_SECTOR;
    int err = gorump_gpt_find(fdisk_read, &d, d.sectors, gorump_gpt_files_type,
                              data, &p);
    if (err > 0 || err < GORUMP_GPT_EDUP)
        abort();
    if (err == 0 && (p.sectors == 0 || p.first >= d.sectors ||
                     p.sectors > d.sectors - p.first))
        abort();
    return 0;
}
