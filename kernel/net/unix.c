/*
 * net/unix.c — AF_UNIX sockets, stream and datagram, named in the file
 * tree (a socket node) or in the abstract namespace (a leading NUL), and
 * socketpair().  Everything stays in the kernel: a stream connection is two
 * byte queues, a datagram socket a queue of messages.  Passing file
 * descriptors (SCM_RIGHTS) is not supported yet: control data is ignored.
 */
#include "fs/mount.h"
#include "net/net.h"
#include "mm/mm.h"

#define UNIX_PATH 108
#define STREAM_BUF (256 * 1024)

struct chunk {
    struct list link;
    size_t len, off;
    struct kaddr from;       /* datagrams: the sender */
    struct file *rights[16]; /* SCM_RIGHTS passed with this chunk */
    int nrights;
    uint8_t data[];
};

/* Moves the files being passed from the message to the chunk. */
static void rights_attach(struct chunk *c, struct msg *m)
{
    for (int i = 0; i < m->nrights; i++)
        c->rights[i] = m->rights[i];
    c->nrights = m->nrights;
    m->nrights = 0;
}

/* Hands a chunk's files to the receiver's message. */
static void rights_take(struct chunk *c, struct msg *m)
{
    for (int i = 0; i < c->nrights && m->nrights < 16; i++)
        m->rights[m->nrights++] = c->rights[i];
    c->nrights = 0;
}

static void chunk_free(struct chunk *c)
{
    for (int i = 0; i < c->nrights; i++)
        file_put(c->rights[i]);
    kfree(c);
}

struct unix {
    struct sock *self;
    struct sock *peer; /* connected stream, or default datagram target */
    struct kaddr name; /* bound name (len 0: unnamed) */
    struct node *node; /* the file-tree node of a bound path name */
    struct list rx;    /* chunks received: bytes or datagrams */
    size_t rx_bytes;
    bool listening, connected, shut_rd, shut_wr, peer_gone;
    struct list pending; /* listening: connections to accept */
    struct list link;    /* a pending connection's place */
    int npending, backlog;
    struct list all; /* in the list of bound abstract sockets */
};

static const struct sock_ops unix_ops;
static struct list abstract = LIST_INIT(abstract);

static struct unix *ux(struct sock *s)
{
    return s->proto;
}

static struct sock *unix_new(int type)
{
    struct sock *s = sock_alloc(AF_UNIX, type, &unix_ops, sizeof(struct unix));
    struct unix *u = s ? s->proto : NULL;
    if (!u)
        return NULL;
    u->self = s;
    list_init(&u->rx);
    list_init(&u->pending);
    list_init(&u->link);
    list_init(&u->all);
    return s;
}

/* Validates a sockaddr_un; returns the name length (path without NUL). */
static int name_len(const struct kaddr *a)
{
    uint16_t fam;
    if (a->len < 2)
        return -EINVAL;
    memcpy(&fam, a->b, 2);
    if (fam != AF_UNIX)
        return -EAFNOSUPPORT;
    if (a->len == 2)
        return 0;
    if (a->b[2] == 0)
        return (int)a->len - 2; /* abstract: every byte counts */
    return (int)strnlen((const char *)a->b + 2,
                        MIN(a->len - 2, (uint32_t)UNIX_PATH));
}

static struct sock *find_abstract(const struct kaddr *a)
{
    list_for_each(l, &abstract)
    {
        struct unix *u = container_of(l, struct unix, all);
        if (u->name.len == a->len && !memcmp(u->name.b, a->b, a->len))
            return u->self;
    }
    return NULL;
}

/* The socket bound at a's name, or an error. */
static int lookup(const struct kaddr *a, int type, struct sock **out)
{
    int n = name_len(a);
    if (n < 0)
        return n;
    if (n == 0)
        return -EINVAL;
    if (a->b[2] == 0) {
        *out = find_abstract(a);
        return *out ? 0 : -ECONNREFUSED;
    }
    char path[UNIX_PATH + 1];
    memcpy(path, a->b + 2, n);
    path[n] = '\0';
    struct node *node;
    int err = path_resolve(AT_FDCWD, path, true, &node);
    if (err)
        return err;
    *out = (node->mode & S_IFMT) == S_IFSOCK ? node->priv : NULL;
    node_put(node);
    if (!*out)
        return -ECONNREFUSED;
    if ((*out)->type != type)
        return -EPROTOTYPE;
    return 0;
}

/* bind() with only the family: a fresh abstract name of five hex digits
 * (unix(7), "Autobind feature"). */
