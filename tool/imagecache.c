/*
 * tool/imagecache.c — the cache of images (see imagecache.h and
 * docs/IMAGE.md, "The image cache").  Entries live beside the disk
 * cache's, in its directory, under its durability rule and size bound
 * (diskcache.c).
 *
 * Names: an entry is named by the SHA-256 (128 bits of it) of its
 * recipe, everything the image's bytes are made from: the tool's own
 * file, the program's file and every packed host file by identity
 * (device, inode, size, and mtime and ctime to the nanosecond: a file
 * rewritten in place gets a new ctime, which no program can set back),
 * the bytes of records that have no host file, and argv, envp, the
 * working directory, the program's path and every record's metadata.
 * Options that change nothing in the image (-m, --net, --cpus...) are not
 * in it, so they share the entry.
 *
 * A file changed within the last RECENT_CHANGE_S seconds keeps the image
 * out of the cache: a ctime is only as fine as the host kernel's clock
 * tick, so a second change within one tick of the first could otherwise
 * leave the identity as it was.  The recipe is taken again after the
 * entry is written, and one that changed meanwhile keeps it out too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diskcache.h"
#include "imagecache.h"
#include "pack.h"
#include "sha256.h"
#include "util.h"

#define RECENT_CHANGE_S 2

struct recipe {
    struct sha256 h;
    time_t newest; /* the latest ctime of the files in it */
};

static void mix64(struct recipe *r, uint64_t v)
{
    sha256_update(&r->h, &v, sizeof(v));
}

/* A string, or NULL, told apart from any other. */
static void mix_str(struct recipe *r, const char *s)
{
    mix64(r, s != NULL ? strlen(s) : UINT64_MAX);
    if (s != NULL)
        sha256_update(&r->h, s, strlen(s));
}

/* PATH's identity.  0, or -1 (reported) when it is gone. */
static int mix_file(struct recipe *r, const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        report("%s: %s", path, strerror(errno));
        return -1;
    }
    mix64(r, (uint64_t)st.st_dev);
    mix64(r, (uint64_t)st.st_ino);
    mix64(r, (uint64_t)st.st_size);
    mix64(r, (uint64_t)st.st_mtim.tv_sec);
    mix64(r, (uint64_t)st.st_mtim.tv_nsec);
    mix64(r, (uint64_t)st.st_ctim.tv_sec);
    mix64(r, (uint64_t)st.st_ctim.tv_nsec);
    if (st.st_ctim.tv_sec > r->newest)
        r->newest = st.st_ctim.tv_sec;
    return 0;
}

static int mix_record(struct recipe *r, const struct pack_file *f)
{
    mix_str(r, f->path);
    mix64(r, f->mode);
    mix64(r, (uint64_t)f->uid << 32 | f->gid);
    mix64(r, (uint64_t)f->mtime_sec);
    mix64(r, (uint64_t)f->atime_sec);
    mix64(r, (uint64_t)f->mtime_nsec << 32 | f->atime_nsec);
    mix64(r, f->size);
    mix64(r, (uint64_t)f->from_disk << 1 | (uint64_t)(f->to_disk != 0));
    mix64(r, f->host_off);
    if (f->host != NULL)
        return mix_file(r, f->host);
    mix64(r, f->data != NULL);
    if (f->data != NULL)
        sha256_update(&r->h, f->data, f->size);
    return 0;
}

/* The recipe of IN's image as 32 hex digits in KEY: 0, 1 when it cannot
 * be cached, -1 (reported) when a file is gone. */
static int recipe_of(const struct image_input *in, const char *prog_host,
                     char key[SHA256_HEX], time_t *newest)
{
    struct recipe r = {.newest = 0};
    const struct pack_list *l = in->files;

    if (in->nvolumes != 0 || in->disk_part != NULL || prog_host == NULL)
        return 1;
    sha256_init(&r.h);
    mix_str(&r, "gorump-image-1");
    if (mix_file(&r, "/proc/self/exe") != 0 || mix_file(&r, prog_host) != 0)
        return -1;
    mix64(&r, in->program_size);
    mix64(&r, (uint64_t)in->program_in_files);
    mix64(&r, (uint64_t)in->nargs);
    for (int i = 0; i < in->nargs; i++)
        mix_str(&r, in->args[i]);
    mix64(&r, (uint64_t)in->nenv);
    for (int i = 0; i < in->nenv; i++)
        mix_str(&r, in->env[i]);
    mix_str(&r, in->cwd);
    mix_str(&r, in->exe_path);
    mix64(&r, l != NULL ? l->n : 0);
    for (size_t i = 0; l != NULL && i < l->n; i++)
        if (mix_record(&r, &l->v[i]) != 0)
            return -1;
    sha256_final_hex(&r.h, key);
    key[32] = '\0';
    *newest = r.newest;
    return 0;
}

/* Writes IN into a new entry PATH (by way of TMP).  0, 1 when an input
 * changed meanwhile (nothing kept), -1 (reported), or a signal. */
static int entry_write(const struct image_input *in, const char *prog_host,
                       const char *key, const char *tmp, const char *path,
                       int sigfd)
{
    char again[SHA256_HEX];
    time_t newest;
    int err = image_write_image(tmp, in, sigfd);

    if (err == 0 && (recipe_of(in, prog_host, again, &newest) != 0 ||
                     strcmp(again, key) != 0))
        err = 1;
    return diskcache_commit(tmp, path, err);
}

int imagecache_get(const struct image_input *in, const char *prog_host,
                   char *out, size_t size, int sigfd)
{
    char dir[4096], name[64], tmp[4096], key[SHA256_HEX];
    time_t newest;
    int err = recipe_of(in, prog_host, key, &newest);

    if (err != 0 || image_disk_size(in) != 0 ||
        diskcache_dir(dir, sizeof(dir)) != 0)
        return err < 0 ? -1 : 1;
    snprintf(name, sizeof(name), "%.32s.img", key);
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/tmp.%ld.%s", dir, (long)getpid(),
                         name) >= sizeof(tmp))
        return 1;
    if (diskcache_usable(out, image_size(in)))
        return 0;
    if (time(NULL) - newest < RECENT_CHANGE_S)
        return 1;
    err = entry_write(in, prog_host, key, tmp, out, sigfd);
    if (err == 0)
        diskcache_evict(dir, name);
    return err;
}
