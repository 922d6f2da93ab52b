/*
 * tests/sysfuzz/matrix.c — every fd-taking call against every kind of fd
 * (kinds.c), and each call that takes a buffer with a good one and with
 * bad ones (NULL, read-only, unmapped, kernel, non-canonical).  Prints one
 * line per case, "CALL[BUF] KIND RESULT", so that the lines of a native run
 * and of a gorump run can be compared (tests/sysfuzz/compare.sh).
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <fcntl.h>
#include <linux/stat.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define S(nr, ...) sf_sys_n(nr, __VA_ARGS__)
#define sf_sys_n(nr, ...) sf_sys6(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sf_sys6(nr, a, b, c, d, e, f, ...)                                     \
    sf_sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static uint64_t b_ok(void)
{
    return (uint64_t)sf_mem.scratch;
}
static uint64_t b_null(void)
{
    return 0;
}
static uint64_t b_ro(void)
{
    return (uint64_t)sf_mem.ro;
}
static uint64_t b_unmapped(void)
{
    return (uint64_t)sf_mem.unmapped;
}
static uint64_t b_kernel(void)
{
    return SF_KERNEL_ADDR;
}
static uint64_t b_noncanon(void)
{
    return SF_NONCANON_LO;
}

static const struct {
    const char *name;
    uint64_t (*addr)(void);
} bufs[] = {
    {"ok", b_ok},         {"null", b_null},
    {"ro", b_ro},         {"unmapped", b_unmapped},
    {"kernel", b_kernel}, {"noncanon", b_noncanon},
};

/* A scratch buffer the call may read, prepared for each case. */
static uint8_t *scr(size_t off)
{
    return sf_mem.scratch + SF_SCRATCH / 2 + off;
}

static long c_read(int fd, uint64_t b)
{
    return S(SYS_read, fd, b, 16);
}
static long c_write(int fd, uint64_t b)
{
    return S(SYS_write, fd, b, 1);
}
static long c_pread(int fd, uint64_t b)
{
    return S(SYS_pread64, fd, b, 16, 0);
}
static long c_pwrite(int fd, uint64_t b)
{
    return S(SYS_pwrite64, fd, b, 1, 0);
}

static long vec(long nr, int fd, uint64_t b)
{
    struct iovec *iov = (void *)scr(0);
    iov[0] = (struct iovec){(void *)b, 1};
    iov[1] = (struct iovec){(void *)(b + 8), 7};
    return S(nr, fd, iov, 2);
}
static long c_readv(int fd, uint64_t b)
{
    return vec(SYS_readv, fd, b);
}
static long c_writev(int fd, uint64_t b)
{
    return vec(SYS_writev, fd, b);
}
/* The iovec array itself at the bad address. */
static long c_readv_iov(int fd, uint64_t b)
{
    return S(SYS_readv, fd, b, 2);
}
static long c_writev_iov(int fd, uint64_t b)
{
    return S(SYS_writev, fd, b, 2);
}
static long c_lseek_cur(int fd, uint64_t b)
{
    return S(SYS_lseek, fd, 0, 1);
}
static long c_lseek_neg(int fd, uint64_t b)
{
    return S(SYS_lseek, fd, -1, 0);
}
static long c_lseek_big(int fd, uint64_t b)
{
    return S(SYS_lseek, fd, INT64_MAX, 2);
}
static long c_lseek_whence(int fd, uint64_t b)
{
    return S(SYS_lseek, fd, 0, 99);
}
static long c_fstat(int fd, uint64_t b)
{
    return S(SYS_fstat, fd, b);
}

#define FCNTL(name, cmd, arg)                                                  \
    static long c_fcntl_##name(int fd, uint64_t b)                             \
    {                                                                          \
        long r = S(SYS_fcntl, fd, cmd, arg);                                   \
        if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0)              \
            close((int)r);                                                     \
        return r;                                                              \
    }
