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

struct gorump_image;

/* Linux's default nr_open: the most fds RLIMIT_NOFILE may allow. */
#define FD_MAX (1 << 20)

struct file;
struct node;

struct file_ops {
    /* Both take user buffers and block unless the file is O_NONBLOCK.
     * pos is the file position to use and advance (f->pos, or pread's
     * offset); files without positions ignore it. */
    long (*read)(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos);
    long (*write)(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos);
    /* Current readiness as EPOLL* bits; NULL: not pollable (epoll EPERM). */
    uint32_t (*poll)(struct file *f);
    long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
    void (*stat)(struct file *f, struct linux_stat *st);
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    int refs;
    unsigned flags;       /* O_ACCMODE, O_NONBLOCK, O_APPEND, O_PATH */
    void *priv;           /* the kind's own state */
    struct node *node;    /* the file-tree node it was opened from, or NULL */
    uint64_t pos;         /* read/write position (seekable files) */
    char *path;           /* absolute path it was opened by, or NULL */
    const char *anon;     /* name of a file with no path: "pipe", ... */
    struct waitq wq;      /* threads blocked on this file */
    struct list watchers; /* epoll items, by their file link */
};

/* --- file.c: file objects and the fd table */
/* A new file of a kind (ops, its state priv, O_* flags) holding one
 * reference, owned by the caller; NULL when out of memory. */
struct file *file_alloc(const struct file_ops *ops, void *priv, unsigned flags);
/* Takes one more reference to f. */
void file_get(struct file *f);
/* Drops one; the last ends its epoll watches and inotify state, releases
 * the kind's state and its node.  Never from an interrupt. */
void file_put(struct file *f);
/* Readiness may have changed (events: what became true). */
void file_notify(struct file *f, uint32_t events);
/* The file's readiness (EPOLL* bits); files without a poll operation
 * (regular files, directories, /proc) are always readable and writable,
 * as Linux's DEFAULT_POLLMASK. */
uint32_t file_poll(struct file *f);
/* Threads in poll/ppoll: woken by every file_notify(). */
extern struct waitq file_poll_waiters;
/* Sleeps on f until woken or a signal: 0 or -ERESTARTSYS. */
int file_wait(struct file *f);
/* Puts f at the lowest free fd, the table taking over the caller's
 * reference: the fd, or -EMFILE / -ENOMEM (the caller keeps f). */
int fd_install(struct file *f, bool cloexec);
/* The same at fd, closing what was there first (dup2): fd, or -EBADF (fd
 * outside [0, FD_MAX)) or -ENOMEM; RLIMIT_NOFILE is the caller's check. */
int fd_install_at(int fd, struct file *f, bool cloexec);
/* fd_install for a file just made: on failure the file is dropped. */
int fd_install_new(struct file *f, bool cloexec);
/* The lowest free fd at or above min below RLIMIT_NOFILE, or -EMFILE. */
int fd_free_from(int min);
/* The file at fd with a reference taken, or NULL. */
struct file *fd_get(int fd);
struct fd_table;
/* The same in table t (another process's: pidfd_getfd). */
struct file *fd_table_get(struct fd_table *t, int fd);
/* Empties fd and drops the table's reference: 0, or -EBADF. */
int fd_close(int fd);
/* Closes every fd, as the process's exit does on Linux. */
void fd_close_all(void);
/* Closes every fd with FD_CLOEXEC (execve). */
void fd_close_cloexec(void);
/* fd's FD_CLOEXEC flag (false for a free fd); set leaves a free fd be. */
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);
/* How many fds are open. */
int fd_count(void);
/* RLIMIT_NOFILE: fd_install uses numbers below n (at most FD_MAX). */
void fd_set_limit(int n);
int fd_limit(void);
/* fd tables: the fd_ calls above act on the one installed on the calling
 * CPU (fd_table_current: the boot's until a process runs there). */
struct fd_table;
struct fd_table *fd_table_current(void);
/* Makes t this CPU's table (proc/, at a switch to a thread using it). */
void fd_table_install(struct fd_table *t);
/* A new table holding the files of from at the same fds, FD_CLOEXEC
 * flags and limit (fork without CLONE_FILES), or NULL when out of
 * memory. */
struct fd_table *fd_table_copy(struct fd_table *from);
/* Another reference to t (CLONE_FILES). */
struct fd_table *fd_table_share(struct fd_table *t);
/* Drops a reference; the last closes every fd (t is then not the
 * current table). */
