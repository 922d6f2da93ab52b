/*
 * net/netlink.c — AF_NETLINK sockets, NETLINK_ROUTE only, answering the
 * dumps programs use to list interfaces, addresses and routes:
 * RTM_GETLINK and RTM_GETADDR (Go's net.Interfaces and
 * net.InterfaceAddrs, rtnetlink(7)), and RTM_GETROUTE: as a dump, the main
 * table of route.c (as etcd's default-host lookup reads it); without
 * NLM_F_DUMP, the one route to the request's RTA_DST, as `ip route get`
 * and libraries picking a source address ask.
 * Each request's answer is queued as datagrams of at most one page,
 * ending with NLMSG_DONE; anything else is answered with an NLMSG_ERROR
 * of EOPNOTSUPP.
 */
#include "net/route.h"
#include "mm/mm.h"

#include "lwip/netif.h"

#define SOCK_RAW 3
#define NETLINK_ROUTE 0
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define NLM_F_MULTI 2
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define RTN_LOCAL 2
#define RTM_F_CLONED 0x200
#define NLM_F_DUMP 0x300
#define IFLA_ADDRESS 1
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define DGRAM_MAX 4096

struct nlhdr {
    uint32_t len;
    uint16_t type, flags;
    uint32_t seq, pid;
};

struct nlsock {
    struct list rx; /* struct dgram_buf */
    uint32_t pid;
};

struct dgram_buf {
    struct list link;
    size_t len;
    uint8_t data[DGRAM_MAX];
};

static const struct sock_ops nl_ops;

static struct nlsock *nl(struct sock *s)
{
    return s->proto;
}

/* Appends one message (header + payload) to the reply, starting a new
 * datagram when the current one is full. */
struct reply {
    struct nlsock *n;
    struct dgram_buf *cur;
    uint32_t seq;
    int err;
};

/* Sets the length of the message msg_begin returned p for: its payload
 * is used bytes long (the reserved space beyond is given back). */
static void msg_end(struct reply *r, uint8_t *p, size_t used)
{
    uint32_t len = (uint32_t)(sizeof(struct nlhdr) + used);
    memcpy(p - sizeof(struct nlhdr), &len, 4);
    r->cur->len = (size_t)(p - r->cur->data) + ALIGN_UP(used, 4UL);
}

static uint8_t *msg_begin(struct reply *r, uint16_t type, size_t len)
{
    len = ALIGN_UP(len, 4UL);
    if (!r->cur || r->cur->len + len > DGRAM_MAX) {
        struct dgram_buf *d = kzalloc(sizeof(*d));
        if (!d) {
            r->err = -ENOBUFS;
            return NULL;
        }
        list_add_tail(&r->n->rx, &d->link);
        r->cur = d;
    }
    uint8_t *p = r->cur->data + r->cur->len;
    struct nlhdr h = {(uint32_t)len, type, NLM_F_MULTI, r->seq, r->n->pid};
    memcpy(p, &h, sizeof(h));
    r->cur->len += len;
    return p + sizeof(h);
}

/* Writes an rtattr at p; returns the bytes used. */
static size_t attr(uint8_t *p, uint16_t type, const void *data, size_t len)
{
    uint16_t l = (uint16_t)(4 + len), t = type;
    memcpy(p, &l, 2);
    memcpy(p + 2, &t, 2);
    memcpy(p + 4, data, len);
    return ALIGN_UP(4 + len, 4UL);
}

static void dump_links(struct reply *r)
{
    struct netif *nif;
    NETIF_FOREACH(nif)
    {
        char name[16];
        route_if_name(nif, name);
        bool lo = nif->name[0] == 'l';
        uint8_t *p = msg_begin(r, RTM_NEWLINK, 16 + 16 + 12 + 8 + 20);
        if (!p)
            return;
        int32_t index = nif->num + 1;
        uint16_t type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
        uint32_t flags = (netif_is_up(nif) ? IFF_UP | IFF_RUNNING : 0) |
                         (lo ? IFF_LOOPBACK : IFF_BROADCAST | IFF_MULTICAST);
        memcpy(p + 2, &type, 2);
        memcpy(p + 4, &index, 4);
        memcpy(p + 8, &flags, 4);
        size_t off = 16;
        off += attr(p + off, IFLA_IFNAME, name, strlen(name) + 1);
        uint32_t mtu = nif->mtu;
        off += attr(p + off, IFLA_MTU, &mtu, 4);
        uint8_t zero[6] = {0};
        off += attr(p + off, IFLA_ADDRESS, lo ? zero : nif->hwaddr, 6);
        msg_end(r, p, off);
    }
}

