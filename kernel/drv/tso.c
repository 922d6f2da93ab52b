/*
 * drv/tso.c — joining a burst of TCP segments into one for a device that
 * segments (see tso.h).
 */
#include "drv/tso.h"

#define ETH_HLEN 14
#define IP_MAX 65535
#define TCP_ACK 0x10
#define TCP_PSH 0x08
#define TCP_FIN 0x01
#define TCP_CWR 0x80

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* The IPv4 header at ip, ihl bytes long, given its checksum. */
static void ip4_checksum(uint8_t *ip, size_t ihl)
{
    put16(ip + 10, 0);
    put16(ip + 10, (uint16_t)~fold(sum16(0, ip, ihl)));
}

/* tso_tcp_offset for a frame of len bytes of which the first avail are
 * at f: only those are read (the IP header must be among them). */
static size_t tcp_offset(const uint8_t *f, size_t avail, size_t len,
                         uint16_t *pseudo)
{
    const uint8_t *ip = f + ETH_HLEN;
    uint32_t sum;
    size_t off, tcp_len;
    if (len < ETH_HLEN + 40 || avail < ETH_HLEN + 40)
        return 0;
    if (f[12] == 0x08 && f[13] == 0x00 && (ip[0] >> 4) == 4) {
        size_t ihl = (size_t)(ip[0] & 15) * 4, tot = be16(ip + 2);
        if (ip[9] != 6 || ihl < 20 || tot > len - ETH_HLEN || tot < ihl + 20 ||
            ((ip[6] & 0x3f) | ip[7])) /* MF or an offset: a fragment */
            return 0;
        off = ETH_HLEN + ihl;
        tcp_len = tot - ihl;
        sum = sum16(0, ip + 12, 8);
    } else if (f[12] == 0x86 && f[13] == 0xdd && (ip[0] >> 4) == 6) {
        size_t pl = be16(ip + 4);
        if (ip[6] != 6 || len < ETH_HLEN + 60 || pl + 40 > len - ETH_HLEN ||
            pl < 20)
            return 0;
        off = ETH_HLEN + 40;
        tcp_len = pl;
        sum = sum16(0, ip + 8, 32);
    } else {
        return 0;
    }
    if (off + 20 > avail)
        return 0;
    *pseudo = fold(sum + 6 + (uint32_t)tcp_len);
    return off;
}

size_t tso_tcp_offset(const uint8_t *f, size_t len, uint16_t *pseudo)
{
    return tcp_offset(f, len, len, pseudo);
}

/* The TCP header's offset and the payload's, with the payload's length,
 * of a frame of len bytes that may join, from its first got bytes (its
 * headers must be among them): TCP, data, flags ACK or ACK|PSH, and the
 * frame no longer than its IP header says (Ethernet padding aside). */
static bool segment(const uint8_t *f, size_t got, size_t len, size_t *l4,
                    size_t *hlen, size_t *payload)
{
    uint16_t pseudo;
    size_t off = tcp_offset(f, got, len, &pseudo);
    if (!off)
        return false;
    size_t doff = (size_t)(f[off + 12] >> 4) * 4;
    const uint8_t *ip = f + ETH_HLEN;
    size_t end =
        f[12] == 0x08 ? ETH_HLEN + be16(ip + 2) : ETH_HLEN + 40 + be16(ip + 4);
    uint8_t flags = f[off + 13];
    if (doff < 20 || off + doff > got || off + doff >= end || end != len ||
        (flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH)))
        return false;
    *l4 = off;
    *hlen = off + doff;
    *payload = end - *hlen;
    return true;
}

/* Whether f's headers are t's but for what each segment has of its own:
 * the IP lengths, IPv4 ID and header checksum, the TCP sequence number,
 * flags (checked by the caller) and checksum. */
static bool same_flow(const struct tso *t, const uint8_t *f)
{
    const uint8_t *a = t->buf, *b = f;
    size_t ip = ETH_HLEN, l4 = t->l4;
    if (t->v6) {
        if (memcmp(a, b, ip + 4) || memcmp(a + ip + 6, b + ip + 6, 34))
            return false;
    } else {
        if (memcmp(a, b, ip + 2) || memcmp(a + ip + 6, b + ip + 6, 4) ||
            memcmp(a + ip + 12, b + ip + 12, l4 - ip - 12))
            return false;
    }
    return !memcmp(a + l4, b + l4, 4) &&           /* ports */
           !memcmp(a + l4 + 8, b + l4 + 8, 5) &&   /* ack, data offset */
           !memcmp(a + l4 + 14, b + l4 + 14, 2) && /* window */
           !memcmp(a + l4 + 18, b + l4 + 18, t->hlen - l4 - 18);
}

/* Copies count bytes of the frame made of pieces p[0..n), from byte
 * from on, to dst. */
static void pieces_copy(uint8_t *dst, const struct netdev_piece *p, int n,
                        size_t from, size_t count)
{
    for (int i = 0; i < n && count; i++) {
        if (from >= p[i].len) {
            from -= p[i].len;
            continue;
        }
        size_t c = MIN(p[i].len - from, count);
        memcpy(dst, (const uint8_t *)p[i].data + from, c);
        dst += c;
        count -= c;
        from = 0;
    }
}

static bool take_first(struct tso *t, const uint8_t *h,
                       const struct netdev_piece *p, int n, size_t len,
                       size_t l4, size_t hlen, size_t payload)
{
    bool v6 = h[12] == 0x86;
    if (len > t->cap || (v6 ? !t->want_v6 : !t->want_v4) ||
        (h[l4 + 13] & TCP_PSH))
        return false;
    pieces_copy(t->buf, p, n, 0, len);
    t->len = len;
    t->l4 = l4;
    t->hlen = hlen;
    t->mss = payload;
    t->next_seq = be32(h + l4 + 4) + (uint32_t)payload;
    t->segs = 1;
    t->v6 = v6;
    t->closed = false;
    return true;
}