void fd_table_put(struct fd_table *t);
/* Calls fn for every open fd of t, in increasing order (/proc/PID/fd). */
void fd_table_each(struct fd_table *t,
                   void (*fn)(int fd, struct file *f, void *arg), void *arg);
/* The file open at fd in t (no reference taken), or NULL. */
struct file *fd_table_file(struct fd_table *t, int fd);
/* t if only one process uses it, else a copy of it for the caller, whose
 * reference to t is dropped (execve): NULL when out of memory (t kept). */
struct fd_table *fd_table_unshare(struct fd_table *t);

/* --- node.c: the in-memory file tree (one tmpfs-like tree for the whole
 * system; files from the image keep their bytes in the image until first
 * written, so the image is a read-only lower layer under a writable one). */

/* A growable text buffer for generated files (/proc, /etc). */
struct seq {
    char *buf;
    size_t len, cap;
    bool failed;
    const struct node *node; /* the /proc node it is made for (gen) */
};
/* Append to s, keeping it NUL-terminated; out of memory sets s->failed
 * and later appends do nothing (the caller frees s->buf either way).
 * seq_printf formats at most 255 bytes at a time. */
void seq_printf(struct seq *s, const char *fmt, ...) __printf(2, 3);
void seq_write(struct seq *s, const void *p, size_t n);

struct dirent {
    struct list link; /* in the directory's children, insertion order */
    struct node *node;
    uint64_t cookie; /* getdents offset: increasing, never reused */
    uint16_t len;
    char name[];
};

struct node {
    uint32_t mode, uid, gid;
    uint32_t nlink; /* directory entries naming it */
    int refs;       /* open files, the cwd, lookups in progress */
    uint64_t ino;
    uint64_t size;
    struct linux_timespec atime, mtime, ctime;
    /* directories */
    struct node *parent;  /* ".." (the root is its own parent) */
    struct dirent *self;  /* the entry naming it in parent (NULL: root) */
    struct list children; /* struct dirent */
    uint64_t next_cookie;
    /* regular files: a page's bytes live in the image until it gets a
     * page of its own (pages[i]); the image holds [0, image_size) */
    const uint8_t *image_data;
    uint64_t image_size;
    uint64_t *pages; /* physical pages, npages entries (0: a hole), with
                        NODE_PG_* flags in the low bits */
    uint64_t npages;
    /* regular files whose data is on the image's disk (diskfile.c): the
     * disk holds [0, disk_size) from disk_off on; what is read of it is
     * kept in pages[] as NODE_PG_CLEAN pages, which memory pressure may
     * take back.  A mount's file whose backend caches (an ext2 volume)
     * is on the same clock, with disk_size 0 (diskfile_cache_page). */
    bool on_disk;
    uint64_t disk_off, disk_size;
    struct list disk_link; /* in diskfile's list of such nodes */
    uint64_t ra_next;      /* a mount's file: the page a sequential reader
                              misses next (fs/mount_ops.c's read-ahead) */
    /* symbolic links */
    char *link;                     /* target, or NULL when computed: */
    void (*dyn_link)(struct seq *); /* /proc links that follow the state */
    /* devices and generated files: what opening it gives */
    const struct file_ops *fops;
    void *priv;
    uint64_t rdev;
    void (*gen)(struct seq *); /* /proc file contents, made at open */
    /* /proc directories that follow the state: brings the entries up to
     * date before a lookup in it or a getdents from its start */
    void (*refresh)(struct node *dir);
    /* xattr.c */
    struct xattr *xattrs; /* extended attributes, a list */
    bool pseudo;          /* a /proc node: no extended attributes */
    /* mount.c: a node of a mounted file system (mnt) caches the
     * backend's inode ino; its pages[] hold only what mappings use */
    struct mount *mnt;     /* NULL: a node of the tree */
    struct mount *mounted; /* a file system covering this directory */
    char *bname;           /* a mount's directory: its name in parent */
    struct list mlink;     /* in the mount's hash chain */
    struct list ulink;     /* in the mount's unused nodes, oldest first */
    bool unused;           /* on that list */
    bool stale;            /* its inode number was reused: out of the hash */
    bool dirty;            /* has NODE_PG_DIRTY pages */
    bool wb_failed;        /* writing them back failed: the balancer
                              leaves them (fsync retries) */
    uint64_t blocks;       /* st_blocks, as the backend reports */
};

