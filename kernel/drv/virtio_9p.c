/*
 * drv/virtio_9p.c — virtio-9p (virtio 1.1 §5.11) behind drv/v9p.h, over
 * either transport.
 *
 * Features: VERSION_1 required, MOUNT_TAG (§5.11.3) required too: a
 * device without a tag cannot be named by a share.  One request queue
 * (queue 0).  A request is a chain of two buffers (§5.11.6): the
 * T-message the device reads, then the space it writes the R-message
 * into; chain 0-1 is the request, chain 2-3 a Tflush of it.  The tag
 * (config offset 2, tag_len bytes at offset 0) is read once; a tag that
 * is empty, longer than V9P_TAG_MAX or holds a NUL or a space is refused.
 */
#include "arch/x86_64/arch.h"
#include "drv/v9p.h"
#include "drv/virtio.h"
#include "mm/mm.h"

#define VIRTIO_9P_F_MOUNT_TAG 1ULL
#define V9P_QUEUE 8
#define TFLUSH 108
#define RFLUSH 109
#define FLUSH_TAG 2

struct vdev9p {
    struct v9p p;
    struct virtio_dev *vdev;
    struct virtq q;
    uint64_t tpa, rpa;    /* tbuf, rbuf: physically contiguous */
    uint64_t fpa;         /* a page: Tflush at 0, its answer at 64 */
    bool flushed_pending; /* a flushed request may still come back */
};

static struct {
    struct vdev9p *dev[V9P_MAX];
    int n;
} v9p;

#define BUF_ORDER 5 /* 2^5 pages: V9P_BUF */
_Static_assert((PAGE_SIZE << BUF_ORDER) == V9P_BUF, "V9P_BUF is 32 pages");

struct v9p *v9p_find(const char *tag)
{
    for (int i = 0; i < v9p.n; i++)
        if (!strcmp(v9p.dev[i]->p.tag, tag))
            return &v9p.dev[i]->p;
    return NULL;
}

static int give_up(struct vdev9p *v, const char *why)
{
    if (!v->p.broken)
        kprintf("gorump: 9p %s: %s; device disabled\n", v->p.tag, why);
    v->p.broken = true;
    virtio_fail(v->vdev);
    return -EIO;
}

/* Polls for used buffers until the chain at head comes back (others
 * that come back are a flushed request's late answer): its length, 0
 * on time-out, or -EIO. */
static long wait_for(struct vdev9p *v, uint16_t head, uint64_t timeout)
{
    uint64_t t0 = clock_mono_ns();
    uint16_t id;
    uint32_t len;
    for (;;) {
        int r = virtq_get_used(&v->q, &id, &len);
        if (r < 0)
            return give_up(v, "the request queue broke");
        if (r > 0 && id == head)
            return len ? (long)len : give_up(v, "an empty answer");
        if (r > 0 && id == 0 && v->flushed_pending)
            v->flushed_pending = false; /* the flushed one, answered */
        else if (r > 0)
            return give_up(v, "device returned a bad buffer");
        if (clock_mono_ns() - t0 > timeout)
            return 0;
        __builtin_ia32_pause();
    }
}

/* The request at chain 0 went unanswered: Tflush it (9P: once Rflush
 * arrives, the old request is answered or will never be). */
static int flush(struct vdev9p *v)
{
    uint8_t *f = phys_to_virt(v->fpa);
    uint8_t msg[9] = {9, 0, 0, 0, TFLUSH, FLUSH_TAG, 0};
    msg[7] = v->p.tbuf[5], msg[8] = v->p.tbuf[6]; /* oldtag */
    memcpy(f, msg, sizeof(msg));
    struct virtq_seg chain[2] = {{v->fpa, sizeof(msg), 0},
                                 {v->fpa + 64, 64, VIRTQ_DESC_F_WRITE}};
    v->flushed_pending = true;
    virtq_add_chain(&v->q, 2, chain, 2);
    virtio_kick(v->vdev, &v->q);
    long len = wait_for(v, 2, V9P_TIMEOUT_NS);
    if (len <= 0 || f[64 + 4] != RFLUSH)
        return give_up(v, "a request and its flush went unanswered");
    return -EINTR;
}

