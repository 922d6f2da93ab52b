/*
 * tests/unit/test_pack.c — packing host files (tool/pack.c,
 * tool/pack_tree.c) and writing them into images (tool/image_write.c): a
 * temporary tree with files, directories, links, a fifo and a socket goes
 * in, and every record that comes back through gorump_image_parse and
 * gorump_image_next_file has the host's bytes, mode, owner, mtime and
 * atime (the one lstat gave before packing read the file).
 * Also the errors: files that vanish or change size before they are
 * copied, paths too long for the guest, a stopping signal while writing.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gorump/image.h>

#include "capture.h"
#include "check.h"
#include "image_read.h"
#include "image_write.h"
#include "pack.h"
#include "proc.h"
#include "util.h"

#define BIG_SIZE (3 * 1024 * 1024 + 123) /* crosses the 1 MiB buffer */

static char base[64], tree[128];
static uint8_t prog[] = "\x7f"
                        "ELF";
static char *args[] = {"p"};

/* base/tree/NAME, in one of 16 buffers used in turn */
static const char *at(const char *name)
{
    static char path[16][256];
    static int k;

    k = (k + 1) % 16;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tree, name);
    return path[k];
}

static void put_file(const char *name, const void *p, size_t n, mode_t mode)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);

    CHECK(fd >= 0 && write_all(fd, p, n) == 0);
    close(fd);
    chmod(at(name), mode);
}

static void set_mtime(const char *name, time_t sec, long nsec)
{
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};

    CHECK_EQ(utimensat(AT_FDCWD, at(name), ts, AT_SYMLINK_NOFOLLOW), 0);
}

static void setup(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    uint8_t *big = malloc(BIG_SIZE);
    int s;

    strcpy(base, "/tmp/gorump-test-pack-XXXXXX");
    CHECK(mkdtemp(base) != NULL);
    snprintf(tree, sizeof(tree), "%s/tree", base);
    CHECK_EQ(mkdir(tree, 0755), 0);
    CHECK_EQ(mkdir(at("sub"), 0750), 0);
    for (size_t i = 0; i < BIG_SIZE; i++)
        big[i] = (uint8_t)(i * 131 + (i >> 12));
    put_file("sub/big", big, BIG_SIZE, 0644);
    put_file("a.txt", "alpha\n", 6, 0640);
    put_file("sub/z.txt", "zulu", 4, 04755);
    put_file("sub/empty", "", 0, 0600);
    put_file("sub/page", big, 4096, 0644); /* exactly one page: "big" */
    CHECK_EQ(symlink("a.txt", at("link")), 0);
    CHECK_EQ(symlink("/nonexistent/target", at("dangling")), 0);
    CHECK_EQ(mkfifo(at("fifo"), 0644), 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock"));
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    close(s);
    if (geteuid() == 0)
        CHECK_EQ(chown(at("a.txt"), 1234, 5678), 0);
    set_mtime("a.txt", 1600000000, 123456789);
    struct timespec ts[2] = {{1650000000, 987654321}, {UTIME_OMIT, 0}};
    CHECK_EQ(utimensat(AT_FDCWD, at("a.txt"), ts, 0), 0);
    set_mtime("link", 1500000000, 5);
    free(big);
}

static struct image_input input(const struct pack_list *l)
{
    struct image_input in = {.program = prog,
                             .program_size = sizeof(prog),
                             .nargs = 1,
                             .args = args,
                             .files = l};
    return in;
}

/* The record f matches the host file HOST by lstat and contents. */
static void check_record(const struct gorump_file *f, const char *host)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t len = 0;
    char target[4096];
    ssize_t n;

    CHECK_EQ(lstat(host, &st), 0);
    CHECK_EQ(f->mode, st.st_mode);
    CHECK(f->uid == st.st_uid && f->gid == st.st_gid);
    CHECK(f->mtime_sec == st.st_mtim.tv_sec &&
          f->mtime_nsec == st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) {
        CHECK_EQ(read_file(host, &buf, &len), 0);
        CHECK(f->size == len && memcmp(f->data, buf, len) == 0);
        free(buf);
    } else if (S_ISLNK(st.st_mode)) {
        n = readlink(host, target, sizeof(target));
        CHECK(n > 0 && f->size == (uint64_t)n &&
              memcmp(f->data, target, (size_t)n) == 0);
    } else {
        CHECK(S_ISDIR(st.st_mode) && f->size == 0);
    }
}

/* The records of image IMG, in order, are GUEST[i] for host HOST[i],
 * with atime ATIME[i] (the host's before packing). */