/* Boot only: makes the root directory (panics without memory for it). */
void node_init(void);
/* The root directory (no reference taken: it is never freed). */
struct node *node_root(void);
/* A new node (refs 1, nlink 0), or NULL when out of memory. */
struct node *node_new(uint32_t mode);
/* Takes one more reference to n. */
void node_get(struct node *n);
/* Drops one; a node of the tree with no reference and no link left is
 * freed with its pages, a mounted one goes back to its mount's cache. */
void node_put(struct node *n);
/* The child named name[0..len), or NULL. */
struct node *dir_lookup(struct node *dir, const char *name, size_t len);
/* Links child into dir under name: 0, -EEXIST, -ENOMEM. */
int dir_link(struct node *dir, const char *name, size_t len,
             struct node *child);
/* Removes the entry name from dir (the node lives while referenced):
 * 0 or -ENOENT. */
int dir_unlink(struct node *dir, const char *name, size_t len);
/* Whether directory dir (of the tree, not a mount's) has no entries. */
bool dir_empty(struct node *dir);
/* Regular file data at off, to or from a user (user) or kernel buffer,
 * the node's backend's for a mounted one: the bytes done (fewer at the
 * end of file, 0 past it), or when none, -EFAULT, -EIO, -ENOMEM (read),
 * -EFBIG (past 1 TiB), -ENOSPC (write).  A write extends the file. */
long node_read(struct node *n, uint64_t buf, bool user, size_t len,
               uint64_t off);
long node_write(struct node *n, uint64_t buf, bool user, size_t len,
                uint64_t off);
/* Also zaps the pages past the new end from every mapping of n. */
int node_truncate(struct node *n, uint64_t size);
/* The physical page that holds page idx of regular file n, to map it: the
 * image's own page when it holds the whole page at a page boundary and own
 * is false (map it read-only), else the node's own page (made on demand).
 * -EIO when idx is wholly past the end of the file, -ENOSPC when no page
 * can be had. */
int node_page(struct node *n, uint64_t idx, bool own, uint64_t *pa);
/* node_page(n, idx, false, pa) when it needs nothing done: the page is
 * in the node's table or a whole, aligned page of the image; never for a
 * mounted file or a page wholly past the end.  0, else -EAGAIN and
 * node_page would allocate or read. */
int node_page_at_hand(struct node *n, uint64_t idx, uint64_t *pa);
/* A MAP_SHARED mapping stores to page idx (node_page gave it): a clean
 * page of the disk's becomes the file's own, so it is never reclaimed
 * with the writes in it; a mounted file's page is dirty until written
 * back.  0 or -ENOSPC. */
int node_page_dirty(struct node *n, uint64_t idx);
/* Whether a shared mapping may map page idx writable without a store
 * faulting first (node_page_dirty): the page is not clean. */
bool node_page_writable(const struct node *n, uint64_t idx);
/* Whether page idx is in the file's page cache (mincore). */
bool node_page_cached(const struct node *n, uint64_t idx);
/* Makes n's page table cover npages pages: 0 or -ENOSPC. */
int node_table(struct node *n, uint64_t npages);
/* Makes pages [from, to) holes that read zeros (MADV_REMOVE). */
int node_punch(struct node *n, uint64_t from, uint64_t to);
/* Fills st from n (a mounted node asks its backend first). */
void node_stat(struct node *n, struct linux_stat *st);
/* Sets n's ctime to now, and its mtime too when modified. */
void node_touch(struct node *n, bool modified);
/* Writes the absolute path of directory dir into buf: length or -ERANGE. */
long node_dir_path(struct node *dir, char *buf, size_t size);
/* Pages held by file contents, and the limit (half the RAM). */
uint64_t node_pages_used(void);
uint64_t node_pages_limit(void);
/* Creates the directories of path (absolute) as needed; the last one. */
struct node *node_mkdirs(const char *path, size_t len);
/* Puts node at the absolute path (replacing what is there). */
int node_place(const char *path, size_t len, struct node *n);

/* --- diskfile.c: the data of large packed files, on the image's disk
 * (docs/IMAGE.md), read on demand into their nodes' pages.  A clean page
 * (NODE_PG_CLEAN: as read, not written since) belongs to the page cache
 * of disk pages, which a clock reclaims under memory pressure: it is
 * unmapped from every mapping (which faults it back in later) and freed.
 * A written page is the file's own, counted in node_pages_used, and
 * stays. */
