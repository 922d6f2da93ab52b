/*
 * net/net.h — networking: lwIP 2.1.3 (raw API, NO_SYS) under a socket
 * layer with Linux semantics.  TCP and UDP over IPv4 and IPv6 (net/tcp.c,
 * net/udp.c), AF_UNIX stream and datagram sockets (net/unix.c), on the
 * virtio-net devices of drv/netdev.h and lwIP's loopback interface.
 *
 * Lock discipline: lwIP is not reentrant, and needs no lock here.  It is
 * entered from syscalls, from a device's receive interrupt and from the
 * kernel timer that runs its timeouts; the kernel runs with interrupts
 * off and takes interrupts only in user mode or the idle loop (proc.h), so
 * each entry runs to completion before another can start.  A thread that
 * must wait (accept, connect, recv, send with a full window) sleeps on its
 * socket's file and is woken by file_notify() from an lwIP callback.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "fs/fs.h"

#define SOCK_TYPE_MASK 0xf

/* A socket address as the program passes it: at most 128 bytes. */
struct kaddr {
    uint8_t b[128];
    uint32_t len;
};

/* One sendmsg/recvmsg: the user's iovec, walked by a cursor. */
#define NET_MSG_IOV_MAX 64
struct msg {
    struct linux_iovec iov[NET_MSG_IOV_MAX];
    int iovlen;
    int idx;      /* cursor: current iovec */
    uint64_t off; /* cursor: offset in it */
    uint64_t total;
    bool kernel;             /* iov points at kernel memory (sendfile) */
    int flags;               /* MSG_* from the program */
    int out_flags;           /* MSG_TRUNC... for recvmsg */
    struct kaddr addr;       /* send: destination (len 0: none); recv: source */
    struct file *rights[16]; /* SCM_RIGHTS: files being passed */
    int nrights;
    /* recv: IP control messages, whole, in Linux's layout (cmsghdr,
     * data, padding to 8), that recvmsg copies out after SCM_RIGHTS. */
    uint8_t ctl[96];
    uint32_t ctl_len;
    /* send: what IP_PKTINFO/IPV6_PKTINFO, IP_TOS and IPV6_TCLASS control
     * messages asked for: the source (family 0: none) and interface,
     * the TOS or traffic class (-1: the socket's). */
    int src_family, src_ifindex;
    uint8_t src[16];
    int tos, tclass;
};

struct sock;

struct sock_ops {
    int (*bind)(struct sock *s, const struct kaddr *a);
    int (*listen)(struct sock *s, int backlog);
    /* A new connected socket (with its file), or an error. */
    int (*accept)(struct sock *s, struct sock **out);
    int (*connect)(struct sock *s, const struct kaddr *a);
    long (*send)(struct sock *s, struct msg *m);
    long (*recv)(struct sock *s, struct msg *m);
    int (*shutdown)(struct sock *s, int how);
    int (*getname)(struct sock *s, struct kaddr *a, bool peer);
    uint32_t (*poll)(struct sock *s);
    int (*setopt)(struct sock *s, int level, int name, const void *v,
                  uint32_t len);
    int (*getopt)(struct sock *s, int level, int name, void *v, uint32_t *len);
    long (*nread)(struct sock *s); /* FIONREAD */
    void (*release)(struct sock *s);
};

/* The IPPROTO_IP and IPPROTO_IPV6 options of an IP socket (net/inet.c). */
struct inet_opts {
    int tos, ttl, hops, tclass; /* ttl, hops: -1 for the default */
    int pmtudisc, pmtudisc6;    /* IP_PMTUDISC_*, IPV6_PMTUDISC_* */
    int pktinfo, recvtos, recvpktinfo6, recvtclass;
    int freebind, bind_no_port;
};

struct sock {
    int family, type;
    const struct sock_ops *ops;
    struct file *file; /* the open file, NULL until accepted */
    int err;           /* pending error, for SO_ERROR (positive errno) */
    int rcvbuf, sndbuf;
    bool reuseaddr, reuseport, keepalive, broadcast, v6only;
    int linger_on, linger_sec;
    uint64_t rcvtimeo, sndtimeo; /* ns, 0: none */
    struct inet_opts ip;         /* AF_INET, AF_INET6 */
    void *proto;                 /* the family's state */
};

/* --- net.c / netif.c */
/* Boot only, after netdev_probe: lwIP, the loopback interface and one
 * interface per network device (not configured yet). */
void net_init(void);
/* Brings up the interfaces (DHCP unless the command line has gorump.ip=)
 * and waits for an address at most timeout_ms; fills resolv.conf text. */
void net_configure(struct seq *resolv, struct seq *hosts);
/* At exit: lets TCP send and have acknowledged what the program wrote,
 * for at most timeout_ms (the machine stops right after). */
void net_drain(uint64_t timeout_ms);
/* Delivers loopback packets lwIP queued (after any lwIP call). */
void net_pump(void);
/* Converts an lwIP err_t to a negative errno. */
int net_err(int lwip_err);

/* --- loop.c: the loopback interface */
/* net_init's: lo with 127.0.0.1/8 and ::1, up. */
void loop_init(void);
/* Feeds a bounded batch of queued packets back into lwIP: whether more
 * are left (net_pump calls it until none). */
bool loop_pump(void);
/* Queues P, which NIF sends to one of its own addresses, to come back in
 * on NIF at the next pump: an lwIP err_t. */
