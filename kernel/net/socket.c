/*
 * net/socket.c — the socket object shared by every family: its file (read,
 * write, poll, ioctl, stat, close), blocking with timeouts, the cursor over
 * the program's iovec, and the SOL_SOCKET options.
 */
#include "net/net.h"
#include "mm/mm.h"

/* net.core.rmem_max and wmem_max, and their _default. */
#define SOCK_BUF_MAX 212992

struct sock *sock_alloc(int family, int type, const struct sock_ops *ops,
                        size_t proto_size)
{
    struct sock *s = kzalloc(sizeof(*s));
    void *proto = s ? kzalloc(proto_size) : NULL;
    if (!proto) {
        kfree(s);
        return NULL;
    }
    s->proto = proto;
    s->family = family;
    s->type = type;
    s->ops = ops;
    s->rcvbuf = SOCK_BUF_MAX;
    s->sndbuf = SOCK_BUF_MAX;
    return s;
}

void sock_free(struct sock *s)
{
    kfree(s->proto);
    kfree(s);
}

struct sock *sock_of(struct file *f)
{
    return f->priv;
}

bool sock_nonblock(struct sock *s, const struct msg *m)
{
    return (s->file && (s->file->flags & O_NONBLOCK)) ||
           (m && (m->flags & MSG_DONTWAIT));
}

void sock_notify(struct sock *s, uint32_t events)
{
    if (s->file)
        file_notify(s->file, events);
}

uint64_t sock_deadline(struct sock *s, bool sending)
{
    uint64_t t = sending ? s->sndtimeo : s->rcvtimeo;
    return t && t < TIME_FOREVER ? time_deadline(t) : 0;
}

/* A signal restarts the call only when it had no timeout: Linux's
 * sock_intr_errno gives EINTR, whatever SA_RESTART says, to a call
 * bounded by SO_RCVTIMEO or SO_SNDTIMEO (signal(7)). */
int sock_wait_until(struct sock *s, uint64_t deadline)
{
    int r = sched_sleep(&s->file->wq, deadline);
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    if (r == -EINTR)
        return deadline ? -EINTR : -ERESTARTSYS;
    return 0;
}

int sock_wait(struct sock *s, bool sending)
{
    return sock_wait_until(s, sock_deadline(s, sending));
}

uint64_t msg_left(const struct msg *m)
{
    uint64_t left = 0;
    for (int i = m->idx; i < m->iovlen; i++)
        left += m->iov[i].len - (i == m->idx ? m->off : 0);
    return left;
}

static long msg_copy(struct msg *m, void *k, size_t n, bool to_user)
{
    size_t done = 0;
    while (done < n && m->idx < m->iovlen) {
        struct linux_iovec *v = &m->iov[m->idx];
        size_t c = MIN(n - done, v->len - m->off);
        long r = 0;
        if (m->kernel && to_user)
            memcpy((void *)(v->base + m->off), (char *)k + done, c);
        else if (m->kernel)
            memcpy((char *)k + done, (void *)(v->base + m->off), c);
        else if (to_user)
            r = copy_to_user(v->base + m->off, (char *)k + done, c);
        else
            r = copy_from_user((char *)k + done, v->base + m->off, c);
        if (r)
            return done ? (long)done : r;
        done += c;
        m->off += c;
        if (m->off == v->len) {
            m->idx++;
            m->off = 0;
        }
    }
    return done;
}

long msg_from_user(struct msg *m, void *dst, size_t n)
{
    return msg_copy(m, dst, n, false);
}

long msg_to_user(struct msg *m, const void *src, size_t n)
{
    return msg_copy(m, (void *)src, n, true);
}

long msg_piece(struct msg *m, size_t n, uint64_t *at)
{
    while (m->idx < m->iovlen && m->off == m->iov[m->idx].len) {
        m->idx++;
        m->off = 0;
    }
    if (m->idx == m->iovlen || n == 0)
        return 0;
    struct linux_iovec *v = &m->iov[m->idx];
    size_t c = MIN(n, v->len - m->off);
    *at = v->base + m->off;
    return m->kernel ? (long)c : user_readable(*at, c);
}

void msg_skip(struct msg *m, size_t n)
{
    while (n > 0 && m->idx < m->iovlen) {
        size_t c = MIN(n, m->iov[m->idx].len - m->off);
        n -= c;
        m->off += c;
        if (m->off == m->iov[m->idx].len) {
            m->idx++;
            m->off = 0;
        }
    }
}

/* --- the file */

void msg_init_one(struct msg *m, uint64_t buf, size_t n, int flags)
{
    memset(m, 0, sizeof(*m));
    m->iov[0] = (struct linux_iovec){buf, n};
    m->iovlen = 1;
    m->total = n;
    m->flags = flags;
}

static long sock_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct msg *m = kmalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    msg_init_one(m, ubuf, n, 0);
    struct sock *s = sock_of(f);
    long r = s->ops->recv(s, m);
    kfree(m);
    net_pump();
    return r;
}

static long sock_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct msg *m = kmalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    msg_init_one(m, ubuf, n, 0);
    struct sock *s = sock_of(f);
    long r = s->ops->send(s, m);
    kfree(m);
    net_pump();
    return r;
}

static uint32_t sock_poll(struct file *f)
{
    struct sock *s = sock_of(f);
    return s->ops->poll(s);
}

static long sock_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    struct sock *s = sock_of(f);
    if (cmd == FIONREAD && s->ops->nread) {
        int n = (int)s->ops->nread(s);
        return copy_to_user(arg, &n, sizeof(n));
    }
    if (cmd == SIOCOUTQ) {
        int n = 0;
        return copy_to_user(arg, &n, sizeof(n));
    }
    return -ENOTTY;
}

