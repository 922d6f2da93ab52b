/*
 * fs/fs.h — open files: the file object and its operations, the process's
 * fd table, and the kinds of file that exist so far (console, /dev
 * devices, pipes, eventfds, epoll instances).  Readiness changes flow
 * through file_notify(), which wakes blocked readers and writers and the
 * epoll instances that watch the file.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include "proc/proc.h"
#include "sys/abi.h"

#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define O_PATH 010000000

#define EPOLLIN 0x001
#define EPOLLPRI 0x002
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDNORM 0x040
#define EPOLLWRNORM 0x100
#define EPOLLRDHUP 0x2000
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000

#define FD_MAX 1024

struct file;

struct file_ops {
    /* Both take user buffers; they block unless the file is O_NONBLOCK. */
    long (*read)(struct file *f, uint64_t ubuf, size_t n);
    long (*write)(struct file *f, uint64_t ubuf, size_t n);
    /* Current readiness as EPOLL* bits. */
    uint32_t (*poll)(struct file *f);
    long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
    void (*stat)(struct file *f, struct linux_stat *st);
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    int refs;
    unsigned flags;       /* O_ACCMODE, O_NONBLOCK, O_APPEND */
    void *priv;           /* the kind's own state */
    struct waitq wq;      /* threads blocked on this file */
    struct list watchers; /* epoll items, by their file link */
};

/* --- file.c: file objects and the fd table */
struct file *file_alloc(const struct file_ops *ops, void *priv, unsigned flags);
void file_get(struct file *f);
void file_put(struct file *f);
/* Readiness may have changed (events: what became true). */
void file_notify(struct file *f, uint32_t events);
/* Threads in poll/ppoll: woken by every file_notify(). */
extern struct waitq file_poll_waiters;
/* Sleeps on f until woken or a signal: 0 or -ERESTARTSYS. */
int file_wait(struct file *f);
int fd_install(struct file *f, bool cloexec);
int fd_install_at(int fd, struct file *f, bool cloexec);
/* The file at fd with a reference taken, or NULL. */
struct file *fd_get(int fd);
int fd_close(int fd);
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);
int fd_count(void);

/* The working directory (an absolute path), for getcwd. */
void fs_set_cwd(const char *path);
const char *fs_cwd(void);

/* --- dev.c: the console fds and /dev */
void dev_init(void);
/* Opens a device node by absolute path: a file, or -ENOENT. */
long dev_open(const char *path, unsigned flags, struct file **out);

/* --- pipe.c */
long pipe_create(struct file *ends[2], unsigned flags);
long eventfd_create(uint32_t initval, int flags, struct file **out);

/* --- epoll.c */
long epoll_create(struct file **out);
long epoll_ctl(struct file *ep, int op, int fd, struct file *target,
               uint64_t uevent);
long epoll_wait(struct file *ep, uint64_t uevents, int maxevents,
                uint64_t deadline, bool block);
/* Marks the watches on f ready and wakes their epoll waiters. */
void epoll_notify(struct file *f, uint32_t events);
/* Drops every watch on f (its fd is closing for the last time). */
void epoll_forget(struct file *f);

#endif
