/*
 * drv/virtio_scsi.c — virtio-scsi host adapters (virtio 1.1 §5.6) behind
 * drv/blkdev.h, over either transport: each direct-access logical unit
 * (SBC disk) is a block device, sda, sdb, ..., whose id is its unit
 * serial number (SPC-4 §7.8.15, VPD page 80h; QEMU's scsi-hd serial=).
 * This is how Google Compute Engine attaches disks on most machine types.
 *
 * Features: VERSION_1 only (no hotplug, no T10 PI, no INOUT).  One
 * request queue (queue 2, §5.6.2), polled with its interrupts off, one
 * command in flight, as in virtio_blk.c; the control and event queues
 * are not used (§5.6.6.3 only recommends filling the event queue).  A
 * command is a chain (§5.6.6.1): the header with the CDB, the data the
 * device reads (WRITE), the response with the sense data, the data the
 * device writes (READ, INQUIRY, ...).  The header and response sizes
 * follow the device's cdb_size and sense_size (§5.6.4).
 *
 * Targets 0 .. min(max_target, VSCSI_TARGETS - 1) are scanned at LUN 0
 * (GCE and QEMU put one disk on each target): INQUIRY (SPC-4 §6.6),
 * TEST UNIT READY (clearing the UNIT ATTENTION a reset leaves), READ
 * CAPACITY (16), or (10) when the device lacks it (SBC-3 §5.16, §5.15),
 * MODE SENSE (6) of the caching page for WCE and the write-protect bit
 * (SPC-4 §6.11, SBC-3 §6.4.5), the serial number.  I/O is READ (16) and
 * WRITE (16), a request split where it exceeds max_sectors; a flush is
 * SYNCHRONIZE CACHE (10).
 *
 * The device is not trusted: a response other than OK, a status other
 * than GOOD, a short transfer (residual) or sense data that is not
 * UNIT ATTENTION give -EIO (a UNIT ATTENTION or BUSY is retried a few
 * times); lengths the device reports are bounded by the buffers; a
 * device that breaks the queue's rules or does not answer in
 * BLK_TIMEOUT_NS is reset and failed, with every LUN on it.
 */
#include "arch/x86_64/arch.h"
#include "drv/blkdev.h"
#include "drv/virtio.h"
#include "mm/mm.h"

/* §5.6.4 struct virtio_scsi_config */
#define CFG_SEG_MAX 4
#define CFG_MAX_SECTORS 8
#define CFG_SENSE_SIZE 20
#define CFG_CDB_SIZE 24
#define CFG_MAX_TARGET 30
/* §5.6.6.1 response codes */
#define VIRTIO_SCSI_S_OK 0
#define VIRTIO_SCSI_S_BAD_TARGET 3
#define VIRTIO_SCSI_S_BUSY 5
#define VIRTIO_SCSI_S_INCORRECT_LUN 12
/* SAM-5 §5.3 status codes, SPC-4 §4.5.6 sense keys */
#define SAM_GOOD 0x00
#define SAM_CHECK_CONDITION 0x02
#define SAM_BUSY 0x08
#define SAM_TASK_SET_FULL 0x28
#define SENSE_UNIT_ATTENTION 0x6
#define SENSE_ILLEGAL_REQUEST 0x5
/* Operation codes (SPC-4, SBC-3) */
#define OP_TEST_UNIT_READY 0x00
#define OP_INQUIRY 0x12
#define OP_MODE_SENSE6 0x1a
#define OP_READ_CAPACITY10 0x25
#define OP_SYNCHRONIZE_CACHE10 0x35
#define OP_READ16 0x88
#define OP_WRITE16 0x8a
#define OP_SERVICE_ACTION_IN16 0x9e
#define SA_READ_CAPACITY16 0x10
#define OP_BOGUS 0xff /* vendor-specific: no command of SPC-4 or SBC-3 */

