/*
 * tests/netfuzz/synflood.c — a SYN flood with a real client in the middle
 * of it: SYNs to the server's port from 60000 ports of each of 4
 * neighbours (the peer answers ARP for them, so the guest's SYN-ACKs come
 * back to us and are reset afterwards), sent in bursts whenever the link
 * is pumped, also while peer.c's client connects, asks the guest what
 * lwIP holds (STAT) and reads the answer.  The guest must answer that
 * client during the flood and keep its half-open connections within the
 * listener's backlog (255 at most), whatever the number of SYNs.
 */
#include <stdio.h>
#include <string.h>

#include "netfuzz.h"

#define BURST 16
#define NEIGHBOURS 4
/* The listener's SYN queue (its backlog, within lwIP's 8-bit count), and
 * the few other pcbs the checks themselves make. */
#define HALF_OPEN_MAX 255
#define OTHER_PCBS 8

static struct {
    struct rng r;
    uint64_t sent, left;
} fl;

static void syn(void)
{
    uint8_t f[ETH_HLEN + 20 + 24], *ip = f + ETH_HLEN, *t = ip + 20;
    uint8_t src[4] = {10, 0, 9, (uint8_t)(100 + fl.sent % NEIGHBOURS)};
    eth_hdr(f, guest_mac, host_mac, ETH_IP4);
    memset(t, 0, 24);
    put16(t, (uint16_t)(1024 + fl.sent / NEIGHBOURS % 60000));
    put16(t + 2, SERVER_PORT);
    put32(t + 4, (uint32_t)rng_next(&fl.r));
    t[12] = 6 << 4;
    t[13] = TCP_SYN;
    put16(t + 14, 65535);
    t[20] = 2, t[21] = 4;
    put16(t + 22, 1460);
    put16(t + 16, l4_csum4(src, guest_ip, PROTO_TCP, t, 24));
    ip4_hdr(ip, PROTO_TCP, src, guest_ip, 24, (uint16_t)fl.sent);
    link_send(f, sizeof(f));
    fl.sent++;
    fl.left--;
}

static void burst(void)
{
    for (int i = 0; i < BURST && fl.left; i++)
        syn();
}

/* Asks the guest what it holds while the flood goes on: whether it
 * answered and kept its half-open connections bounded. */
static bool stat_during(const char *when)
{
    const char *a = peer_tcp("STAT\n", "END\n", 65536);
    long active = stat_value(a, "tcp_active");
    fprintf(stderr,
            "netfuzz: syn-flood: %s, %llu SYNs sent: tcp_active %ld, "
            "mem_objects %ld, mem_bytes %ld, tcp_syn_evicted %ld\n",
            when, (unsigned long long)fl.sent, active,
            stat_value(a, "mem_objects"), stat_value(a, "mem_bytes"),
            stat_value(a, "tcp_syn_evicted"));
    if (!a) {
        fprintf(stderr, "netfuzz: FAIL: no answer from the server during "
                        "a SYN flood\n");
        return false;
    }
    if (active < 0 || active > HALF_OPEN_MAX + OTHER_PCBS) {
        fprintf(stderr,
                "netfuzz: FAIL: %ld TCP pcbs during a SYN flood "
                "(half-open ones not bounded by the backlog)\n",
                active);
        return false;
    }
    return true;
}

bool synflood(uint64_t seed, uint64_t total)
{
    fl.r.s = seed * 0x9e3779b97f4a7c15ull + 1;
    fl.sent = 0;
    fl.left = total / 2;
    while (fl.left) /* fill the queue before the client comes */
        burst();
    link_pump(200, NULL);
    fl.left = total - fl.sent;
    link_set_idle(burst);
    bool ok = stat_during("a client in the flood");
    while (fl.left && ok)
        if (link_pump(10, NULL) < 0)
            ok = false;
    link_set_idle(NULL);
    link_pump(500, NULL);
    return stat_during("after the flood") && ok;
}
