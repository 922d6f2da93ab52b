/*
 * tests/unit/test_vscsi.c — the virtio-scsi driver (kernel/drv/
 * virtio_scsi.c over kernel/drv/virtio.c, built for the host) against a
 * device of the test's own: a transport whose notify walks the request's
 * descriptor chain at once and answers it as an SCSI disk would, or as a
 * broken one does.  The scan (a CD-ROM and a disk of 4096-byte blocks
 * skipped, READ CAPACITY (16) refused so (10) is used, the UNIT
 * ATTENTION of a reset retried, the serial number trimmed), I/O and
 * flush round trips; then hostile answers, each -EIO with the adapter
 * still working: a response code other than OK, a short response, a
 * residual larger than the transfer, sense data longer than the buffer,
 * UNIT ATTENTION for ever; a buffer id the device does not hold and no
 * answer at all stop the adapter (every later request -EIO, the device
 * no longer notified); 20000 answers of random bytes; configurations the
 * driver cannot use refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv/virtio.c"
#include "drv/virtio_scsi.c"

#include "check.h"
#include "heap.c"
#include "kshim.c"

/* --- what the driver needs from the rest of the kernel ------------------ */

#define RAM_PAGES 64
static unsigned ram_next = 1; /* 0 is the allocator's failure */
static char last_msg[256];
static uint64_t now_ns;

uint64_t pmem_alloc_zeroed(unsigned order)
{
    unsigned n = 1u << order;
    if (ram_next + n > RAM_PAGES)
        return 0;
    uint64_t pa = (uint64_t)ram_next * PAGE_SIZE;
    ram_next += n;
    memset(phys_to_virt(pa), 0, n * PAGE_SIZE);
    return pa;
}

void pmem_free(uint64_t pa, unsigned order)
{
    (void)pa, (void)order; /* the test's RAM is not reused */
}

/* Every reading moves the clock 1 ms on, so a wait of 10 s ends soon. */
uint64_t clock_mono_ns(void)
{
    return now_ns += 1000000;
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
    va_end(ap);
}

static struct blkdev *devs[BLK_MAX];
static int ndevs;

bool blkdev_register(struct blkdev *b)
{
    if (ndevs == BLK_MAX)
        return false;
    devs[ndevs++] = b;
    return true;
}

int blkdev_count(void)
{
    return ndevs;
}

void virtio_mmio_probe(const char *cmdline, uint16_t type,
                       virtio_found_fn found)
{
    (void)cmdline, (void)type, (void)found;
}

void virtio_pci_probe(uint16_t type, virtio_found_fn found)
{
    (void)type, (void)found;
}

/* --- the device ---------------------------------------------------------- */

enum mode {
    M_DISK,       /* a well-behaved disk */
    M_RESPONSE,   /* response FAILURE */
    M_SHORT,      /* used length below the response's fixed part */
    M_RESIDUAL,   /* a residual larger than the transfer */
    M_SENSE_HUGE, /* UNIT ATTENTION with sense_len 0xffffffff, for ever */
    M_BAD_ID,     /* hands back a buffer it does not hold */
    M_SILENT,     /* never answers */
    M_RANDOM,     /* random response bytes and used length */
};

#define SECTORS 2048
static struct {
    struct virtio_dev vd;
    uint8_t status;
    uint8_t config[36];
    struct virtq *vq;
    uint16_t seen; /* avail entries taken */
    enum mode mode;
    int notifies;
    bool attention[8]; /* a UNIT ATTENTION pending on target t */
    uint8_t disk[SECTORS * 512];
} dev;

struct chain {
    const uint8_t *req;
    uint32_t req_len;
    uint8_t *resp;
    uint32_t resp_len;
    struct {
        uint8_t *p;
        uint32_t len;
    } out[BLK_SEGS_MAX], in[BLK_SEGS_MAX];
    int nout, nin;
};

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Collects the chain at head (§2.6.4.2: readable parts, then writable). */
static void chain_walk(uint16_t head, struct chain *ch)
{
    memset(ch, 0, sizeof(*ch));
    volatile struct virtq_desc *d = dev.vq->desc;
    for (uint16_t i = head, n = 0; n < dev.vq->size; n++) {
        uint8_t *p = phys_to_virt(d[i].addr);
        bool w = d[i].flags & VIRTQ_DESC_F_WRITE;
        if (!w && !ch->req)
            ch->req = p, ch->req_len = d[i].len;
        else if (!w)
            ch->out[ch->nout].p = p, ch->out[ch->nout++].len = d[i].len;
        else if (!ch->resp)
            ch->resp = p, ch->resp_len = d[i].len;
        else
            ch->in[ch->nin].p = p, ch->in[ch->nin++].len = d[i].len;
        if (!(d[i].flags & VIRTQ_DESC_F_NEXT))
            break;
        i = d[i].next;
    }
}

