/*
 * fs/ext2/ext2_blkdev.h — the ext2 library (ext2.h) over a virtio-blk
 * disk (drv/blkdev.h), for the kernel: the adapter a mount of an ext2
 * volume uses, and the boot-time self-test gorump.ext2test.
 */
#ifndef FS_EXT2_EXT2_BLKDEV_H
#define FS_EXT2_EXT2_BLKDEV_H

#include "drv/blkdev.h"
#include "fs/ext2/ext2.h"

/* A buffer the device cannot reach (on a kernel stack) goes through one
 * physically contiguous bounce buffer. */
#define EXT2_BOUNCE_ORDER 4 /* 64 KiB */

struct ext2_blkdev {
    struct blkdev *b;
    uint64_t bounce; /* physical address of the bounce buffer */
};

/* Fills dev to reach b through bd, which must stay until unmount.
 * 0 or -ENOMEM. */
int ext2_blkdev_init(struct ext2_blkdev *bd, struct blkdev *b,
                     struct ext2_dev *dev);
void ext2_blkdev_fini(struct ext2_blkdev *bd);

/* ext2test.c: under gorump.ext2test, mounts the disk whose id is
 * gorump-test, reads, lists and changes it, and unmounts it; one line
 * per step on the console, "ext2test: ...", for the host to match. */
void ext2test_run(void);

#endif
