/*
 * drv/netdev.h — network devices, as the network stack (net/) sees them:
 * Ethernet frames out, Ethernet frames in.  Drivers (virtio-net over
 * virtio-mmio or virtio-pci) register devices at probe time; the stack
 * attaches a receive callback to each.
 *
 * Context: rx is called from the device's interrupt handler, which runs
 * with interrupts off and only ever interrupts user mode or the idle loop,
 * never kernel code (proc/proc.h), so it may call into the stack directly.
 * netdev_tx may be called from any kernel context.
 */
#ifndef DRV_NETDEV_H
#define DRV_NETDEV_H

#include "lib/lib.h"

#define NETDEV_MAX 4
#define NETDEV_FRAME_MAX 1514 /* Ethernet header + 1500 bytes, no FCS */

struct netdev;

/* A received frame of len bytes, made of n pieces (in the order given;
 * the first holds at least the Ethernet and IP headers, or the whole
 * frame): valid only during the call; the stack copies it.  A segment
 * the driver cut from a large one comes as its own headers and the
 * parts of the device's buffers its payload lies in, so its payload is
 * copied once (drv/tso.h).  flags: NETDEV_RX_CSUM_VALID when the device vouches
 * for the frame's TCP and UDP checksums (checked by the host, or never computed
 * because the frame never left it: virtio's DATA_VALID and NEEDS_CSUM). */
#define NETDEV_RX_CSUM_VALID 1u
/* The last of the segments the driver cut from one large one (virtio's
 * GUEST_TSO): the stack acknowledges at once what it would delay, as
 * Linux does for a segment its GRO joined. */
#define NETDEV_RX_ACK_NOW 2u
struct netdev_piece {
    const void *data;
    size_t len;
};
typedef void (*netdev_rx_fn)(struct netdev *dev, const struct netdev_piece *p,
                             int n, size_t len, unsigned flags, void *arg);

struct netdev {
    uint8_t mac[6];
    uint16_t mtu; /* 1500 */
    bool link_up;
    const char *name; /* "virtio-net0" */
    /* The device completes TCP checksums: the stack sends TCP segments
     * with the checksum left out, and netdev_tx has the device fill it
     * in (virtio's VIRTIO_NET_F_CSUM). */
    bool tx_csum_tcp;
    /* set by the stack */
    netdev_rx_fn rx;
    void *rx_arg;
    /* driver statistics */
    uint64_t rx_packets, tx_packets, rx_dropped, tx_dropped, irqs;
    /* segments joined for the device to cut (TSO), and how many frames
     * from the stack they carried */
    uint64_t tx_tso, tx_tso_segs;
    /* large segments received from the device and cut (GUEST_TSO), and
     * the segments they made */
    uint64_t rx_gso, rx_gso_segs;
};

/* Finds and starts every network device: virtio-mmio devices named on the
 * kernel command line (virtio_mmio.device=SIZE@BASE:IRQ) and virtio-net
 * devices on the PCI bus (legacy 0xcf8 configuration ports). */
void netdev_probe(const char *cmdline);
/* How many devices netdev_probe started; device i (0-based), or NULL. */
int netdev_count(void);
struct netdev *netdev_get(int i);
/* Sends one frame made of n pieces (their total at most
 * NETDEV_FRAME_MAX bytes): 0, or -EAGAIN when the transmit ring is full
 * (the frame is dropped and counted), -EINVAL when too large. */
int netdev_tx(struct netdev *dev, const struct netdev_piece *p, int n);
/* Between netdev_tx_hold and netdev_tx_release (they nest) frames are
 * queued without notifying the device, and consecutive segments of one
 * TCP flow are joined into one the device cuts again, when it offers TSO
 * (drv/tso.h); release sends what is held and notifies once.  The stack
 * holds around each burst it sends: a tcp_output, its timers, the
 * frames one interrupt brings. */
void netdev_tx_hold(void);
void netdev_tx_release(void);

#endif
