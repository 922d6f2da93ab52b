/*
 * net/inet.h — shared by the IP socket families (inet.c, tcp.c, udp.c);
 * private to net/.
 */
#ifndef NET_INET_H
#define NET_INET_H

#include "net/net.h"

#include "lwip/ip_addr.h"

int inet_addr_in(const struct kaddr *a, int family, ip_addr_t *ip,
                 uint16_t *port);
void inet_addr_out(struct kaddr *a, int family, const ip_addr_t *ip,
                   uint16_t port);
u8_t inet_pcb_type(struct sock *s);
void inet_unspecified_to_loopback(ip_addr_t *ip);
void inet_any_fixup(struct sock *s, ip_addr_t *ip);
int inet_setopt(struct sock *s, int level, int name, const void *v,
                uint32_t len);
int inet_getopt(struct sock *s, int level, int name, void *v, uint32_t *len);
int tcp_socket(int family, struct sock **out);
int udp_socket(int family, struct sock **out);
int raw_socket(int family, int proto, struct sock **out);

/* A buffer for copying user data into lwIP, which copies it again: one
 * CPU and no preemption in the kernel make one buffer enough. */
#define NET_BOUNCE_SIZE 65536
extern uint8_t net_bounce[NET_BOUNCE_SIZE];

#endif
