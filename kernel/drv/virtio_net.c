/*
 * drv/virtio_net.c — virtio-net (virtio 1.1 §5.1) behind drv/netdev.h,
 * over either transport.
 *
 * Features: VERSION_1 and MAC are required, STATUS taken when offered,
 * the checksum offloads (CSUM, GUEST_CSUM) and the segmentation offloads
 * both ways (HOST_TSO4/6; GUEST_TSO4/6 with MRG_RXBUF) when offered (QEMU
 * offers them with a tap backend, not with user networking); no control
 * queue.  Every packet is a 12-byte struct virtio_net_hdr (§5.1.6)
 * followed by one Ethernet frame; a received one may span several
 * buffers (MRG_RXBUF's num_buffers), which are then held until the last
 * comes.
 * Queue 0 receives, queue 1 transmits (§5.1.2), each with up to 256
 * entries.
 *
 * Receive offload (§5.1.6.4): a packet marked GSO_TCPV4/TCPV6 is one
 * large TCP segment the host did not cut; tso_cut cuts it at its
 * gso_size and the stack gets the segments, each vouched for (the
 * device's NEEDS_CSUM), as if they had come one by one: lwIP's buffers
 * count lengths in 16 bits and could not take it whole.
 *
 * TSO (§5.1.6.2): while the stack holds (netdev_tx_hold), consecutive
 * segments of one TCP flow are joined (drv/tso.h) in one of VNET_BIG
 * 64 KiB buffers and leave as one frame with gso_type TCPV4 or TCPV6 and
 * gso_size the MSS; the device cuts it again.  Notifications wait for
 * the end of the hold too, so a burst costs one.
 *
 * Checksums (§5.1.6.2): with CSUM, a TCP segment goes out with its
 * checksum field holding only the pseudo-header's sum and the header
 * saying where the device is to finish it (NEEDS_CSUM, csum_start,
 * csum_offset); the stack leaves TCP checksums out (net.c).  UDP, ICMP
 * and IP header checksums stay the stack's: an IP fragment could not be
 * finished by the device.  With GUEST_CSUM, a frame the device marks
 * DATA_VALID or NEEDS_CSUM (its checksum left partial by the host's own
 * stack, §5.1.6.4) is handed up as valid (NETDEV_RX_CSUM_VALID) and its
 * TCP or UDP checksum is not checked again; any other frame is.
 *
 * Buffers: each queue owns size × 2 KiB of physically contiguous memory;
 * buffer i is descriptor i (or, for a joined segment, the big buffer
 * big_of[i] names).  Every receive buffer is posted at start and
 * re-posted as soon as its frame has been handed to the stack, so the
 * ring stays full.  Transmit copies the frame's pieces into a free
 * transmit buffer (one copy: the stack's pieces need not outlive the
 * call, nor be physically contiguous); when none is free after
 * reclaiming, the frame is dropped with -EAGAIN.
 *
 * Interrupts: one vector per device, for the receive queue.  The
 * transmit queue asks for none (VIRTQ_AVAIL_F_NO_INTERRUPT): completed
 * transmit buffers are reclaimed lazily, in the interrupt handler and
 * when netdev_tx finds no free buffer.  The handler acknowledges the
 * device first, then harvests received frames, then reclaims.
 */
#include "arch/x86_64/arch.h"
#include "drv/netdev.h"
#include "drv/tso.h"
#include "drv/virtio.h"
#include "mm/mm.h"

/* §5.1.3 */
#define VIRTIO_NET_F_CSUM (1ULL << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ULL << 1)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_GUEST_TSO4 (1ULL << 7)
#define VIRTIO_NET_F_GUEST_TSO6 (1ULL << 8)
#define VIRTIO_NET_F_HOST_TSO4 (1ULL << 11)
#define VIRTIO_NET_F_HOST_TSO6 (1ULL << 12)
#define VIRTIO_NET_F_MRG_RXBUF (1ULL << 15)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
/* §5.1.6 struct virtio_net_hdr */
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define HDR_CSUM_START 6   /* le16, after hdr_len and gso_size */
#define HDR_CSUM_OFFSET 8  /* le16 */
#define HDR_GSO_SIZE 4     /* le16 */
#define HDR_NUM_BUFFERS 10 /* le16, with MRG_RXBUF */
#define HDR_GSO_ECN 0x80
/* §5.1.4 struct virtio_net_config */
#define CFG_MAC 0
#define CFG_STATUS 6