struct netif;
struct pbuf;
int loop_send(struct netif *nif, struct pbuf *p);

/* --- socket.c */
/* A socket and its zeroed protocol state of PROTO_SIZE bytes (s->proto),
 * or NULL; sock_free() frees both. */
struct sock *sock_alloc(int family, int type, const struct sock_ops *ops,
                        size_t proto_size);
/* Frees s and its protocol state (the family released what it held). */
void sock_free(struct sock *s);
/* Makes the file for a socket (socket(), accept()). */
long sock_file(struct sock *s, unsigned flags, struct file **out);
/* The socket of socket file f (check file_is_socket first). */
struct sock *sock_of(struct file *f);
/* Whether f is a socket. */
bool file_is_socket(struct file *f);
/* Sends n bytes of kernel memory on a socket file (sendfile). */
long sock_send_kernel(struct file *f, const void *buf, size_t n);
/* Whether a call on s must not block: O_NONBLOCK on its file, or
 * MSG_DONTWAIT in m (NULL: no message). */
bool sock_nonblock(struct sock *s, const struct msg *m);
/* Sleeps until woken, the socket's timeout (send or receive) or a signal:
 * 0, -EAGAIN (timeout) or -ERESTARTSYS/-EINTR. */
int sock_wait(struct sock *s, bool sending);
/* The same with a deadline the caller keeps over several waits, so that
 * wake-ups do not restart the timeout (Linux counts SO_SNDTIMEO down
 * across a call): sock_deadline() gives it, 0 when there is none. */
uint64_t sock_deadline(struct sock *s, bool sending);
int sock_wait_until(struct sock *s, uint64_t deadline);
/* Readiness of s changed (events: what became true): file_notify on its
 * file, if it has one yet. */
void sock_notify(struct sock *s, uint32_t events);
/* Sets m up for one buffer (read, write, sendto, recvfrom). */
void msg_init_one(struct msg *m, uint64_t buf, size_t n, int flags);
/* Copies up to n bytes between the program's iovec (from the cursor,
 * which advances) and the kernel: how many (fewer at the iovec's end), or
 * -EFAULT when none could be. */
long msg_from_user(struct msg *m, void *dst, size_t n);
long msg_to_user(struct msg *m, const void *src, size_t n);
/* The next piece of m at its cursor, within one iovec and at most n
 * bytes, that can be read where it lies (*at): its length, 0 at the end,
 * or -EFAULT.  A program's buffer is touched page by page and the piece
 * ends before the first page it cannot read (user_readable).  The cursor
 * stays; msg_skip moves it on. */
long msg_piece(struct msg *m, size_t n, uint64_t *at);
void msg_skip(struct msg *m, size_t n);
/* Bytes the iovec has left past the cursor. */
uint64_t msg_left(const struct msg *m);
/* Options every socket has (SOL_SOCKET), used by the families' ops: 0,
 * -EINVAL (len too short), -EDOM (a bad timeval), -ENOPROTOOPT (not one
 * of them). */
int sock_setopt_common(struct sock *s, int name, const void *v, uint32_t len);
int sock_getopt_common(struct sock *s, int name, void *v, uint32_t *len);

/* --- inet.c, unix.c, netlink.c: socket() for each family (type without
 * SOCK_NONBLOCK and SOCK_CLOEXEC): 0 with the socket in *out, or
 * -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM (-ENOBUFS: no raw pcb). */
/* AF_INET and AF_INET6: TCP, UDP or raw IP (protocol 1-255). */
int inet_socket(int family, int type, int proto, struct sock **out);
int unix_socket(int type, struct sock **out);
/* socketpair(2): two AF_UNIX sockets connected to each other. */
int unix_socketpair(int type, struct sock *pair[2]);
/* NETLINK_ROUTE only. */
int netlink_socket(int type, int proto, struct sock **out);

/* --- route.c: /proc/net/route and /proc/net/ipv6_route, in Linux's
 * format, from the interfaces' routes. */
void route_proc_ipv4(struct seq *s);
void route_proc_ipv6(struct seq *s);
/* /proc/net/igmp and /proc/net/igmp6: the all-hosts groups every
 * configured interface is in (and MLD's joined groups). */
void route_proc_igmp(struct seq *s);
void route_proc_igmp6(struct seq *s);

/* --- lwipfix.c: what the port adds to lwIP's own defences (pool
 * limits; the queue of a router that does not answer), run with lwIP's
 * timers. */
void net_lwip_tick(void);
/* Prints "pool NAME N" for each lwIP pool with objects in use. */
void net_lwip_pools(struct seq *s);
/* Half-open connections that gave their place to a new SYN. */
extern uint64_t net_syn_evicted;
/* TCP sends that found no memory inside lwIP: tried again after the
 * page cache gave some back, or waited for memory (net/tcp.c). */
extern uint64_t net_send_reclaimed, net_send_memwait;
/* Set by the receive path while the segment it hands to lwIP is the last
 * one of a large segment cut by the driver (NETDEV_RX_ACK_NOW). */
extern bool net_rx_ack_now;

/* --- netstat.c: /proc/net/lwip, gorump's own: lwIP assertions that
 * failed (counted, never a panic), the memory lwIP holds (net.c keeps
 * net_mem), TCP connections by state, the devices' packet counts. */
struct net_mem {
    uint64_t objects, bytes;
};
extern struct net_mem net_mem;
/* Writes /proc/net/lwip's text to s. */
void net_proc_lwip(struct seq *s);

#endif
