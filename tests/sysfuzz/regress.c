/*
 * tests/sysfuzz/regress.c — `sysfuzz regress`: the hardening fixes, each
 * checked against what Linux does (the same program passes natively).
 * Prints "FAIL: what" per broken check and "SUCCESS" when all hold.
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int fails;

static void check(int ok, const char *what, long got)
{
    if (!ok) {
        printf("FAIL: %s (got %ld, %s)\n", what, got, sf_result_name(got));
        fails++;
    }
}

static void prctl_name(void)
{
    char name[16];
    sf_sys(SYS_prctl, PR_SET_NAME, (long)"abc", 0, 0, 0, 0);
    memset(name, 0x7f, sizeof(name));
    sf_sys(SYS_prctl, PR_GET_NAME, (long)name, 0, 0, 0, 0);
    int padded = !strcmp(name, "abc");
    for (int i = 3; i < 16; i++)
        padded &= name[i] == 0;
    check(padded, "PR_GET_NAME is the name, NUL padded", 0);
    sf_sys(SYS_prctl, PR_SET_NAME, (long)"0123456789abcdefghij", 0, 0, 0, 0);
    sf_sys(SYS_prctl, PR_GET_NAME, (long)name, 0, 0, 0, 0);
    check(!memcmp(name, "0123456789abcde", 16), "PR_SET_NAME keeps 15", 0);
}

static void lseek_overflow(void)
{
    int fd = open("file", O_RDWR);
    sf_sys(SYS_lseek, fd, 10, SEEK_SET, 0, 0, 0);
    long r = sf_sys(SYS_lseek, fd, LONG_MAX, SEEK_CUR, 0, 0, 0);
    check(r == -22, "lseek past the largest offset: EINVAL", r);
    r = sf_sys(SYS_lseek, fd, LONG_MAX, SEEK_END, 0, 0, 0);
    check(r == -22, "lseek SEEK_END overflow: EINVAL", r);
    r = sf_sys(SYS_lseek, fd, 0, SEEK_CUR, 0, 0, 0);
    check(r == 10, "a failed lseek keeps the position", r);
    close(fd);
}

static void timeouts(void)
{
    int p[2];
    pipe(p);
    struct pollfd pf = {p[1], POLLOUT, 0};
    struct timespec huge = {LONG_MAX, 999999999}, bad = {0, 1000000000},
                    neg = {-1, 0};
    long r = sf_sys(SYS_ppoll, (long)&pf, 1, (long)&huge, 0, 8, 0);
    check(r == 1, "ppoll with the largest timeout", r);
    r = sf_sys(SYS_ppoll, (long)&pf, 1, (long)&bad, 0, 8, 0);
    check(r == -22, "ppoll tv_nsec 1e9: EINVAL", r);
    r = sf_sys(SYS_ppoll, (long)&pf, 1, (long)&neg, 0, 8, 0);
    check(r == -22, "ppoll negative seconds: EINVAL", r);
    r = sf_sys(SYS_poll, (long)&pf, 1, INT_MAX, 0, 0, 0);
    check(r == 1, "poll INT_MAX ms", r);
    r = sf_sys(SYS_nanosleep, (long)&bad, 0, 0, 0, 0, 0);
    check(r == -22, "nanosleep tv_nsec 1e9: EINVAL", r);
    int word = 1;
    r = sf_sys(SYS_futex, (long)&word, 0 /* WAIT */, 2, (long)&huge, 0, 0);
    check(r == -11, "futex WAIT huge timeout, other value: EAGAIN", r);
    r = sf_sys(SYS_futex, (long)&word, 0, 1, (long)&bad, 0, 0);
    check(r == -22, "futex WAIT tv_nsec 1e9: EINVAL", r);
    /* select carries microseconds into seconds: a carry that wraps is
     * EINVAL (it once waited for a wrapped, arbitrary time). */
    fd_set wr;
    FD_ZERO(&wr);
    FD_SET(p[1], &wr);
    struct timeval tv_wrap = {LONG_MAX, LONG_MAX}, tv_neg = {0, -1},
                   tv_carry = {0, 2500000};
    r = sf_sys(SYS_select, 0, 0, 0, 0, (long)&tv_wrap, 0);
    check(r == -22, "select {LONG_MAX, LONG_MAX}: EINVAL", r);
    r = sf_sys(SYS_select, 0, 0, 0, 0, (long)&tv_neg, 0);
    check(r == -22, "select negative microseconds: EINVAL", r);
    r = sf_sys(SYS_select, p[1] + 1, 0, (long)&wr, 0, (long)&tv_carry, 0);
    check(r == 1 && tv_carry.tv_sec == 2, "select 2.5e6 us carried", r);
    close(p[0]);
    close(p[1]);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = {LONG_MAX, 999999}, back = {1, 1};
    socklen_t len = sizeof(back);
    r = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    check(r == 0, "SO_RCVTIMEO the largest timeval", r);
    getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len);
    check(back.tv_sec == 0 && back.tv_usec == 0,
          "SO_RCVTIMEO forever reads back as 0", back.tv_sec);
    close(s);
}

/* writev on a datagram socket sends one datagram; readv takes one. */
static void vectors(int type)
{
    int sv[2];
    socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv);
    struct iovec w[2] = {{"abc", 3}, {"defg", 4}};
    long r = writev(sv[0], w, 2);
    check(r == 7, "writev of two iovecs", r);
    write(sv[0], "XY", 2);
    char a[4] = {0}, b[8] = {0}, c[8] = {0};
    struct iovec v[2] = {{a, 4}, {b, 8}};
    r = readv(sv[1], v, 2);
    check(r == 7 && !memcmp(a, "abcd", 4) && !memcmp(b, "efg", 3),
          "readv: the first datagram, across both iovecs", r);
    r = read(sv[1], c, 8);
    check(r == 2 && !memcmp(c, "XY", 2), "the second datagram intact", r);
    close(sv[0]);
    close(sv[1]);
}

/* Passed fds the control buffer cannot take are closed, not leaked. */
static void rights(void)
{
    int sv[2], probe = open("/dev/null", O_RDONLY);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    struct cmsghdr *cm = (void *)cbuf;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    memcpy(CMSG_DATA(cm), &probe, sizeof(int));
    struct iovec iov = {"x", 1};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = cbuf,
                       .msg_controllen = sizeof(cbuf)};
    sendmsg(sv[0], &m, 0);
    close(probe);
    char x;
    struct iovec riov = {&x, 1};
    struct msghdr rm = {.msg_iov = &riov,
                        .msg_iovlen = 1,
                        .msg_control = sf_mem.ro,
                        .msg_controllen = sizeof(cbuf)};
    long r = recvmsg(sv[1], &rm, 0);
    int next = open("/dev/null", O_RDONLY);
    check(next == probe, "an undeliverable passed fd is not left open", next);
    (void)r;
    close(next);
    close(sv[0]);
    close(sv[1]);
}

int sf_regress(void)
{
    prctl_name();
    lseek_overflow();
    timeouts();
    vectors(SOCK_DGRAM);
    vectors(SOCK_SEQPACKET);
    rights();
    if (!fails)
        printf("SUCCESS\n");
    return fails != 0;
}