#define VNET_HDR_SIZE 12 /* with num_buffers, always there in 1.x */
#define VNET_BUF_SIZE 2048
#define VNET_QUEUE 256    /* entries per queue, and so buffers: 512 KiB */
#define VNET_RAM_SHARE 32 /* the buffers take at most 1/32 of the RAM */
#define ETH_HLEN 14
/* Joined TCP segments (drv/tso.h) go out of buffers of their own: a
 * 64 KiB frame each, up to VNET_BIG in flight; only with HOST_TSO and at
 * least VNET_BIG_RAM of RAM. */
#define VNET_BIG 4
#define VNET_BIG_ORDER 4 /* 64 KiB */
#define VNET_BIG_RAM (64ULL << 20)
/* A received packet spans at most this many buffers: 64 KiB of IP. */
#define VNET_RX_PIECES 40
#define WARN_MAX 4 /* messages about a misbehaving device, then quiet */

/* No lock: the kernel runs with interrupts off, so netdev_tx and the
 * interrupt handler never run at the same time (proc/proc.h). */
struct vnet {
    struct netdev nd; /* what netdev_get hands out */
    char name[16];
    struct virtio_dev *vdev;
    struct virtq rx, tx;
    uint8_t *rxbuf, *txbuf; /* size × VNET_BUF_SIZE, direct map */
    uint64_t rxbuf_pa, txbuf_pa;
    unsigned rxbuf_order, txbuf_order;
    uint16_t tx_free[VNET_QUEUE]; /* ids of idle transmit buffers */
    uint16_t ntx_free;
    /* TSO: the segment being joined is built in big buffer tso_big
     * (-1: none) and goes out under descriptor tso_id; big_of[id] is 1 +
     * the big buffer descriptor id carries (0: its own 2 KiB one). */
    struct tso tso;
    uint8_t *big[VNET_BIG];
    uint64_t big_pa[VNET_BIG];
    unsigned big_busy; /* bit k: big buffer k is held or in flight */
    int tso_big, tso_id;
    uint8_t big_of[VNET_QUEUE];
    bool kick_pending; /* frames added during a hold, not yet notified */
    /* GUEST_TSO: the buffers of a packet over several (MRG_RXBUF) are
     * held until the last comes, then cut from where they are by
     * tso_cut and posted again. */
    uint16_t rx_held[VNET_RX_PIECES];
    uint32_t rx_held_len[VNET_RX_PIECES];
    unsigned rx_nheld;
    unsigned rx_want; /* buffers of the packet still to come */
    unsigned rx_skip; /* buffers of a refused packet still to come */
    uint8_t vector;
    bool broken;
    unsigned warnings;
};

static struct {
    struct vnet *dev[NETDEV_MAX];
    int n;
} vnet;

/* netdev_tx_hold's depth: while above 0, notifications wait and TCP
 * segments may be joined (no lock: see struct vnet). */
static int tx_hold;

int netdev_count(void)
{
    return vnet.n;
}

struct netdev *netdev_get(int i)
{
    return i >= 0 && i < vnet.n ? &vnet.dev[i]->nd : NULL;
}

static void vnet_warn(struct vnet *v, const char *what, uint32_t n)
{
    if (v->warnings++ < WARN_MAX)
        kprintf("gorump: %s: %s (%u)\n", v->name, what, n);
}

/* The device broke a rule of its queues (virtio.c said which): stop
 * using it rather than trust it further. */
static void vnet_broken(struct vnet *v)
{
    if (v->broken)
        return;
    v->broken = true;
    v->nd.link_up = false;
    virtio_fail(v->vdev);
    kprintf("gorump: %s: device disabled\n", v->name);
}