#define NODE_PG_CLEAN 1 /* a clean page of a disk file: reclaimable */
#define NODE_PG_REF 2   /* used since the clock last passed it */
#define NODE_PG_DIRTY 4 /* a mount's page a shared mapping may write */
#define NODE_PG_FLAGS (PAGE_SIZE - 1)
static inline uint64_t node_pg_pa(uint64_t entry)
{
    return entry & ~(uint64_t)NODE_PG_FLAGS;
}
/* Finds the image's disk, if it has one: by its id, or as the GPT
 * partition the image names.  0, or -ENOENT when that partition is on
 * no device (each device's reason printed): the boot cannot go on. */
int diskfile_init(const struct gorump_image *img);
/* Makes n (a new regular file of size bytes) read its data from the disk
 * at off.  0 or -ENOMEM. */
int diskfile_attach(struct node *n, uint64_t off, uint64_t size);
/* n is being freed (its pages already are). */
void diskfile_detach(struct node *n);
/* Reads page idx of n from the disk into a clean page (and a few after
 * it, read ahead), unless it is there: 0, -EIO (the disk failed or is
 * missing), -ENOMEM. */
int diskfile_fill(struct node *n, uint64_t idx);
/* A clean page left the cache (freed or written): uncounts it. */
void diskfile_uncount(void);
/* Makes room for n more clean pages (the cache stays within a quarter of
 * RAM and leaves a sixteenth free), reclaiming if need be. */
void diskfile_room(uint64_t n);
/* The fresh page pa, holding what the backend has, becomes clean page
 * idx of n, a mount's file (its table covers idx): reclaimable as the
 * disk's pages are. */
void diskfile_cache_page(struct node *n, uint64_t idx, uint64_t pa);
/* Keeps page idx of n from being reclaimed until diskfile_unpin, while
 * its address is in use across something that may allocate memory. */
void diskfile_pin(struct node *n, uint64_t idx);
void diskfile_unpin(void);
/* Clean disk pages cached now, and reclaimed since boot. */
uint64_t diskfile_cached(void);
uint64_t diskfile_reclaimed(void);

/* --- path.c: path resolution */
struct lookup {
    struct node *parent; /* the directory holding the last component */
    const char *name;    /* the last component, within the path */
    size_t len;
    bool trailing_slash;
    struct node *node; /* the last component's node, or NULL */
    struct node *held; /* a link whose text name points into, or NULL */
};
/* Resolves path from dirfd to a node (a reference the caller puts). */
int path_resolve(int dirfd, const char *path, bool follow, struct node **out);
/* Resolves all but the last component, and looks that up without
 * following it; parent and node hold references (lookup_done drops them). */
int path_parent(int dirfd, const char *path, struct lookup *lk);
/* Drops the references lk holds (any of them may be NULL). */
void lookup_done(struct lookup *lk);
/* lk names a symbolic link: replaces lk with the lookup of the link's
 * target from the link's directory (the last component not followed), for
 * creating a file through a dangling link.  *links counts toward ELOOP;
 * -ENOENT for a link with no stored target (a /proc link).  On error lk
 * holds nothing. */
int path_parent_link(struct lookup *lk, int *links);
/* realpath(3) in the kernel: the absolute path of what path (from the
 * working directory) names, with every symbolic link followed and no "."
 * or ".." left, in buf; 0 or a negative errno. */
int path_real(const char *path, char *buf, size_t size);
/* Copies a user path into a new PATH_MAX buffer (kfree it), or NULL with
 * *err -EFAULT, -ENAMETOOLONG, -ENOENT (empty) or -ENOMEM. */
char *path_from_user(uint64_t upath, long *err);
/* Copies the user path and resolves it from dirfd to a node (a
 * reference), following a last symbolic link unless flags has
 * AT_SYMLINK_NOFOLLOW; with AT_EMPTY_PATH an empty path names dirfd's
 * file (or the cwd). */
long path_resolve_user(int dirfd, uint64_t upath, int flags, struct node **out);
/* The working directory becomes dir (a reference taken): 0 or
 * -ENOTDIR. */
int cwd_set(struct node *dir);
/* The working directory (the root until set), no reference taken. */
struct node *cwd_node(void);
/* fs contexts (working directory, umask): cwd_, vfs_umask and creation
 * use the one installed on the calling CPU (the boot's until a process
 * runs there). */
