/*
 * tests/netfuzz/storm.c — hostile frames, each a pure function of the seed
 * and its number (a run is replayed by its seed, and a shorter run is a
 * prefix of a longer one).  Most frames are well-formed down to the layer
 * they attack, with correct checksums so they get that far; a share is
 * then truncated, bit-flipped or given a wrong checksum.  What is sent is
 * listed in docs/SECURITY.md ("Network").
 */
#include <string.h>

#include "netfuzz.h"

enum kind {
    K_RAW,
    K_ARP,
    K_IP4,
    K_FRAG4,
    K_ICMP4,
    K_UDP4,
    K_TCP4,
    K_SYN4,
    K_IP6,
    K_FRAG6,
    K_ICMP6,
    K_ND6,
    K_TCP6,
    K_UDP6,
    K_COUNT
};

const char *const storm_kind_names[K_COUNT] = {
    "raw",       "arp",  "ipv4",      "ipv4-frag", "icmp", "udp",  "tcp",
    "syn-flood", "ipv6", "ipv6-frag", "icmpv6",    "ndp",  "tcp6", "udp6"};
unsigned long storm_kinds[K_COUNT];

int storm_nkinds(void)
{
    return K_COUNT;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

uint64_t rng_next(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool chance(struct rng *r, uint32_t one_in)
{
    return rng_below(r, one_in) == 0;
}

static void fill(struct rng *r, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng_next(r);
}

/* A value that is often on an edge: 0, all ones, a power of two +-1. */
static uint32_t edgy(struct rng *r, uint32_t max)
{
    switch (rng_below(r, 6)) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2: {
        uint32_t v = 1u << rng_below(r, 32);
        return (v + rng_below(r, 3) - 1) & max;
    }
    default:
        return (uint32_t)rng_next(r) & max;
    }
}

/* Option lists (TCP, IPv4, IPv6 TLVs, NDP): kinds from a set, lengths
 * right, zero, one, or past the end. */
static size_t options(struct rng *r, uint8_t *p, size_t room,
                      const uint8_t *kinds, int nkinds)
{
    size_t at = 0;
    while (at < room) {
        uint8_t k = chance(r, 8) ? (uint8_t)rng_next(r)
                                 : kinds[rng_below(r, (uint32_t)nkinds)];
        p[at++] = k;
        if (at == room)
            break;
        uint32_t len = chance(r, 4) ? edgy(r, 255) : 2 + rng_below(r, 10);
        p[at++] = (uint8_t)len;
        size_t body = min_sz(room - at, len > 2 ? len - 2 : 0);
        fill(r, p + at, body);
        at += body;
    }
    return room;
}

/* --- addresses */

static void src4(struct rng *r, uint8_t *a)
{
    static const uint8_t odd[][4] = {{0, 0, 0, 0},    {255, 255, 255, 255},
                                     {10, 0, 9, 255}, {224, 0, 0, 1},
                                     {127, 0, 0, 1},  {10, 0, 9, 2}};
    uint32_t c = rng_below(r, 8);
    if (c < 4) {
        memcpy(a, host_ip, 4);
        a[3] = c == 0 ? 1 : (uint8_t)(3 + rng_below(r, 16));
    } else if (c < 6) {
        memcpy(a, odd[rng_below(r, 6)], 4);
    } else {
        put32(a, (uint32_t)rng_next(r));
    }
}

static void dst4(struct rng *r, uint8_t *a)
{
    static const uint8_t odd[][4] = {
        {255, 255, 255, 255}, {10, 0, 9, 255}, {224, 0, 0, 1}, {10, 0, 9, 7}};
    if (chance(r, 6))
        memcpy(a, odd[rng_below(r, 4)], 4);
    else
        memcpy(a, guest_ip, 4);
}

static void addr6(struct rng *r, uint8_t *a, bool dst)
{
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    memset(a, 0, 16);
    switch (rng_below(r, 8)) {
    case 0:
        memcpy(a, all_nodes, 16);
        break;
    case 1: /* solicited-node multicast of the guest */
        a[0] = 0xff, a[1] = 0x02, a[11] = 1, a[12] = 0xff;
        memcpy(a + 13, guest_ip6 + 13, 3);
        break;
    case 2:
        fill(r, a, 16);
        break;
    case 3: /* unspecified (::) */
        break;
    default:
        memcpy(a, dst ? guest_ip6 : host_ip6, 16);
        if (!dst && chance(r, 2))
            a[15] = (uint8_t)(2 + rng_below(r, 16));
    }
}

/* --- transports: payloads whose checksum the IP layer fills */

static size_t tcp_seg(struct rng *r, uint8_t *t, size_t room, bool flood)
{
    size_t hl = 20, n;
    memset(t, 0, 20);
    put16(t, (uint16_t)(flood ? 1000 + rng_below(r, 64) : rng_next(r)));
    put16(t + 2, chance(r, 4) ? (uint16_t)rng_next(r) : SERVER_PORT);
    put32(t + 4, chance(r, 2) ? edgy(r, 0xffffffffu) : rng_below(r, 1 << 16));
    put32(t + 8, (uint32_t)rng_next(r));
    t[13] = flood ? TCP_SYN : (uint8_t)rng_next(r);
    put16(t + 14, (uint16_t)edgy(r, 0xffff));
    put16(t + 18, (uint16_t)edgy(r, 0xffff));
    if (chance(r, 2)) {
        static const uint8_t k[] = {0, 1, 2, 3, 4, 5, 8, 28, 30, 34};
        size_t o = 4 * (1 + rng_below(r, 10));
        hl += options(r, t + 20, min_sz(o, room - 20), k, sizeof(k));
    }
    t[12] = (uint8_t)((chance(r, 8) ? rng_below(r, 16) : hl / 4) << 4);
    n = flood ? 0
              : min_sz(room - hl,
                       rng_below(r, 4) ? rng_below(r, 64) : rng_below(r, 1500));
    fill(r, t + hl, n);
    return hl + n;
}

static size_t udp_dgram(struct rng *r, uint8_t *u, size_t room)
{
    static const uint16_t ports[] = {SERVER_PORT, 53, 67, 68, 547, 7, 9};
    size_t n = min_sz(room - 8,
                      rng_below(r, 3) ? rng_below(r, 128) : rng_below(r, 1500));
    put16(u, (uint16_t)(chance(r, 2) ? ports[rng_below(r, 7)] : rng_next(r)));
    put16(u + 2,
          (uint16_t)(chance(r, 4) ? rng_next(r) : ports[rng_below(r, 7)]));
    put16(u + 4, (uint16_t)(chance(r, 6) ? edgy(r, 0xffff) : 8 + n));
    put16(u + 6, 0);
    fill(r, u + 8, n);
    return 8 + n;
}

/* An ICMP (v4) message; errors quote an IPv4 header and 8 bytes. */
static size_t icmp4_msg(struct rng *r, uint8_t *p, size_t room)
{
    static const uint8_t types[] = {0, 3, 4, 5, 8, 11, 12, 13, 17};
    size_t n = 8 + min_sz(room - 8, rng_below(r, 3) ? 28 + rng_below(r, 64)
                                                    : rng_below(r, 1400));
    fill(r, p, n);
    p[0] = chance(r, 8) ? (uint8_t)rng_next(r) : types[rng_below(r, 9)];
    p[1] = (uint8_t)rng_below(r, chance(r, 4) ? 256 : 6);
    if (p[0] != 8 && p[0] != 0 && n >= 36) {
        uint8_t q[4];
        ip4_hdr(p + 8, chance(r, 2) ? PROTO_TCP : PROTO_UDP, guest_ip, host_ip,
                rng_below(r, 2000), (uint16_t)rng_next(r));
        src4(r, q);
        memcpy(p + 24, chance(r, 2) ? host_ip : q, 4);
        put16(p + 28, SERVER_PORT);
        if (p[0] == 3 && p[1] == 4)
            put16(p + 6, (uint16_t)edgy(r, 0xffff)); /* next-hop MTU */
    }
    p[2] = p[3] = 0;
    return n;
}

static size_t icmp6_msg(struct rng *r, uint8_t *p, size_t room, bool nd)
{
    static const uint8_t types[] = {1, 2, 3, 4, 128, 129, 130, 131, 132, 143};
    static const uint8_t ndtypes[] = {133, 134, 135, 136, 137};
    static const uint8_t ndopts[] = {1, 2, 3, 4, 5, 24, 25};
    size_t n = min_sz(room, 8 + (rng_below(r, 3) ? 8 + rng_below(r, 200)
                                                 : rng_below(r, 1400)));
    fill(r, p, n);
    p[0] = nd             ? ndtypes[rng_below(r, 5)]
           : chance(r, 8) ? (uint8_t)rng_next(r)
                          : types[rng_below(r, 10)];
    p[1] = (uint8_t)(chance(r, 4) ? rng_next(r) : 0);
    if (nd && n > 24) {
        size_t fixed = p[0] == 133   ? 8
                       : p[0] == 134 ? 16
                       : p[0] == 137 ? 40
                                     : 24;
        fixed = min_sz(fixed, n);
        if ((p[0] == 135 || p[0] == 136) && chance(r, 2))
            memcpy(p + 8, guest_ip6, 16); /* the target: the guest */
        if (p[0] == 2) /* packet too big: an MTU on an edge */
            put32(p + 4, edgy(r, 0xffffffffu));
        options(r, p + fixed, n - fixed, ndopts, sizeof(ndopts));
        /* Options are in units of 8 bytes: make some of them whole. */
        if (chance(r, 2) && n >= fixed + 32 && p[0] == 134) {
            uint8_t *o = p + fixed;
            o[0] = 3, o[1] = 4, o[2] = (uint8_t)rng_below(r, 129);
            o[3] = (uint8_t)rng_next(r);
            o[16] = 0x20, o[17] = 0x01; /* prefix 2001:... */
        }
    }
    p[2] = p[3] = 0;
    return n;
}

/* Where a transport's checksum field is, and whether it covers a
 * pseudo-header: -1 if the protocol has none we fill. */
static int csum_at(int proto, bool *pseudo)
{
    *pseudo = proto != PROTO_ICMP;
    return proto == PROTO_TCP     ? 16
           : proto == PROTO_UDP   ? 6
           : proto == PROTO_ICMP  ? 2
           : proto == PROTO_ICMP6 ? 2
                                  : -1;
}

static void fill_csum4(struct rng *r, const uint8_t *ip, int proto, uint8_t *p,
                       size_t n)
{
    bool pseudo;
    int at = csum_at(proto, &pseudo);
    if (at < 0 || (size_t)at + 2 > n)
        return;
    uint16_t c =
        pseudo ? l4_csum4(ip + 12, ip + 16, proto, p, n) : csum_add(0, p, n);
    put16(p + at,
          chance(r, 12) ? (uint16_t)(c ^ (1 + rng_below(r, 0xfffe))) : c);
}

/* The payload of a given kind at p (at most room bytes): its length and
 * protocol. */
static size_t payload4(struct rng *r, int kind, uint8_t *p, size_t room,
                       int *proto)
{
    switch (kind) {
    case K_TCP4:
    case K_SYN4:
        *proto = PROTO_TCP;
        return tcp_seg(r, p, room, kind == K_SYN4);
    case K_UDP4:
        *proto = PROTO_UDP;
        return udp_dgram(r, p, room);
    case K_ICMP4:
        *proto = PROTO_ICMP;
        return icmp4_msg(r, p, room);
    default: {
        static const int ps[] = {PROTO_TCP, PROTO_UDP, PROTO_ICMP, 2,  4,
                                 41,        47,        50,         255};
        *proto = ps[rng_below(r, 9)];
        return *proto == PROTO_TCP   ? tcp_seg(r, p, room, false)
               : *proto == PROTO_UDP ? udp_dgram(r, p, room)
               : *proto == PROTO_ICMP
                   ? icmp4_msg(r, p, room)
                   : (fill(r, p, room), min_sz(room, rng_below(r, 600)));
    }
    }
}

static size_t frame_ip4(struct rng *r, uint8_t *f, int kind)
{
    static const uint8_t k[] = {0, 1, 7, 68, 130, 131, 137, 148};
    uint8_t *ip = f + eth_hdr(f, guest_mac, host_mac, ETH_IP4), src[4], dst[4];
    bool odd = kind == K_IP4 || chance(r, 10);
    size_t optlen = odd && chance(r, 2) ? 4 * (1 + rng_below(r, 10)) : 0;
    int proto;
    uint8_t *p = ip + 20 + optlen;
    size_t room = 1500 - 20 - optlen;
    size_t n = payload4(r, kind, p, room, &proto);
    src4(r, src);
    if (kind == K_SYN4 && chance(r, 2))
        put32(src, (uint32_t)rng_next(r)); /* off the subnet */
    dst4(r, dst);
    ip4_hdr(ip, proto, src, dst, n, (uint16_t)rng_next(r));
    fill_csum4(r, ip, proto, p, n);
    if (optlen) {
        options(r, ip + 20, optlen, k, sizeof(k));
        ip[0] = (uint8_t)(0x40 | (5 + optlen / 4));
        put16(ip + 2, (uint16_t)(20 + optlen + n));
    }
    if (odd) {
        if (chance(r, 4))
            ip[0] =
                (uint8_t)(chance(r, 2) ? rng_next(r) : 0x40 | rng_below(r, 16));
        if (chance(r, 4))
            put16(ip + 2, (uint16_t)edgy(r, 0xffff));
        if (chance(r, 4))
            put16(ip + 6, (uint16_t)rng_next(r)); /* flags, offset */
        if (chance(r, 4))
            ip[8] = (uint8_t)rng_below(r, 2);
    }
    if (kind == K_FRAG4) {
        /* A few datagram ids, so fragments meet; offsets on a grid of
         * 1480-byte pieces, shifted into overlaps now and then. */
        put16(ip + 4, (uint16_t)(1 + rng_below(r, 6)));
        uint32_t off =
            rng_below(r, 4) ? 185 * rng_below(r, 6) : edgy(r, 0x1fff);
        if (chance(r, 4) && off)
            off -= 1 + rng_below(r, (uint32_t)off < 8 ? (uint32_t)off : 8);
        put16(ip + 6, (uint16_t)((chance(r, 3) ? 0 : 0x2000) | (off & 0x1fff)));
    }
    put16(ip + 10, 0);
    put16(ip + 10, csum_add(0, ip, (size_t)(ip[0] & 15) * 4));
    if (chance(r, 16))
        ip[10] ^= (uint8_t)(1 + rng_below(r, 255));
    return ETH_HLEN + 20 + optlen + n;
}

/* One IPv6 extension header of type t at p, next header nh: its length. */
static size_t ext6(struct rng *r, uint8_t *p, size_t room, int t, int nh,
                   bool frag_kind)
{
    static const uint8_t tlv[] = {0, 1, 5, 0xc2, 0x3e, 0x7e, 0xbe, 0xfe};
    size_t len = t == 44 ? 8 : 8 * (1 + rng_below(r, 3));
    len = min_sz(len, room);
    if (len < 8)
        return 0;
    fill(r, p, len);
    p[0] = (uint8_t)nh;
    p[1] = (uint8_t)(chance(r, 10) ? rng_next(r) : len / 8 - 1);
    if (t == 0 || t == 60)
        options(r, p + 2, len - 2, tlv, sizeof(tlv));
    else if (t == 43)
        p[2] = (uint8_t)rng_below(r, 5); /* routing type 0..4 */
    else if (t == 44) {
        uint32_t off =
            rng_below(r, 4) ? 181 * rng_below(r, 6) : edgy(r, 0x1fff);
        put16(p + 2, (uint16_t)(off << 3 | (chance(r, 3) ? 0 : 1)));
        put32(p + 4, frag_kind ? 1 + rng_below(r, 6) : (uint32_t)rng_next(r));
    }
    return len;
}

static size_t frame_ip6(struct rng *r, uint8_t *f, int kind)
{
    static const uint8_t exts[] = {0, 43, 44, 60, 59, 51};
    uint8_t *ip = f + eth_hdr(f, guest_mac, host_mac, ETH_IP6);
    int types[5], n_ext = 0, last;
    if (kind == K_IP6)
        n_ext = (int)rng_below(r, 5);
    for (int i = 0; i < n_ext; i++)
        types[i] = exts[rng_below(r, 6)];
    if (kind == K_FRAG6) {
        n_ext = 1 + (int)rng_below(r, 2);
        types[n_ext - 1] = 44;
        if (n_ext == 2)
            types[0] = chance(r, 2) ? 0 : 60;
    }
    last =
        kind == K_TCP6   ? PROTO_TCP
        : kind == K_UDP6 ? PROTO_UDP
        : kind == K_ICMP6 || kind == K_ND6
            ? PROTO_ICMP6
            : (int)(rng_below(r, 4) ? (uint32_t[]){PROTO_TCP, PROTO_UDP,
                                                   PROTO_ICMP6}[rng_below(r, 3)]
                                    : rng_below(r, 256));
    size_t at = 40, room = 1500;
    for (int i = 0; i < n_ext; i++)
        at += ext6(r, ip + at, room - at, types[i],
                   i + 1 < n_ext ? types[i + 1] : last, kind == K_FRAG6);
    uint8_t *p = ip + at;
    size_t n = last == PROTO_TCP     ? tcp_seg(r, p, room - at, false)
               : last == PROTO_UDP   ? udp_dgram(r, p, room - at)
               : last == PROTO_ICMP6 ? icmp6_msg(r, p, room - at, kind == K_ND6)
                                     : min_sz(room - at, rng_below(r, 200));
    if (last != PROTO_TCP && last != PROTO_UDP && last != PROTO_ICMP6)
        fill(r, p, n);
    uint8_t src[16], dst[16];
    addr6(r, src, false);
    addr6(r, dst, true);
    ip6_hdr(ip, n_ext ? types[0] : last, src, dst, at - 40 + n);
    if (kind == K_ND6 || chance(r, 2))
        ip[7] = 255; /* neighbour discovery wants hop limit 255 */
    bool pseudo;
    int c = csum_at(last, &pseudo);
    if (c >= 0 && (size_t)c + 2 <= n) {
        uint16_t v = l4_csum6(src, dst, last, p, n);
        put16(p + c, chance(r, 12) ? (uint16_t)~v : v);
    }
    if (chance(r, 8))
        put16(ip + 4, (uint16_t)edgy(r, 0xffff));
    if (ip[24] == 0xff) /* multicast: to the multicast MAC (RFC 2464) */
        memcpy(f, (const uint8_t[]){0x33, 0x33, ip[36], ip[37], ip[38], ip[39]},
               6);
    return ETH_HLEN + at + n;
}

static size_t frame_arp(struct rng *r, uint8_t *f)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t *a =
        f + eth_hdr(f, chance(r, 2) ? bcast : guest_mac, host_mac, ETH_ARP);
    put16(a, (uint16_t)(rng_below(r, 4) ? 1 : rng_next(r)));
    put16(a + 2, (uint16_t)(rng_below(r, 4) ? ETH_IP4 : rng_next(r)));
    a[4] = (uint8_t)(rng_below(r, 4) ? 6 : rng_next(r));
    a[5] = (uint8_t)(rng_below(r, 4) ? 4 : rng_next(r));
    put16(a + 6,
          (uint16_t)(rng_below(r, 4) ? 1 + rng_below(r, 2) : rng_next(r)));
    fill(r, a + 8, 6);
    a[8] &= (uint8_t)(chance(r, 4) ? 0xff : 0xfe);
    src4(r, a + 14);
    fill(r, a + 18, 6);
    if (chance(r, 2))
        memcpy(a + 24, guest_ip, 4);
    else
        src4(r, a + 24);
    return ETH_HLEN + 28 + rng_below(r, 20);
}