static void vnet_read_status(struct vnet *v)
{
    uint16_t status = VIRTIO_NET_S_LINK_UP;
    if (v->vdev->features & VIRTIO_NET_F_STATUS)
        virtio_config_read(v->vdev, CFG_STATUS, &status, 2, 2);
    v->nd.link_up = !v->broken && (status & VIRTIO_NET_S_LINK_UP);
}

/* --- receive */

static void vnet_rx_post(struct vnet *v, uint16_t id)
{
    virtq_add(&v->rx, id, v->rxbuf_pa + (uint64_t)id * VNET_BUF_SIZE,
              VNET_BUF_SIZE, VIRTQ_DESC_F_WRITE);
}

/* A whole packet, its header then its frame in the pieces p[0..np)
 * (len bytes in all), to the stack: cut first when the device left that
 * to us (GUEST_TSO4/6, §5.1.6.4). */
static void vnet_rx_packet(struct vnet *v, struct netdev_piece *p, int np,
                           size_t len)
{
    static uint8_t hdr[TSO_HDR_MAX];
    struct netdev_piece seg[VNET_RX_PIECES + 1];
    struct tso_cut cut;
    const uint8_t *buf = p[0].data;
    if (p[0].len < VNET_HDR_SIZE + ETH_HLEN || !v->nd.rx) {
        v->nd.rx_dropped++;
        return;
    }
    unsigned flags = 0, gso = buf[1] & ~HDR_GSO_ECN;
    if ((v->vdev->features & VIRTIO_NET_F_GUEST_CSUM) &&
        (buf[0] & (HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID)))
        flags |= NETDEV_RX_CSUM_VALID;
    size_t mss = buf[HDR_GSO_SIZE] | (size_t)buf[HDR_GSO_SIZE + 1] << 8, segs;
    p[0].data = buf + VNET_HDR_SIZE;
    p[0].len -= VNET_HDR_SIZE;
    len -= VNET_HDR_SIZE;
    if (gso == TSO_GSO_NONE) {
        if (np != 1 || len > NETDEV_FRAME_MAX) {
            v->nd.rx_dropped++;
            return;
        }
        v->nd.rx_packets++;
        v->nd.rx(&v->nd, p, 1, len, flags, v->nd.rx_arg);
        return;
    }
    if (!(v->vdev->features &
          (VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6)) ||
        (gso != TSO_GSO_TCPV4 && gso != TSO_GSO_TCPV6) ||
        !(flags & NETDEV_RX_CSUM_VALID) ||
        !(segs = tso_cut_init(&cut, p, np, len, mss, NETDEV_FRAME_MAX))) {
        v->nd.rx_dropped++;
        return;
    }
    v->nd.rx_gso++;
    v->nd.rx_gso_segs += segs;
    v->nd.rx_packets += segs;
    for (size_t i = 0; i < segs; i++) {
        size_t n;
        int k = tso_cut(&cut, p, np, i, hdr, seg, &n);
        v->nd.rx(&v->nd, seg, k, n,
                 flags | (i + 1 == segs ? NETDEV_RX_ACK_NOW : 0), v->nd.rx_arg);
    }
}

/* The packet whose buffers are held, to the stack; the buffers posted
 * again. */
static void vnet_rx_held(struct vnet *v)
{
    struct netdev_piece p[VNET_RX_PIECES];
    size_t len = 0;
    for (unsigned i = 0; i < v->rx_nheld; i++) {
        p[i].data = v->rxbuf + (size_t)v->rx_held[i] * VNET_BUF_SIZE;
        p[i].len = v->rx_held_len[i];
        len += p[i].len;
    }
    vnet_rx_packet(v, p, (int)v->rx_nheld, len);
    for (unsigned i = 0; i < v->rx_nheld; i++)
        vnet_rx_post(v, v->rx_held[i]);
    v->rx_nheld = 0;
}

/* Receive buffer id came back with len bytes: a packet, the first of
 * several (MRG_RXBUF's num_buffers), or the next of one.  True when the
 * buffer may be posted again now; false when it is held. */
