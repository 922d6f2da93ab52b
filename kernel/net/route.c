/*
 * net/route.c — the routing table as Linux would show it, made from the
 * interfaces' state: each interface's connected subnets, the IPv4 default
 * route through its gateway, the IPv6 default routes through the routers
 * it learned (router advertisements), and ::1 on lo.  One enumeration
 * (route_foreach) serves netlink's RTM_GETROUTE dump and the text of
 * /proc/net/route and /proc/net/ipv6_route; route_get answers "the route
 * to address X" (RTM_GETROUTE without NLM_F_DUMP).
 */
#include "net/route.h"

#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/priv/nd6_priv.h"

#define RTF_UP 0x1
#define RTF_GATEWAY 0x2
#define RTF_DEFAULT 0x10000
#define RTF_ADDRCONF 0x40000
#define RTF_EXPIRES 0x400000
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTPROT_RA 9

void route_if_name(const struct netif *nif, char name[16])
{
    if (nif->name[0] == 'l')
        snprintf(name, 16, "lo");
    else
        snprintf(name, 16, "eth%u", nif->num > 0 ? nif->num - 1 : 0);
}

static bool is_lo(const struct netif *nif)
{
    return nif->name[0] == 'l';
}

/* IPv4: the default route through each interface's gateway (first, as
 * Linux's table lists routes in address order), then the connected
 * subnet of each interface but lo (whose routes are in the local table). */
static void routes4(void (*fn)(const struct route *, void *), void *arg)
{
    struct netif *nif;
    for (int pass = 0; pass < 2; pass++) {
        NETIF_FOREACH(nif)
        {
            const ip4_addr_t *a = netif_ip4_addr(nif), *gw = netif_ip4_gw(nif);
            if (is_lo(nif) || ip4_addr_isany(a))
                continue;
            uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
            struct route rt = {.family = AF_INET,
                               .alen = 4,
                               .nif = nif,
                               .has_prefsrc = true,
                               .flags = RTF_UP};
            memcpy(rt.prefsrc, &a->addr, 4);
            if (pass == 0 && !ip4_addr_isany(gw)) {
                memcpy(rt.gw, &gw->addr, 4);
                rt.has_gw = true;
                rt.flags |= RTF_GATEWAY;
                rt.protocol = RTPROT_BOOT;
                fn(&rt, arg);
            } else if (pass == 1) {
                uint32_t net = ip4_addr_get_u32(a) & mask;
                memcpy(rt.dst, &net, 4);
                rt.dst_len = (uint8_t)__builtin_popcount(mask);
                rt.protocol = RTPROT_KERNEL;
                fn(&rt, arg);
            }
        }
    }
}

/* IPv6: a /64 for each address (::1/128 on lo), metric 256 as Linux's
 * kernel routes have. */
static void routes6_connected(const struct netif *nif,
                              void (*fn)(const struct route *, void *),
                              void *arg)
{
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
        if (!ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
            continue;
        const ip6_addr_t *a6 = netif_ip6_addr(nif, i);
        bool lo = ip6_addr_isloopback(a6);
        struct route rt = {.family = AF_INET6,
                           .alen = 16,
                           .nif = nif,
                           .dst_len = lo ? 128 : 64,
                           .metric = 256,
                           .protocol = RTPROT_KERNEL,
                           .flags = RTF_UP};
        memcpy(rt.dst, a6->addr, lo ? 16 : 8);
        fn(&rt, arg);
    }
}

/* IPv6 default routes: the routers router advertisements named (metric
 * 1024 and flags as Linux gives routes learned that way). */
static void routes6_default(void (*fn)(const struct route *, void *), void *arg)
{
    for (int i = 0; i < LWIP_ND6_NUM_ROUTERS; i++) {
        const struct nd6_router_list_entry *r = &default_router_list[i];
        if (!r->neighbor_entry || !r->neighbor_entry->netif)
            continue;
        struct route rt = {.family = AF_INET6,
                           .alen = 16,
                           .nif = r->neighbor_entry->netif,
                           .has_gw = true,
                           .metric = 1024,
                           .protocol = RTPROT_RA,
                           .flags = RTF_UP | RTF_GATEWAY | RTF_DEFAULT |
                                    RTF_ADDRCONF | RTF_EXPIRES};
        memcpy(rt.gw, r->neighbor_entry->next_hop_address.addr, 16);
        fn(&rt, arg);
    }
}

