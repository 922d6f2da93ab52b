/*
 * tests/fuzz/make_seeds.c — writes the fuzzers' seed corpora:
 * DIR/image/ gets images made by the tool's own writer (with and without
 * FILES and EXEPATH sections), DIR/elf/ the hand-built ELF files of the
 * unit tests (static, static PIE, dynamic with interpreter and needed
 * libraries), DIR/ldcache/ a small ld.so.cache and the host's own if it
 * has one, DIR/gpt/ small disks with a valid GUID partition table (the
 * GUID looked for first, as fuzz_gpt.c reads them).  Built and run by `make
 * check-fuzz`, so the seeds always follow the current formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_build.h"
#include "gpt_build.h"
#include "image_write.h"
#include "pack.h"
#include "util.h"

#include <gorump/image.h>

static int save(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write_all(fd, p, n) != 0) {
        fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static int save_image(const char *dir, const char *name,
                      const struct image_input *in)
{
    uint8_t *img;
    size_t len;
    int err;

    if (image_build(in, &img, &len) != 0)
        return -1;
    err = save(dir, name, img, len);
    free(img);
    return err;
}

/* A record whose data is in memory (seeds touch no host file). */
static int add(struct pack_list *l, const char *path, uint32_t mode,
               const void *data, uint64_t size)
{
    struct pack_file f = {.path = strdup(path),
                          .mode = mode,
                          .uid = 1000,
                          .gid = 1000,
                          .mtime_sec = 1700000000,
                          .mtime_nsec = 999999999,
                          .atime_sec = 1690000000,
                          .atime_nsec = 1,
                          .size = size,
                          .data = data};

    return pack_add(l, &f);
}

/* Every record type, a file at a page boundary, an empty file. */
static int sample_files(struct pack_list *l)
{
    static uint8_t page[4096 + 8];
    int err = 0;

    pack_init(l, -1);
    memset(page, 'p', sizeof(page));
    err |= add(l, "/etc", GORUMP_S_IFDIR | 0755, NULL, 0);
    err |= add(l, "/etc/hosts", GORUMP_S_IFREG | 0644, "127.0.0.1 x\n", 12);
    err |= add(l, "/etc/localtime", GORUMP_S_IFLNK | 0777,
               "/usr/share/zoneinfo/UTC", 23);
    err |= add(l, "/srv/page", GORUMP_S_IFREG | 04755, page, sizeof(page));
    err |= add(l, "/srv/empty", GORUMP_S_IFREG | 0600, NULL, 0);
    return err;
}

static int save_elf(const char *dir, const char *name, struct elf_spec s)
{
    size_t len;
    uint8_t *f = elf_build(&s, &len);
    int err = save(dir, name, f, len);

    free(f);
    return err;
}

/* A glibc-ld.so.cache1.1 file with two x86-64 entries and an i386 one. */
static int save_ldcache(const char *dir)
{
    static const char *const kv[][2] = {{"libc.so.6", "/lib/libc.so.6"},
                                        {"libc.so.6", "/lib32/libc.so.6"},
                                        {"libz.so.1", "/usr/lib/libz.so.1"}};
    static const uint32_t flags[] = {0x0303, 0x0003, 0x0303};
    uint8_t buf[512] = "glibc-ld.so.cache1.1";
    size_t str = 48 + 24 * 3;
    uint8_t *host;
    size_t len;
    int err;

    elf_put(buf + 20, 3, 4);
    buf[28] = 2;
    for (int i = 0; i < 3; i++) {
        uint8_t *e = buf + 48 + 24 * i;
        elf_put(e, flags[i], 4);
        for (int k = 0; k < 2; k++) {
            elf_put(e + 4 + 4 * k, str, 4);
            memcpy(buf + str, kv[i][k], strlen(kv[i][k]) + 1);
            str += strlen(kv[i][k]) + 1;
        }
    }
    err = save(dir, "small", buf, str);
    if (read_file("/etc/ld.so.cache", &host, &len) == 0) {
        err |= save(dir, "host", host, len);
        free(host);
    }
    return err;
}

/* Disks of 96 sectors: the files' partition found, with 4 entries of
 * 128 bytes and 2 of 256; and one whose GUID is not the partition's. */
static int save_gpt(const char *dir)
{
    static const uint8_t uniq[16] = {0xfa, 0xce, 0xb0, 0x0c, 1, 2,  3,  0x44,
                                     0x85, 6,    7,    8,    9, 10, 11, 12};
    static uint8_t buf[16 + 96 * GPT_SEC];
    struct gpt_spec s = {96, 4, 128, 40, 60, uniq};
    int err;

    memcpy(buf, uniq, 16);
    gpt_build(buf + 16, &s);
    err = save(dir, "found", buf, sizeof(buf));
    s.nentries = 3;
    s.esize = 256;
    gpt_build(buf + 16, &s);
    err |= save(dir, "wide", buf, sizeof(buf));
    buf[0] ^= 1;
    err |= save(dir, "other", buf, sizeof(buf));
    return err;
}

static int make_dir(const char *top, const char *sub, char *out, size_t size)
{
    mkdir(top, 0755);
    snprintf(out, size, "%s/%s", top, sub);
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_seeds: %s: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const uint8_t tiny_program[] = "\x7f"
                                          "ELF";
    char *args[] = {"prog", "-flag", "arg"}, *env[] = {"K=V", "HOME=/"};
    struct image_input full = {.program = tiny_program,
                               .program_size = sizeof(tiny_program),
                               .nargs = 3,
                               .args = args,
                               .nenv = 2,
                               .env = env,
                               .cwd = "/"};
    struct image_input bare = {
        .program = tiny_program, .program_size = 1, .nargs = 1, .args = args};
    struct image_input files = full, empty = bare, ondisk = bare;
    struct pack_list list, none, big;
    static uint8_t big_program[16u << 20];
    struct pack_file bf = {
        .mode = 0100755, .size = sizeof(big_program), .data = big_program};
    char images[4096], elfs[4096], caches[4096], gpts[4096];
    int err = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    if (make_dir(argv[1], "image", images, sizeof(images)) != 0 ||
        make_dir(argv[1], "elf", elfs, sizeof(elfs)) != 0 ||
        make_dir(argv[1], "ldcache", caches, sizeof(caches)) != 0 ||
        make_dir(argv[1], "gpt", gpts, sizeof(gpts)) != 0)
        return 1;
    err |= sample_files(&list);
    pack_init(&none, -1);
    files.exe_path = "/app/prog";
    files.files = &list;
    empty.exe_path = "/p";
    empty.files = &none; /* writes no FILES section */
    err |= save_image(images, "full", &full);
    err |= save_image(images, "bare", &bare);
    err |= save_image(images, "files", &files);
    err |= save_image(images, "exepath", &empty);
    /* A program on the disk: the image holds only its record. */
    pack_init(&big, -1);
    bf.path = strdup("/bin/big");
    err |= pack_add(&big, &bf) != 0;
    ondisk.exe_path = "/bin/big";
    ondisk.files = &big;
    ondisk.program_in_files = 1;
    err |= save_image(images, "diskprog", &ondisk);
    pack_free(&big);
    pack_free(&list);
    err |= save_elf(elfs, "exec", elf_sample_exec());
    err |= save_elf(elfs, "pie", elf_sample_pie());
    err |= save_ldcache(caches);
    err |= save_gpt(gpts);
    {
        size_t len;
        uint8_t *f = elf_build_dynamic(&len);
        err |= save(elfs, "dynamic", f, len);
        free(f);
    }
    return err != 0;
}
