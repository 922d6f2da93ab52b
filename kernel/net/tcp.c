/*
 * net/tcp.c — TCP sockets on lwIP's raw API.  Received data stays in the
 * pbufs lwIP delivered until the program reads it (the receive window is
 * the receive buffer); lwIP copies sends from the program's buffer
 * straight into its send queue, summing them on the way (net_copy_sum).
 * A listening socket keeps its own backlog of connections lwIP has
 * completed, each already a socket that buffers data until accept().
 * lwIP frees a pcb when it reports an error, so every callback checks the
 * socket still owns it.
 *
 * A send that finds no memory for its segment waits for memory
 * (net/memwait.c).
 */
#include "drv/netdev.h"
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/inet_chksum.h"
#include "lwip/tcp.h"

struct tcp {
    struct tcp_pcb *pcb;
    /* Received, not yet read: the pbufs lwIP delivered, linked through
     * their next pointers.  Their 16-bit tot_len cannot count a queue
     * past 64 KiB (the window is 256 KiB), so the chain is never
     * pbuf_cat'ed: rx_tail and rx_bytes stand for it. */
    struct pbuf *rx, *rx_tail;
    uint64_t rx_bytes;
    bool fin; /* the peer sent FIN: end of file after rx */
    bool connecting, connected, listening, shut_rd, shut_wr;
    bool nodelay;
    int keepidle, keepintvl, keepcnt;
    int user_timeout; /* TCP_USER_TIMEOUT, ms: recorded, not enforced */
    /* listening: completed connections not yet accepted */
    struct list pending;
    int npending, backlog;
    /* pending connection: its place in the listener's list */
    struct list link;
    struct memwait mw; /* a send found no memory: not writable */
    struct sock *self;
};

static const struct sock_ops tcp_ops;

static struct tcp *tcp_of(struct sock *s)
{
    return s->proto;
}

static struct sock *tcpsock_new(int family)
{
    struct sock *s =
        sock_alloc(family, SOCK_STREAM, &tcp_ops, sizeof(struct tcp));
    struct tcp *t = s ? s->proto : NULL;
    if (!t)
        return NULL;
    list_init(&t->pending);
    list_init(&t->link);
    t->keepidle = 7200;
    t->keepintvl = 75;
    t->keepcnt = 9;
    t->self = s;
    return s;
}

/* Re-opens the window by n bytes, in tcp_recved's 16-bit steps. */
static void recved(struct tcp_pcb *pcb, uint64_t n)
{
    for (; pcb && n; n -= MIN(n, (uint64_t)0xffff))
        tcp_recved(pcb, (u16_t)MIN(n, (uint64_t)0xffff));
}

/* Drops n bytes from the front of the receive queue and re-opens the
 * window for them (pbuf_free_header only follows len and next). */
static void rx_consume(struct tcp *t, uint64_t n)
{
    t->rx_bytes -= n;
    recved(t->pcb, n);
    while (n) {
        u16_t c = (u16_t)MIN(n, (uint64_t)0xffff);
        t->rx = pbuf_free_header(t->rx, c);
        n -= c;
    }
    if (!t->rx)
        t->rx_tail = NULL;
}

