/*
 * tool/volume.h — `gorump volume create FILE SIZE` (a raw disk file with
 * an ext2 file system made by e2fsprogs' mke2fs, with exactly the
 * features the kernel's ext2 library reads and writes) and `gorump volume
 * check FILE` (e2fsck -fn, and the features checked against the same
 * list, include/gorump/ext2.h).  docs/STORAGE.md, "The ext2 volume".
 */
#ifndef GORUMP_TOOL_VOLUME_H
#define GORUMP_TOOL_VOLUME_H

#include <stdint.h>

#define VOLUME_MIN (1ULL << 20)                  /* 1 MiB */
#define VOLUME_MAX ((1ULL << 44) - (1ULL << 12)) /* 2^32 blocks of 4 KiB */

/* argv[0] is "volume".  0, 1 when check finds a problem, or
 * GORUMP_STATUS_FAILURE (125, reported) when the command cannot run. */
int cmd_volume(int argc, char **argv);

/* A size: a number of bytes that is a multiple of 4096, or a number with
 * the suffix K, M, G or T (powers of 1024), from VOLUME_MIN to
 * VOLUME_MAX.  0 with *bytes, or -1. */
int volume_parse_size(const char *s, uint64_t *bytes);

/* NULL when the superblock sb (GORUMP_EXT2_SB_SIZE bytes from byte 1024)
 * is ext2 the kernel reads and writes; else why not, in words, in buf. */
const char *volume_sb_check(const uint8_t *sb, char *buf, unsigned size);
/* The same for a read-only mount (for_ro): read-only compatible features
 * the kernel cannot write are then no obstacle. */
const char *volume_sb_check_for(const uint8_t *sb, int for_ro, char *buf,
                                unsigned size);

/* Readies the volume FILE for `gorump run -v FILE:...` (what names it in
 * messages): opens it (read-only if ro), locks it (flock: shared for ro,
 * exclusive otherwise, so two runs cannot both write it), checks its
 * superblock's features and, unless ro, repairs what an unclean stop
 * left with `e2fsck -p`.  The open, locked fd (kept until the tool
 * exits), or -1 (reported; nothing but e2fsck -p changed the volume). */
int volume_attach(const char *file, int ro, const char *what);

#endif
