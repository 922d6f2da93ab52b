/*
 * tool/volume.c — `gorump volume create` and `gorump volume check` (see
 * volume.h).  The file system itself is e2fsprogs' work: mke2fs makes
 * it, e2fsck checks it; this file picks their options and reads the
 * superblock only to compare its features with what the kernel supports.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gorump/console.h>
#include <gorump/ext2.h>

#include "paths.h"
#include "proc.h"
#include "util.h"
#include "volume.h"

extern char **environ;

int volume_parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end) : NULL;
    if (errno || (*end && (!u || end[1])))
        return -1;
    unsigned shift = u ? 10 * (unsigned)(u - units + 1) : 0;
    if (n > (VOLUME_MAX >> shift))
        return -1;
    n <<= shift;
    if (n < VOLUME_MIN || n % 4096)
        return -1;
    *bytes = n;
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

struct feature {
    uint32_t bit;
    const char *name;
};

/* e2fsprogs' names (lib/e2p/feature.c) of the features the kernel lacks. */
static const struct feature incompat_names[] = {{0x1, "compression"},
                                                {0x4, "needs_recovery"},
                                                {0x8, "journal_dev"},
                                                {0x10, "meta_bg"},
                                                {0x40, "extent"},
                                                {0x80, "64bit"},
                                                {0x100, "mmp"},
                                                {0x200, "flex_bg"},
                                                {0x400, "ea_inode"},
                                                {0x1000, "dirdata"},
                                                {0x2000, "metadata_csum_seed"},
                                                {0x4000, "large_dir"},
                                                {0x8000, "inline_data"},
                                                {0x10000, "encrypt"},
                                                {0x20000, "casefold"},
                                                {0, NULL}};
static const struct feature ro_compat_names[] = {{0x8, "huge_file"},
                                                 {0x10, "uninit_bg"},
                                                 {0x20, "dir_nlink"},
                                                 {0x40, "extra_isize"},
                                                 {0x100, "quota"},
                                                 {0x200, "bigalloc"},
                                                 {0x400, "metadata_csum"},
                                                 {0x1000, "read-only"},
                                                 {0x2000, "project"},
                                                 {0x8000, "verity"},
                                                 {0x10000, "orphan_present"},
                                                 {0, NULL}};

/* Appends the names of the bits of mask to buf. */
static void feature_list(uint32_t mask, const struct feature *names, char *buf,
                         unsigned size)
{
    for (int b = 0; b < 32; b++) {
        uint32_t bit = 1u << b;
        if (!(mask & bit))
            continue;
        const char *name = NULL;
        for (const struct feature *f = names; f->name; f++)
            if (f->bit == bit)
                name = f->name;
        size_t len = strlen(buf);
        if (name)
            snprintf(buf + len, size - len, " %s", name);
        else
            snprintf(buf + len, size - len, " 0x%x", bit);
    }
}

const char *volume_sb_check(const uint8_t *sb, char *buf, unsigned size)
{
    return volume_sb_check_for(sb, 0, buf, size);
}

const char *volume_sb_check_for(const uint8_t *sb, int for_ro, char *buf,
                                unsigned size)
{
    if ((sb[GORUMP_EXT2_SB_MAGIC] | sb[GORUMP_EXT2_SB_MAGIC + 1] << 8) !=
        GORUMP_EXT2_MAGIC) {
        snprintf(buf, size, "not an ext2 file system (no superblock)");
        return buf;
    }
    uint32_t log = le32(sb + GORUMP_EXT2_SB_LOG_BSIZE);
    if (log > GORUMP_EXT2_LOG_BSIZE_MAX) {
        snprintf(buf, size, "blocks of more than 4096 bytes");
        return buf;
    }
    if (le32(sb + GORUMP_EXT2_SB_REV) == 0)
        return NULL; /* revision 0 has no features */
    /* needs_recovery on a journaled volume: e2fsck -p, run before a
     * read-write attach, replays the journal (docs/STORAGE.md, "The
     * journal"); read-only, the kernel would see the volume without
     * what the journal holds. */
    uint32_t recover = 0;
    if (le32(sb + GORUMP_EXT2_SB_COMPAT) & GORUMP_EXT2_COMPAT_HAS_JOURNAL)
        recover =
            le32(sb + GORUMP_EXT2_SB_INCOMPAT) & GORUMP_EXT2_INCOMPAT_RECOVER;
    uint32_t in = le32(sb + GORUMP_EXT2_SB_INCOMPAT) &
                  ~(uint32_t)(GORUMP_EXT2_INCOMPAT_OK | recover);
    uint32_t ro = le32(sb + GORUMP_EXT2_SB_RO_COMPAT) &
                  ~(uint32_t)GORUMP_EXT2_RO_COMPAT_OK;
    if (recover && for_ro) {
        snprintf(buf, size,
                 "its journal needs recovery (attach it without :ro once, "
                 "or run e2fsck -p on it)");
        return buf;
    }
    if (in) {
        snprintf(buf, size, "features the kernel cannot read:");
        feature_list(in, incompat_names, buf, size);
        return buf;
    }
    if (ro && !for_ro) {
        snprintf(buf, size,
                 "features the kernel cannot write (it would mount the "
                 "volume read-only):");
        feature_list(ro, ro_compat_names, buf, size);
        return buf;
    }
    return NULL;
}

