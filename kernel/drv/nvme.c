/*
 * drv/nvme.c — NVMe controllers on PCI (class 01h, subclass 08h,
 * interface 02h) behind drv/blkdev.h: each namespace with 512-byte
 * blocks is a block device, nvme<C>n<N>, whose id is the controller's
 * serial number (namespace 1) or "<serial>-n<N>" (the others).  This is
 * the disk clouds attach (GCE's persistent disks, AWS's EBS volumes).
 * Section numbers are those of the NVM Express Base Specification 1.4.
 *
 * One admin queue pair and one I/O queue pair, both polled: completion
 * interrupts are never enabled (the kernel waits for each request with
 * interrupts off, as virtio_blk.c does; a page fault that needs a file's
 * page has nothing else to do).  One command in flight at a time; a
 * request whose pieces one command cannot describe (PRP rules, §4.3:
 * only the first entry may start inside a page, only the last may end
 * inside one) becomes several commands in order, and a piece no PRP can
 * point at (not dword aligned) goes through a bounce page.
 *
 * The controller is not trusted: every wait is bounded (the controller's
 * own CAP.TO for enabling, BLK_TIMEOUT_NS for a command), a completion
 * for another command or a controller fatal status disables it (CC.EN
 * cleared, so it stops using our memory) and every later request fails
 * with -EIO; identify data is range-checked before use.
 */
#include "arch/x86_64/arch.h"
#include "drv/blkdev.h"
#include "drv/pci.h"
#include "mm/mm.h"

/* §3.1 controller registers */
#define REG_CAP 0x00
#define REG_INTMS 0x0c
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define REG_DOORBELLS 0x1000
#define CC_EN 1u
#define CC_IOSQES (6u << 16) /* 64-byte submission entries */
#define CC_IOCQES (4u << 20) /* 16-byte completion entries */
#define CSTS_RDY 1u
#define CSTS_CFS 2u
/* §5 admin and §6 NVM command opcodes */
#define ADM_CREATE_SQ 0x01
#define ADM_CREATE_CQ 0x05
#define ADM_IDENTIFY 0x06
#define NVM_FLUSH 0x00
#define NVM_WRITE 0x01
#define NVM_READ 0x02
#define NVM_BOGUS 0x7f /* defined by no command set */

#define NVME_QSIZE 64           /* entries per queue, or fewer (CAP.MQES) */
#define NVME_NS_MAX 8           /* namespaces looked at per controller */
#define NVME_CMD_MAX (1u << 20) /* bytes per command: 257 PRP entries */

