/*
 * net/udp.c — UDP sockets on lwIP's raw API: received datagrams wait in
 * dgram.c's queue; sends build one pbuf per datagram.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/ip.h"
#include "lwip/netif.h"
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

/* Whether IP is one of the interfaces' addresses (127/8 counts). */
static bool local_addr(const ip_addr_t *ip)
{
    struct netif *nif;
    if (IP_IS_V4(ip) && ip4_addr_isloopback(ip_2_ip4(ip)))
        return true;
    NETIF_FOREACH(nif)
    {
        if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(nif)))
            return true;
        if (IP_IS_V6(ip) && netif_get_ip6_addr_match(nif, ip_2_ip6(ip)) >= 0)
            return true;
    }
    return false;
}

/* The source a sendmsg's IP_PKTINFO or IPV6_PKTINFO chose for a datagram
 * to DST: *src (IP_ANY: none) and *nif (NULL: routed).  An IPv4 datagram
 * takes IP_PKTINFO's ipi_spec_dst or a v4-mapped IPV6_PKTINFO address; an
 * IPv6 one only IPV6_PKTINFO.  Linux's errors for an address not ours:
 * ENETUNREACH (IPv4: no output route from it, route.c's
 * ip_route_output_key_hash_rcu) or EINVAL (IPv6: ip6_datagram_send_ctl);
 * ENODEV for no such interface. */
static int pktinfo_src(const struct msg *m, const ip_addr_t *dst,
                       ip_addr_t *src, struct netif **nif)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    uint32_t w[4];
    *src = *(IP_IS_V4(dst) ? IP4_ADDR_ANY : IP6_ADDR_ANY);
    *nif = NULL;
    if (m->src_family == 0 || (m->src_family == AF_INET && !IP_IS_V4(dst)))
        return 0;
    memcpy(w, m->src, 16);
    if (IP_IS_V4(dst) && m->src_family == AF_INET6) {
        if (memcmp(m->src, mapped, 12))
            return (w[0] | w[1] | w[2] | w[3]) == 0 ? 0 : -EINVAL;
        w[0] = w[3];
    }
    if (IP_IS_V4(dst))
        ip_addr_set_ip4_u32_val(*src, w[0]);
    else
        IP_ADDR6(src, w[0], w[1], w[2], w[3]);
    if (m->src_ifindex && !(*nif = netif_get_by_index((u8_t)m->src_ifindex)))
        return -ENODEV;
    if (!ip_addr_isany(src) && !local_addr(src))
        return IP_IS_V4(dst) ? -ENETUNREACH : -EINVAL;
    if (!*nif && !ip_addr_isany(src))
        *nif = ip_route(src, dst);
    return 0;
}

/* Sends P to IP:PORT (connected: the peer), from the source and with the
 * TOS or traffic class the control messages asked for. */
static err_t send_one(struct sock *s, struct msg *m, struct pbuf *p,
                      const ip_addr_t *ip, uint16_t port)
{
    struct udp *u = udp_of(s);
    ip_addr_t src;
    struct netif *nif;
    inet_pcb_ttl_tos(s, &u->pcb->ttl, &u->pcb->tos);
    if (IP_IS_V4(ip) && m->tos >= 0)
        u->pcb->tos = (u8_t)m->tos;
    if (!IP_IS_V4(ip) && m->tclass >= 0)
        u->pcb->tos = (u8_t)m->tclass;
    int err = pktinfo_src(m, ip, &src, &nif);
    if (err)
        return err == -ENODEV ? ERR_IF : err == -EINVAL ? ERR_VAL : ERR_RTE;
    if (ip_addr_isany(&src) && !nif)
        return udp_sendto(u->pcb, p, ip, port);
    if (!nif)
        nif = ip_route(&u->pcb->local_ip, ip);
    if (!nif)
        return ERR_RTE;
    return udp_sendto_if_src(u->pcb, p, ip, port, nif, &src);
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
    if (!m->addr.len) {
        ip = u->pcb->remote_ip;
        port = u->pcb->remote_port;
    }
    err_t e = send_one(s, m, p, &ip, port);
    pbuf_free(p);
    if (e == ERR_RTE)
        return -ENETUNREACH;
    if (e == ERR_VAL && m->src_family)
        return -EINVAL;
    if (e == ERR_IF)
        return -ENODEV;
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
