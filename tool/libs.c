/*
 * tool/libs.c — finding a dynamically linked program's libraries (see
 * libs.h).  The search follows ld.so(8): for each DT_NEEDED of an object,
 * its DT_RPATH (when it has no DT_RUNPATH) and the program's, then the
 * --lib directories (where LD_LIBRARY_PATH would come), its DT_RUNPATH,
 * /etc/ld.so.cache, and the default directories.  musl's loader
 * (ld-musl-x86_64.so.1) instead reads DT_RPATH/DT_RUNPATH alike, then
 * /etc/ld-musl-x86_64.path or its built-in path, and treats libc and its
 * sibling names as itself.  $ORIGIN in a path is the directory of the
 * object that names it, as opened.  A candidate that is not a 64-bit
 * x86-64 ELF file is skipped, as the loaders skip it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gorump/elf.h>
#include <gorump/image.h>

#include "gpath.h"
#include "ldcache.h"
#include "libs.h"
#include "util.h"

#define GLIBC_DIRS                                                             \
    "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib:/lib64"
#define MUSL_DIRS "/lib:/usr/local/lib:/usr/lib"
#define MUSL_PATH_FILE "/etc/ld-musl-x86_64.path"
#define LD_CACHE "/etc/ld.so.cache"
#define NSS_CONF "/etc/nsswitch.conf"
#define SEARCHED_MAX 2048

/* An object whose DT_NEEDED are still to be looked at. */
struct libs_obj {
    char *path; /* guest path as the loader opens it */
};

struct libs {
    const struct libs_opts *o;
    struct pack_list *l;
    int musl;
    const char *interp_name; /* the interpreter's file name */
    struct ldcache cache;
    uint8_t *cache_buf;
    char *musl_path;  /* the path file's directories, or NULL */
    char *extra_dirs; /* --lib directories, ':'-separated */
    char *guest_dirs; /* those and --lib libraries' directories */
    char **done;      /* names already found */
    size_t ndone;
    struct libs_obj *queue;
    size_t nqueue, qcap;
    const char *exe_runpath; /* the program's DT_RPATH, for its libraries */
    char searched[SEARCHED_MAX];
};

/* What one object's lookups use: its search paths and $ORIGIN. */
struct libs_ctx {
    const char *who; /* the object needing the library, for messages */
    const char *origin;
    const char *rpath, *runpath; /* or NULL */
};

static char *libs_host(const struct libs *s, const char *path, char *buf,
                       size_t size)
{
    if ((size_t)snprintf(buf, size, "%s%s", s->o->root, path) >= size)
        return NULL;
    return buf;
}

/* Reads ROOT+PATH; 0, or a negative errno. */
static int libs_read(const struct libs *s, const char *path, uint8_t **buf,
                     size_t *len)
{
    char host[8192];

    if (libs_host(s, path, host, sizeof(host)) == NULL)
        return -ENAMETOOLONG;
    return read_file(host, buf, len);
}

static int libs_is_done(const struct libs *s, const char *name)
{
    for (size_t i = 0; i < s->ndone; i++)
        if (strcmp(s->done[i], name) == 0)
            return 1;
    return 0;
}

static int libs_mark_done(struct libs *s, const char *name)
{
    char **v = realloc(s->done, (s->ndone + 1) * sizeof(*v));

    if (v == NULL)
        return -1;
    s->done = v;
    v[s->ndone] = strdup(name);
    if (v[s->ndone] == NULL)
        return -1;
    s->ndone++;
    return 0;
}

static int libs_enqueue(struct libs *s, const char *path)
{
    if (s->nqueue == s->qcap) {
        size_t cap = s->qcap ? 2 * s->qcap : 16;
        struct libs_obj *q = realloc(s->queue, cap * sizeof(*q));
        if (q == NULL)
            return -1;
        s->queue = q;
        s->qcap = cap;
    }
    s->queue[s->nqueue].path = strdup(path);
    if (s->queue[s->nqueue].path == NULL)
        return -1;
    s->nqueue++;
    return 0;
}

/* Adds DIR to the "searched" list of the message, once. */
static void libs_note(struct libs *s, const char *dir)
{
    size_t n = strlen(s->searched), k = strlen(dir);

    for (const char *p = s->searched; *p != '\0';) {
        size_t item = strcspn(p, ",");
        if (item == k && memcmp(p, dir, k) == 0)
            return;
        p += item;
        p += strspn(p, ", ");
    }
    if (n + k + 3 < SEARCHED_MAX)
        snprintf(s->searched + n, SEARCHED_MAX - n, "%s%s", n ? ", " : "", dir);
}

