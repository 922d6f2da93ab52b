/*
 * tool/build.c — `gorump build`: the same preparation as run (job.c),
 * then the image goes into a temporary file beside the output and is
 * renamed over it once complete, so a failed or interrupted build never
 * leaves a partial image under the output's name.  Silent on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/console.h>
#include <gorump/image.h>

#include "args.h"
#include "bootdisk.h"
#include "build.h"
#include "gpath.h"
#include "image_write.h"
#include "job.h"
#include "paths.h"
#include "qemu.h"
#include "proc.h"
#include "shares.h"
#include "usage.h"
#include "util.h"
#include "workdir.h"

/* -o, or PROGRAM's base name (of its absolute path, so "." works) plus
 * ".img" in the current directory. */
static int build_output(const struct run_args *a, char *out, size_t size)
{
    char abs[GORUMP_PATH_MAX];
    int err;

    if (a->output != NULL) {
        snprintf(out, size, "%s", a->output);
        return 0;
    }
    err = gpath_absolute(a->program, abs, sizeof(abs));
    if (err != GPATH_OK || strcmp(abs, "/") == 0) {
        report("%s: cannot name the image after it (use -o IMAGE)", a->program);
        return -1;
    }
    snprintf(out, size, "%s.img", strrchr(abs, '/') + 1);
    return 0;
}

/* A new temporary file ".NAME.XXXXXX" in OUT's directory, with the mode
 * a new file gets there (mkstemp makes it 0600). */
static int build_temp(const char *out, char *tmp, size_t size)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash != NULL ? (int)(slash - out + 1) : 0;
    mode_t mask = umask(0);
    int fd;

    umask(mask);
    if ((size_t)snprintf(tmp, size, "%.*s.%s.XXXXXX", dirlen, out,
                         out + dirlen) >= size) {
        report("%s: path too long", out);
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        report("%s: cannot create a temporary file beside it: %s", out,
               strerror(errno));
        return -1;
    }
    fchmod(fd, 0666 & ~mask);
    return fd;
}

typedef int (*build_writer)(int fd, const char *path,
                            const struct image_input *in, int sigfd);

/* Writes a temporary file beside OUT with FN; its name in tmp.  0, -1 or
 * a signal (the file is then removed). */
static int build_temp_write(const char *out, build_writer fn, struct job *j,
                            char *tmp, size_t size)
{
    int fd = build_temp(out, tmp, size), err;

    if (fd < 0)
        return -1;
    err = fn(fd, tmp, &j->in, j->sigfd);
    if (close(fd) != 0 && err == 0) {
        report("%s: cannot write the image: %s", tmp, strerror(errno));
        err = -1;
    }
    if (err == 0)
        err = signals_take(j->sigfd);
    if (err != 0)
        unlink(tmp);
    return err;
}

static int build_rename(const char *tmp, const char *out)
{
    if (rename(tmp, out) == 0)
        return 0;
    report("%s: cannot write the image: %s", out, strerror(errno));
    unlink(tmp);
    return -1;
}

/* Writes the image to OUT, and its disk when it has one to OUT.disk, by
 * way of temporary files renamed into place (the disk first, so an image
 * never names a disk that is not there yet).  0, -1 or a signal. */
static int build_write(struct job *j, const char *out)
{
    char tmp[4096], dtmp[4096], disk[4096];
    int has_disk = image_disk_size(&j->in) != 0, err = 0;

    image_disk_path(out, disk, sizeof(disk));
    if (has_disk)
        err = build_temp_write(disk, image_write_disk, j, dtmp, sizeof(dtmp));
    if (err != 0)
        return err;
    err = build_temp_write(out, image_write_fd, j, tmp, sizeof(tmp));
    if (err == 0 && has_disk && build_rename(dtmp, disk) != 0) {
        unlink(tmp);
        return -1;
    }
    if (err != 0 && has_disk)
        unlink(dtmp);
    return err == 0 ? build_rename(tmp, out) : err;
}

/* A random version 4 GUID (RFC 9562 §5.4) as a GPT stores it: the
 * version in the high nibble of the third field's (little-endian) high
 * byte, the variant in byte 8.  0 or -1 (reported). */
static int build_guid(uint8_t g[16])
{
    if (getrandom(g, 16, 0) != 16) {
        report("getrandom: %s", strerror(errno));
        return -1;
    }
    g[7] = (uint8_t)((g[7] & 0x0f) | 0x40);
    g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
    return 0;
}

/* --format raw|qcow2|vmdk|gce|containerdisk: the image in the workdir, then the
 * disk into a temporary file beside OUT, renamed into place.  0, -1 or a
 * signal. */
