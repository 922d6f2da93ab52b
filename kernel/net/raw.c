/*
 * net/raw.c — raw IP sockets (SOCK_RAW) on lwIP's raw API, which the
 * program may open as it runs as root: each receives copies of the
 * packets of its protocol (IPv4: with the IP header, as Linux gives them;
 * IPv6: without), queued in dgram.c's queue, and sends payloads lwIP
 * wraps in an IP header.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/raw.h"

struct rawsock {
    struct raw_pcb *pcb;
    struct dgram_queue queue;
    bool connected;
};

static struct rawsock *rs(struct sock *s)
{
    return s->proto;
}

static u8_t on_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
                    const ip_addr_t *addr)
{
    struct sock *s = arg;
    struct rawsock *r = rs(s);
    /* A copy: others (the stack itself) see the packet too. */
    struct pbuf *c = r->queue.bytes + p->tot_len <= (size_t)s->rcvbuf
                         ? pbuf_clone(PBUF_RAW, PBUF_RAM, p)
                         : NULL;
    if (c)
        dgram_push(s, &r->queue, c, addr, 0);
    return 0;
}

static int r_bind(struct sock *s, const struct kaddr *a)
{
    ip_addr_t ip;
    uint16_t port;
    int err = inet_addr_in(a, s->family, &ip, &port);
    if (err)
        return err;
    inet_any_fixup(s, &ip);
    err_t e = raw_bind(rs(s)->pcb, &ip);
    return e == ERR_VAL ? -EADDRNOTAVAIL : net_err(e);
}

static int r_connect(struct sock *s, const struct kaddr *a)
{
    ip_addr_t ip;
    uint16_t port;
    int err = inet_addr_in(a, s->family, &ip, &port);
    if (err)
        return err;
    inet_unspecified_to_loopback(&ip);
    err = net_err(raw_connect(rs(s)->pcb, &ip));
    if (!err)
        rs(s)->connected = true;
    return err;
}

static long r_send(struct sock *s, struct msg *m)
{
    struct rawsock *r = rs(s);
    uint64_t len = msg_left(m);
    ip_addr_t ip;
    uint16_t port;
    if (m->addr.len) {
        int err = inet_addr_in(&m->addr, s->family, &ip, &port);
        if (err)
            return err;
        inet_unspecified_to_loopback(&ip);
    } else if (r->connected) {
        ip = r->pcb->remote_ip;
    } else {
        return -EDESTADDRREQ;
    }
    if (len > 65507)
        return -EMSGSIZE;
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)len, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    if (msg_from_user(m, p->payload, len) != (long)len) {
        pbuf_free(p);
        return -EFAULT;
    }
    err_t e = raw_sendto(r->pcb, p, &ip);
    pbuf_free(p);
    return e == ERR_OK ? (long)len : net_err(e);
}

static long r_recv(struct sock *s, struct msg *m)
{
    struct rawsock *r = rs(s);
    while (list_empty(&r->queue.list)) {
        if (sock_nonblock(s, m))
            return -EAGAIN;
        int e = sock_wait(s, false);
        if (e)
            return e;
    }
    return dgram_pop(s, &r->queue, m);
}

static int r_getname(struct sock *s, struct kaddr *a, bool peer)
{
    struct rawsock *r = rs(s);
    if (peer && !r->connected)
        return -ENOTCONN;
    inet_addr_out(a, s->family, peer ? &r->pcb->remote_ip : &r->pcb->local_ip,
                  0);
    return 0;
}

static uint32_t r_poll(struct sock *s)
{
    return EPOLLOUT | EPOLLWRNORM |
           (list_empty(&rs(s)->queue.list) ? 0 : EPOLLIN | EPOLLRDNORM);
}

static int r_unsupported(struct sock *s, int x)
{
    return -EOPNOTSUPP;
}

static int r_accept(struct sock *s, struct sock **out)
{
    return -EOPNOTSUPP;
}

static void r_release(struct sock *s)
{
    struct rawsock *r = rs(s);
    dgram_clear(&r->queue);
    raw_remove(r->pcb);
    sock_free(s);
}

static const struct sock_ops raw_ops = {
    .bind = r_bind,
    .listen = r_unsupported,
    .accept = r_accept,
    .connect = r_connect,
    .send = r_send,
    .recv = r_recv,
    .shutdown = r_unsupported,
    .getname = r_getname,
    .poll = r_poll,
    .setopt = inet_sock_setopt,
    .getopt = inet_sock_getopt,
    .release = r_release,
};

int raw_socket(int family, int proto, struct sock **out)
{
    if (proto <= 0 || proto > 255)
        return -EPROTONOSUPPORT;
    struct sock *s =
        sock_alloc(family, 3 /* SOCK_RAW */, &raw_ops, sizeof(struct rawsock));
    struct rawsock *r = s ? s->proto : NULL;
    if (r)
        r->pcb = raw_new_ip_type(
            family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6, (u8_t)proto);
    if (!r || !r->pcb) {
        if (s)
            sock_free(s);
        return -ENOBUFS;
    }
    dgram_init(&r->queue);
    raw_recv(r->pcb, on_recv, s);
    *out = s;
    return 0;
}