static void addr_msg(struct reply *r, const struct netif *nif, int family,
                     const void *a, size_t alen, uint8_t prefix)
{
    uint8_t *p = msg_begin(r, RTM_NEWADDR, 16 + 8 + 2 * (4 + 16) + 20);
    if (!p)
        return;
    uint32_t index = nif->num + 1;
    p[0] = (uint8_t)family;
    p[1] = prefix;
    p[3] = nif->name[0] == 'l' ? 254 : 0; /* RT_SCOPE_HOST / UNIVERSE */
    memcpy(p + 4, &index, 4);
    size_t off = 8;
    off += attr(p + off, IFA_ADDRESS, a, alen);
    off += attr(p + off, IFA_LOCAL, a, alen);
    char name[16];
    route_if_name(nif, name);
    off += attr(p + off, IFA_LABEL, name, strlen(name) + 1);
    msg_end(r, p, off);
}

static void dump_addrs(struct reply *r, int family)
{
    struct netif *nif;
    NETIF_FOREACH(nif)
    {
        const ip4_addr_t *a4 = netif_ip4_addr(nif);
        if ((family == AF_UNSPEC || family == AF_INET) && !ip4_addr_isany(a4)) {
            uint32_t m = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(nif)));
            addr_msg(r, nif, AF_INET, &a4->addr, 4,
                     (uint8_t)__builtin_popcount(m));
        }
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
            if (family != AF_UNSPEC && family != AF_INET6)
                break;
            if (!ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
                continue;
            const ip6_addr_t *a6 = netif_ip6_addr(nif, i);
            addr_msg(r, nif, AF_INET6, a6->addr, 16,
                     ip6_addr_isloopback(a6) ? 128 : 64);
        }
    }
}

/* One route (struct rtmsg and its attributes), in a dump (NLM_F_MULTI)
 * or as the one answer to a request for the route to an address. */
static void route_msg(struct reply *r, const struct route *rt, bool multi)
{
    uint8_t *p = msg_begin(r, RTM_NEWROUTE, 12 + 8 * 4 + 3 * (4 + 16) + 20);
    if (!p)
        return;
    if (!multi)
        memset(p - sizeof(struct nlhdr) + 6, 0, 2); /* nlmsg_flags */
    p[0] = (uint8_t)rt->family;
    p[1] = rt->dst_len;
    /* An IPv4 local answer too: with no policy rules Linux merges its
     * local table into main (fib_trie.c); IPv6 keeps them apart. */
    p[4] = rt->local && rt->family == AF_INET6 ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
    p[5] = rt->protocol;
    p[6] = rt->local                        ? RT_SCOPE_HOST
           : rt->has_gw || rt->dst_len == 0 ? RT_SCOPE_UNIVERSE
                                            : RT_SCOPE_LINK;
    p[7] = rt->local ? RTN_LOCAL : RTN_UNICAST;
    if (!multi)
        p[9] = RTM_F_CLONED >> 8; /* rtm_flags, little-endian */
    size_t off = 12;
    uint32_t table = p[4], oif = rt->nif->num + 1;
    off += attr(p + off, RTA_TABLE, &table, 4);
    if (rt->dst_len)
        off += attr(p + off, RTA_DST, rt->dst, rt->alen);
    if (rt->has_gw)
        off += attr(p + off, RTA_GATEWAY, rt->gw, rt->alen);
    if (rt->has_prefsrc)
        off += attr(p + off, RTA_PREFSRC, rt->prefsrc, rt->alen);
    if (rt->metric)
        off += attr(p + off, RTA_PRIORITY, &rt->metric, 4);
    off += attr(p + off, RTA_OIF, &oif, 4);
    msg_end(r, p, off);
}

static void dump_route(const struct route *rt, void *arg)
{
    route_msg(arg, rt, true);
}

/* The error (or, for 0, the acknowledgement) of request H. */
static void nl_error(struct reply *r, const struct nlhdr *h, int32_t err)
{
    uint8_t *p = msg_begin(r, NLMSG_ERROR, sizeof(*h) + 4 + sizeof(*h));
    if (p) {
        memset(p - sizeof(*h) + 6, 0, 2); /* nlmsg_flags: not a dump's */
        memcpy(p, &err, 4);
        memcpy(p + 4, h, sizeof(*h));
        msg_end(r, p, 4 + sizeof(*h));
    }
}

/* RTM_GETROUTE without NLM_F_DUMP: the route to BODY's RTA_DST (none:
 * the unspecified address), one message and no NLMSG_DONE. */
static void get_route(struct reply *r, const struct nlhdr *h,
                      const uint8_t *body, size_t len)
{
    uint8_t dst[16] = {0};
    int family = body[0];
    size_t alen = family == AF_INET ? 4 : 16;
    for (size_t off = 12; off + 4 <= len;) {
        uint16_t alen_attr, type;
        memcpy(&alen_attr, body + off, 2);
        memcpy(&type, body + off + 2, 2);
        if (alen_attr < 4 || off + alen_attr > len)
            break;
        if (type == RTA_DST && (size_t)alen_attr == 4 + alen)
            memcpy(dst, body + off + 4, alen);
        off += ALIGN_UP((size_t)alen_attr, 4UL);
    }
    struct route rt;
    int err = route_get(family, dst, &rt);
    if (err)
        nl_error(r, h, err);
    else
        route_msg(r, &rt, false);
}