static void check_image(const uint8_t *img, size_t len, int n,
                        const char *const *guest, const char *const *host,
                        const struct timespec *atime)
{
    struct gorump_image g;
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    int i = 0;

    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    while (gorump_image_next_file(&g, &cursor, &f) == 1 && i < n) {
        CHECK(f.path_len == strlen(guest[i]) &&
              memcmp(f.path, guest[i], f.path_len) == 0);
        check_record(&f, host[i]);
        CHECK(f.atime_sec == atime[i].tv_sec &&
              f.atime_nsec == atime[i].tv_nsec);
        if (f.size >= 4096)
            CHECK_EQ((f.data - img) % 4096, 0);
        i++;
    }
    CHECK_EQ(i, n);
    CHECK_EQ(cursor.offset, g.files_size);
}

static const char *const tree_guest[] = {
    "/data",           "/data/a.txt",    "/data/dangling",
    "/data/link",      "/data/sub",      "/data/sub/big",
    "/data/sub/empty", "/data/sub/page", "/data/sub/z.txt"};

static void test_tree(void)
{
    const char *host[] = {
        tree,           at("a.txt"),   at("dangling"),  at("link"),
        at("sub"),      at("sub/big"), at("sub/empty"), at("sub/page"),
        at("sub/z.txt")};
    struct pack_list l;
    struct image_input in = input(&l);
    const char *msg;
    uint8_t *img;
    size_t len;
    struct timespec atime[9];
    struct stat st;

    /* Packing reads files and directories, which may move their atime. */
    for (int i = 0; i < 9; i++) {
        CHECK_EQ(lstat(host[i], &st), 0);
        atime[i] = st.st_atim;
    }
    CHECK(atime[1].tv_sec == 1650000000 && atime[1].tv_nsec == 987654321);
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data/"), 0);
    msg = capture_end();
    CHECK(strstr(msg, "/tree/fifo: skipped (a fifo)\n") != NULL);
    CHECK(strstr(msg, "/tree/sock: skipped (a socket)\n") != NULL);
    CHECK_EQ(l.n, 9);
    CHECK_EQ(image_build(&in, &img, &len), 0);
    check_image(img, len, 9, tree_guest, host, atime);
    free(img);
    pack_free(&l);
}

/* image_write_file streams through a 1 MiB buffer; the result must be
 * the bytes image_build makes in memory. */
static void test_stream_equals_memory(void)
{
    struct pack_list l;
    struct image_input in = input(&l);
    char path[160];
    uint8_t *mem, *file;
    size_t mlen, flen;

    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data"), 0);
    capture_end();
    snprintf(path, sizeof(path), "%s/out.img", base);
    CHECK_EQ(image_build(&in, &mem, &mlen), 0);
    CHECK_EQ(image_write_file(path, &in, -1), 0);
    CHECK_EQ(read_file(path, &file, &flen), 0);
    CHECK(mlen == flen && memcmp(mem, file, mlen) == 0);
    CHECK_EQ(image_size(&in), flen);
    free(mem);
    free(file);
    unlink(path);
    pack_free(&l);
}

