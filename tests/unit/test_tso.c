/*
 * tests/unit/test_tso.c — joining TCP segments for a device that cuts
 * them again (kernel/drv/tso.c, built for the host).  Bursts of IPv4 and
 * IPv6 segments are joined, then cut again at the MSS the way a device
 * does (virtio 1.1 §5.1.6.2, Linux's tcp_gso_segment): every piece must
 * be the segment that went in, but for what the device sets per segment
 * (IPv4 ID and header checksum, the TCP checksum, PSH on the last).  And
 * what must not join: another flow, a gap, flags other than ACK, a
 * fragment, a short segment followed by more, the cap and the segment
 * limit.  And the receiving side's cut (tso_cut) gives back every
 * segment that was joined, and no more of them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "drv/tso.c"

#include "check.h"

#define MSS 1460
#define SEG_MAX (14 + 40 + 32 + MSS)

/* One segment: Ethernet, IPv4 (20 bytes, or 24 with an option) or IPv6,
 * TCP with optlen bytes of options, payload bytes of data at stream
 * offset off (byte i of the stream is i * 13 % 251). */
struct seg {
    uint8_t b[SEG_MAX];
    size_t len;
};

static void mk(struct seg *s, bool v6, size_t ipopt, size_t optlen,
               uint32_t off, size_t payload, uint8_t flags, uint16_t id)
{
    uint8_t *f = s->b;
    memset(f, 0, sizeof(s->b));
    memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x54\x00\xab\xcd\xef", 12);
    size_t ip = 14, l4;
    if (!v6) {
        f[12] = 0x08, f[13] = 0x00;
        f[ip] = (uint8_t)(0x40 | (20 + ipopt) / 4);
        f[ip + 6] = 0x40; /* DF */
        f[ip + 8] = 64, f[ip + 9] = 6;
        put16(f + ip + 4, id);
        memcpy(f + ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
        for (size_t i = 0; i < ipopt; i++)
            f[ip + 20 + i] = 1; /* NOP */
        l4 = ip + 20 + ipopt;
        put16(f + ip + 2, (uint16_t)(l4 - ip + 20 + optlen + payload));
    } else {
        f[12] = 0x86, f[13] = 0xdd;
        f[ip] = 0x60;
        f[ip + 6] = 6, f[ip + 7] = 64;
        f[ip + 8] = 0xfd, f[ip + 23] = 1, f[ip + 24] = 0xfd, f[ip + 39] = 2;
        l4 = ip + 40;
        put16(f + ip + 4, (uint16_t)(20 + optlen + payload));
    }
    put16(f + l4, 8080), put16(f + l4 + 2, 40000);
    uint32_t seq = 1000 + off;
    f[l4 + 4] = (uint8_t)(seq >> 24), f[l4 + 5] = (uint8_t)(seq >> 16);
    f[l4 + 6] = (uint8_t)(seq >> 8), f[l4 + 7] = (uint8_t)seq;
    f[l4 + 11] = 77; /* ack */
    f[l4 + 12] = (uint8_t)((20 + optlen) / 4 << 4);
    f[l4 + 13] = flags;
    put16(f + l4 + 14, 29200);
    for (size_t i = 0; i < optlen; i++)
        f[l4 + 20 + i] = 1;
    size_t h = l4 + 20 + optlen;
    for (size_t i = 0; i < payload; i++)
        f[h + i] = (uint8_t)((off + i) * 13 % 251);
    s->len = h + payload;
}

static uint8_t joined[65536];

/* tso_add with the frame in pieces, cut at a different place each call
 * (inside the headers too), as lwIP hands a pbuf chain over. */
static bool add(struct tso *t, const uint8_t *f, size_t len)
{
    static unsigned turn;
    struct netdev_piece p[4];
    size_t a = MIN(len, (size_t)(turn * 7 % 90)),
           b = MIN(len, a + 1 + turn % 3),
           c = MIN(len, b + (turn * 131) % 1600);
    turn++;
    p[0] = (struct netdev_piece){f, a};
    p[1] = (struct netdev_piece){f + a, b - a};
    p[2] = (struct netdev_piece){f + b, c - b};
    p[3] = (struct netdev_piece){f + c, len - c};
    return tso_add(t, p, 4, len);
}

static struct tso fresh(void)
{
    return (struct tso){
        .buf = joined, .cap = sizeof(joined), .want_v4 = true, .want_v6 = true};
}

/* Segment i of cut as tso_cut describes it, gathered into out (as the
 * stack copies it): its length.  The header piece must be hdr, and the
 * rest must lie within the pieces rp[0..np) and add up to the length. */
static size_t cut_one(const struct tso_cut *cut, const struct netdev_piece *rp,
                      int np, size_t i, uint8_t *out)
{
    static uint8_t hdr[TSO_HDR_MAX];
    struct netdev_piece seg[41];
    size_t len, at = 0;
    int k = tso_cut(cut, rp, np, i, hdr, seg, &len);
    CHECK(k >= 1 && k <= np + 1);
    CHECK(seg[0].data == hdr);
    for (int j = 0; j < k; j++) {
        bool inside = j == 0;
        for (int r = 0; r < np && !inside; r++)
            inside =
                (const uint8_t *)seg[j].data >= (const uint8_t *)rp[r].data &&
                (const uint8_t *)seg[j].data + seg[j].len <=
                    (const uint8_t *)rp[r].data + rp[r].len;
        CHECK(inside);
        memcpy(out + at, seg[j].data, seg[j].len);
        at += seg[j].len;
    }
    CHECK_EQ(at, len);
    return len;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    return (uint16_t)~fold(sum16(0, p, n));
}

/* Cuts the frame tso_end gave at the MSS, as a device does, and checks
 * piece i against in[i]: the same bytes but for the IPv4 ID and header
 * checksum and the TCP checksum; and the pseudo-header sum left for the
 * device is the whole frame's. */
static void cut_and_compare(const uint8_t *f, size_t len, const uint8_t *hdr,
                            struct seg *in, int n, bool v6)
{
    size_t l4 = hdr[6] | (size_t)hdr[7] << 8;
    size_t hlen = hdr[2] | (size_t)hdr[3] << 8;
    size_t mss = hdr[4] | (size_t)hdr[5] << 8;
    CHECK_EQ(hdr[0], 1);
    CHECK_EQ(hdr[1], n > 1 ? (v6 ? TSO_GSO_TCPV6 : TSO_GSO_TCPV4) : 0);
    CHECK_EQ(hdr[8], 16);
    uint16_t pseudo;
    CHECK_EQ(tso_tcp_offset(f, len, &pseudo), l4);
    CHECK_EQ(be16(f + l4 + 16), pseudo);
    if (!v6)
        CHECK_EQ(csum(f + 14, l4 - 14), 0); /* the IPv4 header sum holds */
    if (n == 1) {
        CHECK_EQ(len, in[0].len);
        return;
    }
    CHECK_EQ(hlen, in[0].len - mss);
    size_t at = hlen;
    for (int i = 0; i < n; i++) {
        size_t piece = MIN(mss, len - at);
        CHECK_EQ(hlen + piece, in[i].len);
        /* payload */
        CHECK(memcmp(f + at, in[i].b + hlen, piece) == 0);
        /* headers: Ethernet, IP but for length, ID and checksum */
        CHECK(memcmp(f, in[i].b, 14 + (v6 ? 4 : 2)) == 0);
        CHECK(memcmp(f + l4, in[i].b + l4, 4) == 0);
        CHECK(memcmp(f + l4 + 8, in[i].b + l4 + 8, 5) == 0);
        uint8_t want_flags = in[i].b[l4 + 13];
        if (i < n - 1) /* the device clears PSH but on the last piece */
            CHECK_EQ(f[l4 + 13] & ~0x08, want_flags);
        else
            CHECK_EQ(f[l4 + 13], want_flags);
        at += piece;
    }
    CHECK_EQ(at, len);

    /* The receiving side cuts it the same way (tso_cut), in the pieces
     * a device's receive buffers make; with options, a piece is longer
     * than an Ethernet frame here. */
    static uint8_t out[SEG_MAX];
    struct netdev_piece rp[40];
    struct tso_cut cut;
    int np = 0;
    for (size_t o = 0; o < len; o += 2036)
        rp[np++] = (struct netdev_piece){f + o, MIN(2036, len - o)};
    CHECK_EQ(tso_cut_init(&cut, rp, np, len, mss, sizeof(out)), (size_t)n);
    CHECK_EQ(tso_cut_init(&cut, rp, np, len, mss, in[0].len - 1), 0);
    CHECK_EQ(tso_cut_init(&cut, rp, np, len, mss, sizeof(out)), (size_t)n);
    for (int i = 0; i < n; i++) {
        size_t m = cut_one(&cut, rp, np, (size_t)i, out);
        CHECK_EQ(m, in[i].len);
        if (m != in[i].len)
            continue;
        /* all but the checksums, which the originals left out */
        size_t ck4 = 14 + 10, ck = l4 + 16;
        for (size_t b = 0; b < m; b++) {
            if ((!v6 && (b == ck4 || b == ck4 + 1)) || b == ck || b == ck + 1)
                continue;
            if (out[b] != in[i].b[b]) {
                CHECK_EQ(out[b], in[i].b[b]);
                break;
            }
        }
        if (!v6)
            CHECK_EQ(csum(out + 14, l4 - 14), 0);
    }
}

/* A burst of n segments (the last short by cut bytes, PSH on it when
 * psh) joined whole. */
static void burst(bool v6, size_t ipopt, size_t optlen, int n, size_t cut,
                  bool psh)
{
    static struct seg in[TSO_SEGS_MAX];
    struct tso t = fresh();
    uint8_t hdr[10];
    for (int i = 0; i < n; i++) {
        size_t payload = i == n - 1 ? MSS - cut : MSS;
        mk(&in[i], v6, ipopt, optlen, (uint32_t)(i * MSS), payload,
           i == n - 1 && psh ? 0x18 : 0x10, (uint16_t)(100 + i));
        CHECK(add(&t, in[i].b, in[i].len));
    }
    CHECK_EQ(t.segs, (unsigned)n);
    size_t len = tso_end(&t, hdr);
    CHECK_EQ(t.len, 0);
    cut_and_compare(joined, len, hdr, in, n, v6);
}

static void test_join(void)
{
    burst(false, 0, 0, 2, 0, false);
    burst(false, 0, 0, 30, 700, true);
    burst(false, 4, 12, 10, 1, true);
    burst(true, 0, 0, 40, 0, true);
    burst(true, 0, 12, 3, 1459, false);
    burst(false, 0, 0, 1, 0, false);
    burst(false, 0, 0, 44, 0, false); /* 44 × 1460 + 40 < 65535 */
}

static void test_refused(void)
{
    struct seg a, b;
    struct tso t = fresh();
    uint8_t hdr[10];

    /* Not a candidate to start with: PSH alone, FIN, SYN, no data. */
    mk(&a, false, 0, 0, 0, MSS, 0x18, 1);
    CHECK(!add(&t, a.b, a.len));
    mk(&a, false, 0, 0, 0, MSS, 0x11, 1);
    CHECK(!add(&t, a.b, a.len));
    mk(&a, false, 0, 0, 0, 0, 0x10, 1);
    CHECK(!add(&t, a.b, a.len));
    /* A fragment. */
    mk(&a, false, 0, 0, 0, MSS, 0x10, 1);
    a.b[14 + 6] = 0x20;
    CHECK(!add(&t, a.b, a.len));
    /* Ethernet padding past the IP length. */
    mk(&a, false, 0, 0, 0, 5, 0x10, 1);
    a.len += 3;
    CHECK(!add(&t, a.b, a.len));
    /* The device takes only IPv4. */
    t.want_v6 = false;
    mk(&a, true, 0, 0, 0, MSS, 0x10, 1);
    CHECK(!add(&t, a.b, a.len));
    t = fresh();
    CHECK_EQ(t.len, 0);

    /* After a first segment: each of these is refused and leaves t. */
    mk(&a, false, 0, 0, 0, MSS, 0x10, 1);
    CHECK(add(&t, a.b, a.len));
    mk(&b, false, 0, 0, MSS + 1, MSS, 0x10, 2); /* a gap */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    b.b[14 + 19] = 3; /* another destination */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    b.b[34 + 1] ^= 1; /* another source port */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    b.b[34 + 11] = 78; /* another ack */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    b.b[34 + 15] ^= 1; /* another window */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x11, 2); /* FIN */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    b.b[14 + 8] = 63; /* another TTL */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, false, 0, 12, MSS, MSS - 12, 0x10, 2); /* other options */
    CHECK(!add(&t, b.b, b.len));
    mk(&b, true, 0, 0, MSS, MSS, 0x10, 2); /* IPv6 */
    CHECK(!add(&t, b.b, b.len));
    CHECK_EQ(t.segs, 1);
    /* A short one joins and closes: nothing more after it. */
    mk(&b, false, 0, 0, MSS, 100, 0x10, 2);
    CHECK(add(&t, b.b, b.len));
    mk(&b, false, 0, 0, MSS + 100, MSS, 0x10, 3);
    CHECK(!add(&t, b.b, b.len));
    CHECK_EQ(t.segs, 2);
    tso_end(&t, hdr);

    /* The cap: room for two segments' payload and no more. */
    t = fresh();
    mk(&a, false, 0, 0, 0, MSS, 0x10, 1);
    t.cap = a.len + MSS;
    CHECK(add(&t, a.b, a.len));
    mk(&b, false, 0, 0, MSS, MSS, 0x10, 2);
    CHECK(add(&t, b.b, b.len));
    mk(&b, false, 0, 0, 2 * MSS, MSS, 0x10, 3);
    CHECK(!add(&t, b.b, b.len));
    tso_end(&t, hdr);

    /* 65535 bytes of IP at most: the 45th full segment does not fit. */
    t = fresh();
    for (int i = 0; i < 45; i++) {
        mk(&a, false, 0, 0, (uint32_t)(i * MSS), MSS, 0x10, 1);
        CHECK_EQ(add(&t, a.b, a.len), i < 44);
    }
    tso_end(&t, hdr);

    /* TSO_SEGS_MAX segments at most. */
    t = fresh();
    for (int i = 0; i <= TSO_SEGS_MAX; i++) {
        mk(&a, false, 0, 0, (uint32_t)(i * 100), 100, 0x10, 1);
        CHECK_EQ(add(&t, a.b, a.len), i < TSO_SEGS_MAX);
    }
    tso_end(&t, hdr);

    /* No buffer: nothing is taken. */
    t = fresh();
    t.buf = NULL;
    mk(&a, false, 0, 0, 0, MSS, 0x10, 1);
    CHECK(!add(&t, a.b, a.len));
}