#define VSCSI_QUEUE 128
#define VSCSI_REQUEST_QUEUE 2    /* §5.6.2: the first request queue */
#define VSCSI_TARGETS 32         /* scanned at most */
#define VSCSI_RETRIES 5          /* a UNIT ATTENTION or BUSY, tried again */
#define VSCSI_CDB_MAX 256        /* the largest cdb_size we accept */
#define VSCSI_SENSE_MAX 1024     /* the largest sense_size we accept */
#define VSCSI_REQ_MAX (1u << 26) /* bytes per command, whatever max_sectors */

struct vscsi_req { /* §5.6.6.1, the part the device reads, then the CDB */
    uint8_t lun[8];
    uint64_t id;
    uint8_t task_attr, prio, crn;
    uint8_t cdb[];
} __attribute__((packed));

struct vscsi_resp { /* §5.6.6.1, the part the device writes */
    uint32_t sense_len, residual;
    uint16_t status_qualifier;
    uint8_t status, response;
    uint8_t sense[];
};

/* The page the device reads headers from and writes responses to, and
 * a buffer for what the scan asks for. */
#define DMA_REQ 0
#define DMA_RESP 512
#define DMA_BUF 2048
#define DMA_BUF_LEN 2048

struct vscsi {
    struct virtio_dev *vdev;
    char name[12]; /* "scsi0" */
    struct virtq q;
    uint8_t *dma;
    uint64_t dma_pa;
    uint32_t cdb_size, sense_size;
    uint32_t max_bytes; /* per command: max_sectors */
    uint16_t segs_max;
    bool broken;
};

struct vscsi_lun {
    struct blkdev bd;
    struct vscsi *c;
    uint8_t target;
    char name[8];
};

/* What a command came back with (response is the transport's, status
 * and the sense key and code the logical unit's). */
struct vscsi_result {
    uint8_t response, status, key;
    uint32_t residual;
};

static int vscsi_count; /* controllers started: scsi0, ... */
static int vscsi_disks; /* LUNs started: sda, sdb, ... */

/* The sense key of sense data in the fixed or the descriptor format
 * (SPC-4 §4.5.2, §4.5.3); key 0 if neither. */
static void vscsi_sense(const uint8_t *s, uint32_t len,
                        struct vscsi_result *res)
{
    uint8_t code = len ? s[0] & 0x7f : 0;
    if ((code == 0x70 || code == 0x71) && len >= 3)
        res->key = s[2] & 0xf;
    else if ((code == 0x72 || code == 0x73) && len >= 3)
        res->key = s[1] & 0xf;
}

/* The chain of one command (§2.6.4.2: what the device reads, then what
 * it writes): the header, the data out, the response, the data in. */
static uint16_t vscsi_chain(struct vscsi *c, struct virtq_seg *chain,
                            const struct blk_seg *segs, int n, bool write)
{
    uint16_t k = 0;
    chain[k++] = (struct virtq_seg){c->dma_pa + DMA_REQ,
                                    sizeof(struct vscsi_req) + c->cdb_size, 0};
    for (int i = 0; write && i < n; i++)
        chain[k++] = (struct virtq_seg){segs[i].pa, segs[i].len, 0};
    chain[k++] = (struct virtq_seg){c->dma_pa + DMA_RESP,
                                    sizeof(struct vscsi_resp) + c->sense_size,
                                    VIRTQ_DESC_F_WRITE};
    for (int i = 0; !write && i < n; i++)
        chain[k++] =
            (struct virtq_seg){segs[i].pa, segs[i].len, VIRTQ_DESC_F_WRITE};
    return k;
}

/* Sends one command to target's LUN 0 and waits: 0 with *res filled in
 * when the device answered, -EIO when it did not or broke the rules. */