static bool vnet_rx_take(struct vnet *v, uint16_t id, uint32_t len)
{
    const uint8_t *buf = v->rxbuf + (size_t)id * VNET_BUF_SIZE;
    if (len > VNET_BUF_SIZE) {
        vnet_warn(v, "device claims to have written past a receive buffer",
                  len);
        len = 0; /* still a part of its packet; dropped below */
    }
    if (v->rx_skip) {
        v->rx_skip--;
        return true;
    }
    if (v->rx_want) {
        v->rx_held[v->rx_nheld] = id;
        v->rx_held_len[v->rx_nheld++] = len;
        if (--v->rx_want == 0)
            vnet_rx_held(v);
        return false;
    }
    unsigned nbuf = 1;
    if ((v->vdev->features & VIRTIO_NET_F_MRG_RXBUF) && len >= VNET_HDR_SIZE)
        nbuf = buf[HDR_NUM_BUFFERS] | (unsigned)buf[HDR_NUM_BUFFERS + 1] << 8;
    if (nbuf == 1) {
        struct netdev_piece p = {buf, len};
        vnet_rx_packet(v, &p, 1, len);
        return true;
    }
    if (nbuf == 0 || nbuf > VNET_RX_PIECES || nbuf > v->rx.size / 2) {
        vnet_warn(v, "device gave a packet of an impossible number of buffers",
                  nbuf);
        v->nd.rx_dropped++;
        v->rx_skip = nbuf ? nbuf - 1 : 0;
        return true;
    }
    v->rx_held[0] = id;
    v->rx_held_len[0] = len;
    v->rx_nheld = 1;
    v->rx_want = nbuf - 1;
    return false;
}

/* At most one ring's worth per call, so a device that fills buffers as
 * fast as they are re-posted cannot hold the CPU; the rest waits for
 * the next interrupt. */
static void vnet_rx_harvest(struct vnet *v)
{
    uint16_t id;
    uint32_t len;
    int got = 0, r = 0;
    while (got < v->rx.size && !v->broken &&
           (r = virtq_get_used(&v->rx, &id, &len)) > 0) {
        /* may transmit, and break the device */
        if (vnet_rx_take(v, id, len))
            vnet_rx_post(v, id);
        got++;
    }
    if (r < 0)
        vnet_broken(v);
    else if (got && !v->broken)
        virtio_kick(v->vdev, &v->rx);
}

/* --- transmit */

static void vnet_tx_reclaim(struct vnet *v)
{
    uint16_t id;
    uint32_t len;
    int r;
    while ((r = virtq_get_used(&v->tx, &id, &len)) > 0) {
        if (v->big_of[id])
            v->big_busy &= ~(1u << (v->big_of[id] - 1));
        v->big_of[id] = 0;
        v->tx_free[v->ntx_free++] = id;
    }
    if (r < 0)
        vnet_broken(v);
}

static void vnet_tx_notify(struct vnet *v)
{
    if (tx_hold)
        v->kick_pending = true;
    else
        virtio_kick(v->vdev, &v->tx);
}

/* The id of an idle transmit buffer, or -1. */
static int vnet_tx_slot(struct vnet *v)
{
    if (v->ntx_free == 0 && v->kick_pending) {
        v->kick_pending = false;
        virtio_kick(v->vdev, &v->tx);
    }
    if (v->ntx_free == 0)
        vnet_tx_reclaim(v);
    if (v->broken || v->ntx_free == 0)
        return -1;
    return v->tx_free[--v->ntx_free];
}

static size_t frame_len(const struct netdev_piece *p, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (p[i].len > NETDEV_FRAME_MAX - total || (p[i].len && !p[i].data))
            return 0;
        total += p[i].len;
    }
    return total;
}

/* The header of a frame (buf: header then frame): NEEDS_CSUM for a TCP
 * segment when the device finishes checksums, else all zero. */
static void vnet_tx_header(struct vnet *v, uint8_t *buf, size_t frame_len)
{
    memset(buf, 0, VNET_HDR_SIZE);
    if (v->nd.tx_csum_tcp)
        tso_csum(buf + VNET_HDR_SIZE, frame_len, buf);
}