/* DIR[0..n) with $ORIGIN or ${ORIGIN} replaced by ORIGIN, into out;
 * -1 for other $ tokens ($LIB, $PLATFORM: not expanded) or no room. */
static int libs_expand(const char *dir, size_t n, const char *origin, char *out,
                       size_t size)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        size_t tok = 0;
        if (strncmp(dir + i, "$ORIGIN", 7) == 0)
            tok = 7;
        else if (strncmp(dir + i, "${ORIGIN}", 9) == 0)
            tok = 9;
        else if (dir[i] == '$')
            return -1;
        if (tok > 0 && o + strlen(origin) < size) {
            memcpy(out + o, origin, strlen(origin));
            o += strlen(origin);
            i += tok;
        } else if (tok == 0 && o + 1 < size) {
            out[o++] = dir[i++];
        } else {
            return -1;
        }
    }
    out[o] = '\0';
    return 0;
}

/* Whether the ELF file at guest path PATH is a library the loader would
 * take (64-bit x86-64, its dynamic section readable). */
static int libs_usable(const struct libs *s, const char *path)
{
    struct gorump_elf_dyn *d = malloc(sizeof(*d));
    uint8_t *buf;
    size_t len;
    int ok;

    if (d == NULL || libs_read(s, path, &buf, &len) != 0) {
        free(d);
        return 0;
    }
    ok = gorump_elf_dynamic(buf, len, d) == 0;
    free(buf);
    free(d);
    return ok;
}

/* PATH as the library: 0 found (packed and queued), 1 not there or not
 * usable, -1 on an error (reported). */
static int libs_try(struct libs *s, const char *path)
{
    struct pack_list scratch;
    char real[GORUMP_PATH_MAX];
    int r;

    pack_init(&scratch, -1);
    r = pack_host_path(&scratch, s->o->root, path, real);
    pack_free(&scratch);
    if (r != 0)
        return r;
    if (!libs_usable(s, real))
        return 1;
    r = pack_host_path(s->l, s->o->root, path, NULL);
    if (r == 0 && libs_enqueue(s, path) != 0) {
        report("out of memory");
        return -1;
    }
    return r;
}

/* NAME in each directory of the ':'-separated DIRS (NULL: none). */
static int libs_in_dirs(struct libs *s, const char *dirs, const char *name,
                        const char *origin)
{
    char dir[GORUMP_PATH_MAX], path[GORUMP_PATH_MAX];
    int r = 1;

    for (const char *p = dirs; p != NULL && *p != '\0' && r == 1;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && libs_expand(p, n, origin, dir, sizeof(dir)) == 0 &&
            dir[0] == '/' &&
            (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
                sizeof(path)) {
            libs_note(s, dir);
            r = libs_try(s, path);
        }
        p += n + (p[n] == ':');
    }
    return r;
}

/* NAME through /etc/ld.so.cache. */
static int libs_in_cache(struct libs *s, const char *name)
{
    uint32_t cursor = 0;
    const char *path;
    int r = 1;

    if (s->cache.base == NULL)
        return 1;
    libs_note(s, LD_CACHE);
    while (r == 1 && (path = ldcache_find(&s->cache, name, &cursor)) != NULL)
        r = libs_try(s, path);
    return r;
}

/* glibc's order (ld.so(8), "Finding libraries"); 0, 1 or -1. */
static int libs_find_glibc(struct libs *s, const struct libs_ctx *c,
                           const char *name)
{
    int r = 1;

    if (c->runpath == NULL) {
        r = libs_in_dirs(s, c->rpath, name, c->origin);
        if (r == 1 && c->who != NULL)
            r = libs_in_dirs(s, s->exe_runpath, name, c->origin);
    }
    if (r == 1)
        r = libs_in_dirs(s, s->extra_dirs, name, c->origin);
    if (r == 1)
        r = libs_in_dirs(s, c->runpath, name, c->origin);
    if (r == 1)
        r = libs_in_cache(s, name);
    if (r == 1)
        r = libs_in_dirs(s, GLIBC_DIRS, name, c->origin);
    return r;
}

