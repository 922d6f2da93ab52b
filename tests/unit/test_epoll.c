/*
 * tests/unit/test_epoll.c — epoll's bookkeeping (kernel/fs/epoll.c with
 * the file objects and fd table of kernel/fs/file.c, built for the host;
 * the watched files are a kind of the test's own whose readiness it sets):
 * EPOLL_CTL_ADD/MOD/DEL and their errors, level-triggered, edge-triggered
 * and one-shot reporting, EPOLLERR/EPOLLHUP always reported, fairness
 * under a small maxevents, a watched file closed (its watches go with its
 * last reference, not with a dup'ed fd) and an epoll closed while it
 * watches, under ASan so that a watch left behind is a use after free.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fs/epoll.c"
#include "fs/file.c"

#include "check.h"
#include "files.c"
#include "heap.c"
#include "kshim.c"
#include "uaccess.c"

/* --- a file whose readiness the test sets ----------------------------- */

struct fake {
    uint32_t ready;
    bool released;
    int polls; /* times asked for its readiness */
};

static uint32_t fake_poll(struct file *f)
{
    ((struct fake *)f->priv)->polls++;
    return ((struct fake *)f->priv)->ready;
}

static void fake_release(struct file *f)
{
    ((struct fake *)f->priv)->released = true;
}

static const struct file_ops fake_ops = {.poll = fake_poll,
                                         .release = fake_release};
static const struct file_ops plain_ops = {0}; /* no poll: a regular file */

static int open_fake(struct fake *st)
{
    *st = (struct fake){0};
    return fd_install_new(file_alloc(&fake_ops, st, O_RDWR), false);
}

static int open_epoll(void)
{
    struct file *f;
    CHECK_EQ(epoll_create(&f), 0);
    return fd_install_new(f, false);
}

/* --- epoll as the syscalls use it ----------------------------------- */

static long ctl(int epfd, int op, int fd, uint32_t events, uint64_t data)
{
    struct linux_epoll_event ev = {events, data};
    struct file *ep = fd_get(epfd), *f = fd_get(fd);
    long r = ep && f ? epoll_ctl(ep, op, fd, f, (uint64_t)&ev) : -EBADF;
    if (ep)
        file_put(ep);
    if (f)
        file_put(f);
    return r;
}

static struct linux_epoll_event evs[8];

static long wait_(int epfd, int max)
{
    struct file *ep = fd_get(epfd);
    memset(evs, 0, sizeof(evs));
    long r = epoll_wait(ep, (uint64_t)evs, max, 0, false);
    file_put(ep);
    return r;
}

/* The one event of a wait that must report exactly one. */
#define ONE(epfd, want_events, want_data)                                      \
    do {                                                                       \
        CHECK_EQ(wait_(epfd, 8), 1);                                           \
        CHECK_EQ(evs[0].events, want_events);                                  \
        CHECK_EQ(evs[0].data, want_data);                                      \
    } while (0)

static void notify(int fd, uint32_t ready)
{
    struct file *f = fd_get(fd);
    ((struct fake *)f->priv)->ready = ready;
    file_notify(f, ready);
    file_put(f);
}

static void errors(void)
{
    struct fake st;
    int ep = open_epoll(), fd = open_fake(&st), ep2 = open_epoll();
    int plain = fd_install_new(file_alloc(&plain_ops, NULL, O_RDONLY), false);
    CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fd, EPOLLIN, 1), -ENOENT);
    CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, fd, 0, 0), -ENOENT);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 1), 0);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 1), -EEXIST);
    CHECK_EQ(ctl(ep, 99, fd, EPOLLIN, 1), -EINVAL);
    CHECK_EQ(ctl(ep, 0, fd, EPOLLIN, 1), -EINVAL);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 1), -EINVAL);  /* itself */
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 1), -EINVAL); /* nested */
    CHECK_EQ(ctl(fd, EPOLL_CTL_ADD, ep, EPOLLIN, 1), -EINVAL);  /* not epoll */
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, plain, EPOLLIN, 1), -EPERM);
    /* A bad event pointer: EFAULT, except for DEL, which ignores it. */
    struct file *e = fd_get(ep), *f = fd_get(fd);
    CHECK_EQ(epoll_ctl(e, EPOLL_CTL_MOD, fd, f, 0), -EFAULT);
    CHECK_EQ(epoll_ctl(e, EPOLL_CTL_MOD, fd, f, USER_TOP - 4), -EFAULT);
    CHECK_EQ(epoll_ctl(e, EPOLL_CTL_DEL, fd, f, 0), 0);
    CHECK_EQ(epoll_wait(e, (uint64_t)evs, 0, 0, false), -EINVAL);
    CHECK_EQ(epoll_wait(e, (uint64_t)evs, -1, 0, false), -EINVAL);
    CHECK_EQ(epoll_wait(e, (uint64_t)evs, INT32_MAX, 0, false), -EINVAL);
    CHECK_EQ(epoll_wait(e, USER_TOP - 8, 1, 0, false), -EFAULT);
    CHECK_EQ(epoll_wait(f, (uint64_t)evs, 1, 0, false), -EINVAL);
    /* Out of memory for the watch: nothing changes. */
    kshim_kmalloc_fail = 1;
    struct linux_epoll_event ev = {EPOLLIN, 5};
    CHECK_EQ(epoll_ctl(e, EPOLL_CTL_ADD, fd, f, (uint64_t)&ev), -ENOMEM);
    CHECK(list_empty(&f->watchers));
    file_put(e);
    file_put(f);
    st.ready = EPOLLIN;
    CHECK_EQ(wait_(ep, 8), 0);
    /* A fault writing the events out: EFAULT (the copy is after collect). */
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 7), 0);
    e = fd_get(ep);
    CHECK_EQ(epoll_wait(e, 8, 1, 0, false), -EFAULT);
    file_put(e);
    CHECK_EQ(fd_close(plain), 0);
    CHECK_EQ(fd_close(ep2), 0);
    CHECK_EQ(fd_close(fd), 0);
    CHECK_EQ(fd_close(ep), 0);
}

