/*
 * drv/virtio.h — virtio 1.x (OASIS virtio 1.1), what a device driver
 * needs whatever the transport: the initialization sequence (§3.1), the
 * status bits (§2.1) and feature negotiation (§2.2), device configuration
 * reads (§2.4), and split virtqueues (§2.6).  Transports (virtio_mmio.c,
 * §4.2; virtio_pci.c, §4.1) find devices and implement struct virtio_ops.
 *
 * Buffers here are one descriptor each, or a chain of consecutive
 * descriptors, and a buffer's descriptor ids are fixed by its owner (id
 * i is buffer i, or a chain the owner keeps apart from its others): a
 * queue of size N holds at most N buffers, and no free list of
 * descriptors is needed.  Everything
 * the device writes (used ring, lengths, ids) is checked before use; a
 * device that breaks the rules gets its queue stopped, with a message.
 */
#ifndef DRV_VIRTIO_H
#define DRV_VIRTIO_H

#include "lib/lib.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_SCSI 8

/* §2.1 Device Status Field */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* §6 Reserved Feature Bits */
#define VIRTIO_F_VERSION_1 (1ULL << 32)

/* Interrupt status bits (§4.1.4.5, §4.2.2 InterruptStatus) */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* --- split virtqueues, §2.6 */
#define VIRTQ_MAX 256 /* entries we use at most, whatever the device allows */

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* device writes the buffer (else reads it) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc { /* §2.6.5 */
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct virtq_avail { /* §2.6.6 */
    uint16_t flags, idx;
    uint16_t ring[]; /* then used_event, unused without EVENT_IDX */
};

struct virtq_used_elem {
    uint32_t id, len;
};

struct virtq_used { /* §2.6.8 */
    uint16_t flags, idx;
    struct virtq_used_elem ring[]; /* then avail_event */
};

struct virtq {
    const char *owner; /* names the device in messages */
    uint16_t index;    /* queue number on the device */
    uint16_t size;     /* entries: a power of 2, at most VIRTQ_MAX */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint64_t desc_pa, avail_pa, used_pa;
    uint64_t pages; /* physical address of the zeroed block holding all */
    unsigned order;
    uint16_t avail_idx; /* what we last published in avail->idx */
    uint16_t used_idx;  /* the next used entry to harvest */
    uint16_t in_flight; /* buffers the device holds */
    bool broken;        /* the device broke the rules: queue stopped */
    bool busy[VIRTQ_MAX];
};

/* Allocates the rings for a queue the device allows max entries in (the
 * size is the largest power of 2 not above max or VIRTQ_MAX): 0, -ENODEV
 * when max is 0, -ENOMEM. */
int virtq_alloc(struct virtq *vq, const char *owner, uint16_t index,
                uint32_t max);
/* Frees the rings virtq_alloc allocated (none: nothing); the device must
 * no longer use the queue (reset it first). */
void virtq_free(struct virtq *vq);
/* Makes buffer id (len bytes at physical pa) available to the device;
 * flags is 0 or VIRTQ_DESC_F_WRITE.  The id must be free (a bug if not).
 * The caller notifies the device afterwards (virtio_kick). */
void virtq_add(struct virtq *vq, uint16_t id, uint64_t pa, uint32_t len,
               uint16_t flags);
/* One piece of a chained buffer (§2.6.4.2: a device-readable part, then
 * a device-writable part). */
struct virtq_seg {
    uint64_t pa;
    uint32_t len;
    uint16_t flags; /* 0 or VIRTQ_DESC_F_WRITE */
};
/* Makes the chain of n pieces available as one buffer, in descriptors
 * head .. head+n-1 (all free and inside the queue: a bug if not); the
 * device hands it back by head.  The caller notifies (virtio_kick). */
void virtq_add_chain(struct virtq *vq, uint16_t head,
                     const struct virtq_seg *segs, uint16_t n);
/* Takes the next buffer the device has finished with: 1 (with its id
 * and the length the device wrote), 0 when there is none, -EIO when the
 * queue is broken (reported once). */
int virtq_get_used(struct virtq *vq, uint16_t *id, uint32_t *len);
/* Polls, for at most timeout_ns, for the one buffer in flight on vq of
 * d, id 0 (a block driver's single request): its used length.  If the
 * queue broke, the device handed back another buffer or did not answer
 * in time, gives up on the device: says why once (as device name), sets
 * *broken, virtio_fail(d), and returns -EIO. */
struct virtio_dev;
long virtq_wait_one(struct virtio_dev *d, struct virtq *vq, uint64_t timeout_ns,
                    const char *name, bool *broken);
/* Asks the device not to interrupt when it uses buffers (§2.6.7); only
 * a hint, the device may still do so. */
void virtq_no_interrupt(struct virtq *vq, bool off);

/* --- devices */
struct virtio_dev;

/* What a transport implements.  Config reads are width 1, 2 or 4 bytes
 * at a naturally aligned offset; out-of-range reads give 0. */
struct virtio_ops {
    uint8_t (*get_status)(struct virtio_dev *d);
    void (*set_status)(struct virtio_dev *d, uint8_t status);
    uint64_t (*get_features)(struct virtio_dev *d);
    void (*set_features)(struct virtio_dev *d, uint64_t features);
    uint32_t (*config_generation)(struct virtio_dev *d);
    uint32_t (*config_read)(struct virtio_dev *d, unsigned off, unsigned n);
    /* Entries queue index allows, 0 if it does not exist. */
    uint32_t (*queue_max)(struct virtio_dev *d, uint16_t index);
    /* Tells the device where the rings are and enables the queue. */
    int (*queue_enable)(struct virtio_dev *d, struct virtq *vq);
    void (*notify)(struct virtio_dev *d, struct virtq *vq);
    /* Routes the device's interrupts to vector and unmasks them. */
    int (*irq_enable)(struct virtio_dev *d, uint8_t vector);
    /* Called first in the interrupt handler: acknowledges and returns
     * the VIRTIO_ISR_* reasons. */
    uint32_t (*irq_ack)(struct virtio_dev *d);
    void (*irq_mask)(struct virtio_dev *d);
};

struct virtio_dev {
    const struct virtio_ops *ops;
    char where[32];    /* "virtio-mmio@0xfeb00e00", "virtio-pci 00:03.0" */
    uint16_t type;     /* device id, §5: VIRTIO_ID_NET */
    uint64_t features; /* negotiated */
};

/* §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, accept the offered
 * features among want (failing unless all of need are offered),
 * FEATURES_OK and check the device kept it.  0 or -ENODEV, with a
 * message; d->features holds the result. */
int virtio_start(struct virtio_dev *d, uint64_t want, uint64_t need);
/* Sets up queue index with at most limit entries: 0 or negative errno,
 * with a message. */
int virtio_queue_init(struct virtio_dev *d, struct virtq *vq, const char *owner,
                      uint16_t index, uint32_t limit);
/* §3.1.1 step 8: the device is live. */
void virtio_driver_ok(struct virtio_dev *d);
/* Gives up on the device: masks its interrupt, resets it (it stops
 * using the rings and buffers) and sets FAILED (§2.1). */
void virtio_fail(struct virtio_dev *d);
/* Reads n (1, 2, 4) bytes of device configuration at off, consistently
 * with the other reads of the same call (§2.4.1: retried while the
 * configuration generation changes). */
void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf,
                        unsigned n, unsigned width);
/* Notifies the device of new buffers unless it asked not to be. */
void virtio_kick(struct virtio_dev *d, struct virtq *vq);

/* Transports: each calls found for every device of the given type it
 * can drive; found returns false if it did not take the device (the
 * transport then forgets it). */
typedef bool (*virtio_found_fn)(struct virtio_dev *d);
/* virtio_mmio.c: devices named by virtio_mmio.device=SIZE@BASE:IRQ. */
void virtio_mmio_probe(const char *cmdline, uint16_t type,
                       virtio_found_fn found);
/* virtio_pci.c: modern (or transitional, driven as modern) devices. */
void virtio_pci_probe(uint16_t type, virtio_found_fn found);

/* nettest.c: the boot self-test virtio_net.c runs under gorump.nettest. */
void nettest_run(void);

#endif
