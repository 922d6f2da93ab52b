/*
 * tests/netfuzz/peer.c — the well-behaved host on the guest's link: it
 * answers ARP for every address but the guest's (it is the gateway and
 * the whole subnet), checks every frame the guest sends (lengths and
 * checksums: a frame cut short, as linkoutput once sent, is counted), and
 * has just enough ICMP, UDP and TCP (RFC 9293, one connection at a time,
 * in order, no options beyond MSS) for the liveness checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfuzz.h"

const uint8_t host_mac[6] = {0x52, 0x54, 0x00, 0xfe, 0x00, 0x01};
const uint8_t host_ip[4] = {10, 0, 9, 1};
const uint8_t guest_ip[4] = {10, 0, 9, 2};
const uint8_t host_ip6[16] = {0xfe, 0x80, [8] = 0x50, 0x54, 0x00,
                              0xff, 0xfe, 0xfe,       0x00, 0x01};
uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
uint8_t guest_ip6[16];
unsigned long peer_bad_frames;

#define HALF_OPEN_MAX 65536
#define ANSWER_MAX 65536

static struct {
    bool ping_ok, udp_ok;
    int ping_seq;
    uint8_t udp_want[64];
    size_t udp_len;
    /* the TCP connection */
    uint16_t port;
    uint32_t snd_nxt, snd_una, rcv_nxt;
    uint16_t wnd;
    bool synack, reset, fin;
    char rx[ANSWER_MAX + 1];
    size_t rx_len;
    /* SYN-ACKs to the storm's SYNs: address, port, acknowledgment */
    struct {
        uint8_t ip[4];
        uint16_t port;
        uint32_t ack;
    } half[HALF_OPEN_MAX];
    int nhalf;
} pr;

static void bad_frame(const char *why, const uint8_t *f, size_t len)
{
    if (peer_bad_frames++ < 5) {
        fprintf(stderr,
                "netfuzz: bad frame from the guest (%s), %zu bytes:", why, len);
        for (size_t i = 0; i < len && i < 128; i++)
            fprintf(stderr, " %02x", f[i]);
        fprintf(stderr, "\n");
    }
}

static void arp_rx(const uint8_t *a, size_t len)
{
    if (len < 28 || get16(a + 6) != 1 || !memcmp(a + 24, guest_ip, 4))
        return;
    uint8_t f[ETH_HLEN + 28];
    eth_hdr(f, a + 8, host_mac, ETH_ARP);
    uint8_t *r = f + ETH_HLEN;
    memcpy(r, a, 6);
    put16(r + 6, 2);
    memcpy(r + 8, host_mac, 6);
    memcpy(r + 14, a + 24, 4);
    memcpy(r + 18, a + 8, 10);
    link_send(f, sizeof(f));
}

/* Sends one TCP segment of the peer's connection. */
static void tcp_out(int flags, const void *data, size_t n)
{
    uint8_t f[ETH_HLEN + 20 + 24 + 1460];
    uint8_t *ip = f + ETH_HLEN, *t = ip + 20;
    size_t hl = flags & TCP_SYN ? 24 : 20;
    eth_hdr(f, guest_mac, host_mac, ETH_IP4);
    memset(t, 0, hl);
    put16(t, pr.port);
    put16(t + 2, SERVER_PORT);
    put32(t + 4, pr.snd_nxt);
    put32(t + 8, flags & TCP_ACK ? pr.rcv_nxt : 0);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = (uint8_t)flags;
    put16(t + 14, pr.wnd);
    if (flags & TCP_SYN) {
        t[20] = 2, t[21] = 4;
        put16(t + 22, 1460);
    }
    memcpy(t + hl, data, n);
    put16(t + 16, l4_csum4(host_ip, guest_ip, PROTO_TCP, t, hl + n));
    ip4_hdr(ip, PROTO_TCP, host_ip, guest_ip, hl + n, 0);
    link_send(f, ETH_HLEN + 20 + hl + n);
}

