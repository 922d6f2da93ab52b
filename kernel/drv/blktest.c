/*
 * drv/blktest.c — a boot-time self-test of the block devices, run by
 * blkdev_probe when the kernel command line says gorump.blktest.  The
 * host (tests/guest/run.sh, blk-*) gives a disk whose sector s begins
 * with the text "sector %08u\n"; each device gets, in order:
 *
 *   - sectors 5..20 read into two pages (a two-piece request), checked;
 *   - on a writable device, its last 8 sectors written, flushed, read
 *     back and compared (the host checks the file afterwards); on a
 *     read-only one, the write refused with EROFS;
 *   - a read running past the end, refused by the driver (EIO);
 *   - the same read sent to the device unchecked: the device's IOERR;
 *   - a request of a type the device does not know: its UNSUPP;
 *   - a piece that is not whole sectors (EINVAL);
 *   - sector 1000 read (the host may make the device fail it);
 *   - sector 5 read again: the device still works after all that.
 *
 * One line per step, "blktest: vda: ...", which the host matches; it
 * uses nothing but the blkdev.h API.
 */
#include "drv/blkdev.h"
#include "mm/mm.h"

static struct {
    uint64_t pa[3];
} bt;

static void *page(int i)
{
    return phys_to_virt(bt.pa[i]);
}

static const char *result(int err)
{
    switch (err) {
    case 0:
        return "ok";
    case -EIO:
        return "EIO";
    case -EINVAL:
        return "EINVAL";
    case -EROFS:
        return "EROFS";
    default:
        return "other error";
    }
}

/* Whether the n sectors in buf are those of the host's pattern from
 * sector first on. */
static bool pattern_ok(const char *buf, uint64_t first, int n)
{
    char want[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(want, sizeof(want), "sector %08lu\n",
                           (unsigned long)(first + i));
        if (memcmp(buf + i * BLK_SECTOR, want, (size_t)len))
            return false;
    }
    return true;
}

static void bt_read_pattern(struct blkdev *b, const char *what)
{
    struct blk_seg segs[2] = {{bt.pa[0], PAGE_SIZE}, {bt.pa[1], PAGE_SIZE}};
    memset(page(0), 0, PAGE_SIZE);
    memset(page(1), 0, PAGE_SIZE);
    int err = blkdev_read(b, 5, segs, 2);
    bool ok = !err && pattern_ok(page(0), 5, 8) && pattern_ok(page(1), 13, 8);
    kprintf("blktest: %s: %s sectors 5-20: %s\n", b->name, what,
            err  ? result(err)
            : ok ? "ok"
                 : "wrong bytes");
}

static void bt_write(struct blkdev *b)
{
    uint64_t at = b->sectors - 8;
    struct blk_seg out = {bt.pa[2], PAGE_SIZE}, in = {bt.pa[0], PAGE_SIZE};
    memset(page(2), 0, PAGE_SIZE);
    for (int i = 0; i < 8; i++)
        snprintf((char *)page(2) + i * BLK_SECTOR, BLK_SECTOR,
                 "written %08lu\n", (unsigned long)(at + i));
    int err = blkdev_write(b, at, &out, 1);
    if (b->readonly) {
        kprintf("blktest: %s: write to a read-only device: %s\n", b->name,
                result(err));
        return;
    }
    int ferr = err ? err : blkdev_flush(b);
    int rerr = ferr ? ferr : blkdev_read(b, at, &in, 1);
    bool same = !rerr && !memcmp(page(0), page(2), PAGE_SIZE);
    kprintf("blktest: %s: write, flush, read back: %s\n", b->name,
            rerr   ? result(rerr)
            : same ? "ok"
                   : "wrong bytes");
}

static void bt_errors(struct blkdev *b)
{
    struct blk_seg two = {bt.pa[0], 2 * BLK_SECTOR};
    struct blk_seg odd = {bt.pa[0], 100};
    kprintf("blktest: %s: read past the end: %s\n", b->name,
            result(blkdev_read(b, b->sectors - 1, &two, 1)));
    kprintf(
        "blktest: %s: device asked to read past the end: %s\n", b->name,
        result(blkdev_request_unchecked(b, BLK_OP_READ, b->sectors, &two, 1)));
    kprintf("blktest: %s: unknown request type: %s\n", b->name,
            result(blkdev_request_unchecked(b, BLK_OP_BOGUS, 0, &two, 1)));
    kprintf("blktest: %s: piece of 100 bytes: %s\n", b->name,
            result(blkdev_read(b, 0, &odd, 1)));
    struct blk_seg one = {bt.pa[0], BLK_SECTOR};
    int err = blkdev_read(b, 1000, &one, 1);
    kprintf("blktest: %s: sector 1000: %s\n", b->name,
            err                            ? result(err)
            : pattern_ok(page(0), 1000, 1) ? "ok"
                                           : "wrong bytes");
}

void blktest_run(void)
{
    kprintf("blktest: %d device(s)\n", blkdev_count());
    for (int i = 0; i < 3; i++)
        if (!(bt.pa[i] = pmem_alloc(0)))
            return;
    for (int i = 0; i < blkdev_count(); i++) {
        struct blkdev *b = blkdev_get(i);
        kprintf("blktest: %s: %lu sectors, id '%s', read-only %d, flush %d\n",
                b->name, (unsigned long)b->sectors, b->id, b->readonly,
                b->flush);
        bt_read_pattern(b, "read");
        bt_write(b);
        bt_errors(b);
        bt_read_pattern(b, "again, read");
    }
    for (int i = 0; i < 3; i++)
        pmem_free(bt.pa[i], 0);
}
