/*
 * fs/ext2/ext2_blkdev.c — struct ext2_dev over a block device (see
 * ext2_blkdev.h): byte ranges, whole sectors.  A buffer the device can
 * reach (the direct map, the kernel image: linear, so physically
 * contiguous) is the request's own memory, in pieces of the device's
 * largest, as many as one request takes; any other (a kernel stack) goes
 * through the bounce buffer.  A request costs about 200 µs under QEMU's
 * TCG whatever its size, so one run of blocks is one request
 * (docs/PERFORMANCE.md, bench/storage).
 */
#include "fs/ext2/ext2_blkdev.h"
#include "mm/mm.h"

#define BOUNCE_BYTES (PAGE_SIZE << EXT2_BOUNCE_ORDER)

/* Whether the device can reach [va, va + len) at virt_to_phys(va). */
static bool bd_reachable(const void *va, size_t len)
{
    uint64_t v = (uint64_t)va;
    if (v >= KERNEL_BASE)
        return true;
    return v >= DIRECT_BASE && len <= pmem_max_phys() &&
           v - DIRECT_BASE <= pmem_max_phys() - len;
}

/* One request of len bytes at physical address pa: pieces of at most
 * seg_bytes_max (whole sectors), len at most segs_max of them. */
static int bd_request(struct ext2_blkdev *bd, uint64_t off, uint64_t pa,
                      size_t len, bool write)
{
    struct blk_seg segs[BLK_SEGS_MAX];
    int n = 0;
    for (size_t done = 0; done < len; done += segs[n++].len) {
        segs[n].pa = pa + done;
        segs[n].len = (uint32_t)MIN((size_t)bd->b->seg_bytes_max, len - done);
    }
    uint64_t sector = off / BLK_SECTOR;
    return write ? blkdev_write(bd->b, sector, segs, n)
                 : blkdev_read(bd->b, sector, segs, n);
}

static int bd_io(void *ctx, uint64_t off, uint8_t *buf, size_t len, bool write)
{
    struct ext2_blkdev *bd = ctx;
    uint8_t *bounce = phys_to_virt(bd->bounce);
    bool direct = bd_reachable(buf, len);
    /* A chunk the device can take in one request. */
    size_t chunk = (size_t)bd->b->segs_max * bd->b->seg_bytes_max;
    if (!direct)
        chunk = MIN(chunk, (size_t)BOUNCE_BYTES);
    if (off % BLK_SECTOR || len % BLK_SECTOR || !chunk)
        return -EINVAL;
    for (size_t done = 0; done < len; done += chunk) {
        size_t n = MIN(chunk, len - done);
        if (write && !direct)
            memcpy(bounce, buf + done, n);
        uint64_t pa = direct ? virt_to_phys(buf + done) : bd->bounce;
        int err = bd_request(bd, off + done, pa, n, write);
        if (err)
            return err;
        if (!write && !direct)
            memcpy(buf + done, bounce, n);
    }
    return 0;
}

static int bd_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    return bd_io(ctx, off, buf, len, false);
}

static int bd_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    return bd_io(ctx, off, (uint8_t *)buf, len, true);
}

static int bd_flush(void *ctx)
{
    struct ext2_blkdev *bd = ctx;
    return blkdev_flush(bd->b);
}

static int64_t bd_now(void *ctx)
{
    return (int64_t)(clock_real_ns() / 1000000000ULL);
}

int ext2_blkdev_init(struct ext2_blkdev *bd, struct blkdev *b,
                     struct ext2_dev *dev)
{
    bd->b = b;
    bd->bounce = pmem_alloc(EXT2_BOUNCE_ORDER);
    if (!bd->bounce)
        return -ENOMEM;
    *dev = (struct ext2_dev){
        bd, b->sectors * BLK_SECTOR, bd_read, bd_write, bd_flush, bd_now};
    return 0;
}

void ext2_blkdev_fini(struct ext2_blkdev *bd)
{
    if (bd->bounce)
        pmem_free(bd->bounce, EXT2_BOUNCE_ORDER);
    bd->bounce = 0;
}