static int vscsi_exec(struct vscsi *c, uint8_t target, const uint8_t *cdb,
                      unsigned cdb_len, const struct blk_seg *segs, int n,
                      bool write, struct vscsi_result *res)
{
    struct virtq_seg chain[BLK_SEGS_MAX + 2];
    struct vscsi_req *req = (struct vscsi_req *)(c->dma + DMA_REQ);
    struct vscsi_resp *resp = (struct vscsi_resp *)(c->dma + DMA_RESP);
    if (c->broken)
        return -EIO;
    if (n < 0 || n > c->segs_max)
        return -EINVAL;
    memset(req, 0, sizeof(*req) + c->cdb_size);
    /* §5.6.6.1: bus 1, the target, then LUN 0 in the flat format */
    req->lun[0] = 1;
    req->lun[1] = target;
    req->lun[2] = 0x40;
    memcpy(req->cdb, cdb, cdb_len);
    memset(resp, 0, sizeof(*resp));
    resp->response = 0xff; /* no response code: seen if not written */
    virtq_add_chain(&c->q, 0, chain, vscsi_chain(c, chain, segs, n, write));
    virtio_kick(c->vdev, &c->q);
    long len =
        virtq_wait_one(c->vdev, &c->q, BLK_TIMEOUT_NS, c->name, &c->broken);
    if (len < 0)
        return (int)len;
    *res = (struct vscsi_result){.response = resp->response,
                                 .status = resp->status,
                                 .residual = resp->residual};
    if ((size_t)len < sizeof(*resp))
        res->response = 0xff; /* it did not write the whole response */
    if (res->response == VIRTIO_SCSI_S_OK && res->status == SAM_CHECK_CONDITION)
        /* Only the sense bytes the device wrote: a short answer's tail
         * is an earlier command's. */
        vscsi_sense(resp->sense,
                    MIN(MIN(resp->sense_len, c->sense_size),
                        (uint32_t)((size_t)len - sizeof(*resp))),
                    res);
    return 0;
}

/* A command, retried while the unit reports a UNIT ATTENTION (a reset,
 * a changed capacity: SAM-5 §5.14) or is busy: 0 when it completed with
 * GOOD, -ENODEV when there is no such target or LUN, -EIO otherwise.
 * *residual (when given) is what the device did not transfer, at most
 * bytes; without it, a short transfer is -EIO. */
static int vscsi_cmd(struct vscsi *c, uint8_t target, const uint8_t *cdb,
                     unsigned cdb_len, const struct blk_seg *segs, int n,
                     bool write, uint32_t *residual)
{
    struct vscsi_result res = {0};
    uint32_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += segs[i].len;
    for (int tries = 0; tries < VSCSI_RETRIES; tries++) {
        int err = vscsi_exec(c, target, cdb, cdb_len, segs, n, write, &res);
        if (err)
            return err;
        if (res.response == VIRTIO_SCSI_S_BAD_TARGET ||
            res.response == VIRTIO_SCSI_S_INCORRECT_LUN)
            return -ENODEV;
        bool again =
            res.response == VIRTIO_SCSI_S_BUSY ||
            (res.response == VIRTIO_SCSI_S_OK &&
             (res.status == SAM_BUSY || res.status == SAM_TASK_SET_FULL ||
              (res.status == SAM_CHECK_CONDITION &&
               res.key == SENSE_UNIT_ATTENTION)));
        if (!again)
            break;
    }
    if (res.response != VIRTIO_SCSI_S_OK || res.status != SAM_GOOD ||
        res.residual > bytes || (!residual && res.residual))
        return -EIO;
    if (residual)
        *residual = res.residual;
    return 0;
}

/* A command whose answer (at most len bytes, len <= DMA_BUF_LEN) goes to
 * the scan buffer: the bytes it wrote, or negative errno. */
static int vscsi_ask(struct vscsi *c, uint8_t target, const uint8_t *cdb,
                     unsigned cdb_len, uint32_t len)
{
    struct blk_seg seg = {c->dma_pa + DMA_BUF, len};
    uint32_t residual;
    memset(c->dma + DMA_BUF, 0, len);
    int err = vscsi_cmd(c, target, cdb, cdb_len, &seg, 1, false, &residual);
    return err ? err : (int)(len - residual);
}

