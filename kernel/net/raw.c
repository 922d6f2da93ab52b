/*
 * net/raw.c — raw IP sockets (SOCK_RAW) on lwIP's raw API, which the
 * program may open as it runs as root: each receives copies of the
 * packets of its protocol (IPv4: with the IP header, as Linux gives them;
 * IPv6: without), and sends payloads lwIP wraps in an IP header.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/raw.h"

#define SOL_SOCKET 1

struct rdgram {
    struct list link;
    struct pbuf *p;
    ip_addr_t src;
};

struct rawsock {
    struct raw_pcb *pcb;
    struct list queue;
    size_t queued;
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
    if (r->queued + p->tot_len > (size_t)s->rcvbuf)
        return 0;
    struct pbuf *c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
    struct rdgram *d = c ? kmalloc(sizeof(*d)) : NULL;
    if (!d) {
        if (c)
            pbuf_free(c);
        return 0;
    }
    d->p = c;
    d->src = *addr;
    list_add_tail(&r->queue, &d->link);
    r->queued += c->tot_len;
    sock_notify(s, EPOLLIN);
    return 0; /* others (the stack itself) see the packet too */
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
    while (list_empty(&r->queue)) {
        if (sock_nonblock(s, m))
            return -EAGAIN;
        int e = sock_wait(s, false);
        if (e)
            return e;
    }
    struct rdgram *d = container_of(r->queue.next, struct rdgram, link);
    uint64_t len = d->p->tot_len;
    long n = msg_to_user(m, d->p->payload, MIN(len, msg_left(m)));
    if (n < 0)
        return n;
    if ((uint64_t)n < len)
        m->out_flags |= MSG_TRUNC;
    inet_addr_out(&m->addr, s->family, &d->src, 0);
    if (!(m->flags & MSG_PEEK)) {
        list_del(&d->link);
        r->queued -= len;
        pbuf_free(d->p);
        kfree(d);
    }
    return (m->flags & MSG_TRUNC) ? (long)len : n;
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
           (list_empty(&rs(s)->queue) ? 0 : EPOLLIN | EPOLLRDNORM);
}

static int r_setopt(struct sock *s, int level, int name, const void *v,
                    uint32_t len)
{
    if (level == SOL_SOCKET)
        return sock_setopt_common(s, name, v, len);
    return inet_setopt(s, level, name, v, len);
}

static int r_getopt(struct sock *s, int level, int name, void *v, uint32_t *len)
{
    if (level == SOL_SOCKET)
        return sock_getopt_common(s, name, v, len);
    return inet_getopt(s, level, name, v, len);
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
    list_for_each(l, &r->queue)
    {
        struct rdgram *d = container_of(l, struct rdgram, link);
        pbuf_free(d->p);
        kfree(d);
    }
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
    .setopt = r_setopt,
    .getopt = r_getopt,
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
    list_init(&r->queue);
    raw_recv(r->pcb, on_recv, s);
    *out = s;
    return 0;
}