/* Random bytes are never taken past their own length, whatever they
 * claim to be. */
static void test_garbage(void)
{
    static uint8_t f[SEG_MAX];
    struct tso t;
    uint8_t hdr[10];
    srand(7);
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)rand() % sizeof(f);
        for (size_t i = 0; i < len; i++)
            f[i] = (uint8_t)rand();
        if (round & 1) { /* mostly well-formed IPv4 or IPv6 TCP */
            f[12] = round & 2 ? 0x86 : 0x08;
            f[13] = round & 2 ? 0xdd : 0x00;
            f[14] = round & 2 ? 0x60 : 0x45;
            f[14 + 9] = 6, f[14 + 6] = 6;
        }
        static uint8_t out[1514];
        size_t mss = (size_t)rand() % 2000, segs;
        struct netdev_piece rp[2] = {{f, len / 3},
                                     {f + len / 3, len - len / 3}};
        struct tso_cut cut;
        if ((segs = tso_cut_init(&cut, rp, 2, len, mss, sizeof(out))))
            for (size_t i = 0; i < segs; i++) {
                size_t m = cut_one(&cut, rp, 2, i, out);
                CHECK(m <= sizeof(out) && m <= len);
            }
        t = fresh();
        if (add(&t, f, len)) {
            CHECK(t.len == len);
            CHECK(t.hlen < len && t.l4 < t.hlen);
            tso_end(&t, hdr);
        }
    }
}

int main(void)
{
    test_join();
    test_refused();
    test_garbage();
    return check_done();
}
