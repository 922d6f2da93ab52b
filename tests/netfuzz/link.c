/*
 * tests/netfuzz/link.c — the link to the guest: QEMU's stream netdev
 * connects to our Unix socket and carries each Ethernet frame behind its
 * length (4 bytes, big-endian), both ways.  Also the byte-order, checksum
 * and header helpers every frame builder uses.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "netfuzz.h"

static struct {
    int fd;
    link_rx_fn rx;
    void (*idle)(void);
    uint8_t in[4 + FRAME_MAX * 4];
    size_t in_len;
} lk = {.fd = -1};

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int link_listen(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || strlen(path) >= sizeof(a.sun_path))
        return -1;
    strcpy(a.sun_path, path);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int link_accept(int lfd, int timeout_ms)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    lk.fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    return lk.fd;
}

void link_set_rx(link_rx_fn fn)
{
    lk.rx = fn;
}

/* Hands every whole frame in the input buffer to the receiver, taking
 * each out first: the receiver may send, which reads (and dispatches)
 * more. */
static void dispatch(void)
{
    while (lk.in_len >= 4) {
        uint8_t f[FRAME_MAX];
        uint32_t n = get32(lk.in);
        if (n > FRAME_MAX) { /* not a frame QEMU would send: resync */
            lk.in_len = 0;
            return;
        }
        if (lk.in_len - 4 < n)
            return;
        memcpy(f, lk.in + 4, n);
        lk.in_len -= 4 + n;
        memmove(lk.in, lk.in + 4 + n, lk.in_len);
        if (lk.rx)
            lk.rx(f, n);
    }
}

/* Reads what is there: 0, or -1 at end of stream. */
static int read_some(void)
{
    ssize_t r = read(lk.fd, lk.in + lk.in_len, sizeof(lk.in) - lk.in_len);
    if (r == 0)
        return -1;
    if (r < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    lk.in_len += (size_t)r;
    dispatch();
    return 0;
}

void link_set_idle(void (*fn)(void))
{
    lk.idle = fn;
}

int link_pump(int ms, const bool *done)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (!(done && *done)) {
        uint64_t t = now_ms();
        if (t >= end)
            break;
        int wait = (int)(end - t);
        if (lk.idle) {
            lk.idle();
            wait = wait < 2 ? wait : 2;
        }
        struct pollfd p = {.fd = lk.fd, .events = POLLIN};
        int r = poll(&p, 1, wait);
        if (r > 0 && read_some() < 0)
            return -1;
    }
    return 0;
}

int link_send(const uint8_t *f, size_t len)
{
    uint8_t buf[4 + FRAME_MAX];
    size_t at = 0, total = 4 + len;
    put32(buf, (uint32_t)len);
    memcpy(buf + 4, f, len);
    uint64_t give_up = now_ms() + 10000;
    while (at < total) {
        struct pollfd p = {.fd = lk.fd, .events = POLLIN | POLLOUT};
        /* QEMU takes nothing while the guest posts no receive buffer:
         * 10 s of that and the guest is wedged. */
        if (now_ms() > give_up || poll(&p, 1, 1000) < 0)
            return -1;
        if ((p.revents & POLLIN) && read_some() < 0)
            return -1;
        if (p.revents & (POLLERR | POLLHUP))
            return -1;
        if (!(p.revents & POLLOUT))
            continue;
        ssize_t w = write(lk.fd, buf + at, total - at);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        at += w > 0 ? (size_t)w : 0;
    }
    return 0;
}

/* --- bytes and checksums (RFC 1071) */

void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

uint32_t csum_partial(uint32_t sum, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += get16(b + i);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    return sum;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t csum_add(uint32_t sum, const void *p, size_t n)
{
    return csum_fold(csum_partial(sum, p, n));
}

uint16_t l4_csum4(const uint8_t *src, const uint8_t *dst, int proto,
                  const uint8_t *seg, size_t len)
{
    uint32_t s = csum_partial(0, src, 4);
    s = csum_partial(s, dst, 4);
    s += (uint32_t)proto + (uint32_t)len;
    return csum_add(s, seg, len);
}

uint16_t l4_csum6(const uint8_t *src, const uint8_t *dst, int proto,
                  const uint8_t *seg, size_t len)
{
    uint32_t s = csum_partial(0, src, 16);
    s = csum_partial(s, dst, 16);
    s += (uint32_t)proto + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
    return csum_add(s, seg, len);
}

size_t eth_hdr(uint8_t *f, const uint8_t *dst, const uint8_t *src, int type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, (uint16_t)type);
    return ETH_HLEN;
}

void ip4_hdr(uint8_t *h, int proto, const uint8_t *src, const uint8_t *dst,
             size_t plen, uint16_t id)
{
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(20 + plen));
    put16(h + 4, id);
    h[8] = 64;
    h[9] = (uint8_t)proto;
    memcpy(h + 12, src, 4);
    memcpy(h + 16, dst, 4);
    put16(h + 10, csum_add(0, h, 20));
}

void ip6_hdr(uint8_t *h, int nh, const uint8_t *src, const uint8_t *dst,
             size_t plen)
{
    memset(h, 0, 40);
    h[0] = 0x60;
    put16(h + 4, (uint16_t)plen);
    h[6] = (uint8_t)nh;
    h[7] = 64;
    memcpy(h + 8, src, 16);
    memcpy(h + 24, dst, 16);
}
