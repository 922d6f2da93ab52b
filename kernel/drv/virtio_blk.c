/*
 * drv/virtio_blk.c — virtio-blk (virtio 1.1 §5.2) behind drv/blkdev.h,
 * over either transport.
 *
 * Features: VERSION_1 required; SIZE_MAX, SEG_MAX, RO, BLK_SIZE and FLUSH
 * taken when offered.  One request queue (queue 0, §5.2.2).  A request is
 * a chain (§5.2.6): the 16-byte header the device reads, the data pieces
 * (the device reads them for a write, writes them for a read), then the
 * status byte the device writes.  Types used: IN, OUT, FLUSH (only when
 * FLUSH was negotiated, §5.2.6.2) and GET_ID; a status other than OK
 * (IOERR, UNSUPP or a value the spec does not define) is -EIO.
 *
 * One request at a time, waited for by polling the used ring with the
 * queue's interrupts off: the kernel runs with interrupts disabled and
 * a page fault that needs a file's page has nothing else to do until it
 * arrives (fs/diskfile.c).  The wait is bounded (BLK_TIMEOUT_NS); a
 * device that does not answer, or breaks the queue's rules, is reset and
 * failed, so it can no longer write into memory that is reused.
 */
#include "arch/x86_64/arch.h"
#include "drv/blkdev.h"
#include "drv/virtio.h"
#include "mm/mm.h"

/* §5.2.3 */
#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX (1ULL << 2)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)
/* §5.2.4 struct virtio_blk_config */
#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX 12
/* §5.2.6 */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_BOGUS 0x7f /* no type of virtio 1.1 */
#define VIRTIO_BLK_S_OK 0

#define VBLK_QUEUE 128

struct vblk_req_hdr { /* §5.2.6 */
    uint32_t type, reserved;
    uint64_t sector;
};

/* The memory the device reads the header from and writes the status and
 * the id to: one page of its own, so its physical address is known. */
struct vblk_dma {
    struct vblk_req_hdr hdr;
    uint8_t status;
    char id[BLK_ID_LEN];
};

struct vblk {
    struct blkdev bd;
    char name[8];
    struct virtio_dev *vdev;
    struct virtq q;
    struct vblk_dma *dma;
    uint64_t dma_pa;
};

static int vblk_count; /* started: vda, vdb, ... */

/* One request of any type: the header, the n pieces, the status. */
static int vblk_submit(struct vblk *v, uint32_t type, uint64_t sector,
                       const struct blk_seg *segs, int n, bool write)
{
    struct virtq_seg chain[BLK_SEGS_MAX + 2];
    if (v->bd.broken)
        return -EIO;
    if (n < 0 || n > v->bd.segs_max || n + 2 > v->q.size)
        return -EINVAL;
    v->dma->hdr = (struct vblk_req_hdr){type, 0, sector};
    v->dma->status = 0xff; /* not a status: seen if the device skips it */
    chain[0] = (struct virtq_seg){v->dma_pa, sizeof(v->dma->hdr), 0};
    for (int i = 0; i < n; i++)
        chain[i + 1] = (struct virtq_seg){segs[i].pa, segs[i].len,
                                          write ? 0 : VIRTQ_DESC_F_WRITE};
    chain[n + 1] = (struct virtq_seg){
        v->dma_pa + offsetof(struct vblk_dma, status), 1, VIRTQ_DESC_F_WRITE};
    virtq_add_chain(&v->q, 0, chain, (uint16_t)(n + 2));
    virtio_kick(v->vdev, &v->q);
    long len =
        virtq_wait_one(v->vdev, &v->q, BLK_TIMEOUT_NS, v->name, &v->bd.broken);
    if (len < 0)
        return (int)len;
    /* §5.2.6.1: the status is the last byte the device wrote; a used
     * length of 0 means it wrote nothing, not even the status. */
    if (len < 1 || v->dma->status != VIRTIO_BLK_S_OK)
        return -EIO;
    return 0;
}

static int vblk_request(struct blkdev *b, enum blk_op op, uint64_t sector,
                        const struct blk_seg *segs, int n)
{
    static const uint32_t type[] = {
        [BLK_OP_READ] = VIRTIO_BLK_T_IN,
        [BLK_OP_WRITE] = VIRTIO_BLK_T_OUT,
        [BLK_OP_FLUSH] = VIRTIO_BLK_T_FLUSH,
        [BLK_OP_BOGUS] = VIRTIO_BLK_T_BOGUS,
    };
    return vblk_submit(container_of(b, struct vblk, bd), type[op], sector, segs,
                       n, op == BLK_OP_WRITE);
}