/* --- lwIP callbacks (arg: the socket, or NULL once it is closed) */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t e)
{
    struct sock *s = arg;
    if (!s) {
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    struct tcp *t = tcp_of(s);
    if (!p) {
        t->fin = true;
        sock_notify(s, EPOLLIN | EPOLLRDHUP);
        return ERR_OK;
    }
    if (t->shut_rd) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    struct pbuf *last = p;
    while (last->next)
        last = last->next;
    if (t->rx)
        t->rx_tail->next = p;
    else
        t->rx = p;
    t->rx_tail = last;
    t->rx_bytes += p->tot_len; /* one delivery: at most 64 KiB */
    sock_notify(s, EPOLLIN);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    if (arg) {
        memwait_leave(&tcp_of(arg)->mw); /* an ACK freed memory */
        sock_notify(arg, EPOLLOUT);
    }
    return ERR_OK;
}

static void on_err(void *arg, err_t e)
{
    struct sock *s = arg;
    if (!s)
        return;
    struct tcp *t = tcp_of(s);
    t->pcb = NULL;
    if (t->connecting)
        s->err = e == ERR_RST    ? ECONNREFUSED
                 : e == ERR_ABRT ? ETIMEDOUT
                                 : -net_err(e);
    else
        s->err = e == ERR_RST ? ECONNRESET : -net_err(e);
    t->connecting = false;
    sock_notify(s, EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t e)
{
    struct sock *s = arg;
    if (!s)
        return ERR_OK;
    struct tcp *t = tcp_of(s);
    t->connecting = false;
    t->connected = true;
    sock_notify(s, EPOLLOUT);
    return ERR_OK;
}

static void attach(struct sock *s, struct tcp_pcb *pcb)
{
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    tcp_of(s)->pcb = pcb;
}

static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_recv(pcb, on_recv); /* discards what still arrives */
}

/* Applies the socket's options to its pcb.  A listening pcb is a smaller
 * struct tcp_pcb_listen without these fields: its accepted connections get
 * the options instead (on_accept). */
static void apply_keepalive(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    if (!t->pcb || t->listening)
        return;
    if (s->keepalive)
        ip_set_option(t->pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(t->pcb, SOF_KEEPALIVE);
    t->pcb->keep_idle = (u32_t)t->keepidle * 1000;
    t->pcb->keep_intvl = (u32_t)t->keepintvl * 1000;
    t->pcb->keep_cnt = (u32_t)t->keepcnt;
    inet_pcb_ttl_tos(s, &t->pcb->ttl, &t->pcb->tos);
    if (t->nodelay)
        tcp_nagle_disable(t->pcb);
    else
        tcp_nagle_enable(t->pcb);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t e)
{
    if (!arg || e != ERR_OK || !newpcb)
        return ERR_VAL;
    /* An SO_REUSEPORT group shares the connections out. */
    struct sock *ls = portshare_tcp_pick(tcp_of(arg)->pcb, &newpcb->remote_ip,
                                         newpcb->remote_port);
    struct tcp *lt = tcp_of(ls);
    struct sock *s =
        lt->npending < lt->backlog ? tcpsock_new(ls->family) : NULL;
    if (!s) {
        tcp_abort(newpcb);
        return ERR_ABRT;
    }
    struct tcp *t = tcp_of(s);
    s->keepalive = ls->keepalive;
    s->v6only = ls->v6only;
    s->ip = ls->ip;
    s->reuseaddr = ls->reuseaddr;
    s->reuseport = ls->reuseport;
    portshare_mark(s, &newpcb->so_options);
    t->nodelay = lt->nodelay;
    t->keepidle = lt->keepidle, t->keepintvl = lt->keepintvl;
    t->keepcnt = lt->keepcnt;
    t->user_timeout = lt->user_timeout;
    attach(s, newpcb);
    apply_keepalive(s);
    t->connected = true;
    list_add_tail(&lt->pending, &t->link);
    lt->npending++;
    sock_notify(ls, EPOLLIN);
    return ERR_OK;
}

/* --- operations */

static int ensure_pcb(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    if (t->pcb)
        return 0;
    if (t->connected || t->listening || t->connecting)
        return -EINVAL;
    struct tcp_pcb *pcb = tcp_new_ip_type(inet_pcb_type(s));
    if (!pcb)
        return -ENOBUFS;
    portshare_mark(s, &pcb->so_options);
    attach(s, pcb);
    return 0;
}

static int t_bind(struct sock *s, const struct kaddr *a)
{
    ip_addr_t ip;
    uint16_t port;
    int err = inet_addr_in(a, s->family, &ip, &port);
    if (err)
        return err;
    err = ensure_pcb(s);
    if (err)
        return err;
    struct tcp *t = tcp_of(s);
    if (t->pcb->local_port)
        return -EINVAL;
    inet_any_fixup(s, &ip);
    portshare_mark(s, &t->pcb->so_options);
    if (port) {
        err = portshare_tcp_check(t->pcb, &ip, port, t->pcb->so_options);
        if (err)
            return err;
    }
    err_t e = tcp_bind(t->pcb, &ip, port);
    if (e == ERR_VAL)
        return -EADDRNOTAVAIL;
    return net_err(e);
}

/* The most half-open connections a listener keeps: its backlog, as
 * Linux's SYN queue, within lwIP's 8-bit count. */
static u8_t syn_backlog(int backlog)
{
    return (u8_t)MIN(backlog, 255);
}

static int t_listen(struct sock *s, int backlog)
{
    struct tcp *t = tcp_of(s);
    if (backlog <= 0 || backlog > 4096)
        backlog = backlog <= 0 ? 1 : 4096;
    if (t->listening) {
        t->backlog = backlog;
        if (t->pcb)
            tcp_backlog_set(t->pcb, syn_backlog(backlog));
        return 0;
    }
    if (t->connected || t->connecting)
        return -EINVAL;
    int err = ensure_pcb(s);
    if (err)
        return err;
    if (!t->pcb->local_port) {
        /* listen() without bind(): an ephemeral port on any address. */
        ip_addr_t any =
            s->family == AF_INET || s->v6only ? *IP4_ADDR_ANY : *IP_ANY_TYPE;
        if (s->family == AF_INET6 && s->v6only)
            any = *IP6_ADDR_ANY;
        err = net_err(tcp_bind(t->pcb, &any, 0));
        if (err)
            return err;
    }
    /* Linux checks the port again: another socket may listen on it now. */
    portshare_mark(s, &t->pcb->so_options);
    err = portshare_tcp_check(t->pcb, &t->pcb->local_ip, t->pcb->local_port,
                              t->pcb->so_options);
    if (err)
        return err;
    /* lwIP's own check (one listener per address) is portshare's job. */
    u8_t opts = t->pcb->so_options;
    ip_reset_option(t->pcb, SOF_REUSEADDR);
    err_t e = ERR_OK;
    struct tcp_pcb *lpcb =
        tcp_listen_with_backlog_and_err(t->pcb, syn_backlog(backlog), &e);
    if (!lpcb) {
        ip_set_option(t->pcb, SOF_REUSEADDR);
        return net_err(e);
    }
    lpcb->so_options = opts;
    t->pcb = lpcb;
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, on_accept);
    t->listening = true;
    t->backlog = backlog;
    return 0;
}

static int t_accept(struct sock *s, struct sock **out)
{
    struct tcp *t = tcp_of(s);
    if (!t->listening)
        return -EINVAL;
    while (list_empty(&t->pending)) {
        if (!t->pcb)
            return -ECONNABORTED;
        if (sock_nonblock(s, NULL))
            return -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return r;
    }
    struct tcp *ct = container_of(t->pending.next, struct tcp, link);
    list_del(&ct->link);
    t->npending--;
    /* A connection that died before accept is still returned; its socket
     * reports the error on first use, as on Linux. */
    *out = ct->self;
    return 0;
}

static int t_connect(struct sock *s, const struct kaddr *a)
{
    struct tcp *t = tcp_of(s);
    ip_addr_t ip;
    uint16_t port;
    if (t->listening)
        return -EINVAL;
    if (t->connected)
        return -EISCONN;
    if (t->connecting)
        return -EALREADY;
    if (s->err) {
        int e = s->err;
        s->err = 0;
        return -e;
    }
    int err = inet_addr_in(a, s->family, &ip, &port);
    if (err)
        return err;
    if (port == 0)
        return -ECONNREFUSED;
    inet_unspecified_to_loopback(&ip);
    err = ensure_pcb(s);
    if (err)
        return err;
    apply_keepalive(s);
    err_t e = tcp_connect(t->pcb, &ip, port, on_connected);
    if (e != ERR_OK)
        return e == ERR_RTE ? -ENETUNREACH : net_err(e);
    t->connecting = true;
    net_pump();
    if (sock_nonblock(s, NULL))
        return t->connected ? 0 : -EINPROGRESS;
    while (t->connecting) {
        int r = sock_wait(s, true);
        if (r)
            return r == -ERESTARTSYS ? -EINTR : r;
    }
    if (!t->connected) {
        /* Another thread's send or recv may have taken the error. */
        int e2 = s->err;
        s->err = 0;
        return e2 ? -e2 : -ECONNABORTED;
    }
    return 0;
}

/* A send that cannot go on now: EAGAIN when non-blocking, else a sleep
 * until the socket changes or the call's deadline (SO_SNDTIMEO).  0 to go
 * round again, or what send returns (the bytes already sent, if any). */
static long send_wait(struct sock *s, struct msg *m, uint64_t deadline,
                      uint64_t done)
{
    long r = sock_nonblock(s, m) ? -EAGAIN : sock_wait_until(s, deadline);
    return r && done ? (long)done : r;
}

/* tcp_output, its segments handed to the device as one burst (joined
 * for TSO where the device takes that: drv/netdev.h). */
static void tcp_flush(struct tcp_pcb *pcb)
{
    netdev_tx_hold();
    tcp_output(pcb);
    netdev_tx_release();
}

/* Shut, reset, listening or never connected: EPIPE and SIGPIPE, as Linux
 * gives for any state but established (tcp_sendmsg). */
static long send_refused(struct msg *m, uint64_t done)
{
    if (!(m->flags & MSG_NOSIGNAL))
        signal_send_thread(current(), SIGPIPE, 0);
    return done ? (long)done : -EPIPE;
}

/* --- copying a send into lwIP
 *
 * With TCP_CHECKSUM_ON_COPY lwIP copies every byte tcp_write queues
 * through LWIP_CHKSUM_COPY (lwipopts.h), which is net_copy_sum: one pass
 * from the program's buffer that also gives the segment's checksum its
 * payload sum (used where the device does not finish TCP checksums).  The
 * copy runs inside lwIP, where a page fault must not wait for a disk: the
 * sender has touched every page (msg_piece), nothing else can unmap one
 * while it holds the kernel lock, and reclaim, which could, is paused for
 * the call (an allocation it would have saved fails: ERR_MEM, and t_send
 * reclaims that much outside lwIP and tries again). */
static struct {
    bool user;   /* the source is a program's buffer */
    bool failed; /* a copy faulted: what was queued is not the data */
} cp;

uint64_t net_send_reclaimed, net_send_memwait;

static u16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (u16_t)sum;
}

