/*
 * drv/blkdev.h — block devices (virtio-blk, virtio_blk.c; virtio-scsi,
 * virtio_scsi.c; NVMe, nvme.c) for the rest of the kernel: whole 512-byte
 * sectors read into or written from physical pages, a cache flush, and
 * the device's id string (the virtio-blk id, the SCSI unit serial number,
 * or the NVMe controller's serial number).  Requests are
 * synchronous: the call returns when the device has answered, or after
 * BLK_TIMEOUT_NS, when the device is given up (it is reset and every
 * later request fails with -EIO).  Nothing here panics on what a device
 * does; a device that answers with an error gives -EIO.
 */
#ifndef DRV_BLKDEV_H
#define DRV_BLKDEV_H

#include "lib/lib.h"

#define BLK_SECTOR 512
#define BLK_MAX 12      /* devices: 8 volumes, the image's, a test's */
#define BLK_SEGS_MAX 64 /* pieces of one request at most */
#define BLK_ID_LEN 20   /* virtio 1.1 §5.2.6: VIRTIO_BLK_ID_BYTES */
#define BLK_TIMEOUT_NS 10000000000ULL /* 10 s: TCG and a busy host */

/* What a request asks of the device.  BLK_OP_BOGUS is a request the
 * device's command set does not define, for the self-test only. */
enum blk_op { BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH, BLK_OP_BOGUS };

struct blkdev;
struct blk_seg;
struct blkdev_ops {
    /* Carries out one request, already checked by blkdev.c (except
     * through blkdev_request_unchecked), synchronously: 0, or -EIO when
     * the device answers with an error or is given up. */
    int (*request)(struct blkdev *b, enum blk_op op, uint64_t sector,
                   const struct blk_seg *segs, int n);
};

/* What the device was asked, for /proc/diskstats (fs/procfs.c): requests
 * answered (errors too), their sectors and the time they took. */
struct blk_stats {
    uint64_t reads, read_sectors, read_ns;
    uint64_t writes, write_sectors, write_ns;
    uint64_t flushes, flush_ns;
};

struct blkdev {
    const struct blkdev_ops *ops;
    const char *name;        /* "vda", ...; "sda", ...; "nvme0n1", ... */
    uint64_t sectors;        /* capacity in 512-byte sectors */
    bool readonly;           /* writes give -EROFS */
    bool flush;              /* the device has a write cache to flush */
    bool broken;             /* given up: every request gives -EIO */
    uint16_t segs_max;       /* pieces one request may have (1..BLK_SEGS_MAX) */
    uint32_t seg_bytes_max;  /* bytes one piece may have */
    char id[BLK_ID_LEN + 1]; /* read at start ("" if none) */
    struct blk_stats stats;
};

/* One piece of a request: len bytes at physical address pa, len a
 * non-zero multiple of BLK_SECTOR. */
struct blk_seg {
    uint64_t pa;
    uint32_t len;
};

/* Finds and starts the block devices: virtio-blk, then virtio-scsi (both
 * transports), then NVMe; runs the self-test under gorump.blktest. */
void blkdev_probe(const char *cmdline);
/* For drivers: adds a started device, or says why not and gives false
 * (more than BLK_MAX). */
bool blkdev_register(struct blkdev *b);
/* The drivers' probes, in blkdev_probe's order. */
void virtio_blk_probe(const char *cmdline);
void virtio_scsi_probe(const char *cmdline);
void nvme_probe(void);
/* How many devices blkdev_probe started; device i (0-based), or NULL. */
int blkdev_count(void);
struct blkdev *blkdev_get(int i);
/* The device whose id is id, or NULL. */
struct blkdev *blkdev_find(const char *id);
/* The device named by the word at the start of word ("vda", ended by a
 * space or the end), or NULL. */
struct blkdev *blkdev_by_name(const char *word);
struct gorump_gpt_part;
/* The device whose GPT has the partition of type `type` and unique
 * partition GUID uniq (both as the table stores them), and *part, its
 * sectors; or NULL, with err[i] (a GORUMP_GPT_E* code, gpt.h) saying why
 * device i has not, for each of blkdev_count()'s devices. */
struct blkdev *blkdev_find_part(const uint8_t type[16], const uint8_t uniq[16],
                                struct gorump_gpt_part *part, int err[BLK_MAX]);
/* Reads or writes the sectors from sector on, into or from the n pieces
 * in order: 0, -EINVAL (n or a piece's length out of bounds), -EIO (past
 * the end of the device, a device error, a broken device), -EROFS
 * (writing a read-only device). */
int blkdev_read(struct blkdev *b, uint64_t sector, const struct blk_seg *segs,
                int n);
int blkdev_write(struct blkdev *b, uint64_t sector, const struct blk_seg *segs,
                 int n);
/* Makes what was written durable (virtio-blk's FLUSH, NVMe's Flush); 0
 * at once on a device without a write cache.  0 or -EIO. */
int blkdev_flush(struct blkdev *b);
/* For the self-test only: a request for any sector, not checked against
 * the device (so the device's own errors can be seen). */
int blkdev_request_unchecked(struct blkdev *b, enum blk_op op, uint64_t sector,
                             const struct blk_seg *segs, int n);

/* blktest.c: the boot self-test blkdev_probe runs under gorump.blktest. */
void blktest_run(void);

#endif
