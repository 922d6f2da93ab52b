/*
 * drv/virtio_net.c — virtio-net (virtio 1.1 §5.1) behind drv/netdev.h,
 * over either transport.
 *
 * Features: VERSION_1 and MAC are required, STATUS taken when offered,
 * and the checksum offloads (CSUM, GUEST_CSUM) when offered (QEMU offers
 * them with a tap backend, not with user networking); no segmentation
 * offloads, no mergeable receive buffers, no control queue, so every
 * packet is a 12-byte struct virtio_net_hdr (§5.1.6) followed by one
 * whole Ethernet frame.  Queue 0 receives, queue 1 transmits (§5.1.2),
 * each with up to 256 entries.
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
 * buffer i is descriptor i.  Every receive buffer is posted at start and
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
#include "drv/virtio.h"
#include "mm/mm.h"

/* §5.1.3 */
#define VIRTIO_NET_F_CSUM (1ULL << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ULL << 1)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
/* §5.1.6 struct virtio_net_hdr */
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define HDR_CSUM_START 6  /* le16, after hdr_len and gso_size */
#define HDR_CSUM_OFFSET 8 /* le16 */
/* §5.1.4 struct virtio_net_config */
#define CFG_MAC 0
#define CFG_STATUS 6

#define VNET_HDR_SIZE 12 /* with num_buffers, always there in 1.x */
#define VNET_BUF_SIZE 2048
#define VNET_QUEUE 256    /* entries per queue, and so buffers: 512 KiB */
#define VNET_RAM_SHARE 32 /* the buffers take at most 1/32 of the RAM */
#define ETH_HLEN 14
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
    uint8_t vector;
    bool broken;
    unsigned warnings;
};

static struct {
    struct vnet *dev[NETDEV_MAX];
    int n;
} vnet;

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

static void vnet_rx_deliver(struct vnet *v, uint16_t id, uint32_t len)
{
    const uint8_t *buf = v->rxbuf + (size_t)id * VNET_BUF_SIZE;
    if (len > VNET_BUF_SIZE) {
        vnet_warn(v, "device claims to have written past a receive buffer",
                  len);
        v->nd.rx_dropped++;
        return;
    }
    if (len < VNET_HDR_SIZE + ETH_HLEN ||
        len - VNET_HDR_SIZE > NETDEV_FRAME_MAX || !v->nd.rx) {
        v->nd.rx_dropped++;
        return;
    }
    unsigned flags = 0;
    if ((v->vdev->features & VIRTIO_NET_F_GUEST_CSUM) &&
        (buf[0] & (HDR_F_NEEDS_CSUM | HDR_F_DATA_VALID)))
        flags |= NETDEV_RX_CSUM_VALID;
    v->nd.rx_packets++;
    v->nd.rx(&v->nd, buf + VNET_HDR_SIZE, len - VNET_HDR_SIZE, flags,
             v->nd.rx_arg);
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
        vnet_rx_deliver(v, id, len); /* may transmit, and break the device */
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
    while ((r = virtq_get_used(&v->tx, &id, &len)) > 0)
        v->tx_free[v->ntx_free++] = id;
    if (r < 0)
        vnet_broken(v);
}

/* The id of an idle transmit buffer, or -1. */
static int vnet_tx_slot(struct vnet *v)
{
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

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    return sum;
}

/* The offset of a TCP header in an Ethernet frame of len bytes, with the
 * pseudo-header's folded sum in *pseudo (RFC 793 §3.1, RFC 8200 §8.1),
 * or 0: not IPv4 or IPv6 TCP, an IPv4 fragment, or too short. */
static size_t tcp_offset(const uint8_t *f, size_t len, uint16_t *pseudo)
{
    const uint8_t *ip = f + ETH_HLEN;
    uint32_t sum;
    size_t off, tcp_len;
    if (len < ETH_HLEN + 40)
        return 0;
    if (f[12] == 0x08 && f[13] == 0x00 && (ip[0] >> 4) == 4) {
        size_t ihl = (size_t)(ip[0] & 15) * 4, tot = (size_t)ip[2] << 8 | ip[3];
        if (ip[9] != 6 || ihl < 20 || tot > len - ETH_HLEN || tot < ihl + 20 ||
            ((ip[6] & 0x3f) | ip[7])) /* MF or an offset: a fragment */
            return 0;
        off = ETH_HLEN + ihl;
        tcp_len = tot - ihl;
        sum = sum16(0, ip + 12, 8);
    } else if (f[12] == 0x86 && f[13] == 0xdd && (ip[0] >> 4) == 6) {
        size_t pl = (size_t)ip[4] << 8 | ip[5];
        if (ip[6] != 6 || len < ETH_HLEN + 60 || pl + 40 > len - ETH_HLEN ||
            pl < 20)
            return 0;
        off = ETH_HLEN + 40;
        tcp_len = pl;
        sum = sum16(0, ip + 8, 32);
    } else {
        return 0;
    }
    sum += 6 + (uint32_t)tcp_len;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    *pseudo = (uint16_t)sum;
    return off;
}

/* The header of a frame (buf: header then frame): NEEDS_CSUM for a TCP
 * segment when the device finishes checksums, else all zero. */
static void vnet_tx_header(struct vnet *v, uint8_t *buf, size_t frame_len)
{
    uint16_t pseudo;
    size_t off;
    memset(buf, 0, VNET_HDR_SIZE);
    if (!v->nd.tx_csum_tcp ||
        !(off = tcp_offset(buf + VNET_HDR_SIZE, frame_len, &pseudo)))
        return;
    uint8_t *csum = buf + VNET_HDR_SIZE + off + 16;
    csum[0] = (uint8_t)(pseudo >> 8);
    csum[1] = (uint8_t)pseudo;
    buf[0] = HDR_F_NEEDS_CSUM;
    buf[HDR_CSUM_START] = (uint8_t)off;
    buf[HDR_CSUM_START + 1] = (uint8_t)(off >> 8);
    buf[HDR_CSUM_OFFSET] = 16;
}

/* A device that failed also answers -EAGAIN: for the stack it is a ring
 * that never drains, and link_up says why. */
int netdev_tx(struct netdev *nd, const struct netdev_piece *p, int n)
{
    struct vnet *v = container_of(nd, struct vnet, nd);
    size_t total = n > 0 && p ? frame_len(p, n) : 0;
    if (total == 0)
        return -EINVAL;
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
    vnet_tx_header(v, buf, total); /* GSO_NONE always: §5.1.6.2 */
    virtq_add(&v->tx, (uint16_t)id, v->txbuf_pa + (uint64_t)id * VNET_BUF_SIZE,
              (uint32_t)at, 0);
    virtio_kick(v->vdev, &v->tx);
    nd->tx_packets++;
    return 0;
}

/* --- interrupts */

static void vnet_service(struct vnet *v)
{
    v->nd.irqs++;
    if (v->broken)
        return;
    uint32_t why = v->vdev->ops->irq_ack(v->vdev);
    if (why & VIRTIO_ISR_CONFIG)
        vnet_read_status(v);
    vnet_rx_harvest(v);
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
    int err = virtio_start(d, want, need);
    v->nd.tx_csum_tcp = !err && (d->features & VIRTIO_NET_F_CSUM);
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