/* musl's order (ldso/dynlink.c's load_library, described in its FAQ). */
static int libs_find_musl(struct libs *s, const struct libs_ctx *c,
                          const char *name)
{
    int r = libs_in_dirs(s, s->extra_dirs, name, c->origin);

    if (r == 1)
        r = libs_in_dirs(s, c->rpath, name, c->origin);
    if (r == 1)
        r = libs_in_dirs(s, c->runpath, name, c->origin);
    if (r == 1)
        r = libs_in_dirs(s, s->musl_path ? s->musl_path : MUSL_DIRS, name,
                         c->origin);
    return r;
}

static int libs_find(struct libs *s, const struct libs_ctx *c, const char *name)
{
    s->searched[0] = '\0';
    if (strchr(name, '/') != NULL)
        return name[0] == '/' ? libs_try(s, name) : 1;
    return s->musl ? libs_find_musl(s, c, name) : libs_find_glibc(s, c, name);
}

/* Names the loader satisfies itself: its own, and for musl the libraries
 * libc.so replaces (libc, libpthread, librt, libm, libdl, libutil,
 * libxnet, any version). */
static int libs_builtin(const struct libs *s, const char *name)
{
    static const char *const own[] = {
        "libc.so",  "libpthread.so", "librt.so",  "libm.so",
        "libdl.so", "libutil.so",    "libxnet.so"};

    if (strcmp(name, s->interp_name) == 0)
        return 1;
    for (size_t i = 0; s->musl && i < sizeof(own) / sizeof(own[0]); i++) {
        size_t n = strlen(own[i]);
        if (strncmp(name, own[i], n) == 0 &&
            (name[n] == '\0' || name[n] == '.'))
            return 1;
    }
    return 0;
}

/* Looks up one DT_NEEDED NAME of the object C describes. */
static int libs_need(struct libs *s, const struct libs_ctx *c, const char *name)
{
    int r;

    if (libs_builtin(s, name) || libs_is_done(s, name))
        return 0;
    if (libs_mark_done(s, name) != 0) {
        report("out of memory");
        return -1;
    }
    r = libs_find(s, c, name);
    if (r == 1)
        report("%s: %s%sneeds %s, not found (searched %s)", s->o->shown,
               c->who ? c->who : "", c->who ? " " : "", name,
               s->searched[0] ? s->searched : "nothing");
    return r == 0 ? 0 : -1;
}

/* The DT_NEEDED of the object at guest path PATH, whose bytes are
 * buf[0..len); WHO is NULL for the program itself. */
static int libs_scan(struct libs *s, const char *path, const char *who,
                     const uint8_t *buf, size_t len)
{
    static struct gorump_elf_dyn d; /* 2 KiB: not on the stack */
    char origin[GORUMP_PATH_MAX];
    struct libs_ctx c = {.who = who, .origin = origin};
    const char *slash = strrchr(path, '/');
    int err = gorump_elf_dynamic(buf, len, &d);

    if (err != 0) {
        report("%s: %s", who ? who : s->o->shown, gorump_elf_strerror(err));
        return -1;
    }
    snprintf(origin, sizeof(origin), "%.*s", (int)(slash - path), path);
    if (origin[0] == '\0')
        memcpy(origin, "/", 2);
    c.rpath = gorump_elf_dyn_string(buf, &d, d.rpath);
    c.runpath = gorump_elf_dyn_string(buf, &d, d.runpath);
    if (who == NULL && c.runpath == NULL && c.rpath != NULL &&
        (s->exe_runpath = strdup(c.rpath)) == NULL) {
        report("out of memory");
        return -1;
    }
    for (unsigned i = 0; i < d.nneeded && err == 0; i++)
        err = libs_need(s, &c,
                        gorump_elf_dyn_string(buf, &d, (int64_t)d.needed[i]));
    return err;
}

/* Scans every queued library (the queue grows as they need others). */
static int libs_drain(struct libs *s, size_t *next)
{
    int err = 0;

    for (; *next < s->nqueue && err == 0; (*next)++) {
        const char *path = s->queue[*next].path;
        uint8_t *buf;
        size_t len;
        if (libs_read(s, path, &buf, &len) != 0) {
            report("%s: cannot read %s", s->o->shown, path);
            return -1;
        }
        err = libs_scan(s, path, path, buf, len);
        free(buf);
    }
    return err;
}

/* The interpreter: packed at its path, and checked as the kernel will
 * check it (an ELF program of its own, with no interpreter). */