u16_t net_copy_sum(void *dst, const void *src, u16_t len)
{
    if (!cp.user) {
        memcpy(dst, src, len);
        return (u16_t)~inet_chksum(dst, len);
    }
    uint64_t sum = 0;
    if (copy_from_user_sum(dst, (uint64_t)src, len, &sum) < 0) {
        cp.failed = true;
        memset(dst, 0, len);
    }
    return fold(sum);
}

/* tcp_write of n bytes at at, a program's buffer when user.  A copy that
 * faulted (it cannot after msg_piece, but if it did) left bytes in the
 * queue that are not the program's: the connection is reset rather than
 * send them, and *faulted says so. */
static err_t write_from(struct tcp *t, uint64_t at, size_t n, u8_t fl,
                        bool user, bool *faulted)
{
    cp.user = user;
    cp.failed = false;
    pmem_reclaim_pause(true);
    err_t e = tcp_write(t->pcb, (const void *)at, (u16_t)n, fl);
    pmem_reclaim_pause(false);
    cp.user = false;
    *faulted = e == ERR_OK && cp.failed;
    if (*faulted) {
        kprintf("gorump: tcp: a checked send buffer faulted; reset\n");
        tcp_abort(t->pcb);
    }
    return e;
}

static long t_send(struct sock *s, struct msg *m)
{
    struct tcp *t = tcp_of(s);
    uint64_t left = msg_left(m), done = 0;
    uint64_t deadline = sock_deadline(s, true);
    bool retried = false;
    /* Even an empty send: a listening pcb must never reach tcp_output. */
    if (left == 0 && !t->connecting && (t->shut_wr || !t->connected))
        return send_refused(m, 0);
    while (left > 0) {
        if (s->err) {
            int e = s->err;
            s->err = 0;
            return done ? (long)done : -e;
        }
        if (t->connecting) { /* Linux waits for the handshake */
            long r = send_wait(s, m, deadline, done);
            if (r)
                return r;
            continue;
        }
        if (t->shut_wr || !t->connected || !t->pcb)
            return send_refused(m, done);
        size_t room = tcp_sndbuf(t->pcb);
        if (tcp_sndqueuelen(t->pcb) >= TCP_SND_QUEUELEN - 1)
            room = 0;
        if (room == 0) {
            tcp_flush(t->pcb);
            long r = send_wait(s, m, deadline, done);
            if (r)
                return r;
            continue;
        }
        uint64_t at;
        long got = msg_piece(m, MIN(MIN(room, left), (size_t)0xffff), &at);
        if (got <= 0)
            return done ? (long)done : -EFAULT;
        u8_t fl = TCP_WRITE_FLAG_COPY;
        if (left > (uint64_t)got)
            fl |= TCP_WRITE_FLAG_MORE;
        bool faulted;
        err_t e = write_from(t, at, got, fl, !m->kernel, &faulted);
        if (faulted)
            return done ? (long)done : -EFAULT;
        if (e == ERR_MEM) {
            /* Nothing was queued.  What reclaim, paused for the call,
             * would have freed for it is freed here, outside lwIP, once
             * per piece (its pbufs: twice the bytes, and a few pages
             * more); otherwise wait for memory. */
            if (!retried && pmem_reclaim(2 * (uint64_t)got / PAGE_SIZE + 4)) {
                retried = true;
                net_send_reclaimed++;
                continue;
            }
            net_send_memwait++;
            tcp_flush(t->pcb);
            memwait_enter(&t->mw, s);
            long r = send_wait(s, m, deadline, done);
            if (r)
                return r;
            continue;
        }
        if (e != ERR_OK)
            return done ? (long)done : net_err(e);
        msg_skip(m, got);
        retried = false;
        done += got;
        left -= got;
    }
    if (t->pcb)
        tcp_flush(t->pcb);
    return done;
}

