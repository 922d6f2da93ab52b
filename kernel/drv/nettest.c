/*
 * drv/nettest.c — a boot-time self-test of the network drivers, run by
 * netdev_probe when the kernel command line says gorump.nettest.  Each
 * device sends an ARP request (RFC 826) for 10.0.2.2 from 10.0.2.15 —
 * QEMU's user networking answers as its gateway — and waits, halted
 * with interrupts on, at most 2 s for the reply to come through the
 * receive interrupt and the rx callback.  One line per device says what
 * happened; it uses nothing but the netdev.h API.
 *
 * With gorump.nettest-burst as well, each device then sends 70000 such
 * requests as fast as its ring takes them and counts the replies: more
 * than 65536 frames each way wraps the rings' 16-bit indices, and a full
 * transmit ring exercises -EAGAIN and reclaiming.
 */
#include "arch/x86_64/arch.h"
#include "drv/netdev.h"
#include "drv/virtio.h"

#define WAIT_NS 2000000000ULL
#define TICK_NS 10000000ULL /* wake-up bound while halted */
#define ETH_P_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define BURST_FRAMES 70000

struct arp_eth {
    uint8_t dst[6], src[6];
    uint8_t type[2];
};

struct arp_ipv4 {
    uint8_t htype[2], ptype[2];
    uint8_t hlen, plen;
    uint8_t oper[2];
    uint8_t sha[6], spa[4], tha[6], tpa[4];
};

struct nettest {
    uint8_t my_mac[6];
    bool got;
    uint32_t replies;
    uint8_t peer_mac[6];
    uint64_t t_reply;
    netdev_rx_fn old_rx; /* the device's own receiver, put back after */
    void *old_arg;
};

static const uint8_t my_ip[4] = {10, 0, 2, 15};
static const uint8_t gw_ip[4] = {10, 0, 2, 2};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void nettest_rx(struct netdev *dev, const struct netdev_piece *p, int n,
                       size_t len, unsigned flags, void *arg)
{
    struct nettest *t = arg;
    (void)flags, (void)n;
    len = p[0].len; /* an ARP reply is never cut: one piece */
    const struct arp_eth *eth = p[0].data;
    const struct arp_ipv4 *arp = (const void *)(eth + 1);
    if (len < sizeof(*eth) + sizeof(*arp) || get16(eth->type) != ETH_P_ARP ||
        get16(arp->oper) != ARP_REPLY || memcmp(arp->spa, gw_ip, 4) ||
        memcmp(arp->tpa, my_ip, 4) || memcmp(arp->tha, t->my_mac, 6))
        return;
    t->replies++;
    if (t->got)
        return;
    memcpy(t->peer_mac, arp->sha, 6);
    t->t_reply = clock_mono_ns();
    t->got = true;
}

static int nettest_send(struct netdev *dev)
{
    static const uint8_t
        pad[60 - sizeof(struct arp_eth) - sizeof(struct arp_ipv4)];
    struct arp_eth eth;
    struct arp_ipv4 arp = {.hlen = 6, .plen = 4};
    memset(eth.dst, 0xff, 6);
    memcpy(eth.src, dev->mac, 6);
    put16(eth.type, ETH_P_ARP);
    put16(arp.htype, 1);
    put16(arp.ptype, 0x0800);
    put16(arp.oper, ARP_REQUEST);
    memcpy(arp.sha, dev->mac, 6);
    memcpy(arp.spa, my_ip, 4);
    memcpy(arp.tpa, gw_ip, 4);
    struct netdev_piece p[] = {
        {&eth, sizeof(eth)}, {&arp, sizeof(arp)}, {pad, sizeof(pad)}};
    return netdev_tx(dev, p, ARRAY_SIZE(p));
}

/* Halts until `want` replies are in or the time is up; the LAPIC timer
 * bounds each halt, since nothing else may be armed this early. */
static void nettest_wait(struct nettest *t, uint32_t want, uint64_t deadline)
{
    uint64_t now;
    while (t->replies < want && (now = clock_mono_ns()) < deadline) {
        apic_timer_arm(MIN(deadline - now, TICK_NS));
        cpu_relax_halt();
    }
    apic_timer_arm(0);
}

/* Sends BURST_FRAMES requests; on a full ring, halts for a moment (the
 * device drains it meanwhile) and tries again. */
static void nettest_burst(struct netdev *dev, struct nettest *t)
{
    uint32_t sent = 0, full = 0, base = t->replies;
    uint64_t t0 = clock_mono_ns();
    while (sent < BURST_FRAMES) {
        int err = nettest_send(dev);
        if (err == -EAGAIN) {
            full++;
            apic_timer_arm(100000);
            cpu_relax_halt();
        } else if (err) {
            break;
        } else {
            sent++;
        }
    }
    nettest_wait(t, base + sent, clock_mono_ns() + WAIT_NS);
    uint64_t us = (clock_mono_ns() - t0) / 1000;
    kprintf("gorump: nettest: %s burst: sent %u, ring full %u times, %u "
            "replies in %lu us (tx_dropped=%lu rx_dropped=%lu irqs=%lu)\n",
            dev->name, sent, full, t->replies - base, us, dev->tx_dropped,
            dev->rx_dropped, dev->irqs);
}

static void fmt_mac(char *buf, const uint8_t *m)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
             m[4], m[5]);
}

/* The test takes the device's frames while it runs. */
static void nettest_hook(struct netdev *dev, struct nettest *t)
{
    t->old_rx = dev->rx;
    t->old_arg = dev->rx_arg;
    dev->rx = nettest_rx;
    dev->rx_arg = t;
}

static void nettest_unhook(struct netdev *dev, struct nettest *t)
{
    dev->rx = t->old_rx;
    dev->rx_arg = t->old_arg;
}

static bool nettest_report(struct netdev *dev, struct nettest *t, int err,
                           uint64_t t0)
{
    char mac[18], peer[18];
    fmt_mac(mac, dev->mac);
    if (err) {
        kprintf("gorump: nettest: %s mac %s FAILED: send returned %d\n",
                dev->name, mac, err);
        return false;
    }
    if (!t->got) {
        kprintf("gorump: nettest: %s mac %s FAILED: no ARP reply from "
                "10.0.2.2 within 2 s (link %s, irqs=%lu rx=%lu "
                "rx_dropped=%lu)\n",
                dev->name, mac, dev->link_up ? "up" : "down", dev->irqs,
                dev->rx_packets, dev->rx_dropped);
        return false;
    }
    fmt_mac(peer, t->peer_mac);
    kprintf("gorump: nettest: %s mac %s got ARP reply from 10.0.2.2 (%s) "
            "after %lu us, irqs=%lu\n",
            dev->name, mac, peer, (t->t_reply - t0) / 1000, dev->irqs);
    return true;
}

static bool nettest_one(struct netdev *dev)
{
    struct nettest t = {0};
    memcpy(t.my_mac, dev->mac, 6);
    nettest_hook(dev, &t);
    uint64_t t0 = clock_mono_ns();
    int err = nettest_send(dev);
    if (err == 0)
        nettest_wait(&t, 1, t0 + WAIT_NS);
    bool ok = nettest_report(dev, &t, err, t0);
    if (ok && cmdline_has("gorump.nettest-burst"))
        nettest_burst(dev, &t);
    nettest_unhook(dev, &t);
    return ok;
}

void nettest_run(void)
{
    int n = netdev_count(), ok = 0;
    for (int i = 0; i < n; i++)
        ok += nettest_one(netdev_get(i));
    kprintf("gorump: nettest: %d of %d devices passed\n", ok, n);
}
