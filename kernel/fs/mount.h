/*
 * fs/mount.h — mounted file systems: a directory of the tree covered by
 * another file system (a backend), whose files become nodes of the tree
 * when they are looked up (docs/FILESYSTEM.md, "Mounts").
 *
 * A backend names its files by inode number and knows nothing of nodes,
 * paths or user memory: struct fs_backend_ops is all it implements.  The
 * mount layer (mount.c) makes a node for each inode it looks up, keeps it
 * in the mount's cache while anything holds it and a bounded while after
 * (MOUNT_UNUSED_MAX unused nodes per mount; the oldest go first, with a
 * forget call), refreshes its attributes from the backend, and turns the
 * system calls' changes into backend calls.  Every backend call returns 0
 * (or a count) or a negative Linux errno; buffers are kernel memory.
 */
#ifndef FS_MOUNT_H
#define FS_MOUNT_H

#include "fs/fs.h"

#define MOUNT_MAX 16                    /* mounted file systems at most */
#define MOUNT_UNUSED_MAX 512            /* cached unused nodes per mount */
#define MOUNT_DENTS 1024                /* names remembered per mount */
#define MOUNT_DENT_NAME 48              /* longer names are always looked up */
#define MOUNT_DENT_TTL_NS 1000000000ULL /* how long a name is trusted */

/* A name the backend's lookup found in a directory (mount.c): trusted for
 * MOUNT_DENT_TTL_NS while the node is still cached and linked, until
 * the guest removes or renames it.  Only names: stat asks for the
 * attributes. */
struct mount_dent {
    uint64_t dir, ino, when;
    uint8_t len;
    char name[MOUNT_DENT_NAME];
};

/* A file's attributes, as getattr fills them. */
struct fs_attr {
    uint64_t ino;
    uint32_t mode, uid, gid;
    uint64_t nlink, size, blocks, rdev;
    struct linux_timespec atime, mtime, ctime;
};

/* What setattr changes: the FS_SET_* bits of mask say which fields. */
#define FS_SET_MODE 1
#define FS_SET_UID 2
#define FS_SET_GID 4
#define FS_SET_SIZE 8
#define FS_SET_ATIME 16 /* to atime */
#define FS_SET_MTIME 32 /* to mtime */
#define FS_SET_ATIME_NOW 64
#define FS_SET_MTIME_NOW 128
#define FS_SET_CTIME 256 /* ctime to now (a change with no other field) */
struct fs_setattr {
    unsigned mask;
    uint32_t mode, uid, gid; /* mode: permission bits only */
    uint64_t size;
    struct linux_timespec atime, mtime;
};

struct fs_statfs {
    uint64_t type; /* f_type: the magic number statfs(2) reports */
    uint64_t bsize, blocks, bfree, bavail, files, ffree, namelen;
};

/* One directory entry for readdir's callback; cookie is where the next
 * readdir call resumes (never 0, increasing or not). */
struct fs_dirent {
    uint64_t ino, cookie;
    uint8_t type; /* DT_* as getdents64's d_type */
    const char *name;
    size_t len;
};
/* Returns false to stop (the entry was not taken). */
typedef bool (*fs_filldir_fn)(void *ctx, const struct fs_dirent *d);

struct mount;

/* A backend.  ino arguments are inodes the layer got from lookup, create,
 * mkdir, symlink or root and has not yet forgotten.  Names are name[0..len)
 * (not NUL-terminated), 1..255 bytes, never "." or "..". */