static int build_disk_write(struct job *j, const struct bootdisk_files *files,
                            const char *out)
{
    char kernel[4096], image[4096], tmp[4096];
    int fd, err;

    if (j->wd.path[0] == '\0' && workdir_create(&j->wd) != 0)
        return -1;
    if (workdir_file(&j->wd, "image", image, sizeof(image)) != 0)
        return -1;
    err = image_write_image(image, &j->in, j->sigfd);
    if (err != 0)
        return err;
    fd = build_temp(out, tmp, sizeof(tmp));
    if (fd < 0)
        return -1;
    close(fd);
    err =
        find_kernel(j->a->kernel, kernel, sizeof(kernel)) != 0
            ? -1
            : bootdisk_write(j->a->format, kernel, image, files,
                             qemu_kernel_cmdline(), j->wd.path, tmp, j->sigfd);
    if (err != 0) {
        unlink(tmp);
        return err;
    }
    return build_rename(tmp, out);
}

/* The image's disk of large files, if it has one, goes into a partition
 * of the bootable disk (whole MiB) under a new unique GUID, which the
 * image records (docs/IMAGE.md, "On a bootable disk"). */
static int build_disk(struct job *j, const char *out)
{
    uint8_t guid[16];
    struct bootdisk_files files = {image_disk_size(&j->in), &j->in};
    int err;

    files.bytes = (files.bytes + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
    if (files.bytes > 0 && build_guid(guid) != 0)
        return -1;
    j->in.disk_part = files.bytes > 0 ? guid : NULL;
    err = build_disk_write(j, &files, out);
    j->in.disk_part = NULL;
    return err;
}

/* --list: the records the image would hold, in order. */
static int build_list(const struct job *j)
{
    const struct pack_list *l = &j->files;

    for (size_t i = 0; i < l->n; i++) {
        const struct pack_file *f = &l->v[i];
        if ((f->mode & GORUMP_S_IFMT) == GORUMP_S_IFLNK)
            printf("%s -> %.*s\n", f->path, (int)f->size,
                   (const char *)f->data);
        else
            printf("%s%s\n", f->path,
                   (f->mode & GORUMP_S_IFMT) == GORUMP_S_IFDIR ? "/" : "");
    }
    return fflush(stdout) == 0 ? 0 : -1;
}

/* -v: recorded in the image, with an image's own merged in (the typed
 * value wins at a guest path), host paths resolved.  A bootable disk
 * cannot carry them: a cloud attaches a volume as a disk whose serial it
 * chooses, and the kernel finds a volume by its serial.  0 or -1. */
static int build_volumes(struct job *j)
{
    struct run_args *a = j->a;

    if (j->kind == JOB_IMAGE && shares_merge(a, &j->stored.img) != 0)
        return -1;
    if (a->nshare > 0 && a->format != BOOTDISK_NONE) {
        report("-v %s:%s%s: a bootable disk (--format) cannot name volumes or "
               "shares: the kernel finds a volume by the serial gorump run "
               "gives its disk, which a cloud does not (docs/DEPLOY.md)",
               a->share[0].host, a->share[0].guest,
               a->share[0].ro ? ":ro" : "");
        return -1;
    }
    return shares_resolve(a);
}

/* Everything but the signal set-up.  0, -1 (reported) or a signal. */
static int build_image(struct job *j)
{
    char out[4096];
    int err;

    if (build_output(j->a, out, sizeof(out)) != 0 ||
        (j->a->format != BOOTDISK_NONE &&
         bootdisk_check_tools(j->a->format) != 0) ||
        job_load(j) != 0 || build_volumes(j) != 0)
        return -1;
    if (j->kind == JOB_PACKAGE && workdir_create(&j->wd) != 0)
        return -1;
    err = job_build(j);
    if (err == 0)
        err = job_input(j);
    j->in.nvolumes = j->a->nshare;
    j->in.volumes = j->a->share;
    if (err == 0)
        err = j->a->list                      ? build_list(j)
              : j->a->format != BOOTDISK_NONE ? build_disk(j, out)
                                              : build_write(j, out);
    return err;
}

static int build_program(struct run_args *a)
{
    struct job j;
    int sigfd = signals_setup(), err;

    if (sigfd < 0)
        return GORUMP_STATUS_FAILURE;
    job_init(&j, a, sigfd);
    err = build_image(&j);
    workdir_remove(&j.wd);
    job_free(&j);
    close(sigfd);
    return err < 0 ? GORUMP_STATUS_FAILURE : err > 0 ? 128 + err : 0;
}

int cmd_build(int argc, char **argv)
{
    struct run_args a;
    int r = run_args_parse(&a, argc, argv), status;

    if (r == RUN_ARGS_HELP) {
        usage_build(stdout);
        status = 0;
    } else if (r == RUN_ARGS_ERROR) {
        report("%s", a.err);
        fprintf(stderr, "Try 'gorump build --help'.\n");
        status = GORUMP_STATUS_FAILURE;
    } else {
        status = build_program(&a);
    }
    run_args_free(&a);
    return status;
}