FCNTL(getfd, F_GETFD, 0)
FCNTL(setfd, F_SETFD, FD_CLOEXEC)
FCNTL(getfl, F_GETFL, 0)
FCNTL(setfl, F_SETFL, O_NONBLOCK | O_APPEND)
FCNTL(dupfd, F_DUPFD, 10)
FCNTL(dupfd_cloexec, F_DUPFD_CLOEXEC, 10)
FCNTL(getown, F_GETOWN, 0)
FCNTL(setown, F_SETOWN, 0)
FCNTL(getsig, F_GETSIG, 0)
FCNTL(getlease, F_GETLEASE, 0)
FCNTL(getpipe_sz, F_GETPIPE_SZ, 0)
FCNTL(setpipe_sz, F_SETPIPE_SZ, 4096)
FCNTL(get_seals, F_GET_SEALS, 0)
FCNTL(bad_cmd, 9999, 0)

static long c_fcntl_getlk(int fd, uint64_t b)
{
    if (b == (uint64_t)sf_mem.scratch)
        *(struct flock *)b = (struct flock){.l_type = F_RDLCK};
    return S(SYS_fcntl, fd, F_GETLK, b);
}
static long c_fcntl_setlk(int fd, uint64_t b)
{
    if (b == (uint64_t)sf_mem.scratch)
        *(struct flock *)b = (struct flock){.l_type = F_UNLCK};
    return S(SYS_fcntl, fd, F_SETLK, b);
}
static long c_fionread(int fd, uint64_t b)
{
    return S(SYS_ioctl, fd, FIONREAD, b);
}
static long c_fionbio(int fd, uint64_t b)
{
    if (b == (uint64_t)sf_mem.scratch)
        *(int *)b = 1;
    return S(SYS_ioctl, fd, FIONBIO, b);
}
static long c_tcgets(int fd, uint64_t b)
{
    return S(SYS_ioctl, fd, TCGETS, b);
}
static long c_tiocgwinsz(int fd, uint64_t b)
{
    return S(SYS_ioctl, fd, TIOCGWINSZ, b);
}
static long c_ioctl_bad(int fd, uint64_t b)
{
    return S(SYS_ioctl, fd, 0x1234, b);
}

