/*
 * fs/ext2/ext2_blkdev.c — struct ext2_dev over a block device (see
 * ext2_blkdev.h): byte ranges, whole sectors, copied through a bounce
 * buffer and sent as requests of one piece per page.
 */
#include "fs/ext2/ext2_blkdev.h"
#include "mm/mm.h"

#define BOUNCE_BYTES (PAGE_SIZE << EXT2_BOUNCE_ORDER)

/* The bytes of one piece of a request: a page, or less if the device
 * wants (whole sectors). */
static uint32_t bd_piece(struct ext2_blkdev *bd)
{
    uint32_t piece = (uint32_t)MIN((uint64_t)PAGE_SIZE, bd->b->seg_bytes_max);
    return piece - piece % BLK_SECTOR;
}

/* One request of len bytes (at most segs_max pieces) from or to the
 * bounce buffer. */
static int bd_request(struct ext2_blkdev *bd, uint64_t off, size_t len,
                      bool write)
{
    struct blk_seg segs[BLK_SEGS_MAX];
    uint32_t piece = bd_piece(bd);
    int n = 0;
    for (size_t done = 0; done < len; done += segs[n++].len) {
        segs[n].pa = bd->bounce + done;
        segs[n].len = (uint32_t)MIN((size_t)piece, len - done);
    }
    uint64_t sector = off / BLK_SECTOR;
    return write ? blkdev_write(bd->b, sector, segs, n)
                 : blkdev_read(bd->b, sector, segs, n);
}

static int bd_io(void *ctx, uint64_t off, uint8_t *buf, size_t len, bool write)
{
    struct ext2_blkdev *bd = ctx;
    uint8_t *bounce = phys_to_virt(bd->bounce);
    /* A chunk the device can take in one request. */
    size_t chunk =
        MIN((size_t)BOUNCE_BYTES, (size_t)bd->b->segs_max * bd_piece(bd));
    if (off % BLK_SECTOR || len % BLK_SECTOR || !chunk)
        return -EINVAL;
    for (size_t done = 0; done < len; done += chunk) {
        size_t n = MIN(chunk, len - done);
        if (write)
            memcpy(bounce, buf + done, n);
        int err = bd_request(bd, off + done, n, write);
        if (err)
            return err;
        if (!write)
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