static long t_recv(struct sock *s, struct msg *m)
{
    struct tcp *t = tcp_of(s);
    uint64_t want = msg_left(m), done = 0;
    bool peek = m->flags & MSG_PEEK, all = m->flags & MSG_WAITALL;
    if (t->listening)
        return -ENOTCONN;
    while (want > 0) {
        if (t->rx) {
            uint64_t skip = peek ? done : 0, before = done;
            long r = 0;
            for (struct pbuf *q = t->rx; q && done < want; q = q->next) {
                if (skip >= q->len) {
                    skip -= q->len;
                    continue;
                }
                size_t c = MIN((uint64_t)q->len - skip, want - done);
                r = msg_to_user(m, (char *)q->payload + skip, c);
                if (r < 0)
                    break;
                done += r;
                skip = 0;
                if ((size_t)r < c)
                    break;
            }
            if (!peek) /* MSG_WAITALL: only what this pass took */
                rx_consume(t, done - before);
            if (r < 0)
                return done ? (long)done : r;
            if (done == want || !all || peek)
                return done;
            continue;
        }
        if (done && !all)
            return done;
        if (t->fin || t->shut_rd)
            return done;
        if (s->err) {
            int e = s->err;
            s->err = 0;
            return done ? (long)done : -e;
        }
        if (!t->connected && !t->connecting) /* connecting: wait, as Linux */
            return done ? (long)done : -ENOTCONN;
        if (!t->pcb)
            return done;
        if (sock_nonblock(s, m))
            return done ? (long)done : -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return done ? (long)done : r;
    }
    return done;
}