/* An e2fsprogs command: in $PATH, else where Debian keeps it (an
 * ordinary user's PATH has no sbin). */
static int find_e2fs(const char *name, char *out, size_t size)
{
    static const char *const dirs[] = {"/usr/sbin/", "/sbin/"};
    if (find_command(name, out, size) == 0)
        return 0;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s%s", dirs[i], name);
        if (find_command(path, out, size) == 0)
            return 0;
    }
    report("volume: %s not found (install e2fsprogs)", name);
    return -1;
}

/* Runs argv (argv[0] the path) and waits: its exit status, or -1. */
static int run_wait(char *const *argv)
{
    pid_t pid;
    int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
    if (err) {
        report("volume: %s: %s", argv[0], strerror(err));
        return -1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int volume_create(const char *file, const char *size_arg)
{
    uint64_t size;
    char mkfs[4096];
    if (volume_parse_size(size_arg, &size)) {
        report("volume create: bad size '%s' (bytes, a multiple of 4096, or "
               "a number with K, M, G or T; 1M to 16T less 4K)",
               size_arg);
        return GORUMP_STATUS_FAILURE;
    }
    if (find_e2fs("mke2fs", mkfs, sizeof(mkfs)))
        return GORUMP_STATUS_FAILURE;
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        report("%s: %s%s", file, strerror(errno),
               errno == EEXIST ? " (volume create never overwrites)" : "");
        return GORUMP_STATUS_FAILURE;
    }
    if (ftruncate(fd, (off_t)size)) {
        report("%s: %s", file, strerror(errno));
        close(fd);
        unlink(file);
        return GORUMP_STATUS_FAILURE;
    }
    close(fd);
    /* 4 KiB blocks (the guest's page), no blocks reserved for root (one
     * program owns the volume), the root directory root's; a journal
     * of 1024 blocks when the volume is large enough that it takes a
     * quarter at most (docs/STORAGE.md, "The journal"). */
    bool journal = size >= GORUMP_EXT2_JOURNAL_MIN;
    char *argv[] = {mkfs,
                    "-q",
                    "-F",
                    "-t",
                    "ext2",
                    "-b",
                    "4096",
                    "-m",
                    "0",
                    "-O",
                    journal ? GORUMP_EXT2_MKE2FS_FEATURES ",has_journal"
                            : GORUMP_EXT2_MKE2FS_FEATURES,
                    "-E",
                    "root_owner=0:0",
                    journal ? "-J" : (char *)file,
                    journal ? "size=" GORUMP_EXT2_JOURNAL_MB : NULL,
                    (char *)file,
                    NULL};
    int st = run_wait(argv);
    if (st != 0) {
        report("%s: mke2fs failed (status %d)", file, st);
        unlink(file);
        return GORUMP_STATUS_FAILURE;
    }
    return 0;
}

static int volume_check(const char *file)
{
    uint8_t sb[GORUMP_EXT2_SB_SIZE];
    char why[512], fsck[4096];
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report("%s: %s", file, strerror(errno));
        return GORUMP_STATUS_FAILURE;
    }
    ssize_t n = pread(fd, sb, sizeof(sb), GORUMP_EXT2_SB_OFF);
    close(fd);
    if (n != (ssize_t)sizeof(sb))
        memset(sb, 0, sizeof(sb));
    const char *bad = volume_sb_check(sb, why, sizeof(why));
    if (bad) {
        report("%s: %s", file, bad);
        return 1;
    }
    if (find_e2fs("e2fsck", fsck, sizeof(fsck)))
        return GORUMP_STATUS_FAILURE;
    char *argv[] = {fsck, "-fn", (char *)file, NULL};
    int st = run_wait(argv);
    if (st == 0)
        return 0;
    /* e2fsck(8): 4 errors left uncorrected, 8 an operational error (also
     * an abort on a file system too broken to go on: then with 4). */
    if (st < 0 || !(st & 4)) {
        report("%s: e2fsck could not check it (status %d)", file, st);
        return GORUMP_STATUS_FAILURE;
    }
    report("%s: e2fsck found errors (status %d); repair with e2fsck -fy %s",
           file, st, file);
    return 1;
}