struct nvme_sqe { /* §4.2 */
    uint8_t opcode, flags;
    uint16_t cid;
    uint32_t nsid;
    uint64_t reserved, mptr, prp1, prp2;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe { /* §4.6 */
    uint32_t result, reserved;
    uint16_t sq_head, sq_id, cid, status; /* status bit 0: phase */
};

struct nvme_queue {
    struct nvme_sqe *sq;
    volatile struct nvme_cqe *cq;
    uint64_t sq_pa, cq_pa;
    uint16_t tail, head, phase, cid;
    volatile uint32_t *sq_bell, *cq_bell;
};

struct nvme {
    volatile uint32_t *regs;
    char name[8]; /* "nvme0" */
    struct nvme_queue admin, io;
    uint16_t qsize;
    uint32_t max_bytes; /* per command: MDTS and NVME_CMD_MAX */
    uint64_t *prp_list;
    uint64_t prp_list_pa;
    void *ident; /* one page for identify data */
    uint64_t ident_pa;
    void *bounce; /* one page for pieces PRPs cannot describe */
    uint64_t bounce_pa;
    bool vwc;
    uint32_t nn;      /* namespaces (identify controller) */
    uint64_t map_len; /* of BAR 0 mapped at regs */
    bool broken;
    uint32_t timeout_ms; /* CAP.TO */
};

struct nvme_ns {
    struct blkdev bd;
    struct nvme *c;
    uint32_t nsid;
    char name[16];
};

static int nvme_controllers;

static uint64_t reg64(const struct nvme *c, unsigned off)
{
    return c->regs[off / 4] | (uint64_t)c->regs[off / 4 + 1] << 32;
}

static void set64(struct nvme *c, unsigned off, uint64_t v)
{
    c->regs[off / 4] = (uint32_t)v;
    c->regs[off / 4 + 1] = (uint32_t)(v >> 32);
}

/* Stops the controller using our memory (§7.6.2: clearing CC.EN resets
 * it) and fails every later request. */
static int nvme_give_up(struct nvme *c, const char *why)
{
    if (!c->broken)
        kprintf("gorump: %s: %s; controller disabled\n", c->name, why);
    c->broken = true;
    c->regs[REG_CC / 4] = 0;
    return -EIO;
}

/* Waits up to CAP.TO for CSTS.RDY to equal want. */
static int nvme_wait_ready(struct nvme *c, uint32_t want)
{
    uint64_t t0 = clock_mono_ns();
    for (;;) {
        uint32_t csts = c->regs[REG_CSTS / 4];
        if (csts == 0xffffffffu || (want && (csts & CSTS_CFS)))
            return -EIO;
        if ((csts & CSTS_RDY) == want)
            return 0;
        if (clock_mono_ns() - t0 > c->timeout_ms * 1000000ull)
            return -ETIMEDOUT;
        __builtin_ia32_pause();
    }
}

/* Submits one command on q and waits for its completion: 0, -EIO for
 * an error status (§4.6.1) or a controller given up. */
static int nvme_run(struct nvme *c, struct nvme_queue *q, struct nvme_sqe *cmd)
{
    if (c->broken)
        return -EIO;
    cmd->cid = q->cid++;
    q->sq[q->tail] = *cmd;
    q->tail = (uint16_t)((q->tail + 1) % c->qsize);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *q->sq_bell = q->tail;
    uint64_t t0 = clock_mono_ns();
    volatile struct nvme_cqe *e = &q->cq[q->head];
    while ((e->status & 1) != q->phase) {
        if (clock_mono_ns() - t0 > BLK_TIMEOUT_NS)
            return nvme_give_up(c, "no answer in 10 s");
        if (c->regs[REG_CSTS / 4] & CSTS_CFS)
            return nvme_give_up(c, "controller fatal status");
        __builtin_ia32_pause();
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint16_t cid = e->cid, status = e->status >> 1;
    if (++q->head == c->qsize) {
        q->head = 0;
        q->phase ^= 1;
    }
    *q->cq_bell = q->head;
    if (cid != cmd->cid)
        return nvme_give_up(c, "completion for another command");
    return status ? -EIO : 0;
}

/* How many bytes from piece i, byte off on, one command can carry: whole
 * sectors, at most max, pieces joined only on page boundaries (§4.3).
 * 0 when not even one sector can be described: the piece is not dword
 * aligned, or ends inside a page and the next does not start one. */
static uint32_t nvme_span(const struct blk_seg *segs, int n, int i,
                          uint32_t off, uint32_t max)
{
    uint32_t bytes = 0;
    uint64_t end = 0;
    if ((segs[i].pa + off) & 3)
        return 0; /* §4.3: PRP entries are dword aligned */
    for (; i < n && bytes < max; i++, off = 0) {
        uint64_t pa = segs[i].pa + off;
        if (bytes && ((pa | end) & (PAGE_SIZE - 1)))
            break;
        uint32_t take = MIN(segs[i].len - off, max - bytes);
        bytes += take;
        end = pa + take;
    }
    return ALIGN_DOWN(bytes, BLK_SECTOR);
}

/* Sets cmd's PRP entries for the next bytes of the pieces from (*i,
 * *off) on, and moves (*i, *off) past them. */
static void nvme_fill_prps(struct nvme *c, struct nvme_sqe *cmd,
                           const struct blk_seg *segs, int *i, uint32_t *off,
                           uint32_t bytes)
{
    int entries = 0;
    bool first = true;
    cmd->prp1 = segs[*i].pa + *off;
    while (bytes) {
        uint64_t pa = segs[*i].pa + *off;
        uint32_t take = MIN(segs[*i].len - *off, bytes);
        if (!first) /* a later piece starts on a page (nvme_span) */
            c->prp_list[entries++] = pa;
        for (uint64_t p = ALIGN_DOWN(pa, PAGE_SIZE) + PAGE_SIZE; p < pa + take;
             p += PAGE_SIZE)
            c->prp_list[entries++] = p;
        first = false;
        bytes -= take;
        *off += take;
        if (*off == segs[*i].len) {
            (*i)++;
            *off = 0;
        }
    }
    cmd->prp2 = entries == 0   ? 0
                : entries == 1 ? c->prp_list[0]
                               : c->prp_list_pa;
}

/* A command through the bounce page, for bytes (whole sectors, at most a
 * page) at buf that PRP entries cannot point at. */
static int nvme_bounced(struct nvme *c, struct nvme_sqe *cmd, void *buf,
                        uint32_t bytes, bool write)
{
    cmd->prp1 = c->bounce_pa;
    if (write)
        memcpy(c->bounce, buf, bytes);
    int err = nvme_run(c, &c->io, cmd);
    if (!err && !write)
        memcpy(buf, c->bounce, bytes);
    return err;
}

static int nvme_request(struct blkdev *b, enum blk_op op, uint64_t sector,
                        const struct blk_seg *segs, int n)
{
    static const uint8_t opcode[] = {
        [BLK_OP_READ] = NVM_READ,
        [BLK_OP_WRITE] = NVM_WRITE,
        [BLK_OP_FLUSH] = NVM_FLUSH,
        [BLK_OP_BOGUS] = NVM_BOGUS,
    };
    struct nvme_ns *ns = container_of(b, struct nvme_ns, bd);
    struct nvme *c = ns->c;
    struct nvme_sqe cmd = {.opcode = opcode[op], .nsid = ns->nsid};
    if (op == BLK_OP_FLUSH || n == 0)
        return nvme_run(c, &c->io, &cmd);
    int i = 0, err = 0;
    uint32_t off = 0;
    while (i < n && !err) {
        uint32_t bytes = nvme_span(segs, n, i, off, c->max_bytes);
        cmd = (struct nvme_sqe){.opcode = opcode[op], .nsid = ns->nsid};
        cmd.cdw10 = (uint32_t)sector;
        cmd.cdw11 = (uint32_t)(sector >> 32);
        if (bytes) {
            cmd.cdw12 = bytes / BLK_SECTOR - 1; /* NLB is 0-based */
            nvme_fill_prps(c, &cmd, segs, &i, &off, bytes);
            err = nvme_run(c, &c->io, &cmd);
        } else {
            bytes = MIN(segs[i].len - off, (uint32_t)PAGE_SIZE);
            cmd.cdw12 = bytes / BLK_SECTOR - 1;
            err = nvme_bounced(c, &cmd, phys_to_virt(segs[i].pa + off), bytes,
                               op == BLK_OP_WRITE);
            off += bytes;
            if (off == segs[i].len) {
                i++;
                off = 0;
            }
        }
        sector += bytes / BLK_SECTOR;
    }
    return err;
}

static const struct blkdev_ops nvme_ops = {.request = nvme_request};

/* --- setting up */

static int nvme_identify(struct nvme *c, uint32_t cns, uint32_t nsid)
{
    memset(c->ident, 0, PAGE_SIZE);
    struct nvme_sqe cmd = {.opcode = ADM_IDENTIFY,
                           .nsid = nsid,
                           .prp1 = c->ident_pa,
                           .cdw10 = cns};
    return nvme_run(c, &c->admin, &cmd);
}

/* The serial number (§5.15.2.2, bytes 4-23, ASCII padded with spaces). */
static void nvme_serial(const struct nvme *c, char *out)
{
    const char *sn = (const char *)c->ident + 4;
    int len = BLK_ID_LEN;
    while (len > 0 && (sn[len - 1] == ' ' || sn[len - 1] == '\0'))
        len--;
    for (int k = 0; k < len; k++)
        out[k] = sn[k] >= 0x20 && sn[k] < 0x7f ? sn[k] : '?';
    out[len] = '\0';
}

static void nvme_add_ns(struct nvme *c, uint32_t nsid, const char *serial)
{
    if (nvme_identify(c, 0, nsid))
        return;
    const uint8_t *id = c->ident;
    uint64_t nsze;
    memcpy(&nsze, id, 8);
    uint8_t fmt = id[26] & 0xf, nlbaf = id[25];
    uint8_t lbads = fmt <= nlbaf ? id[128 + 4 * fmt + 2] : 0;
    if (!nsze)
        return; /* not active */
    struct nvme_ns *ns = kzalloc(sizeof(*ns));
    if (!ns)
        return;
    snprintf(ns->name, sizeof(ns->name), "%sn%u", c->name, nsid);
    if (lbads != 9 || nsze > (UINT64_MAX >> 9)) {
        kprintf("gorump: %s: blocks of 2^%u bytes; only 512 are supported\n",
                ns->name, lbads);
        kfree(ns);
        return;
    }
    ns->c = c;
    ns->nsid = nsid;
    ns->bd = (struct blkdev){
        .ops = &nvme_ops,
        .name = ns->name,
        .sectors = nsze,
        .readonly = id[99] & 1, /* NSATTR: write protected */
        .flush = c->vwc,
        .segs_max = BLK_SEGS_MAX,
        .seg_bytes_max = NVME_CMD_MAX,
    };
    if (nsid == 1)
        snprintf(ns->bd.id, sizeof(ns->bd.id), "%s", serial);
    else
        snprintf(ns->bd.id, sizeof(ns->bd.id), "%.*s-n%u", BLK_ID_LEN - 4,
                 serial, nsid);
    if (!blkdev_register(&ns->bd))
        kfree(ns);
}

/* Queue pair qid's memory and doorbells (§3.1.10: doorbell stride). */
static int nvme_queue_init(struct nvme *c, struct nvme_queue *q, unsigned qid,
                           unsigned stride)
{
    q->sq_pa = pmem_alloc_zeroed(0);
    q->cq_pa = pmem_alloc_zeroed(0);
    if (!q->sq_pa || !q->cq_pa)
        return -ENOMEM;
    q->sq = phys_to_virt(q->sq_pa);
    q->cq = phys_to_virt(q->cq_pa);
    q->phase = 1;
    q->sq_bell = c->regs + (REG_DOORBELLS + 2 * qid * stride) / 4;
    q->cq_bell = c->regs + (REG_DOORBELLS + (2 * qid + 1) * stride) / 4;
    return 0;
}

/* §7.6.1: reset, admin queues, enable, identify, one I/O queue pair. */
static int nvme_start(struct nvme *c, char *serial)
{
    uint64_t cap = reg64(c, REG_CAP);
    unsigned stride = 4u << ((cap >> 32) & 0xf);
    c->qsize = (uint16_t)MIN(NVME_QSIZE, (cap & 0xffff) + 1);
    c->timeout_ms = MAX(500u, ((cap >> 24) & 0xff) * 500u);
    if (!(cap & (1ull << 37)) || ((cap >> 48) & 0xf) || c->qsize < 2 ||
        REG_DOORBELLS + 4ull * stride > c->map_len)
        return -ENODEV; /* no NVM command set, 4 KiB pages, queue, bells */
    c->regs[REG_CC / 4] = 0;
    if (nvme_wait_ready(c, 0))
        return -EIO;
    c->prp_list_pa = pmem_alloc_zeroed(0);
    c->ident_pa = pmem_alloc_zeroed(0);
    c->bounce_pa = pmem_alloc_zeroed(0);
    if (!c->prp_list_pa || !c->ident_pa || !c->bounce_pa ||
        nvme_queue_init(c, &c->admin, 0, stride) ||
        nvme_queue_init(c, &c->io, 1, stride))
        return -ENOMEM;
    c->prp_list = phys_to_virt(c->prp_list_pa);
    c->ident = phys_to_virt(c->ident_pa);
    c->bounce = phys_to_virt(c->bounce_pa);
    c->regs[REG_INTMS / 4] = 0xffffffffu; /* polled */
    c->regs[REG_AQA / 4] = (uint32_t)(c->qsize - 1) << 16 | (c->qsize - 1u);
    set64(c, REG_ASQ, c->admin.sq_pa);
    set64(c, REG_ACQ, c->admin.cq_pa);
    c->regs[REG_CC / 4] = CC_IOSQES | CC_IOCQES | CC_EN;
    if (nvme_wait_ready(c, CSTS_RDY) || nvme_identify(c, 1, 0))
        return -EIO;
    uint8_t mdts = ((const uint8_t *)c->ident)[77];
    c->max_bytes =
        mdts && mdts < 8 ? MIN(NVME_CMD_MAX, PAGE_SIZE << mdts) : NVME_CMD_MAX;
    c->vwc = ((const uint8_t *)c->ident)[525] & 1;
    memcpy(&c->nn, (const uint8_t *)c->ident + 516, 4);
    nvme_serial(c, serial);
    uint32_t qs = (uint32_t)(c->qsize - 1) << 16 | 1;
    struct nvme_sqe cq = {.opcode = ADM_CREATE_CQ,
                          .prp1 = c->io.cq_pa,
                          .cdw10 = qs,
                          .cdw11 = 1 /* contiguous, no interrupt */};
    struct nvme_sqe sq = {.opcode = ADM_CREATE_SQ,
                          .prp1 = c->io.sq_pa,
                          .cdw10 = qs,
                          .cdw11 = 1u << 16 | 1 /* CQ 1, contiguous */};
    if (nvme_run(c, &c->admin, &cq) || nvme_run(c, &c->admin, &sq))
        return -EIO;
    return 0;
}

static void nvme_found(const struct pci_dev *d, void *arg)
{
    (void)arg;
    if (d->class != 0x01 || d->subclass != 0x08 || pci_read8(d, 0x09) != 0x02)
        return;
    struct pci_dev pd = *d;
    char where[16], serial[BLK_ID_LEN + 1];
    uint64_t pa, size;
    struct nvme *c = kzalloc(sizeof(*c));
    if (!c)
        return;
    snprintf(c->name, sizeof(c->name), "nvme%d", nvme_controllers);
    pci_enable(&pd);
    if (pci_bar(&pd, 0, &pa, &size) == 0 && size >= 0x2000) {
        c->map_len = MIN(size, REG_DOORBELLS + 4 * 0x20000ull);
        c->regs = pci_bar_map(&pd, 0, 0, c->map_len);
    }
    int err = c->regs ? nvme_start(c, serial) : -ENODEV;
    if (err) {
        kprintf("gorump: %s (%s): not started (%s)\n", c->name,
                pci_name(d, where, sizeof(where)),
                err == -ENODEV ? "unsupported controller" : "no answer");
        if (c->regs)
            c->regs[REG_CC / 4] = 0;
        return; /* its pages stay: the controller may still hold them */
    }
    nvme_controllers++;
    for (uint32_t nsid = 1; nsid <= MIN(c->nn, NVME_NS_MAX); nsid++)
        nvme_add_ns(c, nsid, serial);
}

void nvme_probe(void)
{
    pci_scan(nvme_found, NULL);
}