/* Sends the segment v->tso holds, in its big buffer, under the
 * descriptor its first frame took. */
static void vnet_tso_flush(struct vnet *v)
{
    if (v->tso.len == 0)
        return;
    if (v->broken) { /* dropped, as netdev_tx drops then */
        v->tso.len = 0;
        v->tx_free[v->ntx_free++] = (uint16_t)v->tso_id;
        v->nd.tx_dropped += v->tso.segs;
        return;
    }
    int k = v->tso_big;
    uint8_t *buf = v->big[k];
    unsigned segs = v->tso.segs;
    size_t len = tso_end(&v->tso, buf);
    buf[10] = buf[11] = 0; /* num_buffers */
    v->big_of[v->tso_id] = (uint8_t)(k + 1);
    virtq_add(&v->tx, (uint16_t)v->tso_id, v->big_pa[k],
              (uint32_t)(VNET_HDR_SIZE + len), 0);
    v->tso_big = -1;
    if (segs > 1) {
        v->nd.tx_tso++;
        v->nd.tx_tso_segs += segs;
    }
    vnet_tx_notify(v);
}

/* A free big buffer for the next segment to be joined, or false. */
static bool vnet_tso_ready(struct vnet *v)
{
    if (!v->big[0] || v->broken)
        return false;
    if (v->tso_big >= 0)
        return true;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < VNET_BIG; k++)
            if (!(v->big_busy & (1u << k))) {
                v->big_busy |= 1u << k;
                v->tso_big = k;
                v->tso.buf = v->big[k] + VNET_HDR_SIZE;
                return true;
            }
        vnet_tx_reclaim(v);
    }
    return false;
}

/* During a hold, the frame joins the segment being held (only its
 * payload is copied, into the big buffer), or starts one under a
 * descriptor of its own: true when it did.  When it did not, what was
 * held has gone first. */
static bool vnet_tso_take(struct vnet *v, const struct netdev_piece *p, int n,
                          size_t total)
{
    if (!tx_hold || !vnet_tso_ready(v))
        return false;
    if (v->tso.len && tso_add(&v->tso, p, n, total))
        return true;
    vnet_tso_flush(v);
    if (!vnet_tso_ready(v) || !tso_add(&v->tso, p, n, total))
        return false;
    int id = vnet_tx_slot(v);
    if (id < 0) {
        v->tso.len = 0; /* dropped below, as any frame without a slot */
        return false;
    }
    v->tso_id = id;
    return true;
}

/* A device that failed also answers -EAGAIN: for the stack it is a ring
 * that never drains, and link_up says why. */
int netdev_tx(struct netdev *nd, const struct netdev_piece *p, int n)
{
    struct vnet *v = container_of(nd, struct vnet, nd);
    size_t total = n > 0 && p ? frame_len(p, n) : 0;
    if (total == 0)
        return -EINVAL;
    if (vnet_tso_take(v, p, n, total)) {
        nd->tx_packets++;
        return 0;
    }
    int id = vnet_tx_slot(v);
    if (id < 0) {
        nd->tx_dropped++;
        return -EAGAIN;
    }
    uint8_t *buf = v->txbuf + (size_t)id * VNET_BUF_SIZE;
    size_t at = VNET_HDR_SIZE;
    for (int i = 0; i < n; i++) {
        memcpy(buf + at, p[i].data, p[i].len);
        at += p[i].len;
    }
    nd->tx_packets++;
    vnet_tx_header(v, buf, total); /* GSO_NONE: §5.1.6.2 */
    virtq_add(&v->tx, (uint16_t)id, v->txbuf_pa + (uint64_t)id * VNET_BUF_SIZE,
              (uint32_t)at, 0);
    vnet_tx_notify(v);
    return 0;
}

void netdev_tx_hold(void)
{
    tx_hold++;
}

