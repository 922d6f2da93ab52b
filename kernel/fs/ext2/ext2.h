/*
 * fs/ext2/ext2.h — an ext2 file system over a block device given as three
 * callbacks, in plain C11 with no allocation of its own: the caller
 * provides struct ext2_fs (about 140 KiB), the library reads and writes
 * the device only through struct ext2_dev.  The same code builds into the
 * kernel (drv/blkdev.h's adapter, ext2_blkdev.c) and into the host's unit
 * tests (tests/unit/test_ext2*.c).
 *
 * The API is by inode number, as a VFS backend wants it: look a name up
 * in a directory to get an inode number, then read, write or change that
 * inode.  Every function returns 0 (or a count) or a negative errno:
 * -EUCLEAN when the image contradicts itself (a block number past the
 * end, a directory entry that runs out of its block, ...), -EIO when the
 * device fails, -EROFS when mounted read-only, and the errno Linux gives
 * for the same mistake otherwise (-ENOENT, -EEXIST, -ENOTEMPTY, ...).
 * Nothing an image holds makes the library crash, read or write outside
 * its buffers, or loop without end.
 *
 * Not thread-safe: the caller serialises all calls on one struct ext2_fs.
 * Features, ordering of writes and what e2fsck finds after a crash:
 * docs/STORAGE.md, "The ext2 volume".
 */
#ifndef FS_EXT2_EXT2_H
#define FS_EXT2_EXT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_ROOT_INO 2
#define EXT2_NAME_MAX 255
#define EXT2_LINK_MAX 32000  /* Linux's EXT2_LINK_MAX */
#define EXT2_BLOCK_MAX 4096  /* block sizes 1024, 2048 and 4096 */
#define EXT2_CACHE_BLOCKS 32 /* metadata blocks held at most */
#define EXT2_JNL_RUNS 16     /* pieces the journal inode may be in */

/* Directory entry types (dirent d_type values, man 3 readdir). */
#define EXT2_DT_UNKNOWN 0
#define EXT2_DT_FIFO 1
#define EXT2_DT_CHR 2
#define EXT2_DT_DIR 4
#define EXT2_DT_BLK 6
#define EXT2_DT_REG 8
#define EXT2_DT_LNK 10
#define EXT2_DT_SOCK 12

/* The device: len bytes at byte offset off, both multiples of 512 and
 * inside size.  Each returns 0 or a negative errno (-EIO).  flush makes
 * what was written durable; now gives the time in seconds since the
 * epoch (NULL: the time stamps are 0). */
struct ext2_dev {
    void *ctx;
    uint64_t size; /* bytes */
    int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
    int (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
    int (*flush)(void *ctx);
    int64_t (*now)(void *ctx);
};

/* A piece of the journal inode: n blocks from lblk on, at pblk. */
struct ext2_jrun {
    uint32_t lblk, pblk, n;
};

/* One cached metadata block.  cls says when an ordered write-back writes
 * it (cache.c); pins count the callers holding data. */
struct ext2_buf {
    uint64_t blk;
    uint32_t used; /* the clock of its last use, for eviction */
    uint16_t pins;
    uint8_t cls; /* enum ext2_cls in ext2_int.h */
    bool valid, dirty;
    uint8_t *data;
};

struct ext2_fs {
    struct ext2_dev dev;
    bool rdonly;
    const char *msg; /* why the last mount failed, or a warning */
    /* From the superblock, checked at mount. */
    uint32_t bsize, bshift, ptrs; /* block size, log2, pointers a block */
    uint32_t blocks, first_data, bpg, ipg, inodes, ngroups, isize;
    uint32_t first_ino, gdt_blocks;
    uint32_t feat_compat, feat_incompat, feat_ro_compat;
    uint32_t next_dir_group; /* where the next directory goes */
    bool sb_dirty;
    uint8_t sb[1024]; /* the superblock as on disk */
    uint32_t clock;
    struct ext2_buf buf[EXT2_CACHE_BLOCKS];
    uint8_t mem[EXT2_CACHE_BLOCKS][EXT2_BLOCK_MAX];
    uint8_t scratch[EXT2_BLOCK_MAX]; /* one data block in flight */
    /* Whole data blocks a write has placed but not yet sent: n blocks
     * from blk on, from src (data.c).  Written before any metadata
     * block is (ext2_bwrite), so what points to them never reaches the
     * disk first; err is a failure of that write for the writer. */
    struct {
        const uint8_t *src;
        uint32_t blk, n;
        int err;
    } run;
    /* Whether the caller still holds inode ino open (NULL: never; set it
     * after ext2_mount, which clears everything).  When the last name of
     * a file it holds goes, the inode stays, with no links, until
     * ext2_release: an orphan (docs/STORAGE.md). */
    bool (*held)(void *ctx, uint32_t ino);
    void *held_ctx;
    /* The journal (journal.c), on for a read-write mount of a volume
     * with has_journal: every write-back of metadata is a transaction. */
    struct {
        bool on;
        bool used; /* the journal superblock names a transaction */
        uint32_t ino, first, maxlen, seq; /* seq: the next transaction's */
        uint32_t nruns;
        struct ext2_jrun run[EXT2_JNL_RUNS];
        uint8_t sb[1024]; /* the journal superblock's first 1024 bytes */
        uint8_t buf[EXT2_BLOCK_MAX]; /* a descriptor, commit or copy */
    } jnl;
};

/* What stat(2) shows of an inode; times in seconds. */
struct ext2_stat {
    uint32_t ino;
    uint16_t mode;
    uint16_t nlink;
    uint32_t uid, gid;
    uint64_t size;
    uint64_t blocks; /* 512-byte units */
    uint32_t rdev;   /* Linux's new encoding for devices, else 0 */
    int64_t atime, mtime, ctime;
};

struct ext2_statfs {
    uint32_t bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    uint32_t namelen;
};

/* setattr: which fields of struct ext2_stat to change. */
#define EXT2_SET_MODE (1u << 0) /* permission bits and set-id only */
#define EXT2_SET_UID (1u << 1)
#define EXT2_SET_GID (1u << 2)
#define EXT2_SET_SIZE (1u << 3)
#define EXT2_SET_ATIME (1u << 4)
#define EXT2_SET_MTIME (1u << 5)
#define EXT2_SET_CTIME (1u << 6)

#define EXT2_MOUNT_RDONLY 1u

/* Checks the superblock and group descriptors and makes fs ready.  A
 * read-write mount marks the file system not clean on disk until
 * ext2_unmount.  -EINVAL for what is not ext2 or uses an incompatible
 * feature this code does not implement, -EUCLEAN for a corrupt image,
 * -EROFS for a read-write mount of a file system that is not clean
 * (run e2fsck) or has a read-only feature this code cannot write; fs->msg
 * says which.  A read-only mount of an unclean file system works. */
int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev, unsigned flags);
/* Writes everything back, marks the file system clean, flushes. */
int ext2_unmount(struct ext2_fs *fs);
/* Writes every dirty metadata block back, in order, and flushes. */
int ext2_sync(struct ext2_fs *fs);
/* ext2_sync: the library keeps no per-inode state worth less. */
int ext2_fsync(struct ext2_fs *fs, uint32_t ino);
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);