static int autobind(struct sock *s)
{
    static unsigned next;
    struct unix *u = ux(s);
    struct kaddr a = {{AF_UNIX, 0, 0}, 8};
    for (unsigned tries = 0; tries < 0x100000; tries++) {
        snprintf((char *)a.b + 3, 6, "%05x", next++ & 0xfffff);
        if (!find_abstract(&a)) {
            list_add_tail(&abstract, &u->all);
            u->name = a;
            return 0;
        }
    }
    return -EADDRINUSE;
}

/* The socket's node, named by lk: on a mount, the backend makes it (a
 * socket file on the host) and the node stays cached while bound. */
static int bind_node(struct lookup *lk, struct node **out)
{
    uint32_t mode = S_IFSOCK | (0777 & ~vfs_get_umask());
    if (lk->parent->mnt)
        return mount_create(lk->parent, lk->name, lk->len, mode, out);
    struct node *node = node_new(S_IFSOCK | 0755);
    if (!node)
        return -ENOMEM;
    int err = dir_link(lk->parent, lk->name, lk->len, node);
    if (err)
        node_put(node);
    else
        *out = node;
    return err;
}

static int x_bind(struct sock *s, const struct kaddr *a)
{
    struct unix *u = ux(s);
    int n = name_len(a);
    if (n < 0)
        return n;
    if (u->name.len)
        return -EINVAL;
    if (n == 0)
        return autobind(s);
    if (a->b[2] == 0) {
        if (find_abstract(a))
            return -EADDRINUSE;
        list_add_tail(&abstract, &u->all);
    } else {
        char path[UNIX_PATH + 1];
        struct lookup lk;
        memcpy(path, a->b + 2, n);
        path[n] = '\0';
        int err = path_parent(AT_FDCWD, path, &lk);
        if (!err && lk.node)
            err = -EADDRINUSE;
        struct node *node = NULL;
        if (!err)
            err = bind_node(&lk, &node);
        lookup_done(&lk);
        if (err)
            return err;
        node->priv = s;
        u->node = node; /* keeps our reference */
    }
    u->name.len = a->len;
    memcpy(u->name.b, a->b, a->len);
    return 0;
}