/* --- requests */

/* READ (16) or WRITE (16) of the pieces, in commands of at most
 * c->max_bytes (blkdev.c keeps each piece below that). */
static int vscsi_rw(struct vscsi_lun *l, uint8_t op, uint64_t sector,
                    const struct blk_seg *segs, int n)
{
    struct vscsi *c = l->c;
    int err = 0;
    for (int i = 0, k; i < n && !err; i = k) {
        uint64_t bytes = segs[i].len;
        for (k = i + 1; k < n && bytes + segs[k].len <= c->max_bytes; k++)
            bytes += segs[k].len;
        uint8_t cdb[16] = {op};
        put_be64(cdb + 2, sector);
        put_be32(cdb + 10, (uint32_t)(bytes / BLK_SECTOR));
        err = vscsi_cmd(c, l->target, cdb, sizeof(cdb), segs + i, k - i,
                        op == OP_WRITE16, NULL);
        sector += bytes / BLK_SECTOR;
    }
    return err;
}

static int vscsi_op(struct blkdev *b, enum blk_op op, uint64_t sector,
                    const struct blk_seg *segs, int n)
{
    struct vscsi_lun *l = container_of(b, struct vscsi_lun, bd);
    uint8_t cdb[16] = {0};
    switch (op) {
    case BLK_OP_READ:
        return vscsi_rw(l, OP_READ16, sector, segs, n);
    case BLK_OP_WRITE:
        return vscsi_rw(l, OP_WRITE16, sector, segs, n);
    case BLK_OP_FLUSH: /* SBC-3 §5.22: LBA 0, 0 blocks: all of them */
        cdb[0] = OP_SYNCHRONIZE_CACHE10;
        return vscsi_cmd(l->c, l->target, cdb, 10, NULL, 0, false, NULL);
    default:
        cdb[0] = OP_BOGUS;
        return vscsi_cmd(l->c, l->target, cdb, sizeof(cdb), segs, n, false,
                         NULL);
    }
}

/* A disk that went away (no such target or LUN any more) is an I/O
 * error to the caller, as any other answer but GOOD. */
static int vscsi_request(struct blkdev *b, enum blk_op op, uint64_t sector,
                         const struct blk_seg *segs, int n)
{
    int err = vscsi_op(b, op, sector, segs, n);
    return err == -ENODEV ? -EIO : err;
}

static const struct blkdev_ops vscsi_ops = {.request = vscsi_request};

/* --- the scan */

/* Whether the target's LUN 0 is a disk: INQUIRY's peripheral qualifier
 * 0 (connected) and device type 0 (direct access), SPC-4 §6.6.2. */
static bool vscsi_is_disk(struct vscsi *c, uint8_t target)
{
    uint8_t cdb[6] = {OP_INQUIRY, 0, 0, 0, 96, 0};
    int got = vscsi_ask(c, target, cdb, sizeof(cdb), 96);
    return got >= 1 && c->dma[DMA_BUF] == 0x00;
}

/* The capacity in 512-byte sectors (READ CAPACITY (16), or (10) when the
 * device refuses it, SBC-3 §5.16, §5.15): 0 or negative errno. */
static int vscsi_capacity(struct vscsi_lun *l, uint64_t *sectors)
{
    const uint8_t *buf = l->c->dma + DMA_BUF;
    uint8_t rc16[16] = {OP_SERVICE_ACTION_IN16, SA_READ_CAPACITY16};
    uint8_t rc10[10] = {OP_READ_CAPACITY10};
    uint64_t last;
    uint32_t block;
    put_be32(rc16 + 10, 32);
    if (vscsi_ask(l->c, l->target, rc16, sizeof(rc16), 32) >= 12) {
        last = get_be64(buf);
        block = get_be32(buf + 8);
    } else if (vscsi_ask(l->c, l->target, rc10, sizeof(rc10), 8) >= 8 &&
               get_be32(buf) != 0xffffffffu) {
        last = get_be32(buf);
        block = get_be32(buf + 4);
    } else {
        return -EIO;
    }
    if (block != BLK_SECTOR || last >= UINT64_MAX >> 9) {
        kprintf("gorump: %s: blocks of %u bytes; only 512 are supported\n",
                l->name, block);
        return -ENODEV;
    }
    *sectors = last + 1;
    return 0;
}