static int t_shutdown(struct sock *s, int how)
{
    struct tcp *t = tcp_of(s);
    if (!t->connected)
        return -ENOTCONN;
    if (how == SHUT_RD || how == SHUT_RDWR) {
        t->shut_rd = true;
        if (t->rx)
            rx_consume(t, t->rx_bytes);
    }
    if ((how == SHUT_WR || how == SHUT_RDWR) && !t->shut_wr) {
        t->shut_wr = true;
        if (t->pcb)
            tcp_shutdown(t->pcb, 0, 1);
    }
    sock_notify(s, EPOLLIN | EPOLLOUT | EPOLLHUP);
    return 0;
}

static int t_getname(struct sock *s, struct kaddr *a, bool peer)
{
    struct tcp *t = tcp_of(s);
    if (peer && !t->connected)
        return -ENOTCONN;
    if (!t->pcb) {
        inet_addr_out(a, s->family, IP_ANY_TYPE, 0);
        return peer ? -ENOTCONN : 0;
    }
    if (peer)
        inet_addr_out(a, s->family, &t->pcb->remote_ip, t->pcb->remote_port);
    else
        inet_addr_out(a, s->family, &t->pcb->local_ip, t->pcb->local_port);
    return 0;
}

static uint32_t t_poll(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    uint32_t ev = 0;
    if (t->listening)
        return list_empty(&t->pending) ? 0 : EPOLLIN | EPOLLRDNORM;
    if (t->rx)
        ev |= EPOLLIN | EPOLLRDNORM;
    if (t->fin || t->shut_rd)
        ev |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
    if (s->err)
        ev |= EPOLLERR;
    if (t->connected && t->pcb && !t->shut_wr && tcp_sndbuf(t->pcb) > 0 &&
        !t->mw.on)
        ev |= EPOLLOUT | EPOLLWRNORM;
    if ((t->connected && !t->pcb) || (t->fin && t->shut_wr) ||
        (!t->connected && !t->connecting))
        ev |= EPOLLHUP;
    if (!t->connected && !t->connecting)
        ev |= EPOLLOUT; /* as Linux: an unconnected socket is "writable" */
    if (t->connected && !t->pcb)
        ev |= EPOLLIN | EPOLLOUT;
    return ev;
}