static size_t frame_raw(struct rng *r, uint8_t *f)
{
    static const uint16_t types[] = {ETH_IP4, ETH_IP6, ETH_ARP, 0x8100,
                                     0x88a8,  0x8035,  0x0000,  0xffff};
    size_t n = chance(r, 4) ? rng_below(r, 60) : rng_below(r, FRAME_MAX + 1);
    fill(r, f, n);
    if (n >= ETH_HLEN && chance(r, 2)) {
        memcpy(f, guest_mac, 6);
        put16(f + 12, types[rng_below(r, 8)]);
    }
    return n;
}

int storm_frame(uint64_t seed, uint64_t i, struct frame *f, uint32_t kinds)
{
    struct rng r = {seed * 0x100000001b3ull ^ i};
    rng_next(&r);
    int kind = (int)rng_below(&r, K_COUNT);
    if (!(kinds & 1u << kind))
        return -1;
    storm_kinds[kind]++;
    memset(f->b, 0, sizeof(f->b));
    if (kind == K_RAW)
        f->len = frame_raw(&r, f->b);
    else if (kind == K_ARP)
        f->len = frame_arp(&r, f->b);
    else if (kind < K_IP6)
        f->len = frame_ip4(&r, f->b, kind);
    else
        f->len = frame_ip6(&r, f->b, kind);
    /* Then, now and then, cut short or flipped. */
    if (chance(&r, 8) && f->len)
        f->len = rng_below(&r, (uint32_t)f->len);
    /* QEMU's own network layer takes a frame of 0 bytes for "not
     * delivered, retry" and stops reading the socket for good: the
     * shortest frame sent is one byte. */
    if (f->len == 0)
        f->len = 1;
    if (chance(&r, 16) && f->len > ETH_HLEN)
        for (int k = 0, n = 1 + (int)rng_below(&r, 4); k < n; k++)
            f->b[ETH_HLEN + rng_below(&r, (uint32_t)(f->len - ETH_HLEN))] ^=
                (uint8_t)(1u << rng_below(&r, 8));
    return kind;
}