static int libs_interp(struct libs *s, const char *interp)
{
    char real[GORUMP_PATH_MAX];
    struct gorump_elf_info *info = malloc(sizeof(*info));
    uint8_t *buf = NULL;
    size_t len;
    int r = info == NULL ? -1 : pack_host_path(s->l, s->o->root, interp, real);

    if (r == 1)
        report("%s: needs its interpreter %s, not found", s->o->shown, interp);
    if (r == 0 && libs_read(s, real, &buf, &len) != 0) {
        report("%s: cannot read its interpreter %s", s->o->shown, interp);
        r = -1;
    }
    if (r == 0 && (r = gorump_elf_parse(buf, len, info)) != 0)
        report("%s: its interpreter %s: %s", s->o->shown, interp,
               gorump_elf_strerror(r));
    else if (r == 0 && info->interp_len != 0)
        report("%s: its interpreter %s has an interpreter itself", s->o->shown,
               interp);
    if (r == 0 && info->interp_len != 0)
        r = -1;
    free(buf);
    free(info);
    return r == 0 ? 0 : -1;
}

/* The loader's configuration: ld.so.cache for glibc, the path file for
 * musl, each packed too so that the guest's loader reads the same. */
static int libs_config(struct libs *s)
{
    const char *file = s->musl ? MUSL_PATH_FILE : LD_CACHE;
    uint8_t *buf;
    size_t len;

    if (libs_read(s, file, &buf, &len) != 0)
        return 0; /* none: the built-in directories */
    if (pack_host_path(s->l, s->o->root, file, NULL) < 0) {
        free(buf);
        return -1;
    }
    if (!s->musl) {
        s->cache_buf = buf;
        if (ldcache_open(&s->cache, buf, len) != 0)
            report("warning: %s%s: not a cache we read; ignored", s->o->root,
                   LD_CACHE);
        return 0;
    }
    s->musl_path = realloc(buf, len + 1);
    if (s->musl_path == NULL) {
        free(buf);
        report("out of memory");
        return -1;
    }
    s->musl_path[len] = '\0';
    for (char *p = s->musl_path; *p; p++)
        if (*p == '\n')
            *p = ':';
    return 0;
}

/* Whether the ':'-separated LIST holds the directory DIR[0..len). */
static int libs_list_has(const char *list, const char *dir, size_t len)
{
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, dir, len) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Appends DIR[0..len) to the ':'-separated *LIST unless it holds it. */
static int libs_list_add(char **list, const char *dir, size_t len)
{
    size_t n = *list ? strlen(*list) : 0;
    char *v;

    if (libs_list_has(*list, dir, len))
        return 0;
    v = realloc(*list, n + len + 2);
    if (v == NULL) {
        report("out of memory");
        return -1;
    }
    snprintf(v + n, len + 2, "%s%.*s", n ? ":" : "", (int)len, dir);
    *list = v;
    return 0;
}

/* --lib DIR: searched here first, and by the guest's loader through
 * LD_LIBRARY_PATH (libs.h, lib_path), as it would be natively. */
static int libs_add_dir(struct libs *s, const char *dir)
{
    if (libs_list_add(&s->extra_dirs, dir, strlen(dir)) != 0)
        return -1;
    return libs_list_add(&s->guest_dirs, dir, strlen(dir));
}

/* --lib PATH: a directory searched first, or a library packed (with
 * what it needs) and taken for its file name. */
static int libs_extras(struct libs *s)
{
    char abs[GORUMP_PATH_MAX], host[8192];
    struct stat st;
    int err = 0;

    for (int i = 0; i < s->o->nlib && err == 0; i++) {
        const char *p = s->o->lib[i];
        errno = 0;
        if (gpath_absolute(p, abs, sizeof(abs)) != GPATH_OK ||
            libs_host(s, abs, host, sizeof(host)) == NULL ||
            stat(host, &st) != 0) {
            report("--lib %s: %s", p, strerror(errno ? errno : ENOENT));
            return -1;
        }
        if (strchr(abs, ':') != NULL) {
            report("--lib %s: a path with ':' cannot be searched (the "
                   "loader's LD_LIBRARY_PATH separates directories with it)",
                   p);
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            err = libs_add_dir(s, abs);
            continue;
        }
        err = libs_try(s, abs);
        if (err == 1)
            report("--lib %s: not a 64-bit x86-64 shared library", p);
        if (err == 0 && libs_mark_done(s, strrchr(abs, '/') + 1) != 0)
            err = -1;
        /* Taken for its name here, so the guest's loader must find it by
         * its name too: its directory joins LD_LIBRARY_PATH ("/" for
         * /libfoo.so). */
        if (err == 0) {
            size_t len = (size_t)(strrchr(abs, '/') - abs);
            err = libs_list_add(&s->guest_dirs, len ? abs : "/", len ? len : 1);
        }
    }
    return err == 0 ? 0 : -1;
}