static void level_edge_oneshot(void)
{
    struct fake lt, et, os;
    int ep = open_epoll();
    int flt = open_fake(&lt), fet = open_fake(&et), fos = open_fake(&os);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, flt, EPOLLIN, 1), 0);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fet, EPOLLIN | EPOLLET, 2), 0);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fos, EPOLLIN | EPOLLONESHOT, 3), 0);
    CHECK_EQ(wait_(ep, 8), 0); /* nothing ready */

    /* Level-triggered: as long as it is ready. */
    notify(flt, EPOLLIN | EPOLLOUT);
    ONE(ep, EPOLLIN, 1); /* only what was asked for */
    ONE(ep, EPOLLIN, 1);
    notify(flt, EPOLLOUT);
    CHECK_EQ(wait_(ep, 8), 0);
    notify(flt, 0);

    /* Edge-triggered: once per change. */
    notify(fet, EPOLLIN);
    ONE(ep, EPOLLIN, 2);
    CHECK_EQ(wait_(ep, 8), 0);
    notify(fet, EPOLLIN); /* more data: a new edge */
    ONE(ep, EPOLLIN, 2);
    CHECK_EQ(wait_(ep, 8), 0);
    /* Ready when added (or modified): reported once. */
    CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fet, EPOLLIN | EPOLLET, 22), 0);
    ONE(ep, EPOLLIN, 22);
    CHECK_EQ(wait_(ep, 8), 0);
    notify(fet, 0);

    /* One-shot: once, then nothing until EPOLL_CTL_MOD re-arms it. */
    notify(fos, EPOLLIN);
    ONE(ep, EPOLLIN, 3);
    CHECK_EQ(wait_(ep, 8), 0);
    notify(fos, EPOLLIN);
    CHECK_EQ(wait_(ep, 8), 0);
    CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, fos, EPOLLIN | EPOLLONESHOT, 33), 0);
    ONE(ep, EPOLLIN, 33);
    CHECK_EQ(wait_(ep, 8), 0);
    notify(fos, 0);

    /* Errors and hang-ups are always reported, asked for or not. */
    CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, flt, EPOLLOUT, 11), 0);
    notify(flt, EPOLLHUP | EPOLLIN);
    ONE(ep, EPOLLHUP, 11);
    notify(flt, EPOLLERR);
    ONE(ep, EPOLLERR, 11);
    notify(flt, 0);

    /* The epoll itself polls readable while something is ready. */
    struct file *e = fd_get(ep);
    CHECK_EQ(file_poll(e), 0);
    notify(flt, EPOLLERR);
    CHECK_EQ(file_poll(e), EPOLLIN | EPOLLRDNORM);
    notify(flt, 0);
    file_put(e);

    CHECK_EQ(fd_close(ep), 0);
    CHECK(!lt.released && !et.released && !os.released);
    notify(flt, EPOLLIN); /* no watch left to touch */
    CHECK_EQ(fd_close(flt), 0);
    CHECK_EQ(fd_close(fet), 0);
    CHECK_EQ(fd_close(fos), 0);
    CHECK(lt.released && et.released && os.released);
}

/* Three ready, maxevents 1: each in turn. */
static void fairness(void)
{
    struct fake st[3];
    int ep = open_epoll(), fd[3];
    for (int i = 0; i < 3; i++) {
        fd[i] = open_fake(&st[i]);
        st[i].ready = EPOLLIN;
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd[i], EPOLLIN, 100 + i), 0);
    }
    int seen[3] = {0};
    for (int k = 0; k < 9; k++) {
        CHECK_EQ(wait_(ep, 1), 1);
        if (evs[0].data >= 100 && evs[0].data < 103)
            seen[evs[0].data - 100]++;
    }
    CHECK(seen[0] == 3 && seen[1] == 3 && seen[2] == 3);
    CHECK_EQ(wait_(ep, 8), 3);
    CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, fd[1], 0, 0), 0);
    CHECK_EQ(wait_(ep, 8), 2);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(fd_close(fd[i]), 0);
    CHECK_EQ(wait_(ep, 8), 0);
    CHECK_EQ(fd_close(ep), 0);
}