void netdev_tx_release(void)
{
    if (tx_hold != 1) {
        tx_hold -= tx_hold > 0;
        return;
    }
    /* Still held while the joined segments go: one notification each. */
    for (int i = 0; i < vnet.n; i++) {
        struct vnet *v = vnet.dev[i];
        vnet_tso_flush(v);
        if (v->kick_pending && !v->broken)
            virtio_kick(v->vdev, &v->tx);
        v->kick_pending = false;
    }
    tx_hold = 0;
}

/* --- interrupts */

/* What the stack sends while it takes the received frames (ACKs, and
 * the data they let out) goes out with one notification at the end. */
static void vnet_service(struct vnet *v)
{
    v->nd.irqs++;
    if (v->broken)
        return;
    uint32_t why = v->vdev->ops->irq_ack(v->vdev);
    if (why & VIRTIO_ISR_CONFIG)
        vnet_read_status(v);
    netdev_tx_hold();
    vnet_rx_harvest(v);
    netdev_tx_release();
    vnet_tx_reclaim(v);
}

static void vnet_irq(struct trapframe *tf)
{
    for (int i = 0; i < vnet.n; i++)
        if (vnet.dev[i]->vector == tf->vector)
            vnet_service(vnet.dev[i]);
}

/* --- setting up */