/* Copies len bytes between the disk and the chain's data parts; the
 * bytes not transferred (the residual). */
static uint32_t data_in(struct chain *ch, const uint8_t *src, uint32_t len)
{
    uint32_t total = 0, done = 0;
    for (int i = 0; i < ch->nin; i++) {
        uint32_t take = MIN(ch->in[i].len, len - done);
        memcpy(ch->in[i].p, src + done, take);
        done += take;
        total += ch->in[i].len;
    }
    return total - done;
}

static void data_out(struct chain *ch, uint8_t *dst)
{
    for (int i = 0, off = 0; i < ch->nout; off += ch->out[i++].len)
        memcpy(dst + off, ch->out[i].p, ch->out[i].len);
}

static void check_condition(uint8_t *r, uint8_t key, uint8_t asc)
{
    r[10] = SAM_CHECK_CONDITION;
    put32(r, 18);
    uint8_t *s = r + 12;
    s[0] = 0x70, s[2] = key, s[7] = 10, s[12] = asc;
}

/* INQUIRY: target 0 and 2 disks, 1 a CD-ROM, 3 nothing; page 80h. */
static uint32_t inquiry(struct chain *ch, uint8_t t, const uint8_t *cdb)
{
    uint8_t buf[64] = {0};
    if (cdb[1] & 1) {
        static const char sn[] = "  test-serial\001  ";
        buf[1] = 0x80, buf[3] = sizeof(sn) - 1;
        memcpy(buf + 4, sn, sizeof(sn) - 1);
        return data_in(ch, buf, 4 + sizeof(sn) - 1);
    }
    buf[0] = t == 1 ? 0x05 : t == 3 ? 0x7f : 0x00;
    return data_in(ch, buf, 36);
}

static uint32_t capacity10(struct chain *ch, uint8_t t)
{
    uint8_t buf[8];
    put_be32(buf, SECTORS - 1);
    put_be32(buf + 4, t == 2 ? 4096 : 512);
    return data_in(ch, buf, 8);
}

static uint32_t rw(struct chain *ch, const uint8_t *cdb, uint8_t *r)
{
    uint64_t lba = get_be64(cdb + 2);
    uint32_t n = get_be32(cdb + 10);
    if (lba > SECTORS || n > SECTORS - lba) {
        check_condition(r, SENSE_ILLEGAL_REQUEST, 0x21);
        return 0;
    }
    if (cdb[0] == OP_WRITE16) {
        data_out(ch, dev.disk + lba * 512);
        return 0;
    }
    return data_in(ch, dev.disk + lba * 512, n * 512);
}

/* Answers one command as the disk would: the residual. */
static uint32_t disk_answer(struct chain *ch, uint8_t t, uint8_t *r)
{
    const uint8_t *cdb = ch->req + sizeof(struct vscsi_req);
    if (t > 3) {
        r[11] = VIRTIO_SCSI_S_BAD_TARGET;
        return 0;
    }
    if (cdb[0] != OP_INQUIRY && dev.attention[t]) {
        dev.attention[t] = false;
        check_condition(r, SENSE_UNIT_ATTENTION, 0x29);
        return 0;
    }
    switch (cdb[0]) {
    case OP_INQUIRY:
        return inquiry(ch, t, cdb);
    case OP_TEST_UNIT_READY:
    case OP_SYNCHRONIZE_CACHE10:
        return 0;
    case OP_READ_CAPACITY10:
        return capacity10(ch, t);
    case OP_MODE_SENSE6: {
        uint8_t buf[24] = {23, 0, 0, 0, 0x08, 0x12, 0x04};
        return data_in(ch, buf, sizeof(buf));
    }
    case OP_READ16:
    case OP_WRITE16:
        return rw(ch, cdb, r);
    default: /* SERVICE ACTION IN too: READ CAPACITY (16) is refused */
        check_condition(r, SENSE_ILLEGAL_REQUEST, 0x20);
        return 0;
    }
}

/* The answer's used length, and its response in r, as mode says. */
static uint32_t answer(struct chain *ch, uint8_t *r)
{
    uint32_t in = 0;
    for (int i = 0; i < ch->nin; i++)
        in += ch->in[i].len;
    uint32_t residual = disk_answer(ch, ch->req[1], r);
    put32(r + 4, residual);
    uint32_t len = ch->resp_len + in - residual;
    switch (dev.mode) {
    case M_RESPONSE:
        r[11] = 9;
        break;
    case M_SHORT:
        len = 11;
        break;
    case M_RESIDUAL:
        put32(r + 4, in + 512);
        break;
    case M_SENSE_HUGE:
        check_condition(r, SENSE_UNIT_ATTENTION, 0x29);
        put32(r, 0xffffffffu);
        break;
    case M_RANDOM:
        for (uint32_t i = 0; i < 12 + 20; i++)
            r[i] = (uint8_t)kshim_random(256);
        if (kshim_random(2))
            r[11] = 0, r[10] = (uint8_t)(kshim_random(2) * 2);
        len = (uint32_t)kshim_random(1u << 20);
        break;
    default:
        break;
    }
    return len;
}

