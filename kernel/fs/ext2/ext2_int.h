/*
 * fs/ext2/ext2_int.h — what the ext2 library's files share and nobody
 * else uses: the on-disk layout (the ext2 revision 1 format as e2fsprogs
 * writes it; fields are read and written as little-endian bytes at their
 * offsets, so no structure's padding or alignment matters), the block
 * cache (cache.c), allocation (alloc.c), inodes and block maps (inode.c,
 * bmap.c) and directory entries (dir.c).
 */
#ifndef FS_EXT2_EXT2_INT_H
#define FS_EXT2_EXT2_INT_H

#include <gorump/ext2.h>

#include "fs/ext2/ext2.h"
#include "lib/lib.h"

/* --- the superblock (byte 1024 of the device, 1024 bytes) */
#define SB_OFF GORUMP_EXT2_SB_OFF
#define SB_INODES 0
#define SB_BLOCKS 4
#define SB_R_BLOCKS 8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA 20
#define SB_LOG_BSIZE 24
#define SB_LOG_FSIZE 28
#define SB_BPG 32
#define SB_FPG 36
#define SB_IPG 40
#define SB_MTIME 44
#define SB_WTIME 48
#define SB_MNT_COUNT 52
#define SB_MAGIC 56
#define SB_STATE 58
#define SB_REV 76
#define SB_FIRST_INO 84
#define SB_INODE_SIZE 88
#define SB_COMPAT 92
#define SB_INCOMPAT 96
#define SB_RO_COMPAT 100
#define EXT2_MAGIC GORUMP_EXT2_MAGIC
#define EXT2_VALID_FS 1 /* s_state: unmounted cleanly */
#define EXT2_ERROR_FS 2

/* Features: include/gorump/ext2.h says which the library handles. */
#define RO_COMPAT_LARGE_FILE GORUMP_EXT2_RO_COMPAT_LARGE_FILE
#define INCOMPAT_FILETYPE GORUMP_EXT2_INCOMPAT_FILETYPE
#define RO_COMPAT_OK GORUMP_EXT2_RO_COMPAT_OK
#define INCOMPAT_OK GORUMP_EXT2_INCOMPAT_OK
#define COMPAT_HAS_JOURNAL GORUMP_EXT2_COMPAT_HAS_JOURNAL
#define INCOMPAT_RECOVER GORUMP_EXT2_INCOMPAT_RECOVER

/* --- group descriptors (32 bytes each, from the block after the
 * superblock's) */
#define GD_SIZE 32
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS 16

/* --- inodes: the first 128 bytes, decoded into struct ext2_inode */
#define N_DIRECT 12
#define IND 12
#define DIND 13
#define TIND 14
#define N_BLOCKS 15
#define EXT2_INDEX_FL 0x1000
#define EXT2_GOOD_OLD_ISIZE 128

#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000
#define S_IFLNK_ 0120000
#define S_IFREG_ 0100000
#define S_IFBLK_ 0060000
#define S_IFDIR_ 0040000
#define S_IFCHR_ 0020000
#define S_IFIFO_ 0010000
#define IS_DIR(m) (((m)&S_IFMT_) == S_IFDIR_)
#define IS_REG(m) (((m)&S_IFMT_) == S_IFREG_)
#define IS_LNK(m) (((m)&S_IFMT_) == S_IFLNK_)

struct ext2_inode {
    uint16_t mode, links;
    uint32_t uid, gid;
    uint64_t size;
    uint32_t atime, ctime, mtime, dtime;
    uint32_t blocks; /* 512-byte units, indirect blocks included */
    uint32_t flags, generation, file_acl;
    uint32_t block[N_BLOCKS];
};

/* --- directory entries */
#define DE_HDR 8
#define DE_LEN(namelen) (((namelen) + DE_HDR + 3u) & ~3u)

/* --- byte access */
static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* --- cache.c.  A write-back writes dirty blocks class by class, in this
 * order (docs/STORAGE.md, "The ext2 volume"): bitmaps holding new
 * allocations, then inode tables and indirect blocks, then directory
 * blocks, then bitmaps holding only frees, then group descriptors. */
enum ext2_cls { CLS_ALLOC, CLS_META, CLS_DIR, CLS_FREE, CLS_GDT, CLS_N };

/* Block blk pinned, read if not cached; NULL with *err set. */
struct ext2_buf *ext2_bread(struct ext2_fs *fs, uint64_t blk, int cls,
                            int *err);
/* Block blk pinned and zeroed, not read: for a block just allocated. */
struct ext2_buf *ext2_bzero(struct ext2_fs *fs, uint64_t blk, int cls,
                            int *err);
void ext2_brelse(struct ext2_fs *fs, struct ext2_buf *b);
/* Marks b dirty in class cls; a bitmap changing between CLS_ALLOC and
 * CLS_FREE writes everything back first.  Change b right after: any call
 * that may read a block may write everything back and leave b clean. */