static long n_send(struct sock *s, struct msg *m)
{
    struct nlhdr h;
    uint8_t body[64] = {0};
    uint64_t len = msg_left(m);
    if (len < sizeof(h))
        return -EINVAL;
    if (msg_from_user(m, &h, sizeof(h)) != sizeof(h))
        return -EFAULT;
    if (h.len < sizeof(h) || h.len > len)
        return -EINVAL;
    size_t blen = MIN(sizeof(body), (size_t)h.len - sizeof(h));
    msg_from_user(m, body, blen);
    struct reply r = {nl(s), NULL, h.seq, 0};
    bool done_msg = true;
    if (h.type == RTM_GETROUTE && (h.flags & NLM_F_DUMP) != NLM_F_DUMP) {
        get_route(&r, &h, body, blen);
        done_msg = false;
    } else if (h.type == RTM_GETLINK) {
        dump_links(&r);
    } else if (h.type == RTM_GETADDR) {
        dump_addrs(&r, body[0]);
    } else if (h.type == RTM_GETROUTE) {
        route_foreach(body[0], dump_route, &r);
    } else {
        nl_error(&r, &h, -EOPNOTSUPP);
    }
    uint8_t *done = done_msg ? msg_begin(&r, NLMSG_DONE, sizeof(h) + 4) : NULL;
    if (done) {
        memset(done, 0, 4);
        msg_end(&r, done, 4);
    }
    if (r.err)
        return r.err;
    sock_notify(s, EPOLLIN);
    return (long)len;
}

static long n_recv(struct sock *s, struct msg *m)
{
    struct nlsock *n = nl(s);
    while (list_empty(&n->rx)) {
        if (sock_nonblock(s, m))
            return -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return r;
    }
    struct dgram_buf *d = container_of(n->rx.next, struct dgram_buf, link);
    long c = msg_to_user(m, d->data, MIN(d->len, msg_left(m)));
    if (c < 0)
        return c;
    if ((size_t)c < d->len)
        m->out_flags |= MSG_TRUNC;
    uint16_t fam = AF_NETLINK;
    memset(m->addr.b, 0, 12);
    memcpy(m->addr.b, &fam, 2);
    m->addr.len = 12;
    long len = (m->flags & MSG_TRUNC) ? (long)d->len : c;
    if (!(m->flags & MSG_PEEK)) {
        list_del(&d->link);
        kfree(d);
    }
    return len;
}

static int n_bind(struct sock *s, const struct kaddr *a)
{
    uint16_t fam;
    uint32_t pid;
    if (a->len < 12)
        return -EINVAL;
    memcpy(&fam, a->b, 2);
    memcpy(&pid, a->b + 4, 4);
    if (fam != AF_NETLINK)
        return -EINVAL;
    if (pid)
        nl(s)->pid = pid;
    return 0;
}

static int n_getname(struct sock *s, struct kaddr *a, bool peer)
{
    uint16_t fam = AF_NETLINK;
    uint32_t pid = peer ? 0 : nl(s)->pid;
    memset(a->b, 0, 12);
    memcpy(a->b, &fam, 2);
    memcpy(a->b + 4, &pid, 4);
    a->len = 12;
    return 0;
}

static uint32_t n_poll(struct sock *s)
{
    return EPOLLOUT | (list_empty(&nl(s)->rx) ? 0 : EPOLLIN | EPOLLRDNORM);
}

static int n_connect(struct sock *s, const struct kaddr *a)
{
    return 0;
}

static int n_setopt(struct sock *s, int level, int name, const void *v,
                    uint32_t len)
{
    return level == 1 ? sock_setopt_common(s, name, v, len) : 0;
}

static int n_getopt(struct sock *s, int level, int name, void *v, uint32_t *len)
{
    return level == 1 ? sock_getopt_common(s, name, v, len) : -ENOPROTOOPT;
}

static int n_unsupported(struct sock *s, int x)
{
    return -EOPNOTSUPP;
}

static int n_accept(struct sock *s, struct sock **out)
{
    return -EOPNOTSUPP;
}

static void n_release(struct sock *s)
{
    list_for_each(l, &nl(s)->rx) kfree(container_of(l, struct dgram_buf, link));
    sock_free(s);
}

static const struct sock_ops nl_ops = {
    .bind = n_bind,
    .listen = n_unsupported,
    .accept = n_accept,
    .connect = n_connect,
    .send = n_send,
    .recv = n_recv,
    .shutdown = n_unsupported,
    .getname = n_getname,
    .poll = n_poll,
    .setopt = n_setopt,
    .getopt = n_getopt,
    .release = n_release,
};

int netlink_socket(int type, int proto, struct sock **out)
{
    static uint32_t next_pid = 1;
    if (type != SOCK_RAW && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (proto != NETLINK_ROUTE)
        return -EPROTONOSUPPORT;
    struct sock *s =
        sock_alloc(AF_NETLINK, type, &nl_ops, sizeof(struct nlsock));
    struct nlsock *n = s ? s->proto : NULL;
    if (!n)
        return -ENOMEM;
    list_init(&n->rx);
    n->pid = next_pid++;
    *out = s;
    return 0;
}