struct fs_ctx;
struct fs_ctx *fs_ctx_current(void);
/* Makes c this CPU's context (proc/, at a switch). */
void fs_ctx_install(struct fs_ctx *c);
/* A copy of from (clone without CLONE_FS), another reference to c
 * (CLONE_FS), and dropping one. */
struct fs_ctx *fs_ctx_copy(const struct fs_ctx *from);
struct fs_ctx *fs_ctx_share(struct fs_ctx *c);
void fs_ctx_put(struct fs_ctx *c);
/* The current context's umask, to read or set. */
unsigned *fs_ctx_umask(void);
/* c's working directory (no reference taken) and umask (/proc/PID). */
struct node *fs_ctx_cwd(const struct fs_ctx *c);
unsigned fs_ctx_mask(const struct fs_ctx *c);

/* --- vfs.c: opening nodes, regular files and directories */
/* Boot only: the root, /tmp (sticky), /root and /etc. */
void vfs_init(void);
/* Opens path (openat's rules); *out holds the new file. */
long vfs_open(int dirfd, const char *path, unsigned flags, uint32_t mode,
              struct file **out);
/* Creates the /etc files the image did not bring. */
void vfs_etc_defaults(const char *resolv, const char *hosts);
/* Loads the image's files and its program into the tree. */
int vfs_load_image(const struct gorump_image *img);
/* The node of a program on the image's disk (referenced), or NULL. */
struct node *vfs_disk_program(void);
/* getdents64(2) on directory file f into the user's n bytes: the bytes
 * filled (0 at the end), -ENOTDIR, -EINVAL (n holds no entry), -EFAULT,
 * -ENOMEM; the position moves only past what reached the program. */
long vfs_getdents(struct file *f, uint64_t ubuf, size_t n);
/* Appends one linux_dirent64 to buf (cap bytes, *len used); false when
 * it does not fit. */
bool dirent_emit(uint8_t *buf, size_t cap, size_t *len, uint64_t ino,
                 uint64_t off, uint8_t type, const char *name, size_t nlen);
/* Whether f is a regular file of the tree or a mount (vfs.c's kind). */
bool file_is_regular(struct file *f);
/* chmod and chown (-1 keeps) of a node: the tree's in place, a mount's
 * through its backend; IN_ATTRIB.  0 or a negative errno. */
long vfs_chmod(struct node *n, uint32_t mode);
long vfs_chown(struct node *n, uint32_t uid, uint32_t gid);
/* umask(2): sets the mask, returns the old one. */
unsigned vfs_umask(unsigned mask);
/* The mask, unchanged (creation applies it). */
unsigned vfs_get_umask(void);
/* Makes a read-only file of generated text (/proc and friends). */
struct file *snapshot_open(struct node *n, unsigned flags);

/* --- xattr.c: extended attributes (man 7 xattr).  name is a kernel
 * string of 1..255 bytes; values are at most XATTR_SIZE_MAX bytes; n may be
 * NULL for a file outside the tree (a pipe, a socket). */
/* Each returns a negative errno as the xattr calls do: -EOPNOTSUPP (no
 * attributes on n: /proc, a mount, no node), -EROFS, -EPERM, -ENODATA,
 * -ERANGE, -ENOSPC (over the guest-wide total), -EFAULT.
 * Copies the value to uvalue if it fits size (0: only its length). */
long xattr_get(struct node *n, const char *name, uint64_t uvalue, size_t size);
/* Sets name to value[0..len) (XATTR_CREATE / XATTR_REPLACE in flags): 0,
 * -EEXIST, -ENODATA or the above. */
long xattr_set(struct node *n, const char *name, const void *value, size_t len,
               int flags);
/* Removes name: 0 or the above. */
long xattr_remove(struct node *n, const char *name);
/* The NUL-separated names to ulist if they fit size (0: their length). */
long xattr_list(struct node *n, uint64_t ulist, size_t size);
/* Frees n's attributes (n is being freed). */
void xattr_free(struct node *n);

/* --- inotify.c: inotify instances and the events of the file tree.  The
 * file-system operations report what they did through these; each is
 * cheap when nothing is watched. */
/* inotify_init1(2): a new instance in *out, O_NONBLOCK if flags has it
 * (O_CLOEXEC is the fd's, the caller's): 0, -EMFILE (max_user_instances),
 * -ENOMEM. */
