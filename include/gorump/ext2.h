/*
 * include/gorump/ext2.h — which ext2 file systems the kernel's library
 * (kernel/fs/ext2) reads and writes: the superblock fields and feature
 * bits that decide it, shared with the tool (`gorump volume`, which makes
 * and checks volumes with exactly these features).  The values are
 * e2fsprogs' (lib/ext2fs/ext2_fs.h); docs/STORAGE.md, "The ext2 volume",
 * says what each feature means here.  C11 and stdint only.
 */
#ifndef GORUMP_EXT2_H
#define GORUMP_EXT2_H

#include <stdint.h>

#define GORUMP_EXT2_SB_OFF 1024 /* the superblock's place and size */
#define GORUMP_EXT2_SB_SIZE 1024
#define GORUMP_EXT2_MAGIC 0xef53 /* at byte 56 of the superblock */
#define GORUMP_EXT2_SB_MAGIC 56
#define GORUMP_EXT2_SB_LOG_BSIZE 24
#define GORUMP_EXT2_SB_REV 76
#define GORUMP_EXT2_SB_COMPAT 92
#define GORUMP_EXT2_SB_INCOMPAT 96
#define GORUMP_EXT2_SB_RO_COMPAT 100
#define GORUMP_EXT2_LOG_BSIZE_MAX 2 /* 1024 << 2: blocks of 4 KiB at most */

/* Compatible features: any may be present (the library ignores what it
 * does not use); these are the ones mke2fs -t ext2 sets, and
 * has_journal, an internal journal (inode 8) the library writes in the
 * jbd2 format. */
#define GORUMP_EXT2_COMPAT_HAS_JOURNAL 0x4
#define GORUMP_EXT2_COMPAT_EXT_ATTR 0x8
#define GORUMP_EXT2_COMPAT_RESIZE_INODE 0x10
#define GORUMP_EXT2_COMPAT_DIR_INDEX 0x20
/* Read-only compatible features the library writes correctly; any other
 * makes the mount read-only. */
#define GORUMP_EXT2_RO_COMPAT_SPARSE_SUPER 0x1
#define GORUMP_EXT2_RO_COMPAT_LARGE_FILE 0x2
#define GORUMP_EXT2_RO_COMPAT_BTREE_DIR 0x4 /* never used by anyone */
#define GORUMP_EXT2_RO_COMPAT_OK 0x7
/* Incompatible features the library reads; any other refuses the mount. */
#define GORUMP_EXT2_INCOMPAT_FILETYPE 0x2
#define GORUMP_EXT2_INCOMPAT_OK 0x2
/* needs_recovery: the journal may hold transactions to replay.  Set by a
 * read-write mount of a journaled volume, cleared at its unmount; e2fsck
 * replays the journal and clears it.  Such a volume is mounted read-only
 * only. */
#define GORUMP_EXT2_INCOMPAT_RECOVER 0x4

/* The feature list `gorump volume create` gives mke2fs -O; a volume of
 * GORUMP_EXT2_JOURNAL_MIN bytes or more adds has_journal, with a journal
 * of GORUMP_EXT2_JOURNAL_MB MiB (1024 blocks of 4 KiB: jbd2's least,
 * JBD2_MIN_JOURNAL_BLOCKS, and many times what one transaction of the
 * library needs). */
#define GORUMP_EXT2_MKE2FS_FEATURES                                            \
    "none,ext_attr,resize_inode,dir_index,filetype,sparse_super,large_file"
#define GORUMP_EXT2_JOURNAL_MIN (16ull << 20)
#define GORUMP_EXT2_JOURNAL_MB "4"

#endif