static void dev_notify(struct virtio_dev *d, struct virtq *vq)
{
    (void)d;
    struct chain ch;
    dev.notifies++;
    while (dev.seen != vq->avail->idx) {
        uint16_t head = vq->avail->ring[dev.seen++ & (vq->size - 1)];
        if (dev.mode == M_SILENT)
            continue;
        chain_walk(head, &ch);
        CHECK(ch.req && ch.req_len == sizeof(struct vscsi_req) + 32);
        CHECK(ch.resp && ch.resp_len == sizeof(struct vscsi_resp) + 96);
        memset(ch.resp, 0, ch.resp_len);
        uint32_t len = answer(&ch, ch.resp);
        uint16_t u = vq->used->idx;
        vq->used->ring[u & (vq->size - 1)] =
            (struct virtq_used_elem){dev.mode == M_BAD_ID ? 7 : head, len};
        vq->used->idx = u + 1;
    }
}

static uint8_t dev_get_status(struct virtio_dev *d)
{
    (void)d;
    return dev.status;
}

static void dev_set_status(struct virtio_dev *d, uint8_t s)
{
    (void)d;
    dev.status = s;
}

static uint64_t dev_get_features(struct virtio_dev *d)
{
    (void)d;
    return VIRTIO_F_VERSION_1 | 0xf; /* and INOUT, HOTPLUG, CHANGE, T10_PI */
}

static void dev_set_features(struct virtio_dev *d, uint64_t f)
{
    (void)d;
    CHECK_EQ(f, VIRTIO_F_VERSION_1);
}

static uint32_t dev_generation(struct virtio_dev *d)
{
    (void)d;
    return 0;
}

static uint32_t dev_config_read(struct virtio_dev *d, unsigned off, unsigned n)
{
    (void)d;
    uint32_t v = 0;
    if (off + n <= sizeof(dev.config))
        memcpy(&v, dev.config + off, n);
    return v;
}

static uint32_t dev_queue_max(struct virtio_dev *d, uint16_t index)
{
    (void)d;
    return index < 3 ? 128 : 0;
}

static int dev_queue_enable(struct virtio_dev *d, struct virtq *vq)
{
    (void)d;
    CHECK_EQ(vq->index, VSCSI_REQUEST_QUEUE);
    dev.vq = vq;
    dev.seen = 0;
    return 0;
}

static int dev_irq_enable(struct virtio_dev *d, uint8_t vector)
{
    (void)d, (void)vector;
    return 0;
}

static uint32_t dev_irq_ack(struct virtio_dev *d)
{
    (void)d;
    return 0;
}

static void dev_irq_mask(struct virtio_dev *d)
{
    (void)d;
}

static const struct virtio_ops dev_ops = {
    .get_status = dev_get_status,
    .set_status = dev_set_status,
    .get_features = dev_get_features,
    .set_features = dev_set_features,
    .config_generation = dev_generation,
    .config_read = dev_config_read,
    .queue_max = dev_queue_max,
    .queue_enable = dev_queue_enable,
    .notify = dev_notify,
    .irq_enable = dev_irq_enable,
    .irq_ack = dev_irq_ack,
    .irq_mask = dev_irq_mask,
};

/* Frees what the last attach made (a live adapter's memory stays in the
 * kernel; here it goes with the test's device). */
static void dev_detach(void)
{
    struct vscsi *c = NULL;
    for (int i = 0; i < ndevs; i++) {
        struct vscsi_lun *l = container_of(devs[i], struct vscsi_lun, bd);
        c = l->c;
        kfree(l);
    }
    kfree(c);
    ndevs = 0;
}

/* A fresh device (QEMU's configuration, targets 0..7) and driver. */
static bool dev_attach(uint32_t cdb_size, uint32_t sense_size)
{
    dev_detach();
    memset(&dev.config, 0, sizeof(dev.config));
    put32(dev.config + CFG_SEG_MAX, 126);
    put32(dev.config + CFG_MAX_SECTORS, 0xffff);
    put32(dev.config + CFG_SENSE_SIZE, sense_size);
    put32(dev.config + CFG_CDB_SIZE, cdb_size);
    put16(dev.config + CFG_MAX_TARGET, 7);
    dev.vd = (struct virtio_dev){.ops = &dev_ops, .where = "test"};
    dev.mode = M_DISK;
    for (int t = 0; t < 8; t++)
        dev.attention[t] = true;
    return vscsi_attach(&dev.vd);
}