static int x_listen(struct sock *s, int backlog)
{
    struct unix *u = ux(s);
    if (s->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (!u->name.len || u->connected)
        return -EINVAL;
    u->listening = true;
    u->backlog = backlog <= 0 ? 1 : MIN(backlog, 4096);
    return 0;
}

static void pair(struct sock *a, struct sock *b)
{
    ux(a)->peer = b;
    ux(b)->peer = a;
    ux(a)->connected = ux(b)->connected = true;
}

static int x_connect(struct sock *s, const struct kaddr *a)
{
    struct unix *u = ux(s);
    struct sock *target;
    int err = lookup(a, s->type, &target);
    if (err)
        return err;
    if (s->type == SOCK_DGRAM) {
        u->peer = target;
        return 0;
    }
    if (u->connected)
        return -EISCONN;
    struct unix *lu = ux(target);
    if (!lu->listening)
        return -ECONNREFUSED;
    if (lu->npending >= lu->backlog)
        return sock_nonblock(s, NULL) ? -EAGAIN : -ECONNREFUSED;
    struct sock *srv = unix_new(s->type);
    if (!srv)
        return -ENOMEM;
    ux(srv)->name = lu->name;
    pair(s, srv);
    list_add_tail(&lu->pending, &ux(srv)->link);
    lu->npending++;
    sock_notify(target, EPOLLIN);
    sock_notify(s, EPOLLOUT);
    return 0;
}

static int x_accept(struct sock *s, struct sock **out)
{
    struct unix *u = ux(s);
    if (!u->listening)
        return -EINVAL;
    while (list_empty(&u->pending)) {
        if (sock_nonblock(s, NULL))
            return -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return r;
    }
    struct unix *c = container_of(u->pending.next, struct unix, link);
    list_del(&c->link);
    u->npending--;
    *out = c->self;
    return 0;
}

static struct chunk *chunk_new(size_t len)
{
    struct chunk *c = kmalloc(sizeof(*c) + len);
    if (c) {
        c->len = len;
        c->off = 0;
        c->from.len = 0;
        c->nrights = 0;
    }
    return c;
}

static long stream_send(struct sock *s, struct msg *m)
{
    struct unix *u = ux(s);
    uint64_t left = msg_left(m), done = 0;
    while (left) {
        struct sock *p = u->peer;
        if (u->shut_wr || u->peer_gone || !p || ux(p)->shut_rd) {
            if (!u->connected)
                return -ENOTCONN;
            if (!(m->flags & MSG_NOSIGNAL))
                signal_send_thread(current(), SIGPIPE, 0);
            return done ? (long)done : -EPIPE;
        }
        struct unix *pu = ux(p);
        size_t room = pu->rx_bytes < STREAM_BUF ? STREAM_BUF - pu->rx_bytes : 0;
        bool packet = s->type == SOCK_SEQPACKET;
        if (packet && left > 65536)
            return -EMSGSIZE;
        if (!room || (packet && room < left)) {
            if (sock_nonblock(s, m))
                return done ? (long)done : -EAGAIN;
            int r = sock_wait(s, true);
            if (r)
                return done ? (long)done : r;
            continue;
        }
        size_t n = packet ? left : MIN(MIN(room, left), (size_t)65536);
        struct chunk *c = chunk_new(n);
        if (!c)
            return done ? (long)done : -ENOBUFS;
        long got = msg_from_user(m, c->data, n);
        if (got <= 0) {
            kfree(c);
            return done ? (long)done : -EFAULT;
        }
        c->len = got;
        rights_attach(c, m);
        list_add_tail(&pu->rx, &c->link);
        pu->rx_bytes += got;
        sock_notify(p, EPOLLIN);
        done += got;
        left -= got;
    }
    return done;
}

static long dgram_send(struct sock *s, struct msg *m)
{
    struct unix *u = ux(s);
    struct sock *t = u->peer;
    if (m->addr.len) {
        int err = lookup(&m->addr, SOCK_DGRAM, &t);
        if (err)
            return err;
    }
    if (!t)
        return u->connected ? -ECONNREFUSED : -EDESTADDRREQ;
    uint64_t len = msg_left(m);
    if (len > 212992)
        return -EMSGSIZE;
    struct unix *tu = ux(t);
    while (tu->rx_bytes + len > (size_t)t->rcvbuf) {
        if (sock_nonblock(s, m))
            return -EAGAIN;
        int r = sock_wait(s, true);
        if (r)
            return r;
    }
    struct chunk *c = chunk_new(len);
    if (!c)
        return -ENOBUFS;
    if (msg_from_user(m, c->data, len) != (long)len) {
        kfree(c);
        return -EFAULT;
    }
    c->from = u->name;
    rights_attach(c, m);
    list_add_tail(&tu->rx, &c->link);
    tu->rx_bytes += len;
    sock_notify(t, EPOLLIN);
    return len;
}

static long x_send(struct sock *s, struct msg *m)
{
    return s->type == SOCK_DGRAM ? dgram_send(s, m) : stream_send(s, m);
}

static void wake_peer(struct sock *s)
{
    struct unix *u = ux(s);
    if (u->peer && ux(u->peer)->peer == s)
        sock_notify(u->peer, EPOLLOUT);
}

static long x_recv(struct sock *s, struct msg *m)
{
    struct unix *u = ux(s);
    bool peek = m->flags & MSG_PEEK;
    while (list_empty(&u->rx)) {
        if (s->type != SOCK_DGRAM &&
            (u->shut_rd || u->peer_gone || (u->peer && ux(u->peer)->shut_wr)))
            return 0;
        if (s->type != SOCK_DGRAM && !u->connected)
            return -EINVAL;
        if (sock_nonblock(s, m))
            return -EAGAIN;
        int r = sock_wait(s, false);
        if (r)
            return r;
    }
    if (s->type != SOCK_STREAM) { /* one message: datagram or packet */
        struct chunk *c = container_of(u->rx.next, struct chunk, link);
        long n = msg_to_user(m, c->data, MIN(c->len, msg_left(m)));
        if (n < 0)
            return n;
        if ((size_t)n < c->len)
            m->out_flags |= MSG_TRUNC;
        /* An unbound sender has no address: addrlen 0, as on Linux. */
        m->addr = c->from;
        long len = (m->flags & MSG_TRUNC) ? (long)c->len : n;
        if (!peek) {
            rights_take(c, m);
            list_del(&c->link);
            u->rx_bytes -= c->len;
            chunk_free(c);
            wake_peer(s);
        }
        return len;
    }
    uint64_t want = msg_left(m), done = 0;
    list_for_each(l, &u->rx)
    {
        struct chunk *c = container_of(l, struct chunk, link);
        if (done == want || (done && c->nrights))
            break; /* passed files start a read of their own */
        size_t n = MIN(c->len - c->off, want - done);
        long r = msg_to_user(m, c->data + c->off, n);
        if (r < 0)
            return done ? (long)done : r;
        done += r;
        if (peek)
            continue;
        rights_take(c, m);
        c->off += r;
        u->rx_bytes -= r;
        if (c->off == c->len) {
            list_del(&c->link);
            chunk_free(c);
        }
    }
    if (!peek && u->peer)
        sock_notify(u->peer, EPOLLOUT);
    return done;
}

static int x_shutdown(struct sock *s, int how)
{
    struct unix *u = ux(s);
    if (!u->connected)
        return -ENOTCONN;
    if (how != SHUT_WR)
        u->shut_rd = true;
    if (how != SHUT_RD)
        u->shut_wr = true;
    sock_notify(s, EPOLLIN | EPOLLOUT);
    if (u->peer)
        sock_notify(u->peer, EPOLLIN | EPOLLRDHUP);
    return 0;
}

static int x_getname(struct sock *s, struct kaddr *a, bool peer)
{
    struct unix *u = ux(s);
    if (peer) {
        if (!u->connected && !u->peer)
            return -ENOTCONN;
        if (!u->peer) {
            *a = (struct kaddr){{AF_UNIX}, 2};
            return 0;
        }
        u = ux(u->peer);
    }
    if (u->name.len)
        *a = u->name;
    else
        *a = (struct kaddr){{AF_UNIX}, 2};
    return 0;
}

static uint32_t x_poll(struct sock *s)
{
    struct unix *u = ux(s);
    uint32_t ev = 0;
    if (u->listening)
        return list_empty(&u->pending) ? 0 : EPOLLIN | EPOLLRDNORM;
    if (!list_empty(&u->rx))
        ev |= EPOLLIN | EPOLLRDNORM;
    if (s->type == SOCK_DGRAM)
        return ev | EPOLLOUT | EPOLLWRNORM;
    struct sock *p = u->peer;
    bool hup = u->peer_gone || (p && ux(p)->shut_wr);
    if (hup || u->shut_rd)
        ev |= EPOLLIN | EPOLLRDHUP;
    if (u->peer_gone || (u->shut_rd && u->shut_wr))
        ev |= EPOLLHUP;
    if (u->connected && !u->peer_gone && p && ux(p)->rx_bytes < STREAM_BUF)
        ev |= EPOLLOUT | EPOLLWRNORM;
    if (!u->connected)
        ev |= EPOLLOUT | EPOLLHUP;
    return ev;
}

static int x_setopt(struct sock *s, int level, int name, const void *v,
                    uint32_t len)
{
    if (level != SOL_SOCKET)
        return -ENOPROTOOPT;
    return sock_setopt_common(s, name, v, len);
}

static int x_getopt(struct sock *s, int level, int name, void *v, uint32_t *len)
{
    if (level != SOL_SOCKET)
        return -ENOPROTOOPT;
    if (name == 30) { /* SO_ACCEPTCONN */
        int i = ux(s)->listening;
        if (*len < sizeof(int))
            return -EINVAL;
        memcpy(v, &i, sizeof(i));
        *len = sizeof(int);
        return 0;
    }
    return sock_getopt_common(s, name, v, len);
}

static long x_nread(struct sock *s)
{
    struct unix *u = ux(s);
    if (s->type != SOCK_STREAM && !list_empty(&u->rx))
        return container_of(u->rx.next, struct chunk, link)->len;
    return u->rx_bytes;
}

static void drop(struct sock *s);

static void x_release(struct sock *s)
{
    struct unix *u = ux(s);
    list_for_each(l, &u->pending)
    {
        struct unix *c = container_of(l, struct unix, link);
        list_del(&c->link);
        drop(c->self);
    }
    drop(s);
}

/* Frees a socket; its peer sees end-of-file (stream) or loses its default
 * target (datagram sockets connected to it). */
static void drop(struct sock *s)
{
    struct unix *u = ux(s);
    if (u->peer && ux(u->peer)->peer == s) {
        struct unix *pu = ux(u->peer);
        pu->peer_gone = s->type != SOCK_DGRAM;
        pu->peer = NULL;
        sock_notify(u->peer, EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP);
    }
    list_for_each(l, &u->rx) chunk_free(container_of(l, struct chunk, link));
    list_del(&u->all);
    if (u->node) {
        u->node->priv = NULL;
        node_put(u->node);
    }
    sock_free(s);
}

static const struct sock_ops unix_ops = {
    .bind = x_bind,
    .listen = x_listen,
    .accept = x_accept,
    .connect = x_connect,
    .send = x_send,
    .recv = x_recv,
    .shutdown = x_shutdown,
    .getname = x_getname,
    .poll = x_poll,
    .setopt = x_setopt,
    .getopt = x_getopt,
    .nread = x_nread,
    .release = x_release,
};

int unix_socket(int type, struct sock **out)
{
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    *out = unix_new(type);
    return *out ? 0 : -ENOMEM;
}

int unix_socketpair(int type, struct sock *p[2])
{
    int err = unix_socket(type, &p[0]);
    if (err)
        return err;
    err = unix_socket(type, &p[1]);
    if (err) {
        drop(p[0]);
        return err;
    }
    pair(p[0], p[1]);
    return 0;
}
