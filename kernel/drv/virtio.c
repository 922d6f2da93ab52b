/*
 * drv/virtio.c — the transport-independent part of virtio 1.1 (see
 * virtio.h): device initialization and split virtqueues.
 *
 * Memory ordering (§2.6.13, §2.6.14) on x86: stores are not reordered
 * with stores nor loads with loads, so publishing a descriptor before
 * avail->idx, and reading used->idx before the entry it covers, need
 * only compiler barriers.  Publishing avail->idx and then reading
 * used->flags to decide whether to notify is a store followed by a load,
 * which x86 may reorder: that one needs MFENCE.
 */
#include "arch/x86_64/arch.h"
#include "drv/virtio.h"
#include "mm/mm.h"

#define RESET_TIMEOUT_NS 100000000ULL /* 100 ms */
#define CONFIG_RETRIES 16

static inline void compiler_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

static inline void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* --- virtqueues */

static unsigned order_for(size_t bytes)
{
    unsigned order = 0;
    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

static uint16_t queue_size(uint32_t max)
{
    uint16_t size = VIRTQ_MAX;
    while (size > max)
        size >>= 1;
    return size;
}

/* §2.6: the descriptor table (16-byte aligned), the available ring (2)
 * and the used ring (4), laid out one after the other in one zeroed,
 * physically contiguous block. */
int virtq_alloc(struct virtq *vq, const char *owner, uint16_t index,
                uint32_t max)
{
    memset(vq, 0, sizeof(*vq));
    vq->owner = owner;
    vq->index = index;
    if (max == 0)
        return -ENODEV;
    vq->size = queue_size(max);
    size_t desc = 16 * (size_t)vq->size;
    size_t avail = 6 + 2 * (size_t)vq->size;
    size_t used_off = ALIGN_UP(desc + avail, 64);
    size_t total = used_off + 6 + 8 * (size_t)vq->size;
    vq->order = order_for(total);
    vq->pages = pmem_alloc_zeroed(vq->order);
    if (!vq->pages)
        return -ENOMEM;
    uint8_t *base = phys_to_virt(vq->pages);
    vq->desc = (volatile struct virtq_desc *)base;
    vq->avail = (volatile struct virtq_avail *)(base + desc);
    vq->used = (volatile struct virtq_used *)(base + used_off);
    vq->desc_pa = vq->pages;
    vq->avail_pa = vq->pages + desc;
    vq->used_pa = vq->pages + used_off;
    return 0;
}

void virtq_free(struct virtq *vq)
{
    if (vq->pages)
        pmem_free(vq->pages, vq->order);
    vq->pages = 0;
}

void virtq_add(struct virtq *vq, uint16_t id, uint64_t pa, uint32_t len,
               uint16_t flags)
{
    struct virtq_seg seg = {pa, len, flags};
    virtq_add_chain(vq, id, &seg, 1);
}

void virtq_add_chain(struct virtq *vq, uint16_t head,
                     const struct virtq_seg *segs, uint16_t n)
{
    assert(n > 0 && head < vq->size && n <= vq->size - head);
    for (uint16_t i = 0; i < n; i++) {
        uint16_t id = head + i;
        assert(!vq->busy[id]);
        vq->desc[id].addr = segs[i].pa;
        vq->desc[id].len = segs[i].len;
        vq->desc[id].flags =
            segs[i].flags | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
        vq->desc[id].next = i + 1 < n ? id + 1 : 0;
    }
    vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
    vq->busy[head] = true;
    vq->in_flight++;
    compiler_barrier(); /* §2.6.13.3: the entry before the index */
    vq->avail->idx = ++vq->avail_idx;
}

void virtq_no_interrupt(struct virtq *vq, bool off)
{
    vq->avail->flags = off ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
}

static int virtq_break(struct virtq *vq)
{
    vq->broken = true;
    return -EIO;
}

/* §2.6.14: the device may only hand back buffers it holds, once each. */
int virtq_get_used(struct virtq *vq, uint16_t *id, uint32_t *len)
{
    if (vq->broken)
        return -EIO;
    uint16_t idx = vq->used->idx;
    uint16_t ready = idx - vq->used_idx;
    if (ready == 0)
        return 0;
    if (ready > vq->in_flight) {
        kprintf("gorump: %s: queue %u: used index went from %u to %u with "
                "%u buffers out; queue stopped\n",
                vq->owner, vq->index, vq->used_idx, idx, vq->in_flight);
        return virtq_break(vq);
    }
    compiler_barrier(); /* the index before the entry it covers */
    struct virtq_used_elem e = vq->used->ring[vq->used_idx & (vq->size - 1)];
    if (e.id >= vq->size || !vq->busy[e.id]) {
        kprintf("gorump: %s: queue %u: device returned buffer %u, which "
                "it does not hold; queue stopped\n",
                vq->owner, vq->index, e.id);
        return virtq_break(vq);
    }
    vq->busy[e.id] = false;
    vq->in_flight--;
    vq->used_idx++;
    *id = (uint16_t)e.id;
    *len = e.len;
    return 1;
}

long virtq_wait_one(struct virtio_dev *d, struct virtq *vq, uint64_t timeout_ns,
                    const char *name, bool *broken)
{
    uint64_t t0 = clock_mono_ns();
    uint16_t id;
    uint32_t len;
    const char *why = NULL;
    while (!why) {
        int r = virtq_get_used(vq, &id, &len);
        if (r > 0 && id == 0)
            return (long)len;
        if (r < 0)
            why = "the request queue broke";
        else if (r > 0)
            why = "device returned a bad buffer";
        else if (clock_mono_ns() - t0 > timeout_ns)
            why = "no answer in time";
        else
            __builtin_ia32_pause();
    }
    if (!*broken)
        kprintf("gorump: %s: %s; device disabled\n", name, why);
    *broken = true;
    virtio_fail(d);
    return -EIO;
}

/* --- devices */

static void set_status_bit(struct virtio_dev *d, uint8_t bit)
{
    d->ops->set_status(d, d->ops->get_status(d) | bit);
}

/* §2.1.2 (§4.1.4.3.2): after writing 0, wait for it to read back 0. */
static int virtio_reset(struct virtio_dev *d)
{
    d->ops->set_status(d, 0);
    uint64_t t0 = clock_mono_ns();
    while (d->ops->get_status(d) != 0) {
        if (clock_mono_ns() - t0 > RESET_TIMEOUT_NS) {
            kprintf("gorump: %s: device does not reset\n", d->where);
            return -ENODEV;
        }
    }
    return 0;
}

int virtio_start(struct virtio_dev *d, uint64_t want, uint64_t need)
{
    int err = virtio_reset(d);
    if (err)
        return err;
    set_status_bit(d, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status_bit(d, VIRTIO_STATUS_DRIVER);
    uint64_t offered = d->ops->get_features(d);
    if ((offered & need) != need) {
        kprintf("gorump: %s: device lacks features %lx (offers %lx)\n",
                d->where, need & ~offered, offered);
        virtio_fail(d);
        return -ENODEV;
    }
    d->features = offered & want;
    d->ops->set_features(d, d->features);
    set_status_bit(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
        kprintf("gorump: %s: device refused features %lx\n", d->where,
                d->features);
        virtio_fail(d);
        return -ENODEV;
    }
    return 0;
}

int virtio_queue_init(struct virtio_dev *d, struct virtq *vq, const char *owner,
                      uint16_t index, uint32_t limit)
{
    uint32_t max = d->ops->queue_max(d, index);
    int err = virtq_alloc(vq, owner, index, MIN(max, limit));
    if (err == -ENODEV)
        kprintf("gorump: %s: queue %u does not exist (size 0)\n", d->where,
                index);
    if (err == -ENOMEM)
        kprintf("gorump: %s: no memory for queue %u\n", d->where, index);
    if (err)
        return err;
    err = d->ops->queue_enable(d, vq);
    if (err)
        virtq_free(vq);
    return err;
}

void virtio_driver_ok(struct virtio_dev *d)
{
    set_status_bit(d, VIRTIO_STATUS_DRIVER_OK);
}

/* Reset first: a reset device no longer touches the rings or buffers,
 * which the caller may then free (§2.1, §3.1.1). */
void virtio_fail(struct virtio_dev *d)
{
    d->ops->irq_mask(d);
    virtio_reset(d);
    set_status_bit(d, VIRTIO_STATUS_FAILED);
}

static void config_read_once(struct virtio_dev *d, unsigned off, void *buf,
                             unsigned n, unsigned width)
{
    uint8_t *out = buf;
    for (unsigned i = 0; i + width <= n; i += width) {
        uint32_t v = d->ops->config_read(d, off + i, width);
        memcpy(out + i, &v, width); /* little-endian, as virtio 1.x is */
    }
}

void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf,
                        unsigned n, unsigned width)
{
    for (int tries = 0; tries < CONFIG_RETRIES; tries++) {
        uint32_t gen = d->ops->config_generation(d);
        config_read_once(d, off, buf, n, width);
        if (d->ops->config_generation(d) == gen)
            return;
    }
    kprintf("gorump: %s: configuration keeps changing; using the last "
            "read\n",
            d->where);
}

void virtio_kick(struct virtio_dev *d, struct virtq *vq)
{
    full_barrier(); /* §2.6.13.6: avail->idx before reading used->flags */
    if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY))
        d->ops->notify(d, vq);
}