static int t_setopt(struct sock *s, int level, int name, const void *v,
                    uint32_t len)
{
    struct tcp *t = tcp_of(s);
    int err;
    if (level == SOL_SOCKET)
        err = sock_setopt_common(s, name, v, len);
    else if (level == IPPROTO_TCP) {
        int i;
        if (len < sizeof(int))
            return -EINVAL;
        memcpy(&i, v, sizeof(int));
        switch (name) {
        case TCP_NODELAY:
            t->nodelay = i;
            break;
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
        case TCP_KEEPCNT:
            if (i < 1 || i > 32767)
                return -EINVAL;
            *(name == TCP_KEEPIDLE    ? &t->keepidle
              : name == TCP_KEEPINTVL ? &t->keepintvl
                                      : &t->keepcnt) = i;
            break;
        case TCP_USER_TIMEOUT:
            if (i < 0)
                return -EINVAL;
            t->user_timeout = i;
            break;
        default:
            return -ENOPROTOOPT;
        }
        err = 0;
    } else {
        err = inet_setopt(s, level, name, v, len);
    }
    if (!err)
        apply_keepalive(s);
    return err;
}

static int t_getopt(struct sock *s, int level, int name, void *v, uint32_t *len)
{
    struct tcp *t = tcp_of(s);
    if (level == SOL_SOCKET) {
        if (name == 30) { /* SO_ACCEPTCONN */
            int i = t->listening;
            if (*len < sizeof(int))
                return -EINVAL;
            memcpy(v, &i, sizeof(i));
            *len = sizeof(int);
            return 0;
        }
        return sock_getopt_common(s, name, v, len);
    }
    if (level == IPPROTO_TCP) {
        int i;
        switch (name) {
        case TCP_NODELAY:
            i = t->nodelay;
            break;
        case TCP_KEEPIDLE:
            i = t->keepidle;
            break;
        case TCP_KEEPINTVL:
            i = t->keepintvl;
            break;
        case TCP_KEEPCNT:
            i = t->keepcnt;
            break;
        case TCP_USER_TIMEOUT:
            i = t->user_timeout;
            break;
        default:
            return -ENOPROTOOPT;
        }
        if (*len < sizeof(int))
            return -EINVAL;
        memcpy(v, &i, sizeof(i));
        *len = sizeof(int);
        return 0;
    }
    return inet_getopt(s, level, name, v, len);
}

static long t_nread(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    return (long)t->rx_bytes;
}

static void t_free(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    if (t->rx)
        pbuf_free(t->rx);
    memwait_leave(&t->mw);
    sock_free(s);
}

/* Closes a pcb: gracefully (FIN after pending data) or with a reset when
 * SO_LINGER asks for it or unread data remains, as Linux does. */
static void close_pcb(struct sock *s, struct tcp_pcb *pcb, bool reset)
{
    detach(pcb);
    if (reset || tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

static void t_release(struct sock *s)
{
    struct tcp *t = tcp_of(s);
    if (t->listening) {
        list_for_each(l, &t->pending)
        {
            struct tcp *ct = container_of(l, struct tcp, link);
            list_del(&ct->link);
            if (ct->pcb)
                close_pcb(ct->self, ct->pcb, true);
            t_free(ct->self);
        }
        if (t->pcb) {
            tcp_arg(t->pcb, NULL);
            tcp_accept(t->pcb, NULL);
            tcp_close(t->pcb);
        }
    } else if (t->pcb) {
        bool reset = (s->linger_on && s->linger_sec == 0) || t->rx;
        close_pcb(s, t->pcb, reset);
    }
    t->pcb = NULL;
    t_free(s);
}

static const struct sock_ops tcp_ops = {
    .bind = t_bind,
    .listen = t_listen,
    .accept = t_accept,
    .connect = t_connect,
    .send = t_send,
    .recv = t_recv,
    .shutdown = t_shutdown,
    .getname = t_getname,
    .poll = t_poll,
    .setopt = t_setopt,
    .getopt = t_getopt,
    .nread = t_nread,
    .release = t_release,
};

int tcp_socket(int family, struct sock **out)
{
    *out = tcpsock_new(family);
    return *out ? 0 : -ENOMEM;
}