int ext2_bdirty(struct ext2_fs *fs, struct ext2_buf *b, int cls);
/* Writes b now (a block nothing on disk points to yet). */
int ext2_bwrite(struct ext2_fs *fs, struct ext2_buf *b);
/* Writes the data run a write has pending (fs->run), in one device
 * write: 0, or the error of this or an earlier write of it. */
int ext2_run_flush(struct ext2_fs *fs);
/* The ordered write-back of every dirty block, without a flush. */
int ext2_writeback(struct ext2_fs *fs);
/* Drops blk from the cache (a freed block that becomes file data). */
void ext2_bforget(struct ext2_fs *fs, uint64_t blk);
int ext2_sb_write(struct ext2_fs *fs);

/* --- journal.c (docs/STORAGE.md, "The journal") */
/* Reads and checks the journal of a volume with has_journal for a
 * read-write mount; fs->jnl.on when it may be written.  -EROFS (with
 * fs->msg) for a journal that needs recovery or that this code cannot
 * write. */
int ext2_jnl_load(struct ext2_fs *fs);
/* Writes every dirty block back as one transaction: logged, committed,
 * then written in place.  *committed when the commit is durable. */
int ext2_jnl_commit(struct ext2_fs *fs, bool *committed);
/* After the last commit: its writes flushed, the journal marked empty. */
int ext2_jnl_close(struct ext2_fs *fs);
/* Before a change to the name space: commits first when more than half
 * the cache is dirty, so the change fits in the transaction with it. */
int ext2_jnl_room(struct ext2_fs *fs);
/* A write-back the crash order of an unjournaled volume needs between
 * two steps; nothing with a journal (the steps commit together). */
int ext2_order(struct ext2_fs *fs);

/* --- super.c */
int64_t ext2_now(struct ext2_fs *fs);
/* The descriptor of group g, pinned; *at is its offset in the buffer. */
struct ext2_buf *ext2_group(struct ext2_fs *fs, uint32_t g, uint32_t *at,
                            int *err);
/* Whether blk may hold file data or a directory or indirect block. */
bool ext2_data_blk_ok(struct ext2_fs *fs, uint32_t blk);

/* --- alloc.c */
/* A free block, near goal; -ENOSPC. */
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
int ext2_bfree(struct ext2_fs *fs, uint32_t blk);
/* A free inode for a directory or not, near the parent's group. */
int ext2_ialloc(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino);
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir);

/* --- inode.c */
int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
int ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* A new inode's slot zeroed, then in written into it. */
int ext2_iinit(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* ext2_iread that refuses a free inode (-ESTALE). */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
/* Drops one link; the last frees blocks and inode (its directory entry
 * already gone, and written back). */
int ext2_iput_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
void ext2_touch(struct ext2_fs *fs, struct ext2_inode *in, bool m, bool c);
/* Whether the symbolic link keeps its target in block[]. */
bool ext2_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *in);
int ext2_add_blocks(struct ext2_fs *fs, struct ext2_inode *in, int n);

/* --- bmap.c */
/* The block holding logical block lblk of the inode, 0 for a hole; with
 * alloc, a hole is filled (and *fresh says so: its content is garbage,
 * to be written whole by the caller before in is written). */
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
              uint32_t lblk, bool alloc, uint32_t *blk, bool *fresh);
/* Frees every block from logical block from on (indirect blocks that
 * become empty too). */
int ext2_free_from(struct ext2_fs *fs, struct ext2_inode *in, uint32_t from);
/* Blocks a file may have (the block map's reach). */
uint64_t ext2_max_blocks(struct ext2_fs *fs);

/* --- dir.c: each change writes the directory's inode (mtime, ctime,
 * size; EXT2_INDEX_FL cleared, as Linux's ext2 does: the hash index is
 * not kept up to date). */
struct ext2_dirpos {
    uint32_t lblk, off, prev; /* prev == off: the block's first entry */
    uint32_t ino;
    uint8_t type;
};
/* -ENOENT, -ENOTDIR, -EUCLEAN. */
int ext2_dir_find(struct ext2_fs *fs, uint32_t dino, const char *name,
                  size_t len, struct ext2_dirpos *pos);
int ext2_dir_add(struct ext2_fs *fs, uint32_t dino, const char *name,
                 size_t len, uint32_t ino, uint16_t mode);
/* Removes name, which must still name ino. */
int ext2_dir_remove(struct ext2_fs *fs, uint32_t dino, const char *name,
                    size_t len, uint32_t ino);
/* Points the existing entry name at ino (rename over a name). */
int ext2_dir_set(struct ext2_fs *fs, uint32_t dino, const char *name,
                 size_t len, uint32_t ino, uint16_t mode);
/* 1 if only "." and ".." are left, 0 if not, or a negative errno. */
int ext2_dir_empty(struct ext2_fs *fs, uint32_t dino);
/* A new directory's first block with "." and "..", written at once. */
int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                  uint32_t parent);
uint8_t ext2_dtype(uint16_t mode);
/* Whether name is a name a new entry may have. */
int ext2_name_ok(const char *name, size_t len);

#endif