void route_foreach(int family, void (*fn)(const struct route *, void *),
                   void *arg)
{
    struct netif *nif;
    if (family == AF_UNSPEC || family == AF_INET)
        routes4(fn, arg);
    if (family != AF_UNSPEC && family != AF_INET6)
        return;
    NETIF_FOREACH(nif)
    routes6_connected(nif, fn, arg);
    routes6_default(fn, arg);
}

/* --- the route to one address */

struct best {
    const uint8_t *dst;
    struct route *out;
    bool found;
};

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        if (((a[i / 8] ^ net[i / 8]) >> (7 - i % 8)) & 1)
            return false;
    return true;
}

static void pick(const struct route *rt, void *arg)
{
    struct best *b = arg;
    if (!prefix_match(b->dst, rt->dst, rt->dst_len))
        return;
    if (b->found &&
        (rt->dst_len < b->out->dst_len ||
         (rt->dst_len == b->out->dst_len && rt->metric >= b->out->metric)))
        return;
    *b->out = *rt;
    b->found = true;
}

/* An address of NIF to send to DST from: of the same scope (link-local
 * or not) if it has one, else any. */
static bool source6(const struct netif *nif, const uint8_t *dst, uint8_t *src)
{
    ip6_addr_t d;
    memcpy(d.addr, dst, 16);
    bool want_ll = ip6_addr_islinklocal(&d), found = false;
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
        if (!ip6_addr_isvalid(netif_ip6_addr_state(nif, i)))
            continue;
        const ip6_addr_t *a = netif_ip6_addr(nif, i);
        if (!found || ip6_addr_islinklocal(a) == want_ll)
            memcpy(src, a->addr, 16);
        if (ip6_addr_islinklocal(a) == want_ll)
            return true;
        found = true;
    }
    return found;
}

/* DST is one of ours (or in 127/8): Linux's local table answers, through
 * lo, from DST itself (127.0.0.1 for the rest of 127/8). */
static bool route_local(int family, const uint8_t *dst, struct route *out)
{
    struct netif *nif, *lo = NULL;
    bool local = family == AF_INET ? dst[0] == 127 : false;
    NETIF_FOREACH(nif)
    {
        if (is_lo(nif))
            lo = nif;
        if (family == AF_INET)
            local |= !memcmp(dst, &netif_ip4_addr(nif)->addr, 4) &&
                     !ip4_addr_isany(netif_ip4_addr(nif));
        for (int i = 0; family == AF_INET6 && i < LWIP_IPV6_NUM_ADDRESSES; i++)
            local |= ip6_addr_isvalid(netif_ip6_addr_state(nif, i)) &&
                     !memcmp(dst, netif_ip6_addr(nif, i)->addr, 16);
    }
    if (!local || !lo)
        return false;
    *out = (struct route){.family = family,
                          .alen = family == AF_INET ? 4 : 16,
                          .nif = lo,
                          .local = true,
                          .has_prefsrc = true,
                          .protocol = RTPROT_KERNEL,
                          .flags = RTF_UP};
    memcpy(out->prefsrc, dst, out->alen);
    if (family == AF_INET && dst[0] == 127)
        memcpy(out->prefsrc, (uint8_t[]){127, 0, 0, 1}, 4);
    return true;
}

int route_get(int family, const uint8_t *dst, struct route *out)
{
    struct best b = {dst, out, false};
    if (family != AF_INET && family != AF_INET6)
        return -EAFNOSUPPORT;
    if (!route_local(family, dst, out))
        route_foreach(family, pick, &b);
    else
        b.found = true;
    if (!b.found)
        return -ENETUNREACH;
    /* The answer names the address asked for, as a host route. */
    memcpy(out->dst, dst, out->alen);
    out->dst_len = (uint8_t)(8 * out->alen);
    if (family == AF_INET6 && !out->local)
        out->has_prefsrc = source6(out->nif, dst, out->prefsrc);
    return 0;
}

/* --- /proc/net/route and /proc/net/ipv6_route (Linux's
 * net/ipv4/fib_trie.c fib_route_seq_show, net/ipv6/route.c
 * rt6_info_route) */