/* Records read back from an image are written again unchanged. */
static void test_repack_image(void)
{
    struct pack_list l, again;
    struct image_input in = input(&l), in2 = input(&again);
    struct gorump_image g;
    uint8_t *img, *img2;
    size_t len, len2;

    pack_init(&l, -1);
    pack_init(&again, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data"), 0);
    capture_end();
    CHECK_EQ(image_build(&in, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK_EQ(pack_image(&again, &g, NULL), 0);
    CHECK_EQ(again.n, l.n);
    CHECK_EQ(image_build(&in2, &img2, &len2), 0);
    CHECK(len == len2 && memcmp(img, img2, len) == 0);
    free(img);
    free(img2);
    pack_free(&l);
    pack_free(&again);
}

static void test_roots(void)
{
    struct pack_list l;
    char saved[4096], want[160];

    pack_init(&l, -1);
    CHECK(getcwd(saved, sizeof(saved)) != NULL);
    CHECK_EQ(chdir(base), 0);
    capture_begin();
    CHECK_EQ(pack_dir(&l, "./tree/", NULL), 0); /* GUESTDIR: absolute */
    CHECK_EQ(pack_dir(&l, "tree/sub", "/"), 0); /* "/" gets no record */
    capture_end();
    CHECK_EQ(chdir(saved), 0);
    snprintf(want, sizeof(want), "%s/tree", base);
    CHECK(l.n == 13 && strcmp(l.v[0].path, want) == 0);
    CHECK(l.n == 13 && strcmp(l.v[9].path, "/big") == 0);
    CHECK(l.n == 13 && (l.v[0].mode & GORUMP_S_IFMT) == GORUMP_S_IFDIR);
    pack_free(&l);
}

static void test_regular(void)
{
    struct pack_list l;
    struct stat st;

    pack_init(&l, -1);
    CHECK_EQ(pack_regular(&l, at("link"), "/etc/x"), 0); /* followed */
    CHECK_EQ(stat(at("a.txt"), &st), 0);
    CHECK(l.n == 1 && l.v[0].mode == st.st_mode && l.v[0].size == 6);
    CHECK(l.n == 1 && strcmp(l.v[0].host, at("link")) == 0);
    capture_begin();
    CHECK_EQ(pack_regular(&l, tree, "/x"), -1);
    CHECK(strstr(capture_end(), "/tree: not a regular file (use --dir for "
                                "a directory)\n") != NULL);
    capture_begin();
    CHECK_EQ(pack_regular(&l, at("fifo"), "/x"), -1);
    CHECK(strstr(capture_end(), "/tree/fifo: not a regular file\n"));
    capture_begin();
    CHECK_EQ(pack_regular(&l, at("dangling"), "/x"), -1);
    CHECK(strstr(capture_end(), "/tree/dangling: No such file or dir"));
    capture_begin();
    CHECK_EQ(pack_dir(&l, at("a.txt"), "/x"), -1);
    CHECK(strstr(capture_end(), "/tree/a.txt: not a directory (use --file "
                                "for a file)\n") != NULL);
    capture_begin();
    CHECK_EQ(pack_dir(&l, at("nothing"), "/x"), -1);
    CHECK(strstr(capture_end(), "/tree/nothing: No such file or directory"));
    CHECK_EQ(l.n, 1);
    pack_free(&l);
}

/* Writes an image of `tree` after CHANGE has altered the host files. */
static const char *write_changed(void (*change)(void))
{
    struct pack_list l;
    struct image_input in = input(&l);
    char path[160];
    const char *msg;

    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data"), 0);
    capture_end();
    change();
    snprintf(path, sizeof(path), "%s/changed.img", base);
    capture_begin();
    CHECK_EQ(image_write_file(path, &in, -1), -1);
    msg = capture_end();
    CHECK(access(path, F_OK) != 0); /* no partial image left */
    pack_free(&l);
    return msg;
}

static void remove_z(void)
{
    CHECK_EQ(unlink(at("sub/z.txt")), 0);
}
static void grow_a(void)
{
    put_file("a.txt", "alpha\nmore\n", 11, 0640);
}
static void shrink_big(void)
{
    CHECK_EQ(truncate(at("sub/big"), 4096), 0);
}

static void test_changed_files(void)
{
    CHECK(strstr(write_changed(remove_z), "/tree/sub/z.txt: No such file"));
    put_file("sub/z.txt", "zulu", 4, 04755);
    CHECK(strstr(write_changed(grow_a), "/tree/a.txt: changed size while "
                                        "the image was written (packed "
                                        "as 6 bytes)"));
    put_file("a.txt", "alpha\n", 6, 0640);
    CHECK(strstr(write_changed(shrink_big), "/tree/sub/big: changed size"));
}

static void test_limits(void)
{
    struct pack_list l;
    char *guest = malloc(4096), *p;
    const char *msg;

    /* A GUESTDIR of 4090 bytes: "/data" fits, "/data/sub" does not. */
    memset(guest, 'g', 4090);
    for (int i = 0; i < 4090; i += 200)
        guest[i] = '/';
    guest[4090] = '\0';
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, guest), -1);
    msg = capture_end();
    p = strstr(msg, "/tree/a.txt: path too long for the guest");
    CHECK(p != NULL);
    pack_free(&l);
    free(guest);
}

/* Reading a file gorump may not read fails naming it (root reads all). */
static void test_unreadable(void)
{
    struct pack_list l;

    if (geteuid() == 0)
        return;
    chmod(at("sub/z.txt"), 0);
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data"), -1);
    CHECK(strstr(capture_end(), "/tree/sub/z.txt: Permission denied"));
    pack_free(&l);
    chmod(at("sub/z.txt"), 04755);
}

/* A stopping signal while writing: the signal comes back, no file. */
static void test_signal(void)
{
    struct pack_list l;
    struct image_input in = input(&l);
    char path[160];
    int sigfd = signals_setup();

    CHECK(sigfd >= 0);
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(pack_dir(&l, tree, "/data"), 0);
    capture_end();
    kill(getpid(), SIGTERM); /* blocked: waits in the signalfd */
    snprintf(path, sizeof(path), "%s/signal.img", base);
    CHECK_EQ(image_write_file(path, &in, sigfd), SIGTERM);
    CHECK(access(path, F_OK) != 0);
    close(sigfd);
    pack_free(&l);
}

/* The bytes of PATH at OFF, as a string of N bytes, equal WANT. */
static int bytes_at(const char *path, off_t off, const char *want)
{
    char buf[32] = {0};
    size_t n = strlen(want);
    int fd = open(path, O_RDONLY);
    ssize_t r = fd >= 0 ? pread(fd, buf, n, off) : -1;

    if (fd >= 0)
        close(fd);
    return r == (ssize_t)n && memcmp(buf, want, n) == 0;
}

/* A file of 16 MiB or more goes to IMAGE.disk, page-aligned, sparse where
 * the host file is; rewriting the image copies it from the old disk. */
static void test_disk(void)
{
    char host[128], out[160], out2[160], disk[168], disk2[168];
    off_t size = (20 << 20) + 5, mid = (9 << 20) + 3;
    struct pack_list l, l2;
    struct image_input in = input(&l), in2 = input(&l2);
    struct image_map m;
    struct stat st;
    int fd;

    snprintf(host, sizeof(host), "%s/sparse.bin", base);
    snprintf(out, sizeof(out), "%s/d.img", base);
    snprintf(out2, sizeof(out2), "%s/d2.img", base);
    snprintf(disk, sizeof(disk), "%s.disk", out);
    snprintf(disk2, sizeof(disk2), "%s.disk", out2);
    fd = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && ftruncate(fd, size) == 0);
    CHECK(pwrite(fd, "HEAD", 4, 0) == 4 && pwrite(fd, "MIDDLE", 6, mid) == 6 &&
          pwrite(fd, "TAIL", 4, size - 4) == 4);
    close(fd);
    pack_init(&l, -1);
    CHECK_EQ(pack_regular(&l, host, "/small/before"), 0);
    CHECK_EQ(pack_regular(&l, host, "/s"), 0);
    l.v[0].size = 0; /* an empty file before it, still in the image */
    free(l.v[0].host);
    l.v[0].host = NULL;
    CHECK_EQ(image_disk_size(&in), (uint64_t)size + 4096 - 5);
    CHECK_EQ(image_write_file(out, &in, -1), 0);
    CHECK(stat(disk, &st) == 0 && st.st_size == size + 4096 - 5);
    CHECK(st.st_blocks * 512 < (1 << 20)); /* the holes stayed holes */
    CHECK(bytes_at(disk, 0, "HEAD") && bytes_at(disk, mid, "MIDDLE") &&
          bytes_at(disk, size - 4, "TAIL"));
    CHECK(bytes_at(disk, size, "\0\0\0\0")); /* the page's padding */
    CHECK(stat(out, &st) == 0 && st.st_size < (1 << 20));

    /* Rewritten (the image must stay mapped while l2 is used). */
    CHECK_EQ(image_map(out, &m), 0);
    CHECK_EQ(m.img.disk_size, (uint64_t)size + 4096 - 5);
    pack_init(&l2, -1);
    CHECK_EQ(pack_image(&l2, &m.img, disk), 0);
    CHECK_EQ(image_write_file(out2, &in2, -1), 0);
    CHECK(bytes_at(disk2, 0, "HEAD") && bytes_at(disk2, mid, "MIDDLE") &&
          bytes_at(disk2, size - 4, "TAIL"));
    CHECK(stat(disk2, &st) == 0 && st.st_blocks * 512 < (1 << 20));
    image_unmap(&m);

    /* A disk that cannot be made leaves no image either. */
    unlink(out2);
    CHECK(chmod(disk2, 0400) == 0 && unlink(disk2) == 0 &&
          mkdir(disk2, 0755) == 0);
    capture_begin();
    CHECK_EQ(image_write_file(out2, &in, -1), -1);
    capture_end();
    CHECK(access(out2, F_OK) != 0);
    rmdir(disk2);
    pack_free(&l);
    pack_free(&l2);
}

static void teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    setup();
    test_tree();
    test_stream_equals_memory();
    test_repack_image();
    test_disk();
    test_roots();
    test_regular();
    test_changed_files();
    test_limits();
    test_unreadable();
    test_signal();
    teardown();
    return check_done();
}