/* The inode's attributes; -ESTALE for a free inode, -EINVAL for a number
 * out of range. */
int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st);
/* Changes the fields named by mask (EXT2_SET_*); a size change truncates
 * or extends with a hole.  ctime is set to now unless given. */
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_stat *st,
                 unsigned mask);
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);

/* The inode number of name in directory dir; -ENOENT, -ENOTDIR. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                uint32_t *ino);
/* Calls emit for each entry from *cookie on (0: the start) until emit
 * returns non-zero or the directory ends; *cookie then names the entry
 * after the last one emit accepted (as a getdents offset).  Returns 0 or
 * a negative errno; next is the cookie that follows this entry. */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie,
                 int (*emit)(void *arg, const char *name, size_t len,
                             uint32_t ino, unsigned type, uint64_t next),
                 void *arg);

/* Bytes read or written (short only at the end of the file), or a
 * negative errno.  Holes read as zeros; a write past the end leaves a
 * hole.  -EISDIR on a directory, -EINVAL on a symbolic link, -EFBIG past
 * the largest file, -ENOSPC when the volume is full (what was written
 * before stays). */
long ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf,
               size_t len);
long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf,
                size_t len);
/* Frees ino if it is an orphan (its last name went while the caller
 * held it, see held above): 0, or a negative errno. */
int ext2_release(struct ext2_fs *fs, uint32_t ino);
/* The link's target (not terminated), its length or a negative errno. */
long ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t len);

/* New inodes in directory dir, owned by uid and gid.  mode holds the
 * type (S_IFREG etc.) and permission bits; rdev is for device nodes.
 * -EEXIST, -ENAMETOOLONG, -ENOSPC, -EMLINK (mkdir in a full directory). */
int ext2_mknod(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
               uint32_t mode, uint32_t uid, uint32_t gid, uint32_t rdev,
               uint32_t *ino);
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
               uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                 const char *target, size_t tlen, uint32_t uid, uint32_t gid,
                 uint32_t *ino);
/* A new name for ino (not a directory: -EPERM). */
int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name,
              size_t len);
/* Removes a name that is not a directory (-EISDIR); the inode goes when
 * its last name does. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* Removes an empty directory: -ENOTEMPTY, -ENOTDIR; -EINVAL for "." and
 * -ENOTEMPTY for "..", as rmdir(2). */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* rename(2) without flags: replaces a file or an empty directory at the
 * new name; -EINVAL moving a directory below itself, -EISDIR/-ENOTDIR
 * for a mismatch of types, -ENOTEMPTY. */
int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname,
                size_t olen, uint32_t ndir, const char *nname, size_t nlen);

#endif
