/*
 * net/inet.c — what TCP and UDP sockets share: converting socket addresses
 * (sockaddr_in, sockaddr_in6, IPv4-mapped IPv6) to and from lwIP's, the
 * IPPROTO_IP/IPV6 options, and socket(AF_INET/AF_INET6, ...).
 */
#include "net/inet.h"

#define IPPROTO_IP 0
#define IPPROTO_IPV6 41
#define IP_TTL 2
#define IPV6_V6ONLY 26
#define INET_ECN_MASK 3
#define DEFAULT_TTL 64 /* net.ipv4.ip_default_ttl, ipv6 hop_limit */

/* Reads a socket address for a socket of the given family. */
int inet_addr_in(const struct kaddr *a, int family, ip_addr_t *ip,
                 uint16_t *port)
{
    uint16_t fam;
    if (a->len < 2)
        return -EINVAL;
    memcpy(&fam, a->b, 2);
    if (fam == AF_INET) {
        if (a->len < 16)
            return -EINVAL;
        if (family == AF_INET6)
            return -EAFNOSUPPORT;
        uint32_t v4;
        memcpy(&v4, a->b + 4, 4);
        ip_addr_set_ip4_u32_val(*ip, v4);
    } else if (fam == AF_INET6) {
        if (a->len < 24)
            return -EINVAL;
        if (family == AF_INET)
            return -EAFNOSUPPORT;
        const uint8_t *b = a->b + 8;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                           0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(b, mapped, 12)) {
            uint32_t v4;
            memcpy(&v4, b + 12, 4);
            ip_addr_set_ip4_u32_val(*ip, v4);
        } else {
            uint32_t w[4];
            memcpy(w, b, 16);
            IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
            ip6_addr_clear_zone(ip_2_ip6(ip));
            if (ip6_addr_islinklocal(ip_2_ip6(ip)) && a->len >= 28) {
                uint32_t scope;
                memcpy(&scope, a->b + 24, 4);
                ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)scope);
            }
        }
    } else if (fam == AF_UNSPEC) {
        return -EAFNOSUPPORT;
    } else {
        return -EAFNOSUPPORT;
    }
    uint16_t p;
    memcpy(&p, a->b + 2, 2);
    *port = lwip_ntohs(p);
    return 0;
}

/* Writes an address in the socket's family (IPv4 in an AF_INET6 socket
 * becomes ::ffff:a.b.c.d). */
void inet_addr_out(struct kaddr *a, int family, const ip_addr_t *ip,
                   uint16_t port)
{
    uint16_t p = lwip_htons(port);
    memset(a->b, 0, 28);
    if (family == AF_INET) {
        uint16_t f = AF_INET;
        uint32_t v4 = IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
        memcpy(a->b, &f, 2);
        memcpy(a->b + 2, &p, 2);
        memcpy(a->b + 4, &v4, 4);
        a->len = 16;
        return;
    }
    uint16_t f = AF_INET6;
    memcpy(a->b, &f, 2);
    memcpy(a->b + 2, &p, 2);
    if (IP_IS_V4(ip)) {
        uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));
        if (v4 != 0 || !IP_IS_ANY_TYPE_VAL(*ip)) {
            a->b[18] = a->b[19] = 0xff;
            memcpy(a->b + 20, &v4, 4);
        }
    } else if (IP_IS_V6(ip)) {
        memcpy(a->b + 8, ip_2_ip6(ip)->addr, 16);
        uint32_t scope = ip6_addr_zone(ip_2_ip6(ip));
        memcpy(a->b + 24, &scope, 4);
    }
    a->len = 28;
}

/* Connecting to 0.0.0.0 or :: means this host, as on Linux. */
void inet_unspecified_to_loopback(ip_addr_t *ip)
{
    if (IP_IS_V4(ip) && ip4_addr_isany(ip_2_ip4(ip)))
        ip_addr_set_ip4_u32_val(*ip, PP_HTONL(0x7f000001));
    else if (IP_IS_V6(ip) && ip6_addr_isany(ip_2_ip6(ip)))
        IP_ADDR6(ip, 0, 0, 0, PP_HTONL(1));
}