/* MODE SENSE (6) of the caching page (SBC-3 §6.4.5), block descriptors
 * left out: the header's write-protect bit (SBC-3 §6.4.3) and WCE.  A
 * unit that does not answer is taken as writable with a write cache, so
 * what is written is still flushed. */
static void vscsi_mode(struct vscsi_lun *l)
{
    const uint8_t *buf = l->c->dma + DMA_BUF;
    uint8_t cdb[6] = {OP_MODE_SENSE6, 0x08 /* DBD */, 0x08, 0, 255, 0};
    int got = vscsi_ask(l->c, l->target, cdb, sizeof(cdb), 255);
    l->bd.flush = true;
    if (got < 4)
        return;
    l->bd.readonly = buf[2] & 0x80;
    const uint8_t *page = buf + 4 + buf[3]; /* past any block descriptor */
    if (4 + buf[3] + 3 <= got && (page[0] & 0x3f) == 0x08 && page[1] >= 1)
        l->bd.flush = page[2] & 0x04;
}

/* The unit serial number (VPD page 80h, SPC-4 §7.8.15): ASCII, spaces
 * around it dropped, what is not printable shown as '?'; "" if none. */
static void vscsi_serial(struct vscsi_lun *l)
{
    const char *buf = (const char *)l->c->dma + DMA_BUF;
    uint8_t cdb[6] = {OP_INQUIRY, 1 /* EVPD */, 0x80, 0, 255, 0};
    int got = vscsi_ask(l->c, l->target, cdb, sizeof(cdb), 255);
    if (got < 4 || buf[1] != (char)0x80)
        return;
    int start = 4, end = MIN(got, 4 + ((uint8_t)buf[2] << 8 | (uint8_t)buf[3]));
    while (start < end && (buf[start] == ' ' || buf[start] == '\0'))
        start++;
    while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\0'))
        end--;
    int n = MIN(end - start, BLK_ID_LEN);
    for (int k = 0; k < n; k++) {
        char ch = buf[start + k];
        l->bd.id[k] = ch >= 0x20 && ch < 0x7f ? ch : '?';
    }
    l->bd.id[n] = '\0';
}

/* Brings up the disk at target (its INQUIRY said so): TEST UNIT READY
 * takes the UNIT ATTENTION the reset left, then what a blkdev needs. */
static int vscsi_lun_init(struct vscsi_lun *l)
{
    uint8_t tur[6] = {OP_TEST_UNIT_READY};
    if (vscsi_cmd(l->c, l->target, tur, sizeof(tur), NULL, 0, false, NULL)) {
        kprintf("gorump: %s: target %u is not ready\n", l->c->name, l->target);
        return -EIO;
    }
    int err = vscsi_capacity(l, &l->bd.sectors);
    if (err)
        return err;
    vscsi_mode(l);
    vscsi_serial(l);
    return 0;
}

static void vscsi_add_lun(struct vscsi *c, uint8_t target)
{
    if (!vscsi_is_disk(c, target))
        return;
    struct vscsi_lun *l = kzalloc(sizeof(*l));
    if (!l)
        return;
    l->c = c;
    l->target = target;
    snprintf(l->name, sizeof(l->name), "sd%c", 'a' + vscsi_disks % 26);
    l->bd.ops = &vscsi_ops;
    l->bd.name = l->name;
    l->bd.segs_max = c->segs_max;
    l->bd.seg_bytes_max = MIN(c->max_bytes, 1u << 20);
    if (vscsi_lun_init(l) != 0 || !blkdev_register(&l->bd)) {
        kprintf("gorump: %s: target %u not started\n", c->name, target);
        kfree(l);
        return;
    }
    vscsi_disks++;
}

