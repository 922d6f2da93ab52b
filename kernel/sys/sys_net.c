/*
 * sys/sys_net.c — the socket system calls: they check and copy the
 * program's arguments (addresses, iovecs, option values) and call the
 * socket's family through struct sock_ops (net/net.h).
 */
#include "sys/syscall.h"
#include "mm/mm.h"
#include "net/net.h"

#define SOMAXCONN 4096

struct linux_msghdr {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov;
    uint64_t iovlen;
    uint64_t control;
    uint64_t controllen;
    int32_t flags, pad1;
};

/* The socket behind fd (a file reference is taken: put it with
 * file_put), or -EBADF / -ENOTSOCK. */
static long sock_get(int fd, struct file **fp, struct sock **sp)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!file_is_socket(f)) {
        file_put(f);
        return -ENOTSOCK;
    }
    *fp = f;
    *sp = sock_of(f);
    return 0;
}

static long addr_in(struct kaddr *a, uint64_t uaddr, uint64_t len)
{
    if (len > sizeof(a->b))
        return -EINVAL;
    a->len = (uint32_t)len;
    return copy_from_user(a->b, uaddr, len);
}

/* Copies an address out the way Linux does: truncated to the buffer, the
 * full length reported in *ulen. */
static long addr_out(const struct kaddr *a, uint64_t uaddr, uint64_t ulen)
{
    uint32_t len;
    if (!uaddr)
        return 0;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if ((int32_t)len < 0)
        return -EINVAL;
    if (copy_to_user(uaddr, a->b, MIN(len, a->len)))
        return -EFAULT;
    return copy_to_user(ulen, &a->len, sizeof(a->len));
}