struct fs_backend_ops {
    const char *type; /* "9p", "ext2": /proc/mounts' third field */
    /* Whether read(2) goes through the page cache: only this kernel
     * changes the files (an ext2 volume; not a 9p share, whose host may
     * change them). */
    bool cache;
    /* The root directory's inode and attributes. */
    int (*root)(struct mount *m, struct fs_attr *a);
    /* The entry name of directory dir: its attributes (a->ino), or
     * -ENOENT. */
    int (*lookup)(struct mount *m, uint64_t dir, const char *name, size_t len,
                  struct fs_attr *a);
    int (*getattr)(struct mount *m, uint64_t ino, struct fs_attr *a);
    int (*setattr)(struct mount *m, uint64_t ino, const struct fs_setattr *s);
    /* Prepares ino for reads (and writes, if flags's O_ACCMODE says so):
     * a file opened that way stays readable and writable after it is
     * unlinked.  May be NULL. */
    int (*open)(struct mount *m, uint64_t ino, unsigned flags);
    long (*read)(struct mount *m, uint64_t ino, void *buf, size_t len,
                 uint64_t off);
    long (*write)(struct mount *m, uint64_t ino, const void *buf, size_t len,
                  uint64_t off);
    /* New entries: the new file's attributes in *a.  mode includes the
     * type for create (S_IFREG, or S_IFIFO/S_IFSOCK for mknod). */
    int (*create)(struct mount *m, uint64_t dir, const char *name, size_t len,
                  uint32_t mode, struct fs_attr *a);
    int (*mkdir)(struct mount *m, uint64_t dir, const char *name, size_t len,
                 uint32_t mode, struct fs_attr *a);
    int (*symlink)(struct mount *m, uint64_t dir, const char *name, size_t len,
                   const char *target, struct fs_attr *a);
    /* The link's target into buf (NUL-terminated): its length, -ERANGE. */
    long (*readlink)(struct mount *m, uint64_t ino, char *buf, size_t size);
    int (*link)(struct mount *m, uint64_t ino, uint64_t dir, const char *name,
                size_t len);
    /* Removes name from dir: a directory (empty, or -ENOTEMPTY) when
     * is_dir, else anything else. */
    int (*unlink)(struct mount *m, uint64_t dir, const char *name, size_t len,
                  bool is_dir);
    /* rename(2) without flags: replaces what newname names. */
    int (*rename)(struct mount *m, uint64_t odir, const char *oname,
                  size_t olen, uint64_t ndir, const char *nname, size_t nlen);
    /* Entries of dir from cookie on (0: the start), "." and ".."
     * included as the directory holds them, given to fill until it
     * returns false or the directory ends: 0, or a negative errno. */
    int (*readdir)(struct mount *m, uint64_t dir, uint64_t cookie,
                   fs_filldir_fn fill, void *ctx);
    int (*fsync)(struct mount *m, uint64_t ino);
    int (*statfs)(struct mount *m, struct fs_statfs *s);
    /* The layer dropped its node of ino (may be NULL). */
    void (*forget)(struct mount *m, uint64_t ino);
    /* Appends ",option..." to the mount's /proc/mounts line (may be
     * NULL). */
    void (*options)(struct mount *m, struct seq *s);
    /* Makes everything written durable, as sync(2) (may be NULL). */
    int (*sync)(struct mount *m);
    /* The guest stops: write everything back and leave the file system
     * clean; no call follows (may be NULL).  Every node was forgotten
     * first. */
    int (*unmount)(struct mount *m);
};

struct mount {
    const struct fs_backend_ops *ops;
    void *priv;           /* the backend's own state */
    char source[64];      /* /proc/mounts' first field: the share's tag */
    char *path;           /* where it is mounted (allocated) */
    bool ro;              /* read-only: every change is -EROFS */
    uint32_t dev;         /* st_dev of its files */
    struct node *covered; /* the directory it covers (a reference) */
    struct node *root;
    struct list nodes;  /* every cached node, by mount_link */
    struct list unused; /* nodes nothing holds, oldest first */
    unsigned nunused;
    struct mount_dent *dents; /* MOUNT_DENTS of them, by hash; or NULL */
};

/* --- mount.c: the mount table and the node cache */
/* The node of the inode a describes, made or found in the cache (a
 * reference); a directory's parent and name are set from parent and
 * name[0..len) when parent is not NULL. */
struct node *mount_cache(struct mount *m, const struct fs_attr *a,
                         struct node *parent, const char *name, size_t len);
void mount_set_parent(struct node *n, struct node *parent, const char *name,
                      size_t len);
void mount_attr_apply(struct node *n, const struct fs_attr *a);
/* The entry name of dir (a mount's directory): a reference, or the
 * backend's error (-ENOENT). */
int mount_lookup(struct node *dir, const char *name, size_t len,
                 struct node **out);
/* Forgets the name remembered for name in directory dir, or every one
 * naming inode ino or in it (a directory removed or moved over, a file
 * found gone). */
void mount_dents_drop_ino(struct mount *m, uint64_t ino);
void mount_dent_drop(struct mount *m, uint64_t dir, const char *name,
                     size_t len);
/* n, or the root of what is mounted on it (the top one). */
struct node *mount_cross(struct node *n);
/* A mount's node lost its last reference: cached as unused. */
void mount_node_put(struct node *n);
/* Reads n's attributes again from its backend (nothing for the tree's
 * nodes); a file gone on the host gets a link count of 0. */
int mount_refresh(struct node *n);
/* Whether the layer has a node of m's inode ino (the backend keeps an
 * unlinked inode while one exists: open or mapped). */