static void tcp_rx(const uint8_t *ip, const uint8_t *t, size_t n)
{
    size_t hl = (size_t)(t[12] >> 4) * 4;
    int fl = t[13];
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
        get16(t + 2) != pr.port) {
        if (pr.nhalf < HALF_OPEN_MAX) {
            memcpy(pr.half[pr.nhalf].ip, ip + 16, 4);
            pr.half[pr.nhalf].port = get16(t + 2);
            pr.half[pr.nhalf++].ack = ack;
        }
        return;
    }
    if (get16(t + 2) != pr.port || get16(t) != SERVER_PORT || hl > n)
        return;
    if (fl & TCP_RST) {
        pr.reset = true;
        return;
    }
    if (fl & TCP_ACK && (int32_t)(ack - pr.snd_una) > 0)
        pr.snd_una = ack;
    if (fl & TCP_SYN) {
        pr.rcv_nxt = seq + 1;
        pr.synack = true;
        return;
    }
    size_t dlen = n - hl;
    if (pr.wnd && seq == pr.rcv_nxt && dlen <= ANSWER_MAX - pr.rx_len) {
        memcpy(pr.rx + pr.rx_len, t + hl, dlen);
        pr.rx_len += dlen;
        pr.rx[pr.rx_len] = '\0';
        pr.rcv_nxt += (uint32_t)dlen;
        if (fl & TCP_FIN) {
            pr.rcv_nxt++;
            pr.fin = true;
        }
    }
    if (dlen || fl & TCP_FIN)
        tcp_out(TCP_ACK, NULL, 0);
}

static void ip4_rx(const uint8_t *ip, size_t len, const uint8_t *f, size_t flen)
{
    size_t hl = (size_t)(ip[0] & 15) * 4, tot = len >= 4 ? get16(ip + 2) : 0;
    if (len < 20 || hl < 20 || tot < hl || tot > len)
        return bad_frame("IPv4 length", f, flen);
    if (csum_add(0, ip, hl) != 0)
        return bad_frame("IPv4 header checksum", f, flen);
    if (get16(ip + 6) & 0x3fff) /* a fragment: not checked whole */
        return;
    const uint8_t *p = ip + hl;
    size_t n = tot - hl;
    int proto = ip[9];
    if (proto == PROTO_TCP || (proto == PROTO_UDP && n >= 8 && get16(p + 6))) {
        if (l4_csum4(ip + 12, ip + 16, proto, p, n) != 0)
            return bad_frame("TCP/UDP checksum", f, flen);
    } else if (proto == PROTO_ICMP && csum_add(0, p, n) != 0) {
        return bad_frame("ICMP checksum", f, flen);
    }
    if (proto == PROTO_ICMP && n >= 8 && p[0] == 0 && get16(p + 4) == 0x4e46 &&
        get16(p + 6) == pr.ping_seq)
        pr.ping_ok = true;
    if (proto == PROTO_UDP && n >= 8 && get16(p) == SERVER_PORT &&
        n - 8 == pr.udp_len && !memcmp(p + 8, pr.udp_want, pr.udp_len))
        pr.udp_ok = true;
    if (proto == PROTO_TCP && n >= 20 && get16(p) == SERVER_PORT)
        tcp_rx(ip, p, n);
}

static void ip6_rx(const uint8_t *ip, size_t len, const uint8_t *f, size_t flen)
{
    if (len < 40 || (size_t)get16(ip + 4) > len - 40)
        return bad_frame("IPv6 length", f, flen);
    int nh = ip[6];
    size_t n = get16(ip + 4);
    if ((nh == PROTO_TCP || nh == PROTO_UDP || nh == PROTO_ICMP6) &&
        l4_csum6(ip + 8, ip + 24, nh, ip + 40, n) != 0)
        bad_frame("IPv6 transport checksum", f, flen);
}

void peer_rx(const uint8_t *f, size_t len)
{
    if (len < ETH_HLEN)
        return bad_frame("runt", f, len);
    if (!(f[6] & 1))
        memcpy(guest_mac, f + 6, 6);
    int type = get16(f + 12);
    if (type == ETH_ARP)
        arp_rx(f + ETH_HLEN, len - ETH_HLEN);
    else if (type == ETH_IP4)
        ip4_rx(f + ETH_HLEN, len - ETH_HLEN, f, len);
    else if (type == ETH_IP6)
        ip6_rx(f + ETH_HLEN, len - ETH_HLEN, f, len);
}

bool peer_ping(int seq)
{
    uint8_t f[ETH_HLEN + 20 + 64], *ip = f + ETH_HLEN, *p = ip + 20;
    pr.ping_seq = seq;
    pr.ping_ok = false;
    eth_hdr(f, guest_mac, host_mac, ETH_IP4);
    memset(p, 0, 64);
    p[0] = 8;
    put16(p + 4, 0x4e46);
    put16(p + 6, (uint16_t)seq);
    for (int i = 8; i < 64; i++)
        p[i] = (uint8_t)i;
    put16(p + 2, csum_add(0, p, 64));
    ip4_hdr(ip, PROTO_ICMP, host_ip, guest_ip, 64, (uint16_t)seq);
    for (int tries = 0; tries < 5 && !pr.ping_ok; tries++)
        if (link_send(f, sizeof(f)) < 0 || link_pump(1000, &pr.ping_ok) < 0)
            return false;
    return pr.ping_ok;
}