static long install(struct sock *s, int flags)
{
    struct file *f;
    long r = sock_file(s, (unsigned)flags, &f);
    if (r) {
        s->ops->release(s);
        return r;
    }
    r = fd_install(f, flags & SOCK_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYS(socket)
{
    int type = (int)a1 & SOCK_TYPE_MASK;
    if (a1 & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    struct sock *s;
    long r;
    if (a0 == AF_INET || a0 == AF_INET6)
        r = inet_socket((int)a0, type, (int)a2, &s);
    else if (a0 == AF_UNIX)
        r = a2 ? -EPROTONOSUPPORT : unix_socket(type, &s);
    else if (a0 == AF_NETLINK)
        r = netlink_socket(type, (int)a2, &s);
    else
        r = -EAFNOSUPPORT;
    return r ? r : install(s, (int)a1);
}

SYS(socketpair)
{
    int type = (int)a1 & SOCK_TYPE_MASK;
    struct sock *p[2];
    if (a0 != AF_UNIX)
        return a0 == AF_INET || a0 == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
    if (a1 & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (!user_range_ok(a3, 8))
        return -EFAULT;
    long r = unix_socketpair(type, p);
    if (r)
        return r;
    int fds[2];
    fds[0] = (int)install(p[0], (int)a1);
    if (fds[0] < 0) {
        p[1]->ops->release(p[1]);
        return fds[0];
    }
    fds[1] = (int)install(p[1], (int)a1);
    if (fds[1] < 0) {
        fd_close(fds[0]);
        return fds[1];
    }
    if (copy_to_user(a3, fds, sizeof(fds))) {
        fd_close(fds[0]);
        fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
}

/* bind and connect: a socket, an address, one operation. */
static long with_addr(long fd, uint64_t uaddr, uint64_t len,
                      int (*op)(struct sock *, const struct kaddr *))
{
    struct file *f;
    struct sock *s;
    struct kaddr a;
    long r = sock_get((int)fd, &f, &s);
    if (r)
        return r;
    r = addr_in(&a, uaddr, len);
    if (!r)
        r = op(s, &a);
    file_put(f);
    net_pump();
    return r;
}

static int do_bind(struct sock *s, const struct kaddr *a)
{
    return s->ops->bind(s, a);
}

static int do_connect(struct sock *s, const struct kaddr *a)
{
    /* Every family needs at least the family field (AF_UNSPEC included),
     * as Linux checks before anything else. */
    if (a->len < 2)
        return -EINVAL;
    return s->ops->connect(s, a);
}

SYS(bind)
{
    return with_addr(a0, a1, a2, do_bind);
}

SYS(listen)
{
    struct file *f;
    struct sock *s;
    long r = sock_get((int)a0, &f, &s);
    if (r)
        return r;
    int backlog = (int)a1 > SOMAXCONN ? SOMAXCONN : (int)a1;
    r = s->ops->listen(s, backlog);
    file_put(f);
    return r;
}

SYS(accept4)
{
    struct file *f;
    struct sock *s, *c;
    if (a3 & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    long r = sock_get((int)a0, &f, &s);
    if (r)
        return r;
    r = s->ops->accept(s, &c);
    file_put(f);
    net_pump();
    if (r)
        return r;
    struct kaddr peer = {{0}, 0};
    c->ops->getname(c, &peer, true);
    r = install(c, (int)a3);
    if (r >= 0 && a1 && addr_out(&peer, a1, a2)) {
        fd_close((int)r);
        return -EFAULT;
    }
    return r;
}

SYS(accept)
{
    return sys_accept4(a0, a1, a2, 0, 0, 0);
}

SYS(connect)
{
    return with_addr(a0, a1, a2, do_connect);
}

SYS(shutdown)
{
    struct file *f;
    struct sock *s;
    if (a1 < SHUT_RD || a1 > SHUT_RDWR)
        return -EINVAL;
    long r = sock_get((int)a0, &f, &s);
    if (r)
        return r;
    r = s->ops->shutdown(s, (int)a1);
    file_put(f);
    net_pump();
    return r;
}

static long getname(long fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
    struct file *f;
    struct sock *s;
    struct kaddr a = {{0}, 0};
    long r = sock_get((int)fd, &f, &s);
    if (r)
        return r;
    r = s->ops->getname(s, &a, peer);
    file_put(f);
    return r ? r : addr_out(&a, uaddr, ulen);
}

SYS(getsockname)
{
    return getname(a0, a1, a2, false);
}

SYS(getpeername)
{
    return getname(a0, a1, a2, true);
}

SYS(setsockopt)
{
    struct file *f;
    struct sock *s;
    uint8_t v[64];
    if (a4 < 0 || (size_t)a4 > sizeof(v))
        return -EINVAL;
    if (copy_from_user(v, a3, a4))
        return -EFAULT;
    long r = sock_get((int)a0, &f, &s);
    if (r)
        return r;
    r = s->ops->setopt(s, (int)a1, (int)a2, v, (uint32_t)a4);
    file_put(f);
    return r;
}

SYS(getsockopt)
{
    struct file *f;
    struct sock *s;
    uint8_t v[64];
    uint32_t len;
    if (copy_from_user(&len, a4, sizeof(len)))
        return -EFAULT;
    if ((int32_t)len < 0)
        return -EINVAL;
    len = MIN(len, (uint32_t)sizeof(v));
    long r = sock_get((int)a0, &f, &s);
    if (r)
        return r;
    r = s->ops->getopt(s, (int)a1, (int)a2, v, &len);
    file_put(f);
    if (r)
        return r;
    if (copy_to_user(a3, v, len) || copy_to_user(a4, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

/* Fills m from a user msghdr's iovec. */
static long msg_iov(struct msg *m, uint64_t uiov, uint64_t n)
{
    if (n > ARRAY_SIZE(m->iov))
        return -EMSGSIZE;
    if (copy_from_user(m->iov, uiov, n * sizeof(m->iov[0])))
        return -EFAULT;
    m->iovlen = (int)n;
    m->total = 0;
    for (uint64_t i = 0; i < n; i++) {
        if ((int64_t)m->iov[i].len < 0)
            return -EINVAL;
        if (!user_range_ok(m->iov[i].base, m->iov[i].len))
            return -EFAULT;
        m->total += m->iov[i].len;
    }
    return 0;
}

static long do_send(int fd, struct msg *m)
{
    struct file *f;
    struct sock *s;
    long r = sock_get(fd, &f, &s);
    if (r)
        return r;
    if (m->flags & MSG_OOB)
        r = -EOPNOTSUPP;
    else
        r = s->ops->send(s, m);
    file_put(f);
    net_pump();
    return r;
}

static long do_recv(int fd, struct msg *m)
{
    struct file *f;
    struct sock *s;
    long r = sock_get(fd, &f, &s);
    if (r)
        return r;
    if (m->flags & MSG_OOB)
        r = -EINVAL;
    else
        r = s->ops->recv(s, m);
    file_put(f);
    net_pump();
    return r;
}

static void rights_drop(struct msg *m);

static bool cloexec_of(const struct msg *m)
{
    return m->flags & MSG_CMSG_CLOEXEC;
}

static struct msg *msg_new(void)
{
    struct msg *m = kzalloc(sizeof(struct msg));
    if (m)
        m->tos = m->tclass = -1;
    return m;
}

long net_iov_io(int fd, uint64_t uiov, long cnt, bool write)
{
    struct msg *m = msg_new();
    if (!m)
        return -ENOMEM;
    long r = msg_iov(m, uiov, (uint64_t)cnt);
    if (!r)
        r = write ? do_send(fd, m) : do_recv(fd, m);
    if (!write)
        rights_drop(m); /* read(2) has no control buffer for them */
    kfree(m);
    return r;
}

/* A message over the program's one buffer, checked. */
static long msg_user_one(struct msg **out, long buf, long len, long flags)
{
    if (len < 0)
        return -EINVAL;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    *out = kmalloc(sizeof(**out));
    if (!*out)
        return -ENOMEM;
    msg_init_one(*out, buf, len, (int)flags);
    return 0;
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SYS(sendto)
{
    struct msg *m;
    long r = msg_user_one(&m, a1, a2, a3);
    if (r)
        return r;
    if (a4)
        r = addr_in(&m->addr, a4, a5);
    if (!r)
        r = do_send((int)a0, m);
    kfree(m);
    return r;
}

/* recvfrom(fd, buf, len, flags, addr, addrlen*) */
SYS(recvfrom)
{
    struct msg *m;
    long r = msg_user_one(&m, a1, a2, a3);
    if (r)
        return r;
    r = do_recv((int)a0, m);
    if (r >= 0 && a4 && m->addr.len && addr_out(&m->addr, a4, a5))
        r = -EFAULT;
    else if (r >= 0 && a4 && !m->addr.len) {
        uint32_t zero = 0;
        if (copy_to_user(a5, &zero, sizeof(zero)))
            r = -EFAULT;
    }
    kfree(m);
    return r;
}

struct linux_cmsghdr {
    uint64_t len;
    int32_t level, type;
};

/* An IP control message of sendmsg (ip(7), ipv6(7)): the source address
 * and interface (struct in_pktinfo's ipi_spec_dst, in6_pktinfo's
 * ipi6_addr), the TOS (an int or a byte) or the traffic class (an int,
 * -1 for the socket's).  Linux's EINVAL for a wrong size or value;
 * other types are left to the protocol, which ignores them. */
static long control_ip(struct msg *m, const struct linux_cmsghdr *c,
                       const uint8_t *data)
{
    uint64_t n = c->len - sizeof(*c);
    int32_t v = 0;
    if (c->level == SOL_IP && c->type == IP_PKTINFO) {
        if (n != 12)
            return -EINVAL;
        memcpy(&m->src_ifindex, data, 4);
        memcpy(m->src, data + 4, 4);
        m->src_family = AF_INET;
    } else if (c->level == SOL_IPV6 && c->type == IPV6_PKTINFO) {
        if (n != 20)
            return -EINVAL;
        memcpy(m->src, data, 16);
        memcpy(&m->src_ifindex, data + 16, 4);
        m->src_family = AF_INET6;
    } else if (c->level == SOL_IP && c->type == IP_TOS) {
        if (n != 4 && n != 1)
            return -EINVAL;
        if (n == 4)
            memcpy(&v, data, 4);
        else
            v = data[0];
        if (v < 0 || v > 255)
            return -EINVAL;
        m->tos = v;
    } else if (c->level == SOL_IPV6 && c->type == IPV6_TCLASS) {
        if (n != 4)
            return -EINVAL;
        memcpy(&v, data, 4);
        if (v < -1 || v > 255)
            return -EINVAL;
        m->tclass = v;
    }
    return 0;
}

/* Takes the files an SCM_RIGHTS control message names (references held
 * in m->rights until the message is delivered or dropped). */
static long control_in(struct msg *m, uint64_t uctl, uint64_t len)
{
    uint8_t buf[512];
    if (len > sizeof(buf))
        return -ENOBUFS;
    if (copy_from_user(buf, uctl, len))
        return -EFAULT;
    for (uint64_t off = 0; off + sizeof(struct linux_cmsghdr) <= len;) {
        struct linux_cmsghdr c;
        memcpy(&c, buf + off, sizeof(c));
        if (c.len < sizeof(c) || c.len > len - off)
            return -EINVAL;
        long err = control_ip(m, &c, buf + off + sizeof(c));
        if (err)
            return err;
        if (c.level == SOL_SOCKET && c.type == SCM_RIGHTS) {
            for (uint64_t p = sizeof(c); p + 4 <= c.len; p += 4) {
                int fd;
                memcpy(&fd, buf + off + p, 4);
                if (m->nrights == (int)ARRAY_SIZE(m->rights))
                    return -ETOOMANYREFS;
                struct file *f = fd_get(fd);
                if (!f)
                    return -EBADF;
                m->rights[m->nrights++] = f;
            }
        }
        off += ALIGN_UP(c.len, 8UL);
    }
    return 0;
}

static void rights_drop(struct msg *m)
{
    for (int i = 0; i < m->nrights; i++)
        file_put(m->rights[i]);
    m->nrights = 0;
}

SYS(sendmsg)
{
    struct linux_msghdr h;
    if (copy_from_user(&h, a1, sizeof(h)))
        return -EFAULT;
    struct msg *m = msg_new();
    if (!m)
        return -ENOMEM;
    m->flags = (int)a2;
    long r = msg_iov(m, h.iov, h.iovlen);
    if (!r && h.name)
        r = addr_in(&m->addr, h.name, h.namelen);
    if (!r && h.control && h.controllen)
        r = control_in(m, h.control, h.controllen);
    if (!r)
        r = do_send((int)a0, m);
    rights_drop(m); /* what the socket did not take */
    kfree(m);
    return r;
}

/* Installs received files and writes their SCM_RIGHTS message: the
 * control length written.  As Linux (scm_detach_fds): as many fds as the
 * buffer holds are installed, MSG_CTRUNC says some were not, and the files
 * not delivered are dropped, never left open where the program cannot
 * see them (also when the buffer cannot be written). */
static uint64_t control_rights(struct msg *m, uint64_t uctl, uint64_t cap,
                               int *flags)
{
    if (!m->nrights)
        return 0;
    struct linux_cmsghdr c = {sizeof(c), SOL_SOCKET, SCM_RIGHTS};
    int fit = !uctl || cap < sizeof(c)
                  ? 0
                  : (int)MIN((cap - sizeof(c)) / 4, (uint64_t)m->nrights);
    int fds[ARRAY_SIZE(m->rights)], n = 0;
    for (int i = 0; i < m->nrights; i++) {
        int fd = i < fit ? fd_install(m->rights[i], cloexec_of(m)) : -1;
        if (fd < 0)
            file_put(m->rights[i]);
        else
            fds[n++] = fd;
    }
    if (n < m->nrights)
        *flags |= MSG_CTRUNC;
    m->nrights = 0;
    if (!n)
        return 0;
    c.len = sizeof(c) + 4 * (uint64_t)n;
    if (copy_to_user(uctl, &c, sizeof(c)) ||
        copy_to_user(uctl + sizeof(c), fds, 4 * (uint64_t)n)) {
        for (int i = 0; i < n; i++)
            fd_close(fds[i]);
        *flags |= MSG_CTRUNC;
        return 0;
    }
    return ALIGN_UP(c.len, 8UL); /* CMSG_SPACE: the caller caps it */
}

/* Copies the IP control messages out as Linux's put_cmsg does: one that
 * does not fit is cut to the room left (its cmsg_len saying so) and sets
 * MSG_CTRUNC; none at all fits in less than a header.  The length
 * written, or -EFAULT. */
static long control_ip_out(struct msg *m, uint64_t uctl, uint64_t cap,
                           int *flags)
{
    uint64_t used = 0;
    for (uint32_t off = 0; off < m->ctl_len;) {
        uint64_t clen, space;
        memcpy(&clen, m->ctl + off, 8);
        space = ALIGN_UP(clen, 8UL);
        if (!uctl || cap - used < sizeof(struct linux_cmsghdr)) {
            *flags |= MSG_CTRUNC;
            break;
        }
        uint64_t put = MIN(clen, cap - used);
        if (put < clen) {
            *flags |= MSG_CTRUNC;
            memcpy(m->ctl + off, &put, 8); /* cmsg_len: what is there */
        }
        if (copy_to_user(uctl + used, m->ctl + off, put))
            return -EFAULT;
        used += MIN(space, cap - used);
        off += (uint32_t)space;
    }
    return (long)used;
}

/* Writes SCM_RIGHTS, then the IP control messages: the length written. */
static long control_out(struct msg *m, uint64_t uctl, uint64_t cap, int *flags)
{
    uint64_t used = control_rights(m, uctl, cap, flags);
    used = MIN(used, cap);
    long r = control_ip_out(m, uctl ? uctl + used : 0, cap - used, flags);
    return r < 0 ? r : (long)(used + (uint64_t)r);
}

SYS(recvmsg)
{
    struct linux_msghdr h;
    if (copy_from_user(&h, a1, sizeof(h)))
        return -EFAULT;
    struct msg *m = msg_new();
    if (!m)
        return -ENOMEM;
    m->flags = (int)a2;
    long r = msg_iov(m, h.iov, h.iovlen);
    if (!r)
        r = do_recv((int)a0, m);
    if (r < 0)
        rights_drop(m);
    if (r >= 0) {
        uint32_t nl = 0;
        if (h.name && m->addr.len) {
            nl = MIN(h.namelen, m->addr.len);
            if (copy_to_user(h.name, m->addr.b, nl))
                r = -EFAULT;
            nl = m->addr.len;
        }
        int32_t fl = m->out_flags;
        long cl = control_out(m, h.control, h.controllen, &fl);
        if (cl < 0)
            r = cl;
        else if (copy_to_user(a1 + offsetof(struct linux_msghdr, namelen), &nl,
                              sizeof(nl)) ||
                 copy_to_user(a1 + offsetof(struct linux_msghdr, controllen),
                              &cl, sizeof(cl)) ||
                 copy_to_user(a1 + offsetof(struct linux_msghdr, flags), &fl,
                              sizeof(fl)))
            r = -EFAULT;
    }
    kfree(m);
    return r;
}
