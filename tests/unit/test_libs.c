/*
 * tests/unit/test_libs.c — finding and packing a dynamically linked
 * program's interpreter and libraries (tool/libs.c, tool/pack_path.c,
 * tool/ldcache.c) in a made-up root: links on the way packed as links,
 * DT_RUNPATH with $ORIGIN, ld.so.cache entries (a 32-bit one skipped),
 * the default directories, NSS modules, --lib, musl's path file, and the
 * message for a library that is nowhere.  Also reads the host's own
 * /etc/ld.so.cache when there is one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "capture.h"
#include "check.h"
#include "elf_build.h"
#include "ldcache.h"
#include "libs.h"
#include "pack.h"
#include "util.h"

static char root[64];

static void put_file(const char *path, const void *p, size_t n)
{
    char full[512], dir[512];
    int fd;

    snprintf(full, sizeof(full), "%s%s", root, path);
    for (char *s = full + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - full), full);
        mkdir(dir, 0755);
    }
    fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write_all(fd, p, n) == 0);
    close(fd);
}

static void put_link(const char *path, const char *target)
{
    char full[512];

    snprintf(full, sizeof(full), "%s%s", root, path);
    CHECK(symlink(target, full) == 0);
}

static void put_object(const char *path, const char *interp,
                       const char *const *needed, int n, const char *runpath)
{
    size_t len;
    uint8_t *f = elf_build_object(interp, needed, n, runpath, &len);

    put_file(path, f, len);
    free(f);
}

/* A cache with the entries KEYS[i] -> VALUES[i], flags FLAGS[i]. */
static void put_cache(int n, const char *const *keys, const char *const *values,
                      const uint32_t *flags)
{
    uint8_t buf[4096] = "glibc-ld.so.cache1.1";
    size_t str = 48 + 24 * (size_t)n;

    elf_put(buf + 20, (uint64_t)n, 4);
    buf[28] = 2;
    for (int i = 0; i < n; i++) {
        uint8_t *e = buf + 48 + 24 * i;
        elf_put(e, flags[i], 4);
        elf_put(e + 4, str, 4);
        memcpy(buf + str, keys[i], strlen(keys[i]) + 1);
        str += strlen(keys[i]) + 1;
        elf_put(e + 8, str, 4);
        memcpy(buf + str, values[i], strlen(values[i]) + 1);
        str += strlen(values[i]) + 1;
    }
    put_file("/etc/ld.so.cache", buf, str);
}

static int has(const struct pack_list *l, const char *path, uint32_t type)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, path) == 0)
            return (l->v[i].mode & GORUMP_S_IFMT) == type;
    return 0;
}

#define INTERP "/lib64/ld-linux-x86-64.so.2"
#define LIBDIR "/usr/lib/x86_64-linux-gnu"