bool peer_udp(int n)
{
    uint8_t f[ETH_HLEN + 20 + 8 + 64], *ip = f + ETH_HLEN, *u = ip + 20;
    int len =
        snprintf((char *)pr.udp_want, sizeof(pr.udp_want), "udp check %d", n);
    pr.udp_len = (size_t)len;
    pr.udp_ok = false;
    eth_hdr(f, guest_mac, host_mac, ETH_IP4);
    put16(u, 33333);
    put16(u + 2, SERVER_PORT);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, pr.udp_want, pr.udp_len);
    put16(u + 6, l4_csum4(host_ip, guest_ip, PROTO_UDP, u, 8 + pr.udp_len));
    ip4_hdr(ip, PROTO_UDP, host_ip, guest_ip, 8 + pr.udp_len, (uint16_t)n);
    for (int tries = 0; tries < 5 && !pr.udp_ok; tries++)
        if (link_send(f, ETH_HLEN + 28 + pr.udp_len) < 0 ||
            link_pump(1000, &pr.udp_ok) < 0)
            return false;
    return pr.udp_ok;
}

/* Sends SYN (or data) every second until the guest answers: 0, or -1. */
static int tcp_until(int flags, const void *d, size_t n, const bool *ok)
{
    for (int tries = 0; tries < 10 && !*ok && !pr.reset; tries++) {
        tcp_out(flags, d, n);
        if (link_pump(1000, ok) < 0)
            return -1;
    }
    return *ok ? 0 : -1;
}

static bool answer_has(const char *end)
{
    return pr.reset || pr.fin || strstr(pr.rx, end) != NULL;
}

const char *peer_tcp(const char *line, const char *end, size_t max)
{
    static uint16_t next_port = 40000;
    pr.port = next_port++;
    if (next_port == 60000)
        next_port = 40000;
    pr.snd_nxt = pr.snd_una = (uint32_t)rand() * 2654435761u;
    pr.synack = pr.reset = pr.fin = false;
    pr.rx_len = 0;
    pr.rx[0] = '\0';
    /* "SMALL ..." is answered into a window closed from the SYN on (a
     * window may not shrink later: RFC 9293 §3.8.6), so the guest queues
     * its many small writes into one segment; then it opens. */
    bool zero = !strncmp(line, "SMALL", 5);
    size_t n = strlen(line);
    pr.wnd = zero ? 0 : 65535;
    if (tcp_until(TCP_SYN, NULL, 0, &pr.synack) < 0)
        return NULL;
    pr.snd_nxt++;
    tcp_out(TCP_ACK, NULL, 0);
    bool acked = false;
    uint64_t end_at = now_ms() + 10000;
    while (!acked && !pr.reset && now_ms() < end_at) {
        tcp_out(TCP_ACK | TCP_PSH, line, n);
        uint32_t want = pr.snd_nxt + (uint32_t)n;
        for (int i = 0; i < 10 && !acked; i++) {
            link_pump(100, NULL);
            acked = (int32_t)(pr.snd_una - want) >= 0;
        }
    }
    pr.snd_nxt += (uint32_t)n;
    if (zero) {
        link_pump(1500, NULL);
        pr.wnd = 65535;
        tcp_out(TCP_ACK, NULL, 0);
    }
    bool done = false;
    for (int i = 0; i < 200 && !done && acked; i++) {
        link_pump(100, NULL);
        done = answer_has(end) || pr.rx_len >= max;
    }
    tcp_out(TCP_RST | TCP_ACK, NULL, 0);
    return done && !pr.reset ? pr.rx : NULL;
}

void peer_reset_half_open(void)
{
    uint8_t f[ETH_HLEN + 40], *ip = f + ETH_HLEN, *t = ip + 20;
    for (int i = 0; i < pr.nhalf; i++) {
        eth_hdr(f, guest_mac, host_mac, ETH_IP4);
        memset(t, 0, 20);
        put16(t, pr.half[i].port);
        put16(t + 2, SERVER_PORT);
        put32(t + 4, pr.half[i].ack);
        t[12] = 5 << 4;
        t[13] = TCP_RST;
        put16(t + 16, l4_csum4(pr.half[i].ip, guest_ip, PROTO_TCP, t, 20));
        ip4_hdr(ip, PROTO_TCP, pr.half[i].ip, guest_ip, 20, 0);
        link_send(f, sizeof(f));
    }
    pr.nhalf = 0;
}