int v9p_rpc(struct v9p *p, uint32_t tlen, uint32_t *rlen)
{
    struct vdev9p *v = container_of(p, struct vdev9p, p);
    if (p->broken)
        return -EIO;
    if (tlen < 7 || tlen > V9P_BUF)
        return -EINVAL;
    if (v->flushed_pending)
        return give_up(v, "a flushed request never came back");
    struct virtq_seg chain[2] = {{v->tpa, tlen, 0},
                                 {v->rpa, V9P_BUF, VIRTQ_DESC_F_WRITE}};
    virtq_add_chain(&v->q, 0, chain, 2);
    virtio_kick(v->vdev, &v->q);
    long len = wait_for(v, 0, V9P_TIMEOUT_NS);
    if (len == 0)
        return flush(v);
    if (len < 0)
        return (int)len;
    if ((uint64_t)len > V9P_BUF)
        return give_up(v, "an answer longer than its buffer");
    *rlen = (uint32_t)len;
    return 0;
}

/* --- setting up */

/* §5.11.4: le16 tag_len, then the tag's bytes. */
static int read_tag(struct vdev9p *v)
{
    uint16_t n = 0;
    virtio_config_read(v->vdev, 0, &n, 2, 2);
    if (n == 0 || n > V9P_TAG_MAX)
        return -ENODEV;
    for (uint16_t i = 0; i < n; i++) {
        uint8_t c;
        virtio_config_read(v->vdev, 2 + i, &c, 1, 1);
        if (c == 0 || c == ' ')
            return -ENODEV;
        v->p.tag[i] = (char)c;
    }
    v->p.tag[n] = '\0';
    return 0;
}

static int v9p_init(struct vdev9p *v)
{
    struct virtio_dev *d = v->vdev;
    int err = virtio_start(d, VIRTIO_F_VERSION_1 | VIRTIO_9P_F_MOUNT_TAG,
                           VIRTIO_F_VERSION_1 | VIRTIO_9P_F_MOUNT_TAG);
    if (!err)
        err = read_tag(v);
    if (!err)
        err = virtio_queue_init(d, &v->q, "virtio-9p", 0, V9P_QUEUE);
    if (err)
        return err;
    if (v->q.size < 4)
        return -ENODEV;
    v->tpa = pmem_alloc_zeroed(BUF_ORDER);
    v->rpa = pmem_alloc_zeroed(BUF_ORDER);
    v->fpa = pmem_alloc_zeroed(0);
    if (!v->tpa || !v->rpa || !v->fpa)
        return -ENOMEM;
    v->p.tbuf = phys_to_virt(v->tpa);
    v->p.rbuf = phys_to_virt(v->rpa);
    virtq_no_interrupt(&v->q, true);
    virtio_driver_ok(d);
    return 0;
}

static void v9p_free(struct vdev9p *v)
{
    if (v->tpa)
        pmem_free(v->tpa, BUF_ORDER);
    if (v->rpa)
        pmem_free(v->rpa, BUF_ORDER);
    if (v->fpa)
        pmem_free(v->fpa, 0);
    virtq_free(&v->q);
    kfree(v);
}

static bool v9p_attach(struct virtio_dev *d)
{
    if (v9p.n == V9P_MAX) {
        kprintf("gorump: %s: more than %d 9p devices, ignored\n", d->where,
                V9P_MAX);
        return false;
    }
    struct vdev9p *v = kzalloc(sizeof(*v));
    if (!v)
        return false;
    v->vdev = d;
    if (v9p_init(v) != 0) {
        kprintf("gorump: %s: 9p device not started\n", d->where);
        virtio_fail(d);
        v9p_free(v);
        return false;
    }
    v9p.dev[v9p.n++] = v;
    return true;
}

void v9p_probe(const char *cmdline)
{
    virtio_mmio_probe(cmdline, VIRTIO_ID_9P, v9p_attach);
    virtio_pci_probe(VIRTIO_ID_9P, v9p_attach);
}