static char poll_note[32];
static long poll_result(long r, short rev)
{
    if (r >= 0)
        snprintf(poll_note, sizeof(poll_note), "ok:%#x", (unsigned)rev);
    return r;
}
static long c_poll(int fd, uint64_t b)
{
    struct pollfd *p = (void *)scr(0);
    *p = (struct pollfd){fd, POLLIN | POLLOUT | POLLPRI, 0};
    return poll_result(S(SYS_poll, p, 1, 0), p->revents);
}
static long c_ppoll(int fd, uint64_t b)
{
    struct pollfd *p = (void *)scr(0);
    struct timespec *ts = (void *)scr(64);
    *p = (struct pollfd){fd, POLLIN | POLLOUT, 0};
    *ts = (struct timespec){0, 0};
    return poll_result(S(SYS_ppoll, p, 1, ts, 0, 8), p->revents);
}
static long c_select(int fd, uint64_t b)
{
    if (fd < 0 || fd >= 1024)
        return S(SYS_select, 0, 0, 0, 0, scr(64));
    uint64_t *set = (void *)scr(0);
    memset(set, 0, 3 * 128);
    set[fd / 64] |= 1UL << (fd % 64);
    set[16 + fd / 64] |= 1UL << (fd % 64);
    struct timeval *tv = (void *)scr(512);
    *tv = (struct timeval){0, 0};
    return S(SYS_select, fd + 1, set, set + 16, 0, tv);
}
static long c_epoll_add(int fd, uint64_t b)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event *ev = (void *)scr(0);
    *ev = (struct epoll_event){.events = EPOLLIN | EPOLLOUT};
    long r = S(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fd, ev);
    close(ep);
    return r;
}
static long c_epoll_wait(int fd, uint64_t b)
{
    return S(SYS_epoll_wait, fd, b, 4, 0);
}
static long mm(int fd, int prot, int flags)
{
    long r = S(SYS_mmap, 0, SF_PAGE, prot, flags, fd, 0);
    if (r >= 0)
        munmap((void *)r, SF_PAGE);
    return r;
}
static long c_mmap_shared(int fd, uint64_t b)
{
    return mm(fd, PROT_READ, MAP_SHARED);
}
static long c_mmap_shared_rw(int fd, uint64_t b)
{
    return mm(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
}
static long c_mmap_private(int fd, uint64_t b)
{
    return mm(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}
static long c_ftruncate(int fd, uint64_t b)
{
    return S(SYS_ftruncate, fd, 100);
}
static long c_fsync(int fd, uint64_t b)
{
    return S(SYS_fsync, fd);
}
static long c_fdatasync(int fd, uint64_t b)
{
    return S(SYS_fdatasync, fd);
}
static long c_getdents64(int fd, uint64_t b)
{
    return S(SYS_getdents64, fd, b, 1024);
}
static long c_fchdir(int fd, uint64_t b)
{
    long r = S(SYS_fchdir, fd);
    if (chdir(sf_dir))
        return -9999;
    return r;
}
static long c_fchmod(int fd, uint64_t b)
{
    return S(SYS_fchmod, fd, 0644);
}
static long c_fchown(int fd, uint64_t b)
{
    return S(SYS_fchown, fd, -1, -1);
}
static long c_fstatfs(int fd, uint64_t b)
{
    return S(SYS_fstatfs, fd, b);
}
static long c_flock(int fd, uint64_t b)
{
    long r = S(SYS_flock, fd, LOCK_SH | LOCK_NB);
    S(SYS_flock, fd, LOCK_UN);
    return r;
}
static long c_fallocate(int fd, uint64_t b)
{
    return S(SYS_fallocate, fd, 0, 0, 100);
}
static long c_fadvise(int fd, uint64_t b)
{
    return S(SYS_fadvise64, fd, 0, 0, 0);
}
static long c_sendto(int fd, uint64_t b)
{
    return S(SYS_sendto, fd, b, 1, MSG_DONTWAIT, 0, 0);
}
static long c_sendto_v4(int fd, uint64_t b)
{
    struct sockaddr_in *a = (void *)scr(0);
    *a = (struct sockaddr_in){.sin_family = AF_INET,
                              .sin_port = htons(9),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return S(SYS_sendto, fd, scr(64), 1, MSG_DONTWAIT, a, sizeof(*a));
}
/* The address itself at the bad pointer. */
static long c_sendto_addr(int fd, uint64_t b)
{
    return S(SYS_sendto, fd, scr(64), 1, MSG_DONTWAIT, b, 16);
}
static long c_recvfrom(int fd, uint64_t b)
{
    return S(SYS_recvfrom, fd, b, 16, MSG_DONTWAIT, 0, 0);
}
static long c_recvfrom_addr(int fd, uint64_t b)
{
    *(uint32_t *)scr(0) = 16;
    return S(SYS_recvfrom, fd, scr(64), 16, MSG_DONTWAIT, b, scr(0));
}
static long msg(long nr, int fd, uint64_t b, uint64_t ctl, size_t ctllen)
{
    struct msghdr *m = (void *)scr(0);
    struct iovec *iov = (void *)scr(128);
    *iov = (struct iovec){(void *)b, nr == SYS_sendmsg ? 1 : 16};
    *m = (struct msghdr){.msg_iov = iov,
                         .msg_iovlen = 1,
                         .msg_control = (void *)ctl,
                         .msg_controllen = ctllen};
    return S(nr, fd, m, MSG_DONTWAIT);
}
static long c_sendmsg(int fd, uint64_t b)
{
    return msg(SYS_sendmsg, fd, b, 0, 0);
}
static long c_recvmsg(int fd, uint64_t b)
{
    return msg(SYS_recvmsg, fd, b, 0, 0);
}
static long c_sendmsg_hdr(int fd, uint64_t b)
{
    return S(SYS_sendmsg, fd, b, MSG_DONTWAIT);
}
static long c_recvmsg_hdr(int fd, uint64_t b)
{
    return S(SYS_recvmsg, fd, b, MSG_DONTWAIT);
}
/* SCM_RIGHTS passing the fd itself. */
static long c_sendmsg_rights(int fd, uint64_t b)
{
    struct cmsghdr *c = (void *)scr(256);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return msg(SYS_sendmsg, fd, (uint64_t)scr(512), (uint64_t)c,
               CMSG_SPACE(sizeof(int)));
}
static long c_shutdown(int fd, uint64_t b)
{
    return S(SYS_shutdown, fd, SHUT_RDWR);
}
static long c_getsockopt(int fd, uint64_t b)
{
    *(uint32_t *)scr(0) = 4;
    return S(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, b, scr(0));
}
static long c_getsockopt_len(int fd, uint64_t b)
{
    return S(SYS_getsockopt, fd, SOL_SOCKET, SO_ERROR, scr(64), b);
}
static long c_setsockopt(int fd, uint64_t b)
{
    if (b == (uint64_t)sf_mem.scratch)
        *(int *)b = 1;
    return S(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, b, 4);
}
static long rcvtimeo(int fd, long sec, long usec)
{
    struct timeval *tv = (void *)scr(0);
    *tv = (struct timeval){sec, usec};
    return S(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(*tv));
}
static long c_rcvtimeo_huge(int fd, uint64_t b)
{
    return rcvtimeo(fd, INT64_MAX, 999999);
}
static long c_rcvtimeo_neg(int fd, uint64_t b)
{
    return rcvtimeo(fd, -1, 0);
}
static long c_rcvtimeo_usec(int fd, uint64_t b)
{
    return rcvtimeo(fd, 0, 1000000);
}
static long c_accept(int fd, uint64_t b)
{
    long r = S(SYS_accept4, fd, 0, 0, SOCK_NONBLOCK);
    if (r >= 0)
        close((int)r);
    return r;
}
static long c_listen(int fd, uint64_t b)
{
    return S(SYS_listen, fd, 1);
}
static long c_bind4(int fd, uint64_t b)
{
    struct sockaddr_in *a = (void *)scr(0);
    *a = (struct sockaddr_in){.sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return S(SYS_bind, fd, a, sizeof(*a));
}
static long c_bind_unix(int fd, uint64_t b)
{
    struct sockaddr_un *a = (void *)scr(0);
    *a = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "sysfuzz-%d", fd);
    return S(SYS_bind, fd, a, offsetof(struct sockaddr_un, sun_path) + 12);
}
static long c_bind_bad(int fd, uint64_t b)
{
    return S(SYS_bind, fd, b, 16);
}
static long c_connect4(int fd, uint64_t b)
{
    struct sockaddr_in *a = (void *)scr(0);
    *a = (struct sockaddr_in){.sin_family = AF_INET,
                              .sin_port = htons(1),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return S(SYS_connect, fd, a, sizeof(*a));
}
static long c_connect_bad(int fd, uint64_t b)
{
    return S(SYS_connect, fd, b, 16);
}
static long c_getsockname(int fd, uint64_t b)
{
    *(uint32_t *)scr(0) = 128;
    return S(SYS_getsockname, fd, b, scr(0));
}
static long c_getpeername(int fd, uint64_t b)
{
    *(uint32_t *)scr(0) = 128;
    return S(SYS_getpeername, fd, b, scr(0));
}
static long c_dup(int fd, uint64_t b)
{
    long r = S(SYS_dup, fd);
    if (r >= 0)
        close((int)r);
    return r;
}
static long c_dup3(int fd, uint64_t b)
{
    long r = S(SYS_dup3, fd, 200, O_CLOEXEC);
    if (r >= 0)
        close((int)r);
    return r;
}
static long c_dup2_self(int fd, uint64_t b)
{
    return S(SYS_dup2, fd, fd);
}
static long c_close(int fd, uint64_t b)
{
    return S(SYS_close, fd);
}
static int regfile(void)
{
    return open("file", O_RDWR | O_CLOEXEC);
}
static long c_sendfile_out(int fd, uint64_t b)
{
    int in = regfile();
    long r = S(SYS_sendfile, fd, in, 0, 1);
    close(in);
    return r;
}
static long c_sendfile_in(int fd, uint64_t b)
{
    int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    long r = S(SYS_sendfile, out, fd, 0, 16);
    close(out);
    return r;
}
static long c_sendfile_off(int fd, uint64_t b)
{
    int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    long r = S(SYS_sendfile, out, fd, b, 16);
    close(out);
    return r;
}
static long spl(int fd, bool to_pipe)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
        return -9999;
    long r = to_pipe ? S(SYS_splice, fd, 0, p[1], 0, 16, SPLICE_F_NONBLOCK)
                     : S(SYS_splice, p[0], 0, fd, 0, 16, SPLICE_F_NONBLOCK);
    close(p[0]);
    close(p[1]);
    return r;
}
static long c_splice_in(int fd, uint64_t b)
{
    return spl(fd, true);
}
static long c_splice_out(int fd, uint64_t b)
{
    return spl(fd, false);
}
static long c_copy_file_range(int fd, uint64_t b)
{
    int out = open("sub/copy", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    long r = S(SYS_copy_file_range, fd, 0, out, 0, 16, 0);
    close(out);
    return r;
}
static long c_statx(int fd, uint64_t b)
{
    return S(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, b);
}
static long c_fstatat_empty(int fd, uint64_t b)
{
    return S(SYS_newfstatat, fd, "", b, AT_EMPTY_PATH);
}
static long c_fstatat_rel(int fd, uint64_t b)
{
    return S(SYS_newfstatat, fd, ".", scr(0), 0);
}
static long c_openat_rel(int fd, uint64_t b)
{
    long r = S(SYS_openat, fd, "file", O_RDONLY | O_CLOEXEC);
    if (r >= 0)
        close((int)r);
    return r;
}
static long c_readlinkat(int fd, uint64_t b)
{
    return S(SYS_readlinkat, fd, "", b, 64);
}
static long c_faccessat2(int fd, uint64_t b)
{
    return S(SYS_faccessat2, fd, "", F_OK, AT_EMPTY_PATH);
}
static long c_futimens(int fd, uint64_t b)
{
    return S(SYS_utimensat, fd, 0, 0, 0);
}

/* A call: buf says whether it runs once per bad buffer. */
static const struct {
    const char *name;
    long (*fn)(int fd, uint64_t b);
    bool buf;
} calls[] = {
#define C(n, b)                                                                \
    {                                                                          \
#n, c_##n, b                                                           \
    }
    C(read, 1),
    C(write, 1),
    C(pread, 1),
    C(pwrite, 1),
    C(readv, 1),
    C(writev, 1),
    C(readv_iov, 1),
    C(writev_iov, 1),
    C(lseek_cur, 0),
    C(lseek_neg, 0),
    C(lseek_big, 0),
    C(lseek_whence, 0),
    C(fstat, 1),
    C(fcntl_getfd, 0),
    C(fcntl_setfd, 0),
    C(fcntl_getfl, 0),
    C(fcntl_setfl, 0),
    C(fcntl_dupfd, 0),
    C(fcntl_dupfd_cloexec, 0),
    C(fcntl_getown, 0),
    C(fcntl_setown, 0),
    C(fcntl_getsig, 0),
    C(fcntl_getlease, 0),
    C(fcntl_getpipe_sz, 0),
    C(fcntl_setpipe_sz, 0),
    C(fcntl_get_seals, 0),
    C(fcntl_bad_cmd, 0),
    C(fcntl_getlk, 1),
    C(fcntl_setlk, 1),
    C(fionread, 1),
    C(fionbio, 1),
    C(tcgets, 1),
    C(tiocgwinsz, 1),
    C(ioctl_bad, 0),
    C(poll, 0),
    C(ppoll, 0),
    C(select, 0),
    C(epoll_add, 0),
    C(epoll_wait, 1),
    C(mmap_shared, 0),
    C(mmap_shared_rw, 0),
    C(mmap_private, 0),
    C(ftruncate, 0),
    C(fsync, 0),
    C(fdatasync, 0),
    C(getdents64, 1),
    C(fchdir, 0),
    C(fchmod, 0),
    C(fchown, 0),
    C(fstatfs, 1),
    C(flock, 0),
    C(fallocate, 0),
    C(fadvise, 0),
    C(sendto, 1),
    C(sendto_v4, 0),
    C(sendto_addr, 1),
    C(recvfrom, 1),
    C(recvfrom_addr, 1),
    C(sendmsg, 1),
    C(recvmsg, 1),
    C(sendmsg_hdr, 1),
    C(recvmsg_hdr, 1),
    C(sendmsg_rights, 0),
    C(shutdown, 0),
    C(getsockopt, 1),
    C(getsockopt_len, 1),
    C(setsockopt, 1),
    C(rcvtimeo_huge, 0),
    C(rcvtimeo_neg, 0),
    C(rcvtimeo_usec, 0),
    C(accept, 0),
    C(listen, 0),
    C(bind4, 0),
    C(bind_unix, 0),
    C(bind_bad, 1),
    C(connect4, 0),
    C(connect_bad, 1),
    C(getsockname, 1),
    C(getpeername, 1),
    C(dup, 0),
    C(dup3, 0),
    C(dup2_self, 0),
    C(close, 0),
    C(sendfile_out, 0),
    C(sendfile_in, 0),
    C(sendfile_off, 1),
    C(splice_in, 0),
    C(splice_out, 0),
    C(copy_file_range, 0),
    C(statx, 1),
    C(fstatat_empty, 1),
    C(fstatat_rel, 0),
    C(openat_rel, 0),
    C(readlinkat, 1),
    C(faccessat2, 0),
    C(futimens, 0),
#undef C
};

static long one(int call, int kind, int buf)
{
    struct sf_fd f;
    if (sf_kind_open(kind, &f))
        return 1;
    poll_note[0] = 0;
    memset(scr(0), 0, 4096);
    long r = calls[call].fn(f.fd, bufs[buf].addr());
    sf_kind_close(&f);
    const char *res = poll_note[0] ? poll_note : sf_result_name(r);
    if (!strcmp(sf_kind_name(kind), "console"))
        putchar('\n'); /* what the call wrote ends its own line */
    if (calls[call].buf)
        printf("%s[%s] %s %s\n", calls[call].name, bufs[buf].name,
               sf_kind_name(kind), res);
    else
        printf("%s %s %s\n", calls[call].name, sf_kind_name(kind), res);
    return 0;
}

/* -x CALL:KIND: pairs left out (a known kernel bug being fixed). */
static bool excluded(int argc, char **argv, int call, int kind)
{
    char pair[96];
    snprintf(pair, sizeof(pair), "%s:%s", calls[call].name, sf_kind_name(kind));
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], "-x") && !strcmp(argv[i + 1], pair))
            return true;
    return false;
}

int sf_matrix(int argc, char **argv)
{
    long cases = 0, skipped = 0;
    int ncalls = sizeof(calls) / sizeof(calls[0]);
    int nbufs = sizeof(bufs) / sizeof(bufs[0]);
    for (int k = 0; k < sf_kind_count(); k++) {
        struct sf_fd f;
        if (sf_kind_open(k, &f)) {
            printf("# kind %s: cannot be made here\n", sf_kind_name(k));
            skipped++;
            continue;
        }
        sf_kind_close(&f);
        for (int c = 0; c < ncalls; c++)
            for (int b = 0; b < (calls[c].buf ? nbufs : 1); b++)
                if (excluded(argc, argv, c, k))
                    printf("# %s %s: left out\n", calls[c].name,
                           sf_kind_name(k));
                else
                    cases += one(c, k, b) == 0;
    }
    printf("sysfuzz: matrix: %ld cases, %d calls, %d fd kinds (%ld not "
           "available), all returned\n",
           cases, ncalls, sf_kind_count(), skipped);
    return 0;
}
