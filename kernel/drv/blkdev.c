/*
 * drv/blkdev.c — the block devices every driver registers (virtio-blk in
 * virtio_blk.c, virtio-scsi in virtio_scsi.c, NVMe in nvme.c) and the checks
 * every request passes before a driver sees it: whole sectors, the driver's
 * limits on a request's pieces, the device's end, a read-only device.  Drivers
 * probe in a fixed order (virtio first), so a device's name and index do not
 * depend on timing.  A partition is found here too, by reading each
 * device's GPT through common/gpt.c, which checks it as untrusted input.
 */
#include "arch/x86_64/arch.h"
#include "drv/blkdev.h"
#include "gorump/gpt.h"
#include "mm/mm.h"

static struct {
    struct blkdev *dev[BLK_MAX];
    int n;
} blk;

bool blkdev_register(struct blkdev *b)
{
    if (blk.n == BLK_MAX) {
        kprintf("gorump: %s: more than %d block devices, ignored\n", b->name,
                BLK_MAX);
        return false;
    }
    blk.dev[blk.n++] = b;
    return true;
}

int blkdev_count(void)
{
    return blk.n;
}

struct blkdev *blkdev_get(int i)
{
    return i >= 0 && i < blk.n ? blk.dev[i] : NULL;
}

struct blkdev *blkdev_by_name(const char *word)
{
    for (int i = 0; i < blk.n; i++) {
        size_t n = strlen(blk.dev[i]->name);
        if (!strncmp(blk.dev[i]->name, word, n) &&
            (word[n] == ' ' || word[n] == '\0'))
            return blk.dev[i];
    }
    return NULL;
}

struct blkdev *blkdev_find(const char *id)
{
    for (int i = 0; i < blk.n; i++)
        if (!strcmp(blk.dev[i]->id, id))
            return blk.dev[i];
    return NULL;
}

/* Checks a read or write's pieces against the device's limits: its
 * sectors, or -EINVAL. */
static int64_t blk_check(const struct blkdev *b, const struct blk_seg *segs,
                         int n)
{
    int64_t bytes = 0;
    if (!segs || n < 1 || n > b->segs_max)
        return -EINVAL;
    for (int i = 0; i < n; i++) {
        if (!segs[i].len || segs[i].len % BLK_SECTOR ||
            segs[i].len > b->seg_bytes_max)
            return -EINVAL;
        bytes += segs[i].len;
    }
    return bytes / BLK_SECTOR;
}

static int blk_rw(struct blkdev *b, uint64_t sector, const struct blk_seg *segs,
                  int n, bool write)
{
    int64_t count = blk_check(b, segs, n);
    if (count < 0)
        return (int)count;
    if (b->broken)
        return -EIO;
    if (write && b->readonly)
        return -EROFS;
    if (sector >= b->sectors || (uint64_t)count > b->sectors - sector)
        return -EIO; /* as a bio past the end of a Linux disk */
    uint64_t t0 = clock_mono_ns();
    int err =
        b->ops->request(b, write ? BLK_OP_WRITE : BLK_OP_READ, sector, segs, n);
    struct blk_stats *st = &b->stats;
    *(write ? &st->writes : &st->reads) += 1;
    *(write ? &st->write_sectors : &st->read_sectors) += (uint64_t)count;
    *(write ? &st->write_ns : &st->read_ns) += clock_mono_ns() - t0;
    return err;
}

int blkdev_read(struct blkdev *b, uint64_t sector, const struct blk_seg *segs,
                int n)
{
    return blk_rw(b, sector, segs, n, false);
}

int blkdev_write(struct blkdev *b, uint64_t sector, const struct blk_seg *segs,
                 int n)
{
    return blk_rw(b, sector, segs, n, true);
}

int blkdev_flush(struct blkdev *b)
{
    if (b->broken)
        return -EIO;
    if (!b->flush)
        return 0;
    uint64_t t0 = clock_mono_ns();
    int err = b->ops->request(b, BLK_OP_FLUSH, 0, NULL, 0);
    b->stats.flushes++;
    b->stats.flush_ns += clock_mono_ns() - t0;
    return err;
}

int blkdev_request_unchecked(struct blkdev *b, enum blk_op op, uint64_t sector,
                             const struct blk_seg *segs, int n)
{
    if (b->broken)
        return -EIO;
    if (n < 0 || n > b->segs_max)
        return -EINVAL;
    return b->ops->request(b, op, sector, segs, n);
}

/* gorump_gpt_find's reader: n sectors into one page, in pieces the
 * device takes. */
struct blk_gpt {
    struct blkdev *b;
    uint64_t pa;
};

static const uint8_t *blk_gpt_read(void *ctx, uint64_t lba, uint32_t n)
{
    struct blk_gpt *g = ctx;
    uint32_t step = MAX(g->b->seg_bytes_max / BLK_SECTOR, 1u);
    for (uint32_t i = 0; i < n; i += step) {
        struct blk_seg seg = {g->pa + i * BLK_SECTOR,
                              MIN(step, n - i) * BLK_SECTOR};
        if (blkdev_read(g->b, lba + i, &seg, 1))
            return NULL;
    }
    return phys_to_virt(g->pa);
}

struct blkdev *blkdev_find_part(const uint8_t type[16], const uint8_t uniq[16],
                                struct gorump_gpt_part *part, int err[BLK_MAX])
{
    struct blk_gpt g = {NULL, pmem_alloc(0)};
    struct blkdev *found = NULL;
    for (int i = 0; i < blk.n; i++)
        err[i] = GORUMP_GPT_EIO;
    for (int i = 0; i < blk.n && g.pa && !found; i++) {
        g.b = blk.dev[i];
        err[i] =
            gorump_gpt_find(blk_gpt_read, &g, g.b->sectors, type, uniq, part);
        found = err[i] ? NULL : g.b;
    }
    if (g.pa)
        pmem_free(g.pa, 0);
    return found;
}

void blkdev_probe(const char *cmdline)
{
    virtio_blk_probe(cmdline);
    virtio_scsi_probe(cmdline);
    nvme_probe();
    if (cmdline_has("gorump.blktest"))
        blktest_run();
}
