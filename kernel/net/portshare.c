/*
 * net/portshare.c — who may bind a local port another socket holds, with
 * Linux's rules (socket(7) SO_REUSEADDR, SO_REUSEPORT; Linux's
 * inet_csk_bind_conflict() and udp_lib_lport_inuse()):
 *
 *   two bindings of one port conflict when their addresses overlap (equal,
 *   or either the wildcard of a family the other covers: a dual-stack ::
 *   covers IPv4 too, an IPV6_V6ONLY :: does not), unless both sockets set
 *   SO_REUSEPORT, or both set SO_REUSEADDR and (TCP) the other one is not
 *   listening.  TCP checks again at listen().
 *
 * lwIP's own checks (SO_REUSE) differ: every pcb here carries lwIP's
 * SOF_REUSEADDR, which turns them off, and the socket's own two flags are
 * kept in two so_options bits lwIP does not use (PORTSHARE_*), so that they
 * outlive the socket in TIME_WAIT, as Linux's do.  SO_REUSEPORT listeners
 * of one address form a group over which new connections are spread by a
 * hash of the peer's address, as Linux spreads them.
 */
#include "net/inet.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/udp.h"

_Static_assert(((SOF_REUSEADDR | SOF_KEEPALIVE | SOF_BROADCAST) &
                (PORTSHARE_REUSEADDR | PORTSHARE_REUSEPORT)) == 0,
               "PORTSHARE_* bits collide with lwIP's SOF_* options");

void portshare_mark(const struct sock *s, u8_t *so_options)
{
    *so_options &= (u8_t) ~(PORTSHARE_REUSEADDR | PORTSHARE_REUSEPORT);
    *so_options |= SOF_REUSEADDR;
    if (s->reuseaddr)
        *so_options |= PORTSHARE_REUSEADDR;
    if (s->reuseport)
        *so_options |= PORTSHARE_REUSEPORT;
}

/* Whether two bound local addresses (lwIP's: IPADDR_TYPE_ANY is a
 * dual-stack wildcard) share an address. */
static bool addr_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
    if (IP_GET_TYPE(a) == IPADDR_TYPE_ANY || IP_GET_TYPE(b) == IPADDR_TYPE_ANY)
        return true;
    if (IP_GET_TYPE(a) != IP_GET_TYPE(b))
        return false;
    return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

/* Whether a binding with options MINE may join one with options THEIRS;
 * listening: the other is a listening TCP socket. */
static bool may_share(u8_t mine, u8_t theirs, bool listening)
{
    if ((mine & theirs & PORTSHARE_REUSEPORT))
        return true;
    return (mine & theirs & PORTSHARE_REUSEADDR) && !listening;
}

int portshare_tcp_check(const void *self, const ip_addr_t *ip, u16_t port,
                        u8_t mine)
{
    for (int i = 0; i < NUM_TCP_PCB_LISTS; i++) {
        for (struct tcp_pcb *c = *tcp_pcb_lists[i]; c; c = c->next) {
            if ((const void *)c == self || c->local_port != port)
                continue;
            if (addr_overlap(&c->local_ip, ip) &&
                !may_share(mine, c->so_options, c->state == LISTEN))
                return -EADDRINUSE;
        }
    }
    return 0;
}

int portshare_udp_check(const void *self, const ip_addr_t *ip, u16_t port,
                        u8_t mine)
{
    for (struct udp_pcb *c = udp_pcbs; c; c = c->next) {
        if ((const void *)c == self || c->local_port != port)
            continue;
        if (addr_overlap(&c->local_ip, ip) &&
            !may_share(mine, c->so_options, false))
            return -EADDRINUSE;
    }
    return 0;
}

/* A hash of the peer, to pick a group member (Linux hashes the 4-tuple;
 * the local half is the same for the whole group). */
static uint32_t peer_hash(const ip_addr_t *ip, u16_t port)
{
    uint32_t h = port;
    if (IP_IS_V4(ip))
        h ^= ip4_addr_get_u32(ip_2_ip4(ip)) * 0x9e3779b1u;
    else
        for (int i = 0; i < 4; i++)
            h = (h ^ ip_2_ip6(ip)->addr[i]) * 0x9e3779b1u;
    /* MurmurHash3's finaliser: every input bit reaches the low bits. */
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

static bool same_group(const struct tcp_pcb_listen *a,
                       const struct tcp_pcb_listen *b)
{
    return a->local_port == b->local_port &&
           IP_GET_TYPE(&a->local_ip) == IP_GET_TYPE(&b->local_ip) &&
           ip_addr_cmp(&a->local_ip, &b->local_ip) && b->callback_arg &&
           (b->so_options & PORTSHARE_REUSEPORT);
}

void *portshare_tcp_pick(const void *listener, const ip_addr_t *peer,
                         u16_t peer_port)
{
    const struct tcp_pcb_listen *l = listener;
    if (!(l->so_options & PORTSHARE_REUSEPORT))
        return l->callback_arg;
    uint32_t n = 0;
    for (struct tcp_pcb_listen *c = tcp_listen_pcbs.listen_pcbs; c; c = c->next)
        n += same_group(l, c);
    if (n == 0)
        return l->callback_arg;
    uint32_t k = peer_hash(peer, peer_port) % n;
    for (struct tcp_pcb_listen *c = tcp_listen_pcbs.listen_pcbs; c; c = c->next)
        if (same_group(l, c) && k-- == 0)
            return c->callback_arg;
    return l->callback_arg;
}