/* The glibc-style tree every glibc case uses. */
static void make_glibc_tree(void)
{
    static const char *const keys[] = {"libbar.so.1", "libbar.so.1"};
    static const char *const values[] = {"/bad/libbar.so.1",
                                         "/opt/bar/libbar.so.1"};
    static const uint32_t flags[] = {0x0303, 0x0303};
    static const char *const libc[] = {"libc.so.6"};
    static const char *const ldso[] = {"ld-linux-x86-64.so.2"};
    static const uint8_t elf32[64] = "\x7f"
                                     "ELF\x01\x01\x01";

    mkdir(root, 0755);
    put_file("/usr/lib64/.keep", "", 0);
    put_file("/app/bin/prog", "", 0); /* $ORIGIN/.. goes through it */
    put_link("/lib64", "usr/lib64");
    put_link("/usr/lib64/ld-linux-x86-64.so.2",
             "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
    put_object(LIBDIR "/ld-linux-x86-64.so.2", NULL, NULL, 0, NULL);
    put_link("/lib", "usr/lib");
    put_object(LIBDIR "/libc.so.6", NULL, ldso, 1, NULL);
    put_object("/opt/bar/libbar.so.1", NULL, libc, 1, NULL);
    put_file("/bad/libbar.so.1", elf32, sizeof(elf32));
    put_object(LIBDIR "/libnss_mymod.so.2", NULL, libc, 1, NULL);
    put_cache(2, keys, values, flags);
    put_file("/etc/nsswitch.conf",
             "# comment: nothing\npasswd: files [NOTFOUND=return] mymod\n", 56);
}

static int pack_program(struct pack_list *l, const char *const *needed, int n,
                        const char *runpath, int nlib, const char *const *lib)
{
    struct libs_opts o = {root, "prog", "/app/bin/prog", nlib, lib, NULL};
    size_t len;
    uint8_t *prog = elf_build_object(INTERP, needed, n, runpath, &len);
    int err;

    pack_init(l, -1);
    err = libs_pack(l, &o, prog, len);
    free(prog);
    return err;
}

static void test_glibc(void)
{
    static const char *const needed[] = {"libfoo.so.1", "libc.so.6"};
    static const char *const foo_needs[] = {"libbar.so.1"};
    struct pack_list l;

    make_glibc_tree();
    put_object("/app/lib/libfoo.so.1", NULL, foo_needs, 1, NULL);
    CHECK_EQ(pack_program(&l, needed, 2, "$ORIGIN/../lib", 0, NULL), 0);
    CHECK(has(&l, "/lib64", GORUMP_S_IFLNK));
    CHECK(has(&l, "/usr/lib64/ld-linux-x86-64.so.2", GORUMP_S_IFLNK));
    CHECK(has(&l, "/lib", GORUMP_S_IFLNK));
    CHECK(has(&l, LIBDIR "/ld-linux-x86-64.so.2", GORUMP_S_IFREG));
    CHECK(has(&l, "/app/lib/libfoo.so.1", GORUMP_S_IFREG));
    CHECK(has(&l, "/opt/bar/libbar.so.1", GORUMP_S_IFREG));
    CHECK(!has(&l, "/bad/libbar.so.1", GORUMP_S_IFREG));
    CHECK(has(&l, LIBDIR "/libc.so.6", GORUMP_S_IFREG));
    CHECK(has(&l, "/etc/ld.so.cache", GORUMP_S_IFREG));
    CHECK(has(&l, LIBDIR "/libnss_mymod.so.2", GORUMP_S_IFREG));
    /* Each once: links and files are not packed twice. */
    for (size_t i = 0; i < l.n; i++)
        for (size_t k = i + 1; k < l.n; k++)
            CHECK(strcmp(l.v[i].path, l.v[k].path) != 0);
    pack_free(&l);
}

static void test_missing(void)
{
    static const char *const needed[] = {"libc.so.6", "libnone.so.7"};
    static const char *const lib[] = {"/app/lib"};
    struct pack_list l;
    const char *err;
    int r;

    capture_begin();
    r = pack_program(&l, needed, 2, "/nowhere", 0, NULL);
    err = capture_end();
    CHECK_EQ(r, -1);
    CHECK(strstr(err,
                 "prog: needs libnone.so.7, not found (searched "
                 "/nowhere, /etc/ld.so.cache, /lib/x86_64-linux-gnu") != NULL);
    pack_free(&l);
    /* A library that needs what is missing is named. */
    put_object("/app/lib/libneeds.so.1", NULL, needed + 1, 1, NULL);
    capture_begin();
    r = pack_program(&l, (const char *const[]){"libneeds.so.1"}, 1,
                     "$ORIGIN/../lib", 0, NULL);
    err = capture_end();
    CHECK_EQ(r, -1);
    CHECK(strstr(err, "prog: /app/bin/../lib/libneeds.so.1 needs "
                      "libnone.so.7") != NULL);
    pack_free(&l);
    /* --lib DIR is searched; a --lib that does not exist is an error. */
    capture_begin();
    r = pack_program(&l, needed, 2, NULL, 1, lib);
    err = capture_end();
    CHECK_EQ(r, -1);
    CHECK(strstr(err, "(searched /app/lib, /etc/ld.so.cache") != NULL);
    pack_free(&l);
    capture_begin();
    r = pack_program(&l, needed, 1, NULL, 1,
                     (const char *const[]){"/no/such/lib.so"});
    err = capture_end();
    CHECK_EQ(r, -1);
    CHECK(strstr(err, "--lib /no/such/lib.so") != NULL);
    pack_free(&l);
}

/* --lib FILE: packed with what it needs, as if the program needed it
 * (its path, like every other, inside the root). */
static void test_extra_lib(void)
{
    static const char *const needed[] = {"libc.so.6"};
    static const char *const bar[] = {"libbar.so.1"};
    static const char *const lib[] = {"/plug/libplug.so"};
    struct pack_list l;

    put_object("/plug/libplug.so", NULL, bar, 1, NULL);
    CHECK_EQ(pack_program(&l, needed, 1, NULL, 1, lib), 0);
    CHECK(has(&l, "/plug/libplug.so", GORUMP_S_IFREG));
    CHECK(has(&l, "/opt/bar/libbar.so.1", GORUMP_S_IFREG));
    pack_free(&l);
}

/* lib_path: what the guest's LD_LIBRARY_PATH must start with, so that its
 * loader finds what --lib found: each --lib directory and each --lib
 * library's directory, once, in order; NULL without --lib.  A path with
 * ':' cannot be in that list, and is refused. */
static void test_lib_path(void)
{
    static const char *const needed[] = {"libc.so.6"};
    static const char *const lib[] = {"/plug/libplug.so", "/app/lib", "/plug",
                                      "/app/lib"};
    static const char *const colon[] = {"/a:b"};
    char *path = NULL;
    struct libs_opts o = {root, "prog", "/app/bin/prog", 4, lib, &path};
    struct pack_list l;
    size_t len;
    uint8_t *prog = elf_build_object(INTERP, needed, 1, NULL, &len);
    const char *err;

    put_object("/app/lib/libfoo.so.1", NULL, NULL, 0, NULL);
    pack_init(&l, -1);
    CHECK_EQ(libs_pack(&l, &o, prog, len), 0);
    CHECK(path != NULL && strcmp(path, "/plug:/app/lib") == 0);
    free(path);
    pack_free(&l);

    path = NULL;
    o.nlib = 0;
    pack_init(&l, -1);
    CHECK_EQ(libs_pack(&l, &o, prog, len), 0);
    CHECK(path == NULL);
    pack_free(&l);

    put_object("/a:b/libx.so", NULL, NULL, 0, NULL);
    o.nlib = 1;
    o.lib = colon;
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(libs_pack(&l, &o, prog, len), -1);
    err = capture_end();
    CHECK(strstr(err, "--lib /a:b: a path with ':'") != NULL);
    CHECK(path == NULL);
    pack_free(&l);
    free(prog);
}

/* musl: libc.so is the loader itself; the path file lists directories. */
static void test_musl(void)
{
    static const char *const needed[] = {"libc.so", "libz.so.1"};
    struct libs_opts o = {root, "prog", "/app/bin/prog", 0, NULL, NULL};
    struct pack_list l;
    size_t len;
    uint8_t *prog =
        elf_build_object("/lib/ld-musl-x86_64.so.1", needed, 2, NULL, &len);

    put_link("/lib/ld-musl-x86_64.so.1", "/usr/lib/musl/libc.so");
    put_object("/usr/lib/musl/libc.so", NULL, NULL, 0, NULL);
    put_object("/usr/local/musl/lib/libz.so.1", NULL, needed, 1, NULL);
    put_file("/etc/ld-musl-x86_64.path", "/nowhere\n/usr/local/musl/lib\n", 29);
    pack_init(&l, -1);
    CHECK_EQ(libs_pack(&l, &o, prog, len), 0);
    CHECK(has(&l, "/usr/lib/ld-musl-x86_64.so.1", GORUMP_S_IFLNK));
    CHECK(has(&l, "/usr/lib/musl/libc.so", GORUMP_S_IFREG));
    CHECK(has(&l, "/usr/local/musl/lib/libz.so.1", GORUMP_S_IFREG));
    CHECK(has(&l, "/etc/ld-musl-x86_64.path", GORUMP_S_IFREG));
    CHECK(!has(&l, "/etc/ld.so.cache", GORUMP_S_IFREG));
    CHECK(!has(&l, LIBDIR "/libnss_mymod.so.2", GORUMP_S_IFREG));
    pack_free(&l);
    free(prog);
}

/* An interpreter that is not there, or is not a program. */
static void test_bad_interp(void)
{
    struct libs_opts o = {root, "prog", "/app/bin/prog", 0, NULL, NULL};
    struct pack_list l;
    size_t len;
    uint8_t *prog = elf_build_object("/lib/ld-none.so", NULL, 0, NULL, &len);
    const char *err;

    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(libs_pack(&l, &o, prog, len), -1);
    err = capture_end();
    CHECK(strstr(err, "prog: needs its interpreter /lib/ld-none.so, not "
                      "found") != NULL);
    pack_free(&l);
    free(prog);
    prog = elf_build_object("/etc/nsswitch.conf", NULL, 0, NULL, &len);
    pack_init(&l, -1);
    capture_begin();
    CHECK_EQ(libs_pack(&l, &o, prog, len), -1);
    err = capture_end();
    CHECK(strstr(err, "its interpreter /etc/nsswitch.conf: not an ELF") !=
          NULL);
    pack_free(&l);
    free(prog);
}

/* A link loop, a path through a file, ".." above the root. */
static void test_pack_path(void)
{
    struct pack_list l;
    char real[4096];

    put_link("/loop", "loop");
    pack_init(&l, -1);
    CHECK_EQ(pack_host_path(&l, root, "/loop/x", NULL), 1);
    CHECK(has(&l, "/loop", GORUMP_S_IFLNK));
    CHECK_EQ(pack_host_path(&l, root, "/etc/nsswitch.conf/x", NULL), 1);
    CHECK_EQ(pack_host_path(&l, root, "relative", NULL), 1);
    CHECK_EQ(pack_host_path(&l, root,
                            "/../../lib/./x86_64-linux-gnu/"
                            "../x86_64-linux-gnu//libc.so.6",
                            real),
             0);
    CHECK(strcmp(real, LIBDIR "/libc.so.6") == 0);
    CHECK(has(&l, LIBDIR "/libc.so.6", GORUMP_S_IFREG));
    pack_free(&l);
}

/* The cache parser on damaged input, and on the host's own cache. */
static void test_ldcache(void)
{
    struct ldcache c;
    uint8_t buf[200] = "glibc-ld.so.cache1.1";
    uint32_t cursor = 0;
    uint8_t *host;
    size_t len;

    CHECK_EQ(ldcache_open(&c, buf, 47), -1);
    elf_put(buf + 20, 7, 4); /* 7 entries cannot fit in 200 bytes */
    CHECK_EQ(ldcache_open(&c, buf, sizeof(buf)), -1);
    elf_put(buf + 20, 1, 4);
    CHECK_EQ(ldcache_open(&c, buf, sizeof(buf)), 0);
    elf_put(buf + 48, 0x0303, 4);
    elf_put(buf + 52, 180, 4);
    elf_put(buf + 56, 5000, 4); /* value outside the file */
    memcpy(buf + 180, "libx.so", 8);
    CHECK(ldcache_find(&c, "libx.so", &cursor) == NULL);
    elf_put(buf + 56, 196, 4); /* value not NUL-terminated in the file */
    memcpy(buf + 196, "/abc", 4);
    cursor = 0;
    CHECK(ldcache_find(&c, "libx.so", &cursor) == NULL);
    buf[199] = '\0';
    cursor = 0;
    CHECK(ldcache_find(&c, "libx.so", &cursor) != NULL);
    CHECK_EQ(ldcache_open(&c, (const uint8_t *)"ld.so-1.7.0", 12), -1);
    if (read_file("/etc/ld.so.cache", &host, &len) == 0) {
        cursor = 0;
        CHECK_EQ(ldcache_open(&c, host, len), 0);
        CHECK(c.nlibs > 0);
        const char *libc = ldcache_find(&c, "libc.so.6", &cursor);
        CHECK(libc != NULL && strstr(libc, "/libc.so.6") != NULL);
        free(host);
    }
}

int main(void)
{
    snprintf(root, sizeof(root), "/tmp/gorump-test-libs-XXXXXX");
    if (mkdtemp(root) == NULL)
        return 1;
    test_glibc();
    test_missing();
    test_extra_lib();
    test_lib_path();
    test_musl();
    test_bad_interp();
    test_pack_path();
    test_ldcache();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        CHECK_EQ(system(cmd), 0);
    }
    return check_done();
}