bool mount_ino_cached(struct mount *m, uint64_t ino);
/* -EROFS for a node of a read-only mount, else 0. */
int mount_check_rw(const struct node *n);
/* Whether n is the root of a mount (a mount point as seen in a walk). */
static inline bool mount_is_root(const struct node *n)
{
    return n->mnt && n == n->mnt->root;
}

/* --- mount_ops.c: the system calls' work on a mount's nodes; each gives
 * -EROFS on a read-only mount when it would change anything. */
long mount_read(struct node *n, uint64_t buf, bool user, size_t len,
                uint64_t off);
long mount_write(struct node *n, uint64_t buf, bool user, size_t len,
                 uint64_t off);
int mount_truncate(struct node *n, uint64_t size);
/* Frees the cached pages past size bytes, unmapping them. */
void mount_pages_drop(struct node *n, uint64_t size);
/* Page idx of regular file n, read from the backend if not cached. */
int mount_page(struct node *n, uint64_t idx, uint64_t *pa);
/* A MAP_SHARED mapping stores to page idx (it faulted writing): the
 * page is dirty, off the cache's clock, until written back.  0. */
int mount_page_dirty(struct node *n, uint64_t idx);
/* Whether a shared mapping may map page idx writable: it is dirty (a
 * clean one is mapped read-only, so the first store faults). */
bool mount_page_writable(const struct node *n, uint64_t idx);
/* Writes n's dirty pages back to the backend, write-protecting them in
 * every mapping first; they are clean (the cache's) after.  0, or the
 * first error (those pages stay dirty, in memory). */
int mount_writeback(struct node *n);
/* Dirty pages of every mount's files. */
uint64_t mount_dirty_pages(void);
/* Writes dirty pages back when there are more than a share of RAM (an
 * eighth, less when free memory runs low): called where no file system
 * call is under way, on the way back to the program. */
void mount_balance_dirty(void);
/* open(2) of a node of a mount with these flags: -EROFS, or the
 * backend's preparation. */
int mount_open(struct node *n, unsigned flags);
int mount_fsync(struct node *n);
int mount_setattr(struct node *n, const struct fs_setattr *sa);
int mount_statfs(struct node *n, struct linux_statfs *sf);
/* New entries of dir: the new node (a reference) in *out if not NULL. */
int mount_create(struct node *dir, const char *name, size_t len, uint32_t mode,
                 struct node **out);
int mount_mkdir(struct node *dir, const char *name, size_t len, uint32_t mode,
                struct node **out);
int mount_symlink(struct node *dir, const char *name, size_t len,
                  const char *target, struct node **out);
int mount_link(struct node *n, struct node *dir, const char *name, size_t len);
/* Removes name (naming n) from dir. */
int mount_unlink(struct node *dir, const char *name, size_t len,
                 struct node *n);
/* Renames oname in odir (naming n) to nname in ndir (naming t or
 * nothing); both directories are of one mount. */
int mount_rename(struct node *odir, const char *oname, size_t olen,
                 struct node *ndir, const char *nname, size_t nlen,
                 struct node *n, struct node *t);
/* Appends the link's target to s. */
int mount_readlink(struct node *n, struct seq *s);
long mount_getdents(struct file *f, uint64_t ubuf, size_t n);

/* Mounts the backend on the directory at path (absolute; created if
 * missing, outside /proc and /dev).  0 or a negative errno. */
int mount_add(const char *path, const struct fs_backend_ops *ops, void *priv,
              const char *source, bool ro);
/* fs/p9.c: mounts the 9p share whose virtio-9p device has tag at path
 * (read-only if ro): 0 or a negative errno (-ENODEV: no such device). */
int p9_mount(const char *tag, const char *path, bool ro);
/* fs/ext2fs.c: mounts the ext2 volume on the virtio-blk disk whose id is
 * serial at path (read-only if ro): 0 or a negative errno (-ENODEV: no
 * such disk); says why on the console when the volume is refused. */
int ext2fs_mount(const char *serial, const char *path, bool ro);
/* Mounts every gorump.share=TAG:/PATH[:ro] (a 9p share) and
 * gorump.volume=ID:/PATH[:ro] (an ext2 volume on the disk with that id)
 * of the command line, in order: 0, or -1 after a message. */
int mount_cmdline(const char *cmdline);
/* sync(2): every mount's mapped pages written back and its backend
 * synced: 0 or the first error. */
int mount_sync_all(void);
/* syncfs(2) of the mount n is on (nothing for the tree's nodes). */
int mount_sync(struct node *n);
/* The guest stops (proc_exit): every mount written back and unmounted,
 * an ext2 volume left clean. */
void mount_unmount_all(void);
/* The mount's entries of /proc/mounts, one line each. */
void mount_list(struct seq *s);

#endif