bool tso_add(struct tso *t, const struct netdev_piece *p, int n, size_t len)
{
    uint8_t h[TSO_HDR_MAX];
    size_t l4, hlen, payload, got = MIN(len, sizeof(h));
    if (!t->buf)
        return false;
    /* The headers, contiguous (the payload is copied from the pieces). */
    pieces_copy(h, p, n, 0, got);
    if (!segment(h, got, len, &l4, &hlen, &payload))
        return false;
    if (t->len == 0)
        return take_first(t, h, p, n, len, l4, hlen, payload);
    if (t->closed || l4 != t->l4 || hlen != t->hlen || payload > t->mss ||
        t->segs == TSO_SEGS_MAX || t->len + payload > t->cap ||
        t->len + payload - ETH_HLEN > IP_MAX ||
        be32(h + l4 + 4) != t->next_seq || !same_flow(t, h))
        return false;
    pieces_copy(t->buf + t->len, p, n, hlen, payload);
    t->len += payload;
    t->next_seq += (uint32_t)payload;
    t->segs++;
    if (h[l4 + 13] & TCP_PSH) {
        t->buf[l4 + 13] |= TCP_PSH;
        t->closed = true;
    }
    if (payload < t->mss)
        t->closed = true;
    return true;
}

bool tso_csum(uint8_t *f, size_t len, uint8_t hdr[10])
{
    uint16_t pseudo;
    size_t off = tso_tcp_offset(f, len, &pseudo);
    memset(hdr, 0, 10);
    if (!off)
        return false;
    put16(f + off + 16, pseudo);
    hdr[0] = 1;            /* NEEDS_CSUM */
    hdr[6] = (uint8_t)off; /* csum_start, le16 */
    hdr[7] = (uint8_t)(off >> 8);
    hdr[8] = 16; /* csum_offset: the TCP checksum field */
    return true;
}

size_t tso_end(struct tso *t, uint8_t hdr[10])
{
    uint8_t *ip = t->buf + ETH_HLEN;
    size_t len = t->len;
    if (t->v6) {
        put16(ip + 4, (uint16_t)(len - ETH_HLEN - 40));
    } else {
        put16(ip + 2, (uint16_t)(len - ETH_HLEN));
        ip4_checksum(ip, t->l4 - ETH_HLEN);
    }
    tso_csum(t->buf, len, hdr);
    if (t->segs > 1) {
        hdr[1] = t->v6 ? TSO_GSO_TCPV6 : TSO_GSO_TCPV4;
        hdr[2] = (uint8_t)t->hlen; /* hdr_len, le16 */
        hdr[3] = (uint8_t)(t->hlen >> 8);
        hdr[4] = (uint8_t)t->mss; /* gso_size */
        hdr[5] = (uint8_t)(t->mss >> 8);
    }
    t->len = 0;
    return len;
}

size_t tso_cut_init(struct tso_cut *c, const struct netdev_piece *p, int np,
                    size_t len, size_t mss, size_t cap)
{
    uint16_t pseudo;
    size_t got = MIN(len, sizeof(c->h));
    pieces_copy(c->h, p, np, 0, got);
    size_t off = tcp_offset(c->h, got, len, &pseudo);
    if (!off || mss == 0)
        return 0;
    const uint8_t *ip = c->h + ETH_HLEN;
    c->v6 = c->h[12] == 0x86;
    c->off = off;
    c->hlen = off + (size_t)(c->h[off + 12] >> 4) * 4;
    size_t end = c->v6 ? ETH_HLEN + 40 + be16(ip + 4) : ETH_HLEN + be16(ip + 2);
    if (c->hlen < off + 20 || c->hlen > got || c->hlen >= end ||
        c->hlen + MIN(mss, end - c->hlen) > cap)
        return 0;
    c->payload = end - c->hlen;
    c->mss = mss;
    return (c->payload + mss - 1) / mss;
}

int tso_cut(const struct tso_cut *c, const struct netdev_piece *p, int np,
            size_t i, uint8_t *hdr, struct netdev_piece *out, size_t *len)
{
    size_t start = i * c->mss, n = MIN(c->mss, c->payload - start);
    bool last = start + n == c->payload;
    memcpy(hdr, c->h, c->hlen);
    uint8_t *ip = hdr + ETH_HLEN, *tcp = hdr + c->off;
    if (c->v6) {
        put16(ip + 4, (uint16_t)(c->hlen - ETH_HLEN - 40 + n));
    } else {
        put16(ip + 2, (uint16_t)(c->hlen - ETH_HLEN + n));
        put16(ip + 4, (uint16_t)(be16(c->h + ETH_HLEN + 4) + i));
        ip4_checksum(ip, c->off - ETH_HLEN);
    }
    put32(tcp + 4, be32(c->h + c->off + 4) + (uint32_t)start);
    if (!last)
        tcp[13] &= (uint8_t) ~(TCP_PSH | TCP_FIN);
    if (i > 0)
        tcp[13] &= (uint8_t)~TCP_CWR;
    /* the payload where it lies: bytes [from, from + n) of p */
    int k = 0;
    out[k++] = (struct netdev_piece){hdr, c->hlen};
    size_t from = c->hlen + start, left = n;
    for (int j = 0; j < np && left; j++) {
        if (from >= p[j].len) {
            from -= p[j].len;
            continue;
        }
        size_t m = MIN(p[j].len - from, left);
        out[k++] = (struct netdev_piece){(const uint8_t *)p[j].data + from, m};
        left -= m;
        from = 0;
    }
    *len = c->hlen + n;
    return k;
}
