/*
 * net/inet.h — shared by the IP socket families (inet.c, dgram.c, tcp.c,
 * udp.c, raw.c); private to net/.
 */
#ifndef NET_INET_H
#define NET_INET_H

#include "net/net.h"

#include "lwip/ip_addr.h"
#include "lwip/netif.h"

/* A sockaddr_in or sockaddr_in6 the program passed, for a socket of
 * family (::ffff:a.b.c.d is IPv4; a link-local IPv6 address keeps its
 * scope): 0, -EINVAL (too short), -EAFNOSUPPORT (the other family, or
 * neither). */
int inet_addr_in(const struct kaddr *a, int family, ip_addr_t *ip,
                 uint16_t *port);
/* Writes ip:port as a socket of family names it (IPv4 in an AF_INET6
 * socket becomes ::ffff:a.b.c.d). */
void inet_addr_out(struct kaddr *a, int family, const ip_addr_t *ip,
                   uint16_t port);
/* The lwIP address type s's pcb is created with (dual-stack unless
 * IPV6_V6ONLY). */
u8_t inet_pcb_type(struct sock *s);
/* 0.0.0.0 and :: become the loopback address (connect and sendto to the
 * unspecified address reach this host, as on Linux). */
void inet_unspecified_to_loopback(ip_addr_t *ip);
/* A bind to :: on a dual-stack socket means any address of either kind. */
void inet_any_fixup(struct sock *s, ip_addr_t *ip);
/* The TTL (hop limit) and TOS (traffic class) a pcb sends with. */
void inet_pcb_ttl_tos(const struct sock *s, u8_t *ttl, u8_t *tos);
/* The IP options' defaults. */
void inet_opts_init(struct inet_opts *o);
/* IPPROTO_IP and IPPROTO_IPV6 options (ip(7), ipv6(7)), v and len in
 * kernel memory: 0, -EINVAL (len, or a value Linux refuses),
 * -ENOPROTOOPT (not one we keep). */
int inet_setopt(struct sock *s, int level, int name, const void *v,
                uint32_t len);
int inet_getopt(struct sock *s, int level, int name, void *v, uint32_t *len);
/* SOL_SOCKET options, else the IP ones: all UDP and raw sockets have. */
int inet_sock_setopt(struct sock *s, int level, int name, const void *v,
                     uint32_t len);
int inet_sock_getopt(struct sock *s, int level, int name, void *v,
                     uint32_t *len);

/* dgram.c: the receive queue of UDP and raw sockets. */
struct pbuf;
struct dgram_queue {
    struct list list;
    size_t bytes;
};
/* An empty queue. */
void dgram_init(struct dgram_queue *q);
/* Queues P (the queue owns it) from SRC:PORT and wakes the socket, or
 * frees it when SO_RCVBUF is full; whether it was queued. */
bool dgram_push(struct sock *s, struct dgram_queue *q, struct pbuf *p,
                const ip_addr_t *src, uint16_t port);
/* Copies the first datagram (the queue is not empty) to M, with its
 * source in m->addr: the bytes copied (the whole length with MSG_TRUNC in
 * m->flags), or a negative errno. */
long dgram_pop(struct sock *s, struct dgram_queue *q, struct msg *m);
/* The first datagram's length, 0 if none (FIONREAD). */
long dgram_next_len(const struct dgram_queue *q);
/* Frees every queued datagram (the socket is closing). */
void dgram_clear(struct dgram_queue *q);

/* portshare.c: sharing a local port (SO_REUSEADDR, SO_REUSEPORT). */
#define PORTSHARE_REUSEADDR 0x40U /* so_options: the socket's SO_REUSEADDR */
#define PORTSHARE_REUSEPORT 0x80U /* so_options: its SO_REUSEPORT */
/* Sets a pcb's so_options from the socket's flags (before bind and
 * listen, and on an accepted connection). */
void portshare_mark(const struct sock *s, u8_t *so_options);
/* 0 if a pcb SELF (NULL: none yet) whose options are MINE may bind
 * IP:PORT, else -EADDRINUSE: TCP at bind() and listen(), UDP at bind(). */
int portshare_tcp_check(const void *self, const ip_addr_t *ip, u16_t port,
                        u8_t mine);
int portshare_udp_check(const void *self, const ip_addr_t *ip, u16_t port,
                        u8_t mine);
/* The socket (callback argument) of the SO_REUSEPORT group of LISTENER
 * (a struct tcp_pcb_listen) that takes a new connection from PEER. */
void *portshare_tcp_pick(const void *listener, const ip_addr_t *peer,
                         u16_t peer_port);

/* memwait.c: a send that found no memory waits for it (Linux's
 * sk_stream_wait_memory).  memwait_enter puts socket S on the list a
 * timer retries; S is woken with EPOLLOUT once memory is back, and is
 * not writable while w->on.  memwait_leave takes it off (an ACK freed
 * memory, or the socket is freed); both may be called any number of
 * times. */
struct memwait {
    struct list link;
    struct sock *sock;
    bool on;
};
void memwait_enter(struct memwait *w, struct sock *s);
void memwait_leave(struct memwait *w);

/* inet_socket's, by type: 0 with the socket in *out, -ENOMEM, and for
 * raw -EPROTONOSUPPORT (proto outside 1-255) or -ENOBUFS (no pcb). */
int tcp_socket(int family, struct sock **out);
int udp_socket(int family, struct sock **out);
int raw_socket(int family, int proto, struct sock **out);

/* Gives p to lwIP's input on nif (input is nif->input or ip_input); with
 * csum_valid, TCP and UDP checksums are taken as they are (the device
 * vouched for them, or the packet never left the guest: an interface's
 * TCP checksums may be left to its device).  Returns input's answer. */
err_t net_input(struct pbuf *p, struct netif *nif, bool csum_valid,
                netif_input_fn input);

#endif