static void proc4(const struct route *rt, void *arg)
{
    struct seq *s = arg;
    char name[16], line[160];
    uint32_t dst, gw, mask = rt->dst_len ? ~0u << (32 - rt->dst_len) : 0;
    memcpy(&dst, rt->dst, 4);
    memcpy(&gw, rt->gw, 4);
    route_if_name(rt->nif, name);
    /* Addresses as the 32-bit numbers in memory order, %08X. */
    int n = snprintf(line, sizeof(line),
                     "%s\t%08X\t%08X\t%04X\t0\t0\t%u\t%08X\t0\t0\t0", name, dst,
                     gw, rt->flags, rt->metric, lwip_htonl(mask));
    seq_printf(s, "%-127.*s\n", n, line);
}

void route_proc_ipv4(struct seq *s)
{
    seq_printf(s, "%-127s\n",
               "Iface\tDestination\tGateway \tFlags\tRefCnt\t"
               "Use\tMetric\tMask\t\tMTU\tWindow\tIRTT");
    route_foreach(AF_INET, proc4, s);
}

static void hex16(struct seq *s, const uint8_t *a)
{
    for (int i = 0; i < 16; i++)
        seq_printf(s, "%02x", a[i]);
}

static void proc6(const struct route *rt, void *arg)
{
    struct seq *s = arg;
    static const uint8_t zero[16];
    char name[16];
    route_if_name(rt->nif, name);
    hex16(s, rt->dst);
    seq_printf(s, " %02x ", rt->dst_len);
    hex16(s, zero);
    seq_printf(s, " 00 ");
    hex16(s, rt->gw);
    seq_printf(s, " %08x %08x %08x %08x %8s\n", rt->metric, 1, 0, rt->flags,
               name);
}

void route_proc_ipv6(struct seq *s)
{
    route_foreach(AF_INET6, proc6, s);
}

/* --- /proc/net/igmp and /proc/net/igmp6: each interface's multicast
 * memberships (Linux's net/ipv4/igmp.c igmp_mc_seq_show, net/ipv6/mcast.c
 * igmp6_mc_seq_show; Go's net.Interface.MulticastAddrs reads them).
 * Every interface is in the all-hosts group 224.0.0.1 (lwIP accepts
 * multicast without IGMP) and, IPv6 being on everywhere as on Linux, in
 * ff02::1 and ff01::1, and in the solicited-node groups MLD joined for its
 * addresses. */

void route_proc_igmp(struct seq *s)
{
    struct netif *nif;
    char name[16];
    seq_printf(s, "Idx\tDevice    : Count Querier\tGroup    Users "
                  "Timer\tReporter\n");
    NETIF_FOREACH(nif)
    {
        if (ip4_addr_isany(netif_ip4_addr(nif)))
            continue;
        route_if_name(nif, name);
        seq_printf(s, "%u\t%-10s: %5d %7s\n", netif_get_index(nif), name, 1,
                   "V3");
        /* The group as a 32-bit number in memory order, as Linux. */
        uint32_t all = lwip_htonl(0xe0000001);
        seq_printf(s, "\t\t\t\t%08X %5d %d:%08X\t\t%d\n", all, 1, 0, 0, 0);
    }
}

static void igmp6_line(struct seq *s, struct netif *nif, const uint8_t *a,
                       unsigned flags)
{
    char name[16];
    route_if_name(nif, name);
    seq_printf(s, "%-4u %-15s ", netif_get_index(nif), name);
    hex16(s, a);
    seq_printf(s, " %5d %08X %d\n", 1, flags, 0);
}

void route_proc_igmp6(struct seq *s)
{
    static const uint8_t all_link[16] = {0xff, 0x02, [15] = 1},
                         all_if[16] = {0xff, 0x01, [15] = 1};
    struct netif *nif;
    NETIF_FOREACH(nif)
    {
        for (struct mld_group *g = netif_mld6_data(nif); g; g = g->next)
            igmp6_line(s, nif, (const uint8_t *)g->group_address.addr,
                       4 /* MAF_LOADED */);
        igmp6_line(s, nif, all_link, 0xc); /* MAF_LOADED | MAF_NOREPORT */
        igmp6_line(s, nif, all_if, 0x8);   /* MAF_NOREPORT */
    }
}