static void sock_stat(struct file *f, struct linux_stat *st)
{
    st->st_mode = S_IFSOCK | 0777;
    st->st_blksize = 4096;
}

static void sock_release(struct file *f)
{
    struct sock *s = sock_of(f);
    s->file = NULL;
    s->ops->release(s);
    net_pump();
}

static const struct file_ops sock_fops = {
    .read = sock_read,
    .write = sock_write,
    .poll = sock_poll,
    .ioctl = sock_ioctl,
    .stat = sock_stat,
    .release = sock_release,
};

long sock_file(struct sock *s, unsigned flags, struct file **out)
{
    struct file *f = file_alloc(&sock_fops, s, O_RDWR | (flags & O_NONBLOCK));
    if (!f)
        return -ENOMEM;
    f->anon = "socket";
    s->file = f;
    *out = f;
    return 0;
}

bool file_is_socket(struct file *f)
{
    return f->ops == &sock_fops;
}

long sock_send_kernel(struct file *f, const void *buf, size_t n)
{
    struct msg *m = kmalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    msg_init_one(m, (uint64_t)buf, n, MSG_NOSIGNAL);
    m->kernel = true;
    struct sock *s = sock_of(f);
    long r = s->ops->send(s, m);
    kfree(m);
    net_pump();
    return r;
}

/* --- SOL_SOCKET options */

static int get_int(const void *v, uint32_t len, int *out)
{
    if (len < sizeof(int))
        return -EINVAL;
    memcpy(out, v, sizeof(int));
    return 0;
}

/* socket(7): a negative timeout is no timeout (0); huge ones saturate. */
static uint64_t timeval_ns(const void *v)
{
    uint64_t ns;
    return time_tv_to_ns(v, &ns) ? 0 : ns;
}

int sock_setopt_common(struct sock *s, int name, const void *v, uint32_t len)
{
    int i = 0;
    if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
        if (len < sizeof(struct linux_timeval))
            return -EINVAL;
        const struct linux_timeval *tv = v;
        if (tv->tv_usec < 0 || tv->tv_usec >= 1000000)
            return -EDOM;
        *(name == SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo) = timeval_ns(v);
        return 0;
    }
    if (name == SO_LINGER) {
        if (len < 8)
            return -EINVAL;
        memcpy(&s->linger_on, v, 4);
        memcpy(&s->linger_sec, (const char *)v + 4, 4);
        return 0;
    }
    int err = get_int(v, len, &i);
    if (err)
        return err;
    switch (name) {
    case SO_REUSEADDR:
        s->reuseaddr = i;
        return 0;
    case SO_REUSEPORT:
        s->reuseport = i;
        return 0;
    case SO_KEEPALIVE:
        s->keepalive = i;
        return 0;
    case SO_BROADCAST:
        s->broadcast = i;
        return 0;
    case SO_SNDBUF:
    case SO_RCVBUF:
    case SO_SNDBUFFORCE:
    case SO_RCVBUFFORCE: {
        /* socket(7): Linux doubles the value (bookkeeping overhead), the
         * plain options within net.core.[rw]mem_max (212992 by default),
         * the FORCE ones (CAP_NET_ADMIN: the program is root) without. */
        bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
        bool snd = name == SO_SNDBUF || name == SO_SNDBUFFORCE;
        int v2 = MAX(MIN(i, force ? INT32_MAX / 2 : SOCK_BUF_MAX), 0) * 2;
        *(snd ? &s->sndbuf : &s->rcvbuf) = MAX(v2, snd ? 4608 : 2304);
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

static int put_int(void *v, uint32_t *len, int i)
{
    if (*len < sizeof(int))
        return -EINVAL;
    memcpy(v, &i, sizeof(int));
    *len = sizeof(int);
    return 0;
}

int sock_getopt_common(struct sock *s, int name, void *v, uint32_t *len)
{
    switch (name) {
    case SO_TYPE:
        return put_int(v, len, s->type);
    case SO_DOMAIN:
        return put_int(v, len, s->family);
    case SO_PROTOCOL:
        return put_int(v, len,
                       s->family == AF_UNIX     ? 0
                       : s->type == SOCK_STREAM ? 6
                                                : 17);
    case SO_ERROR: {
        int e = s->err;
        s->err = 0;
        return put_int(v, len, e);
    }
    case SO_REUSEADDR:
        return put_int(v, len, s->reuseaddr);
    case SO_REUSEPORT:
        return put_int(v, len, s->reuseport);
    case SO_KEEPALIVE:
        return put_int(v, len, s->keepalive);
    case SO_BROADCAST:
        return put_int(v, len, s->broadcast);
    case SO_SNDBUF:
        return put_int(v, len, s->sndbuf);
    case SO_RCVBUF:
        return put_int(v, len, s->rcvbuf);
    case SO_LINGER:
        if (*len < 8)
            return -EINVAL;
        memcpy(v, &s->linger_on, 4);
        memcpy((char *)v + 4, &s->linger_sec, 4);
        *len = 8;
        return 0;
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo;
        /* Saturated means forever, which reads back as 0 (socket(7)). */
        struct linux_timeval tv = time_ns_to_tv(ns >= TIME_FOREVER ? 0 : ns);
        if (*len < sizeof(tv))
            return -EINVAL;
        memcpy(v, &tv, sizeof(tv));
        *len = sizeof(tv);
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}