/* A watch is keyed by (file, fd) and lives as long as the file. */
static void closing(void)
{
    struct fake st;
    int ep = open_epoll(), fd = open_fake(&st);
    struct file *f = fd_get(fd);
    int dup = fd_install(f, false); /* the reference goes to the table */
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 1), 0);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, dup, EPOLLIN, 2), 0); /* another key */
    st.ready = EPOLLIN;
    CHECK_EQ(wait_(ep, 8), 2);
    /* Closing one fd leaves the file open: both watches stay (Linux). */
    CHECK_EQ(fd_close(fd), 0);
    CHECK(!st.released);
    CHECK_EQ(wait_(ep, 8), 2);
    /* The last close removes every watch of the file. */
    CHECK_EQ(fd_close(dup), 0);
    CHECK(st.released);
    CHECK_EQ(wait_(ep, 8), 0);
    /* A new file at the same fd is a new watch. */
    int again = open_fake(&st);
    CHECK_EQ(again, fd);
    CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, again, EPOLLIN, 3), 0);
    /* The epoll closed first: the file's list of watches is empty again. */
    CHECK_EQ(fd_close(ep), 0);
    f = fd_get(again);
    CHECK(list_empty(&f->watchers));
    file_put(f);
    notify(again, EPOLLIN);
    CHECK_EQ(fd_close(again), 0);
}

/* The ready list: a wait asks only the files that notified (or were
 * just added), so idle watches cost nothing; a level-triggered item that
 * stays ready is asked again. */
static void ready_list(void)
{
    enum { N = 500 };
    static struct fake st[N];
    int ep = open_epoll(), fd[N];
    for (int i = 0; i < N; i++) {
        fd[i] = open_fake(&st[i]);
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, fd[i], EPOLLIN | (i % 2 ? EPOLLET : 0),
                     (uint64_t)i),
                 0);
    }
    CHECK_EQ(wait_(ep, 8), 0); /* each asked once, none ready */
    for (int i = 0; i < N; i++)
        CHECK_EQ(st[i].polls, 1);
    notify(fd[7], EPOLLIN);   /* edge-triggered */
    notify(fd[300], EPOLLIN); /* level-triggered */
    CHECK_EQ(wait_(ep, 8), 2);
    CHECK_EQ(wait_(ep, 8), 1); /* the level-triggered one, again */
    CHECK_EQ(evs[0].data, 300);
    int asked = 0;
    for (int i = 0; i < N; i++)
        asked += st[i].polls;
    CHECK_EQ(asked, N + 3); /* 7 once more, 300 twice more */
    st[300].ready = 0;
    CHECK_EQ(wait_(ep, 8), 0); /* asked, not ready: off the list */
    CHECK_EQ(wait_(ep, 8), 0);
    CHECK_EQ(st[300].polls, 4);
    for (int i = 0; i < N; i++)
        CHECK_EQ(fd_close(fd[i]), 0);
    CHECK_EQ(fd_close(ep), 0);
}

/* The fd table past its first chunk: lowest free first, RLIMIT_NOFILE
 * honoured, numbers reused. */
static void many_fds(void)
{
    enum { N = 1500 };
    static struct fake st[N];
    static int fd[N];
    CHECK_EQ(fd_free_from(0), 0);
    fd_set_limit(1000);
    for (int i = 0; i < N; i++)
        fd[i] = open_fake(&st[i]);
    CHECK_EQ(fd[999], 999);
    CHECK_EQ(fd[1000], -EMFILE);
    fd_set_limit(2000);
    CHECK_EQ(fd_free_from(1200), 1200);
    for (int i = 1000; i < N; i++)
        fd[i] = open_fake(&st[i]);
    CHECK_EQ(fd[N - 1], N - 1);
    CHECK_EQ(fd_close(700), 0);
    CHECK_EQ(fd_close(5), 0);
    CHECK_EQ(fd_free_from(0), 5);
    CHECK_EQ(fd_free_from(6), 700);
    CHECK_EQ(fd_install_new(file_alloc(&fake_ops, &st[5], O_RDWR), true), 5);
    CHECK(fd_cloexec(5) && !fd_cloexec(6) && !fd_cloexec(1400));
    CHECK_EQ(fd_free_from(0), 700);
    CHECK_EQ(fd_close(700), -EBADF);
    for (int i = 0; i < N; i++)
        if (i != 700)
            CHECK_EQ(fd_close(i), 0);
    CHECK_EQ(fd_count(), 0);
    fd_set_limit(1024);
}

int main(void)
{
    errors();
    level_edge_oneshot();
    fairness();
    closing();
    ready_list();
    many_fds();
    CHECK_EQ(fd_count(), 0);
    /* All freed but the fd table's chunks for fds 448..1499, which stay
     * (a table never shrinks, as Linux's fdtable). */
    CHECK_EQ(kshim_live, 3);
    return check_done();
}