/* One NSS service NAME: libnss_NAME.so.2 if it exists. */
static int libs_nss_service(struct libs *s, const char *name)
{
    struct libs_ctx c = {.origin = "/"};
    char lib[256];

    if (strlen(name) > 64 || strchr(name, '/') != NULL)
        return 0;
    snprintf(lib, sizeof(lib), "libnss_%s.so.2", name);
    if (libs_is_done(s, lib))
        return 0;
    if (libs_mark_done(s, lib) != 0)
        return -1;
    return libs_find(s, &c, lib) < 0 ? -1 : 0;
}

/* The services of one nsswitch.conf LINE (modified): the words after
 * "DATABASE:", not those of "[STATUS=ACTION]" items. */
static int libs_nss_line(struct libs *s, char *line)
{
    char *hash = strchr(line, '#'), *colon, *save = NULL, *w;
    int in_action = 0, err = 0;

    if (hash != NULL)
        *hash = '\0';
    colon = strchr(line, ':');
    if (colon == NULL)
        return 0;
    for (w = strtok_r(colon + 1, " \t\r", &save); w != NULL && err == 0;
         w = strtok_r(NULL, " \t\r", &save)) {
        if (w[0] == '[')
            in_action = 1;
        if (!in_action)
            err = libs_nss_service(s, w);
        if (strchr(w, ']') != NULL)
            in_action = 0;
    }
    return err;
}

/*
 * What glibc opens with dlopen: libresolv.so.2, and the NSS module of
 * each service /etc/nsswitch.conf names ("passwd: files systemd" ->
 * libnss_files.so.2, libnss_systemd.so.2), those that exist.
 */
static int libs_nss(struct libs *s)
{
    struct libs_ctx c = {.origin = "/"};
    uint8_t *buf;
    char *text, *save = NULL;
    size_t len;
    int err = 0;

    if (!libs_is_done(s, "libresolv.so.2") &&
        (libs_mark_done(s, "libresolv.so.2") != 0 ||
         libs_find(s, &c, "libresolv.so.2") < 0))
        return -1;
    if (libs_read(s, NSS_CONF, &buf, &len) != 0)
        return 0;
    text = realloc(buf, len + 1);
    if (text == NULL) {
        free(buf);
        return -1;
    }
    text[len] = '\0';
    for (char *line = strtok_r(text, "\n", &save); line != NULL && err == 0;
         line = strtok_r(NULL, "\n", &save))
        err = libs_nss_line(s, line);
    free(text);
    return err;
}

static void libs_free(struct libs *s)
{
    for (size_t i = 0; i < s->ndone; i++)
        free(s->done[i]);
    for (size_t i = 0; i < s->nqueue; i++)
        free(s->queue[i].path);
    free(s->done);
    free(s->queue);
    free(s->cache_buf);
    free(s->musl_path);
    free(s->extra_dirs);
    free(s->guest_dirs);
    free((char *)s->exe_runpath);
}

int libs_pack(struct pack_list *l, const struct libs_opts *o,
              const uint8_t *prog, size_t size)
{
    static struct gorump_elf_info info;
    static char interp[GORUMP_PATH_MAX];
    struct libs s = {.o = o, .l = l};
    size_t next = 0;
    int err;

    if (gorump_elf_parse(prog, size, &info) != 0 || info.interp_len == 0)
        return 0;
    memcpy(interp, prog + info.interp_off, info.interp_len + 1);
    s.interp_name = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
    s.musl = strncmp(s.interp_name, "ld-musl-", 8) == 0;
    err = libs_interp(&s, interp);
    if (err == 0)
        err = libs_config(&s);
    if (err == 0)
        err = libs_extras(&s);
    if (err == 0)
        err = libs_scan(&s, o->exe_path, NULL, prog, size);
    if (err == 0)
        err = libs_drain(&s, &next);
    if (err == 0 && !s.musl)
        err = libs_nss(&s);
    if (err == 0)
        err = libs_drain(&s, &next);
    if (err == 0 && o->lib_path != NULL) {
        *o->lib_path = s.guest_dirs;
        s.guest_dirs = NULL;
    }
    libs_free(&s);
    return err;
}
