/*
 * net/udp.c — UDP sockets on lwIP's raw API: received datagrams wait in
 * dgram.c's queue; sends build one pbuf per datagram.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/udp.h"

#define UDP_MAX 65507

struct udp {
    struct udp_pcb *pcb;
    struct dgram_queue queue;
    bool connected;
};

static const struct sock_ops udp_ops;

static struct udp *udp_of(struct sock *s)
{
    return s->proto;
}

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                    const ip_addr_t *addr, u16_t port)
{
    struct sock *s = arg;
    dgram_push(s, &udp_of(s)->queue, p, addr, port);
}

static int ensure_pcb(struct sock *s)
{
    struct udp *u = udp_of(s);
    if (u->pcb)
        return 0;
    u->pcb = udp_new_ip_type(inet_pcb_type(s));
    if (!u->pcb)
        return -ENOBUFS;
    portshare_mark(s, &u->pcb->so_options);
    udp_recv(u->pcb, on_recv, s);
    return 0;
}

static int u_bind(struct sock *s, const struct kaddr *a)
{
    ip_addr_t ip;
    uint16_t port;
    int err = inet_addr_in(a, s->family, &ip, &port);
    if (!err)
        err = ensure_pcb(s);
    if (err)
        return err;
    struct udp *u = udp_of(s);
    if (u->pcb->local_port)
        return -EINVAL;
    inet_any_fixup(s, &ip);
    portshare_mark(s, &u->pcb->so_options);
    if (port) {
        err = portshare_udp_check(u->pcb, &ip, port, u->pcb->so_options);
        if (err)
            return err;
    }
    err_t e = udp_bind(u->pcb, &ip, port);
    return e == ERR_VAL ? -EADDRNOTAVAIL : net_err(e);
}

static int u_connect(struct sock *s, const struct kaddr *a)
{
    uint16_t fam = 0;
    int err = ensure_pcb(s);
    if (err)
        return err;
    struct udp *u = udp_of(s);
    if (a->len >= 2)
        memcpy(&fam, a->b, 2);
    if (fam == AF_UNSPEC) {
        udp_disconnect(u->pcb);
        u->connected = false;
        return 0;
    }
    ip_addr_t ip;
    uint16_t port;
    err = inet_addr_in(a, s->family, &ip, &port);
    if (err)
        return err;
    inet_unspecified_to_loopback(&ip);
    err = net_err(udp_connect(u->pcb, &ip, port));
    if (!err)
        u->connected = true;
    return err;
}

static long u_send(struct sock *s, struct msg *m)
{
    struct udp *u = udp_of(s);
    uint64_t len = msg_left(m);
    ip_addr_t ip;
    uint16_t port = 0;
    int err = ensure_pcb(s);
    if (err)
        return err;
    if (m->addr.len) {
        err = inet_addr_in(&m->addr, s->family, &ip, &port);
        if (err)
            return err;
        inet_unspecified_to_loopback(&ip);
    } else if (!u->connected) {
        return -EDESTADDRREQ;
    }
    if (len > UDP_MAX)
        return -EMSGSIZE;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    if (msg_from_user(m, p->payload, len) != (long)len) {
        pbuf_free(p);
        return -EFAULT;
    }
    inet_pcb_ttl_tos(s, &u->pcb->ttl, &u->pcb->tos);
    err_t e =
        m->addr.len ? udp_sendto(u->pcb, p, &ip, port) : udp_send(u->pcb, p);
    pbuf_free(p);
    if (e == ERR_RTE)
        return -ENETUNREACH;
    return e == ERR_OK ? (long)len : net_err(e);
}

static long u_recv(struct sock *s, struct msg *m)
{
    struct udp *u = udp_of(s);
    while (list_empty(&u->queue.list)) {
        if (s->err) {
            int e = s->err;
            s->err = 0;
            return -e;
        }
        if (sock_nonblock(s, m))
            return -EAGAIN;
        if (!s->file)
            return -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return r;
    }
    return dgram_pop(s, &u->queue, m);
}

static int u_shutdown(struct sock *s, int how)
{
    if (!udp_of(s)->connected)
        return -ENOTCONN;
    sock_notify(s, EPOLLIN | EPOLLHUP);
    return 0;
}

static int u_getname(struct sock *s, struct kaddr *a, bool peer)
{
    struct udp *u = udp_of(s);
    if (peer && !u->connected)
        return -ENOTCONN;
    if (!u->pcb) {
        inet_addr_out(a, s->family, IP_ANY_TYPE, 0);
        return 0;
    }
    if (peer)
        inet_addr_out(a, s->family, &u->pcb->remote_ip, u->pcb->remote_port);
    else
        inet_addr_out(a, s->family, &u->pcb->local_ip, u->pcb->local_port);
    return 0;
}

static uint32_t u_poll(struct sock *s)
{
    uint32_t ev = EPOLLOUT | EPOLLWRNORM;
    if (!list_empty(&udp_of(s)->queue.list))
        ev |= EPOLLIN | EPOLLRDNORM;
    if (s->err)
        ev |= EPOLLERR;
    return ev;
}

static long u_nread(struct sock *s)
{
    return dgram_next_len(&udp_of(s)->queue);
}

static void u_release(struct sock *s)
{
    struct udp *u = udp_of(s);
    dgram_clear(&u->queue);
    if (u->pcb)
        udp_remove(u->pcb);
    sock_free(s);
}

static int u_listen(struct sock *s, int backlog)
{
    return -EOPNOTSUPP;
}

static int u_accept(struct sock *s, struct sock **out)
{
    return -EOPNOTSUPP;
}

static const struct sock_ops udp_ops = {
    .bind = u_bind,
    .listen = u_listen,
    .accept = u_accept,
    .connect = u_connect,
    .send = u_send,
    .recv = u_recv,
    .shutdown = u_shutdown,
    .getname = u_getname,
    .poll = u_poll,
    .setopt = inet_sock_setopt,
    .getopt = inet_sock_getopt,
    .nread = u_nread,
    .release = u_release,
};

int udp_socket(int family, struct sock **out)
{
    struct sock *s =
        sock_alloc(family, SOCK_DGRAM, &udp_ops, sizeof(struct udp));
    if (!s)
        return -ENOMEM;
    dgram_init(&((struct udp *)s->proto)->queue);
    *out = s;
    return 0;
}