/* --- the tests ------------------------------------------------------------ */

static struct blkdev *sda;
static uint64_t buf_pa;

static int io(enum blk_op op, uint64_t sector, uint32_t bytes)
{
    int n = bytes >= 1024 ? 2 : 1; /* pieces in two pages */
    struct blk_seg segs[2] = {{buf_pa, bytes / n}, {buf_pa + 4096, bytes / n}};
    return sda->ops->request(sda, op, sector, segs, n);
}

static void test_scan(void)
{
    CHECK(dev_attach(32, 96));
    CHECK_EQ(ndevs, 1); /* the CD-ROM, 4096-byte blocks, no target: not */
    sda = devs[0];
    CHECK(strcmp(sda->name, "sda") == 0);
    CHECK_EQ(sda->sectors, SECTORS);
    CHECK(strcmp(sda->id, "test-serial?") == 0);
    CHECK(sda->flush && !sda->readonly);
    CHECK_EQ(sda->segs_max, BLK_SEGS_MAX);
    CHECK_EQ(sda->seg_bytes_max, 1u << 20);
    CHECK(strstr(last_msg, "target 2 not started") != NULL);
    buf_pa = pmem_alloc_zeroed(1);
}

static void test_io(void)
{
    uint8_t *buf = phys_to_virt(buf_pa);
    for (int i = 0; i < 8192; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    CHECK_EQ(io(BLK_OP_WRITE, 100, 8192), 0);
    CHECK(memcmp(dev.disk + 100 * 512, buf, 8192) == 0);
    memset(buf, 0, 8192);
    CHECK_EQ(io(BLK_OP_READ, 100, 8192), 0);
    CHECK(memcmp(dev.disk + 100 * 512, buf, 8192) == 0);
    CHECK_EQ(io(BLK_OP_FLUSH, 0, 0), 0);
    CHECK_EQ(io(BLK_OP_READ, SECTORS - 1, 1024), -EIO); /* past the end */
    CHECK_EQ(io(BLK_OP_BOGUS, 0, 512), -EIO);
    dev.attention[0] = true; /* a capacity change, say: retried */
    CHECK_EQ(io(BLK_OP_READ, 0, 512), 0);
}

static void test_hostile(void)
{
    static const enum mode modes[] = {M_RESPONSE, M_SHORT, M_RESIDUAL,
                                      M_SENSE_HUGE};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        dev.mode = modes[i];
        CHECK_EQ(io(BLK_OP_READ, 0, 1024), -EIO);
        CHECK_EQ(io(BLK_OP_WRITE, 0, 512), -EIO);
        dev.mode = M_DISK;
        CHECK_EQ(io(BLK_OP_READ, 0, 1024), 0); /* still working */
    }
    dev.mode = M_RANDOM;
    for (int i = 0; i < 20000; i++) {
        int err = io(i % 3 ? BLK_OP_READ : BLK_OP_WRITE, kshim_random(SECTORS),
                     512 << kshim_random(4));
        if (err != 0 && err != -EIO)
            CHECK_EQ(err, -EIO);
    }
    dev.mode = M_DISK;
    CHECK_EQ(io(BLK_OP_READ, 0, 1024), 0);
}

/* Stops the adapter: that request and every later one -EIO, and the
 * device is not asked again. */
static void test_broken(enum mode m)
{
    CHECK(dev_attach(32, 96));
    sda = devs[0];
    dev.mode = m;
    CHECK_EQ(io(BLK_OP_READ, 0, 512), -EIO);
    CHECK(strstr(last_msg, "device disabled") != NULL);
    CHECK(dev.status & VIRTIO_STATUS_FAILED);
    dev.mode = M_DISK;
    int before = dev.notifies;
    CHECK_EQ(io(BLK_OP_READ, 0, 512), -EIO);
    CHECK_EQ(dev.notifies, before);
}

static void test_config(void)
{
    CHECK(!dev_attach(8, 96)); /* no room for a 16-byte CDB */
    CHECK(strstr(last_msg, "not started") != NULL);
    CHECK(dev.status & VIRTIO_STATUS_FAILED);
    CHECK(!dev_attach(32, 1u << 20));
    CHECK(!dev_attach(1u << 20, 96));
}

int main(void)
{
    kshim_ram = aligned_alloc(PAGE_SIZE, RAM_PAGES * PAGE_SIZE);
    test_scan();
    test_io();
    test_hostile();
    test_broken(M_BAD_ID);
    test_broken(M_SILENT);
    test_config();
    dev_detach();
    CHECK_EQ(kshim_live, 0);
    free(kshim_ram);
    return check_done();
}