/* Runs e2fsck -p FILE with its output (both streams) kept in
 * out[0..size): its exit status, or -1 (reported). */
static int fsck_preen(const char *file, char *out, size_t size)
{
    char fsck[4096];
    int p[2], st;
    if (find_e2fs("e2fsck", fsck, sizeof(fsck)))
        return -1;
    if (pipe2(p, O_CLOEXEC)) {
        report("pipe: %s", strerror(errno));
        return -1;
    }
    char *argv[] = {fsck, "-p", (char *)file, NULL};
    struct spawn s = {
        .path = fsck, .argv = argv, .stdout_fd = p[1], .stderr_fd = p[1]};
    pid_t pid = spawn_child(&s);
    close(p[1]);
    size_t len = 0;
    ssize_t n = 1;
    while (pid > 0 && n != 0) {
        char buf[4096];
        n = read(p[0], buf, sizeof(buf));
        if (n < 0 && errno != EINTR)
            break;
        for (ssize_t i = 0; i < n && len + 1 < size; i++)
            out[len++] = buf[i];
    }
    while (len > 0 && out[len - 1] == '\n')
        len--; /* report() ends the line */
    out[len] = '\0';
    close(p[0]);
    if (pid < 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The superblock's features against what the kernel does: 0, or -1
 * (reported). */
static int attach_features(int fd, int ro, const char *file, const char *what)
{
    uint8_t sb[GORUMP_EXT2_SB_SIZE];
    char why[512];
    ssize_t n = pread(fd, sb, sizeof(sb), GORUMP_EXT2_SB_OFF);
    if (n != (ssize_t)sizeof(sb))
        memset(sb, 0, sizeof(sb));
    const char *bad = volume_sb_check_for(sb, ro, why, sizeof(why));
    if (bad == NULL)
        return 0;
    report("%s: %s: %s%s", what, file, bad,
           strstr(bad, "cannot write") ? "; attach it with :ro" : "");
    return -1;
}

/* e2fsck -p: 0 when the volume is clean (or was repaired), -1
 * (reported) when it needs a person. */
static int attach_fsck(const char *file, const char *what)
{
    char out[2048];
    int st = fsck_preen(file, out, sizeof(out));
    /* e2fsck(8): 0 clean, 1 errors corrected; 2 and up a reboot wanted
     * (a mounted root), errors left, or e2fsck failing. */
    if (st == 0)
        return 0;
    if (st == 1) {
        report("%s: e2fsck -p repaired %s (it was not unmounted cleanly)", what,
               file);
        return 0;
    }
    report("%s: e2fsck -p cannot repair %s (status %d); repair it with "
           "e2fsck -f %s%s%s",
           what, file, st, file, out[0] ? ":\n" : "", out);
    return -1;
}

int volume_attach(const char *file, int ro, const char *what)
{
    int fd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        report("%s: %s: %s", what, file, strerror(errno));
        return -1;
    }
    if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        report("%s: %s is in use%s", what, file,
               errno == EWOULDBLOCK ? " (another gorump run has it attached)"
                                    : "");
        close(fd);
        return -1;
    }
    if (attach_features(fd, ro, file, what) != 0 ||
        (!ro && attach_fsck(file, what) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

int cmd_volume(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "create") && argc == 4)
        return volume_create(argv[2], argv[3]);
    if (!strcmp(sub, "check") && argc == 3)
        return volume_check(argv[2]);
    report("volume: usage: gorump volume create FILE SIZE | "
           "gorump volume check FILE");
    return GORUMP_STATUS_FAILURE;
}