/* The lwIP address type a socket's pcb is created with. */
u8_t inet_pcb_type(struct sock *s)
{
    if (s->family == AF_INET)
        return IPADDR_TYPE_V4;
    return s->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

/* A bind to :: on a dual-stack socket means any address of either kind. */
void inet_any_fixup(struct sock *s, ip_addr_t *ip)
{
    if (s->family == AF_INET6 && !s->v6only && IP_IS_V6(ip) &&
        ip6_addr_isany(ip_2_ip6(ip)))
        *ip = *IP_ANY_TYPE;
}

/* The IPPROTO_IP and IPPROTO_IPV6 options kept as integers (ip(7),
 * ipv6(7)): where, and the values Linux accepts (others: EINVAL).
 * Booleans store !!value.  They are recorded and read back; the ones
 * asking for control messages (IP_PKTINFO, IP_RECVTOS, IPV6_RECVPKTINFO,
 * IPV6_RECVTCLASS) do not make recvmsg deliver them yet, which programs
 * that ask (quic-go) take as "no ECN, no packet info". */
struct ipopt {
    int level, name;
    int min, max; /* min > max: a boolean */
    size_t off;   /* in struct inet_opts */
};

#define OPT(l, n, lo, hi, f)                                                   \
    {                                                                          \
        l, n, lo, hi, offsetof(struct inet_opts, f)                            \
    }
static const struct ipopt ipopts[] = {
    OPT(IPPROTO_IP, IP_TTL, -1, 255, ttl),
    OPT(IPPROTO_IP, 8 /* IP_PKTINFO */, 1, 0, pktinfo),
    OPT(IPPROTO_IP, 10 /* IP_MTU_DISCOVER */, 0, 5, pmtudisc),
    OPT(IPPROTO_IP, 13 /* IP_RECVTOS */, 1, 0, recvtos),
    OPT(IPPROTO_IP, 15 /* IP_FREEBIND */, 1, 0, freebind),
    OPT(IPPROTO_IP, 24 /* IP_BIND_ADDRESS_NO_PORT */, 1, 0, bind_no_port),
    OPT(IPPROTO_IPV6, 16 /* IPV6_UNICAST_HOPS */, -1, 255, hops),
    OPT(IPPROTO_IPV6, 23 /* IPV6_MTU_DISCOVER */, 0, 5, pmtudisc6),
    OPT(IPPROTO_IPV6, 49 /* IPV6_RECVPKTINFO */, 1, 0, recvpktinfo6),
    OPT(IPPROTO_IPV6, 66 /* IPV6_RECVTCLASS */, 1, 0, recvtclass),
    OPT(IPPROTO_IPV6, 67 /* IPV6_TCLASS */, -1, 255, tclass),
};

void inet_opts_init(struct inet_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->ttl = o->hops = -1;          /* the defaults */
    o->pmtudisc = o->pmtudisc6 = 1; /* IP_PMTUDISC_WANT */
}

/* The option, or NULL; *err says why not (ENOPROTOOPT, or an IPv6 one on
 * an IPv4 socket: Linux gives ENOPROTOOPT too, while an IPv6 socket takes
 * the IPv4 ones for its IPv4 traffic). */
static const struct ipopt *ipopt_find(struct sock *s, int level, int name)
{
    if (level == IPPROTO_IPV6 && s->family != AF_INET6)
        return NULL;
    for (unsigned i = 0; i < ARRAY_SIZE(ipopts); i++)
        if (ipopts[i].level == level && ipopts[i].name == name)
            return &ipopts[i];
    return NULL;
}

static int *ipopt_field(struct sock *s, const struct ipopt *o)
{
    return (int *)((char *)&s->ip + o->off);
}

int inet_setopt(struct sock *s, int level, int name, const void *v,
                uint32_t len)
{
    int i;
    if (len < sizeof(int))
        return -EINVAL;
    memcpy(&i, v, sizeof(int));
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
        if (s->family != AF_INET6)
            return -ENOPROTOOPT;
        s->v6only = i;
        return 0;
    }
    if (level == IPPROTO_IP && name == IP_TOS) {
        /* TCP owns the ECN bits of its connections' TOS (ip(7)). */
        if (s->type == SOCK_STREAM)
            i = (i & ~INET_ECN_MASK) | (s->ip.tos & INET_ECN_MASK);
        s->ip.tos = i & 0xff;
        return 0;
    }
    const struct ipopt *o = ipopt_find(s, level, name);
    if (!o)
        return -ENOPROTOOPT;
    if (o->min > o->max)
        i = i != 0;
    else if (i < o->min || i > o->max || (name == IP_TTL && i == 0))
        return -EINVAL;
    if (o->off == offsetof(struct inet_opts, tclass) && i == -1)
        i = 0; /* -1: the default traffic class */
    *ipopt_field(s, o) = i;
    return 0;
}

int inet_getopt(struct sock *s, int level, int name, void *v, uint32_t *len)
{
    int i;
    const struct ipopt *o = ipopt_find(s, level, name);
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->family == AF_INET6)
        i = s->v6only;
    else if (level == IPPROTO_IP && name == IP_TOS)
        i = s->ip.tos;
    else if (!o)
        return -ENOPROTOOPT;
    else
        i = *ipopt_field(s, o);
    if (o && o->min == -1 && o->max == 255 && i == -1)
        i = DEFAULT_TTL; /* IP_TTL, IPV6_UNICAST_HOPS */
    if (*len < sizeof(int))
        return -EINVAL;
    memcpy(v, &i, sizeof(int));
    *len = sizeof(int);
    return 0;
}

int inet_sock_setopt(struct sock *s, int level, int name, const void *v,
                     uint32_t len)
{
    if (level == 1 /* SOL_SOCKET */)
        return sock_setopt_common(s, name, v, len);
    return inet_setopt(s, level, name, v, len);
}

int inet_sock_getopt(struct sock *s, int level, int name, void *v,
                     uint32_t *len)
{
    if (level == 1 /* SOL_SOCKET */)
        return sock_getopt_common(s, name, v, len);
    return inet_getopt(s, level, name, v, len);
}

void inet_pcb_ttl_tos(const struct sock *s, u8_t *ttl, u8_t *tos)
{
    int t = s->family == AF_INET6 ? s->ip.hops : s->ip.ttl;
    *ttl = (u8_t)(t == -1 ? DEFAULT_TTL : t);
    *tos = (u8_t)(s->family == AF_INET6 ? s->ip.tclass : s->ip.tos);
}

static int inet_socket_new(int family, int type, int proto, struct sock **out)
{
    if (type == SOCK_STREAM && (proto == 0 || proto == 6))
        return tcp_socket(family, out);
    if (type == SOCK_DGRAM && (proto == 0 || proto == 17))
        return udp_socket(family, out);
    if (type == 3) /* SOCK_RAW: the program is root */
        return raw_socket(family, proto, out);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    return -EPROTONOSUPPORT;
}

int inet_socket(int family, int type, int proto, struct sock **out)
{
    int err = inet_socket_new(family, type, proto, out);
    if (!err)
        inet_opts_init(&(*out)->ip);
    return err;
}
