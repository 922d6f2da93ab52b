/*
 * net/route.h — the routing table made from the interfaces' state
 * (route.c), shared by netlink.c and /proc/net; private to net/ but the
 * two /proc generators, which net.h declares.
 */
#ifndef NET_ROUTE_H
#define NET_ROUTE_H

#include "net/net.h"

struct netif;

/* One route of the main table, or the local table's (local) answer of
 * route_get. */
struct route {
    int family;  /* AF_INET or AF_INET6 */
    size_t alen; /* 4 or 16 */
    uint8_t dst[16], gw[16], prefsrc[16];
    bool has_gw, has_prefsrc, local;
    uint8_t dst_len;
    uint8_t protocol; /* RTPROT_* */
    uint32_t metric;  /* 0: none */
    uint32_t flags;   /* RTF_* of /proc/net/route */
    const struct netif *nif;
};

/* Calls FN for each route of FAMILY (AF_UNSPEC: both), IPv4 first. */
void route_foreach(int family, void (*fn)(const struct route *, void *),
                   void *arg);
/* The route to DST (4 or 16 bytes for FAMILY) into *out, as a host route
 * to DST with its source address: 0, -ENETUNREACH or -EAFNOSUPPORT. */
int route_get(int family, const uint8_t *dst, struct route *out);
/* Linux's interface name of NIF: lo, eth0... */
void route_if_name(const struct netif *nif, char name[16]);

#endif