/* --- setting up */

/* The sizes of a command's header and response, and its limits
 * (§5.6.4), bounded by our own; false when we cannot use them. */
static bool vscsi_read_config(struct vscsi *c)
{
    struct virtio_dev *d = c->vdev;
    uint32_t seg_max, max_sectors;
    virtio_config_read(d, CFG_SEG_MAX, &seg_max, 4, 4);
    virtio_config_read(d, CFG_MAX_SECTORS, &max_sectors, 4, 4);
    virtio_config_read(d, CFG_SENSE_SIZE, &c->sense_size, 4, 4);
    virtio_config_read(d, CFG_CDB_SIZE, &c->cdb_size, 4, 4);
    c->segs_max = (uint16_t)MIN(MIN(seg_max, BLK_SEGS_MAX), c->q.size - 2u);
    c->max_bytes =
        (uint32_t)MIN((uint64_t)max_sectors * BLK_SECTOR, VSCSI_REQ_MAX);
    if (c->cdb_size < 16 || c->cdb_size > VSCSI_CDB_MAX ||
        c->sense_size > VSCSI_SENSE_MAX) {
        kprintf("gorump: %s: CDBs of %u bytes, sense of %u: unsupported\n",
                c->name, c->cdb_size, c->sense_size);
        return false;
    }
    if (c->segs_max < 1 || c->max_bytes < BLK_SECTOR) {
        kprintf("gorump: %s: device limits too small for a sector\n", c->name);
        return false;
    }
    return true;
}

static int vscsi_init(struct vscsi *c)
{
    struct virtio_dev *d = c->vdev;
    int err = virtio_start(d, VIRTIO_F_VERSION_1, VIRTIO_F_VERSION_1);
    if (!err)
        err = virtio_queue_init(d, &c->q, c->name, VSCSI_REQUEST_QUEUE,
                                VSCSI_QUEUE);
    if (err)
        return err;
    c->dma_pa = pmem_alloc_zeroed(0);
    if (!c->dma_pa)
        return -ENOMEM;
    c->dma = phys_to_virt(c->dma_pa);
    if (c->q.size < 3 || !vscsi_read_config(c))
        return -ENODEV;
    virtq_no_interrupt(&c->q, true);
    virtio_driver_ok(d);
    return 0;
}

static bool vscsi_attach(struct virtio_dev *d)
{
    struct vscsi *c = kzalloc(sizeof(*c));
    if (!c)
        return false;
    c->vdev = d;
    snprintf(c->name, sizeof(c->name), "scsi%d", vscsi_count);
    if (vscsi_init(c) != 0) {
        kprintf("gorump: %s: %s not started\n", d->where, c->name);
        virtio_fail(d);
        if (c->dma_pa)
            pmem_free(c->dma_pa, 0);
        virtq_free(&c->q);
        kfree(c);
        return false;
    }
    vscsi_count++;
    uint16_t max_target = 0;
    virtio_config_read(d, CFG_MAX_TARGET, &max_target, 2, 2);
    for (unsigned t = 0; t <= MIN(max_target, VSCSI_TARGETS - 1u); t++)
        if (!c->broken && blkdev_count() < BLK_MAX)
            vscsi_add_lun(c, (uint8_t)t);
    return true; /* its memory stays, even with no disk: it is live */
}

void virtio_scsi_probe(const char *cmdline)
{
    virtio_mmio_probe(cmdline, VIRTIO_ID_SCSI, vscsi_attach);
    virtio_pci_probe(VIRTIO_ID_SCSI, vscsi_attach);
}