static const struct blkdev_ops vblk_ops = {.request = vblk_request};

/* §5.2.6: GET_ID writes up to 20 bytes, NUL-padded when shorter. */
static void vblk_get_id(struct vblk *v)
{
    memset(v->dma->id, 0, sizeof(v->dma->id));
    struct blk_seg seg = {v->dma_pa + offsetof(struct vblk_dma, id),
                          BLK_ID_LEN};
    int err = vblk_submit(v, VIRTIO_BLK_T_GET_ID, 0, &seg, 1, false);
    if (!err)
        memcpy(v->bd.id, v->dma->id, BLK_ID_LEN);
    v->bd.id[BLK_ID_LEN] = '\0';
}

/* --- setting up */

/* The limits of one request (§5.2.4: size_max, seg_max), bounded by our
 * own: a piece is at most 1 MiB; the chain fits the queue. */
static void vblk_read_config(struct vblk *v)
{
    struct virtio_dev *d = v->vdev;
    uint32_t size_max = 1 << 20, seg_max = BLK_SEGS_MAX;
    virtio_config_read(d, CFG_CAPACITY, &v->bd.sectors, 8, 4);
    if (d->features & VIRTIO_BLK_F_SIZE_MAX)
        virtio_config_read(d, CFG_SIZE_MAX, &size_max, 4, 4);
    if (d->features & VIRTIO_BLK_F_SEG_MAX)
        virtio_config_read(d, CFG_SEG_MAX, &seg_max, 4, 4);
    v->bd.seg_bytes_max = ALIGN_DOWN(MIN(size_max, 1u << 20), BLK_SECTOR);
    v->bd.segs_max = (uint16_t)MIN(MIN(seg_max, BLK_SEGS_MAX), v->q.size - 2u);
    v->bd.readonly = d->features & VIRTIO_BLK_F_RO;
    v->bd.flush = d->features & VIRTIO_BLK_F_FLUSH;
}

static int vblk_init(struct vblk *v)
{
    struct virtio_dev *d = v->vdev;
    int err = virtio_start(d,
                           VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_SIZE_MAX |
                               VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO |
                               VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH,
                           VIRTIO_F_VERSION_1);
    if (!err)
        err = virtio_queue_init(d, &v->q, v->name, 0, VBLK_QUEUE);
    if (err)
        return err;
    v->dma_pa = pmem_alloc_zeroed(0);
    if (!v->dma_pa)
        return -ENOMEM;
    v->dma = phys_to_virt(v->dma_pa);
    if (v->q.size < 3) {
        kprintf("gorump: %s: request queue of %u entries is too small\n",
                v->name, v->q.size);
        return -ENODEV;
    }
    vblk_read_config(v);
    if (v->bd.seg_bytes_max < BLK_SECTOR || v->bd.segs_max < 1) {
        kprintf("gorump: %s: device limits too small for a sector\n", v->name);
        return -ENODEV;
    }
    virtq_no_interrupt(&v->q, true);
    virtio_driver_ok(d);
    vblk_get_id(v);
    return 0;
}

static void vblk_free(struct vblk *v)
{
    if (v->dma_pa)
        pmem_free(v->dma_pa, 0);
    virtq_free(&v->q);
    kfree(v);
}

static bool vblk_attach(struct virtio_dev *d)
{
    struct vblk *v = kzalloc(sizeof(*v));
    if (!v)
        return false;
    v->vdev = d;
    snprintf(v->name, sizeof(v->name), "vd%c", 'a' + vblk_count % 26);
    v->bd.name = v->name;
    v->bd.ops = &vblk_ops;
    if (vblk_init(v) != 0) {
        kprintf("gorump: %s: %s not started\n", d->where, v->name);
        virtio_fail(d);
        vblk_free(v);
        return false;
    }
    if (!blkdev_register(&v->bd)) {
        virtio_fail(d);
        vblk_free(v);
        return false;
    }
    vblk_count++;
    return true;
}

void virtio_blk_probe(const char *cmdline)
{
    virtio_mmio_probe(cmdline, VIRTIO_ID_BLOCK, vblk_attach);
    virtio_pci_probe(VIRTIO_ID_BLOCK, vblk_attach);
}