long inotify_create(unsigned flags, struct file **out);
/* Whether f is an inotify instance. */
bool file_is_inotify(const struct file *f);
/* inotify_add_watch(2) on node n (resolved by the caller): the watch
 * descriptor (the existing one's, mask replaced or added to), -EINVAL (f
 * is no instance), -EEXIST (IN_MASK_CREATE), -ENOSPC, -ENOMEM. */
long inotify_add_watch(struct file *f, struct node *n, uint32_t mask);
/* inotify_rm_watch(2): 0 (IN_IGNORED queued), or -EINVAL. */
long inotify_rm_watch(struct file *f, int wd);
/* An event on n itself, and on the watched directories holding it (under
 * its names there).  f: the open file it came through, or NULL. */
void inotify_node(struct node *n, uint32_t mask, struct file *f);
/* Whether a watch names n. */
bool inotify_watched(const struct node *n);
/* An event on n's own watches only (IN_ATTRIB for a link count,
 * IN_MOVE_SELF). */
void inotify_self(struct node *n, uint32_t mask);
/* An event on the entry name of dir (IN_CREATE, IN_DELETE, IN_MOVED_*). */
void inotify_entry(struct node *dir, const char *name, size_t len,
                   uint32_t mask, uint32_t cookie, struct node *child);
/* A fresh cookie pairing IN_MOVED_FROM with IN_MOVED_TO. */
uint32_t inotify_cookie(void);
/* n lost its last name and its last reference but held (refs <= held):
 * IN_DELETE_SELF, then its watches go (IN_IGNORED). */
void inotify_unlinked(struct node *n, int held);
/* A file's last reference went: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE. */
void inotify_closed(struct file *f);
/* The /proc/sys/fs/inotify limits: which 0 max_queued_events, 1
 * max_user_instances, 2 max_user_watches. */
unsigned inotify_limit(int which);

/* --- dev.c: the console fds and /dev */
/* Boot only, after vfs_init: the /dev nodes and links, and fds 0-2 on the
 * console (panics if they cannot be made). */
void dev_init(void);

/* --- procfs.c */
/* Boot only, after vfs_load_image: /proc's files and directories (those
 * of each process, /proc/PID, follow the processes: procfs_pid.c). */
void procfs_init(void);
/* /proc/mounts (and /proc/PID/mounts). */
void procfs_gen_mounts(struct seq *s);
/* procfs_pid.c: makes /proc/self and /proc's refresh (boot only). */
void procfs_pid_init(struct node *proc_dir);

/* --- pipe.c, eventfd.c */
/* Every pipe holds 64 KiB, Linux's default; F_SETPIPE_SZ cannot grow it,
 * so it is also /proc/sys/fs/pipe-max-size. */
#define PIPE_CAPACITY 65536
/* pipe2(2): the read and write ends (O_NONBLOCK of flags) in ends: 0 or
 * -ENFILE (no memory for the buffer or the files). */
long pipe_create(struct file *ends[2], unsigned flags);
/* Whether f is an end of a pipe or a FIFO. */
bool file_is_pipe(const struct file *f);
/* Opens a FIFO node (open(2)'s blocking rules for FIFOs). */
long fifo_open(struct node *n, unsigned flags, struct file **out);
/* eventfd2(2) (flags checked by the caller): 0 with the file in *out,
 * or -ENOMEM. */
long eventfd_create(uint32_t initval, int flags, struct file **out);

/* --- epoll.c */
/* A new epoll instance in *out: 0 or -ENOMEM. */
long epoll_create(struct file **out);
/* epoll_ctl(2) of target (open as fd) in ep, the event read from uevent
 * unless deleting: 0, -EINVAL (ep no epoll, target ep or an epoll, bad
 * op), -EPERM (target not pollable), -EEXIST, -ENOENT, -EFAULT,
 * -ENOMEM. */
long epoll_ctl(struct file *ep, int op, int fd, struct file *target,
               uint64_t uevent);
/* Up to maxevents ready events to uevents; blocks (if block) until one
 * is ready, the deadline (mono ns, 0: none) or a signal: how many (0 on
 * timeout), -EINVAL, -EFAULT, -EINTR. */
long epoll_wait(struct file *ep, uint64_t uevents, int maxevents,
                uint64_t deadline, bool block);
/* Marks the watches on f ready and wakes their epoll waiters. */
void epoll_notify(struct file *f, uint32_t events);
/* Drops every watch on f (its fd is closing for the last time). */
void epoll_forget(struct file *f);

#endif