static unsigned order_for(size_t bytes)
{
    unsigned order = 0;
    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

static int vnet_alloc_buffers(struct vnet *v)
{
    v->rxbuf_order = order_for((size_t)v->rx.size * VNET_BUF_SIZE);
    v->txbuf_order = order_for((size_t)v->tx.size * VNET_BUF_SIZE);
    v->rxbuf_pa = pmem_alloc(v->rxbuf_order);
    v->txbuf_pa = pmem_alloc(v->txbuf_order);
    if (!v->rxbuf_pa || !v->txbuf_pa) {
        kprintf("gorump: %s: no memory for packet buffers\n", v->name);
        return -ENOMEM;
    }
    v->rxbuf = phys_to_virt(v->rxbuf_pa);
    v->txbuf = phys_to_virt(v->txbuf_pa);
    v->tso_big = -1;
    if (v->tso.want_v4 || v->tso.want_v6) {
        for (int k = 0; k < VNET_BIG; k++) {
            if (!(v->big_pa[k] = pmem_alloc(VNET_BIG_ORDER))) {
                kprintf("gorump: %s: no memory for TSO buffers\n", v->name);
                return -ENOMEM;
            }
            v->big[k] = phys_to_virt(v->big_pa[k]);
        }
        v->tso.cap = (PAGE_SIZE << VNET_BIG_ORDER) - VNET_HDR_SIZE;
    }

    for (uint16_t i = 0; i < v->tx.size; i++)
        v->tx_free[v->ntx_free++] = v->tx.size - 1 - i;
    return 0;
}

static void vnet_free(struct vnet *v)
{
    if (v->rxbuf_pa)
        pmem_free(v->rxbuf_pa, v->rxbuf_order);
    if (v->txbuf_pa)
        pmem_free(v->txbuf_pa, v->txbuf_order);
    for (int k = 0; k < VNET_BIG; k++)
        if (v->big_pa[k])
            pmem_free(v->big_pa[k], VNET_BIG_ORDER);
    virtq_free(&v->rx);
    virtq_free(&v->tx);
    kfree(v);
}

static int vnet_irq_setup(struct vnet *v)
{
    int vec = irq_vector_alloc();
    if (vec < 0) {
        kprintf("gorump: %s: out of interrupt vectors\n", v->name);
        return vec;
    }
    v->vector = (uint8_t)vec;
    irq_register(v->vector, vnet_irq);
    return v->vdev->ops->irq_enable(v->vdev, v->vector);
}

/* Entries per queue: VNET_QUEUE (256) from 32 MiB of RAM, fewer below
 * (down to 16), so that the two queues' 2 KiB buffers stay within a
 * 32nd of the RAM: 16 each in a 4 MiB guest.  A full receive queue only
 * holds packets back in the device (§2.7.13.2: it waits for buffers), so
 * a smaller one costs throughput under load, not packets. */
static uint32_t vnet_queue_len(void)
{
    uint64_t budget = pmem_total_pages() * PAGE_SIZE / VNET_RAM_SHARE;
    uint32_t n = VNET_QUEUE;
    while (n > 16 && 2 * (uint64_t)n * VNET_BUF_SIZE > budget)
        n /= 2;
    return n;
}

/* §3.1.1 and §5.1.5, in order; the device's interrupts cannot arrive
 * before the idle loop or a program enables interrupts, by which time
 * the device is either in vnet.dev or failed and masked. */
static int vnet_init(struct vnet *v)
{
    struct virtio_dev *d = v->vdev;
    uint64_t need = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC;
    uint64_t want = need | VIRTIO_NET_F_STATUS;
    /* gorump.no-csum-offload: every checksum in software, for tests and
     * to compare. */
    if (!cmdline_has("gorump.no-csum-offload"))
        want |= VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM;
    /* The segmentation offloads need the checksum ones (§5.1.3.1), and
     * receiving large segments in 2 KiB buffers needs MRG_RXBUF: a device
     * without it is started again without GUEST_TSO.  gorump.no-tso
     * leaves them all out, to compare and for tests. */
    if ((want & VIRTIO_NET_F_CSUM) && !cmdline_has("gorump.no-tso") &&
        pmem_total_pages() * PAGE_SIZE >= VNET_BIG_RAM)
        want |= VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_HOST_TSO6 |
                VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6 |
                VIRTIO_NET_F_MRG_RXBUF;
    int err = virtio_start(d, want, need);
    uint64_t rx_tso = VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6;
    if (!err && (d->features & rx_tso) &&
        !(d->features & VIRTIO_NET_F_MRG_RXBUF))
        err = virtio_start(d, want & ~rx_tso, need);
    v->nd.tx_csum_tcp = !err && (d->features & VIRTIO_NET_F_CSUM);
    v->tso.want_v4 =
        v->nd.tx_csum_tcp && (d->features & VIRTIO_NET_F_HOST_TSO4);
    v->tso.want_v6 =
        v->nd.tx_csum_tcp && (d->features & VIRTIO_NET_F_HOST_TSO6);
    if (!err)
        err = vnet_irq_setup(v);
    uint32_t qlen = vnet_queue_len();
    if (!err)
        err = virtio_queue_init(d, &v->rx, v->name, 0, qlen);
    if (!err)
        err = virtio_queue_init(d, &v->tx, v->name, 1, qlen);
    if (!err)
        err = vnet_alloc_buffers(v);
    if (err)
        return err;
    virtio_config_read(d, CFG_MAC, v->nd.mac, 6, 1);
    vnet_read_status(v);
    for (uint16_t i = 0; i < v->rx.size; i++)
        vnet_rx_post(v, i);
    virtq_no_interrupt(&v->tx, true);
    virtio_driver_ok(d);
    virtio_kick(d, &v->rx); /* §3.1.1: no notification before DRIVER_OK */
    return 0;
}

static bool vnet_attach(struct virtio_dev *d)
{
    if (vnet.n == NETDEV_MAX) {
        kprintf("gorump: %s: more than %d network devices, ignored\n", d->where,
                NETDEV_MAX);
        return false;
    }
    struct vnet *v = kzalloc(sizeof(*v));
    if (!v)
        return false;
    v->vdev = d;
    snprintf(v->name, sizeof(v->name), "virtio-net%d", vnet.n);
    v->nd.name = v->name;
    v->nd.mtu = 1500;
    if (vnet_init(v) != 0) {
        kprintf("gorump: %s: %s not started\n", d->where, v->name);
        virtio_fail(d);
        vnet_free(v);
        return false;
    }
    vnet.dev[vnet.n++] = v;
    return true;
}

void netdev_probe(const char *cmdline)
{
    virtio_mmio_probe(cmdline, VIRTIO_ID_NET, vnet_attach);
    virtio_pci_probe(VIRTIO_ID_NET, vnet_attach);
    if (cmdline_has("gorump.nettest"))
        nettest_run();
}
