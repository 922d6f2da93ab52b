/*
 * tool/job.c — getting the program and assembling an image's contents,
 * for run.c and build.c (see job.h).  PROGRAM is recognised in this order:
 * a directory is a Go package, a file starting with the image magic is an
 * image, anything else must be an ELF executable (static, or dynamically
 * linked: then its interpreter and libraries are packed too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gorump/elf.h>

#include "gobuild.h"
#include "gpath.h"
#include "image_plan.h"
#include "job.h"
#include "libs.h"
#include "util.h"

void job_init(struct job *j, struct run_args *a, int sigfd)
{
    memset(j, 0, sizeof(*j));
    j->a = a;
    j->sigfd = sigfd;
    pack_init(&j->files, sigfd);
}

/* Reads PATH as the program and checks it; SHOWN names it in messages.
 * BUILT: PATH came from `go build`, so "not ELF" means no main package. */
static int job_read_elf(struct job *j, const char *path, const char *shown,
                        int built)
{
    struct gorump_elf_info info;
    int err = map_file(path, &j->prog, &j->prog_size);

    snprintf(j->prog_host, sizeof(j->prog_host), "%s", path);
    if (err != 0) {
        report("%s: %s", shown,
               err == -EINVAL ? "not a regular file" : strerror(-err));
        return -1;
    }
    err = gorump_elf_parse(j->prog, j->prog_size, &info);
    if (err == GORUMP_ELF_ENOTELF && built) {
        report("%s: go build made no program (not a main package?)", shown);
        return -1;
    }
    if (err != 0) {
        report("%s: %s", shown, gorump_elf_strerror(err));
        return -1;
    }
    return 0;
}

/* Maps the image and checks the program it holds as gorump checks any. */
static int job_map_image(struct job *j)
{
    struct gorump_elf_info info;
    int err;

    if (image_map(j->a->program, &j->stored) != 0)
        return -1;
    err = gorump_elf_parse(j->stored.program, j->stored.program_size, &info);
    if (err != 0) {
        report("%s: the image's program: %s", j->a->program,
               gorump_elf_strerror(err));
        return -1;
    }
    return 0;
}

int job_load(struct job *j)
{
    const char *program = j->a->program;
    struct stat st;

    if (stat(program, &st) != 0) {
        report("%s: %s", program, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        j->kind = JOB_PACKAGE;
        return 0;
    }
    if (image_sniff(program)) {
        j->kind = JOB_IMAGE;
        return job_map_image(j);
    }
    j->kind = JOB_ELF;
    return job_read_elf(j, program, program, 0);
}

int job_build(struct job *j)
{
    char out[4096];
    int sig;

    if (j->kind != JOB_PACKAGE)
        return 0;
    if (workdir_file(&j->wd, "x", out, sizeof(out)) != 0) {
        report("%s: temporary path too long", j->wd.path);
        return -1;
    }
    sig = go_build(j->a->program, out, j->sigfd);
    if (sig != 0)
        return sig;
    return job_read_elf(j, out, j->a->program, 1);
}

/*
 * EXEPATH: PROGRAM made absolute (no symlinks resolved), or for a package
 * directory that directory plus its own name, as `go build` names the
 * program it makes there.
 */
static int job_exe_path(struct job *j)
{
    char abs[GORUMP_PATH_MAX];
    const char *base;
    int err = gpath_absolute(j->a->program, abs, sizeof(abs));

    if (err == GPATH_OK && j->kind == JOB_PACKAGE) {
        base = strrchr(abs, '/') + 1;
        if (*base == '\0') {
            report("%s: a package directory needs a name for its program "
                   "(not /)",
                   j->a->program);
            return -1;
        }
        err = gpath_join(abs, base, j->exe_path, sizeof(j->exe_path));
    } else if (err == GPATH_OK) {
        memcpy(j->exe_path, abs, strlen(abs) + 1);
    }
    if (err != GPATH_OK)
        report("%s: %s", j->a->program, gpath_strerror(err));
    return err != GPATH_OK ? -1 : 0;
}

/* A dynamically linked program's interpreter and libraries (libs.h);
 * for an image, only when --lib adds to what it holds. */
static int job_libs(struct job *j)
{
    const struct gorump_image *img = &j->stored.img;
    int image = j->kind == JOB_IMAGE;
    struct libs_opts o = {.root = "",
                          .shown = j->a->program,
                          .exe_path = image ? img->exe_path : j->exe_path,
                          .nlib = j->a->nlib,
                          .lib = j->a->lib,
                          .lib_path = &j->lib_path};

    if (j->kind == JOB_PACKAGE || (image && j->a->nlib == 0))
        return 0;
    if (o.exe_path == NULL)
        o.exe_path = "/";
    return libs_pack(&j->files, &o, image ? j->stored.program : j->prog,
                     image ? j->stored.program_size : j->prog_size);
}

/* The stored records first, then the libraries, then --dir and --file in
 * order (later records win, so these can replace a library). */
static int job_pack(struct job *j)
{
    const struct run_args *a = j->a;
    char disk[4096];

    image_disk_path(a->program, disk, sizeof(disk));
    if (j->kind == JOB_IMAGE &&
        pack_image(&j->files, &j->stored.img,
                   j->stored.img.disk_size != 0 ? disk : NULL) != 0)
        return -1;
    if (job_libs(j) != 0)
        return -1;
    for (int i = 0; i < a->npack; i++) {
        const struct run_pack *p = &a->pack[i];
        int err = p->is_dir ? pack_dir(&j->files, p->host, p->guest)
                            : pack_regular(&j->files, p->host, p->guest);
        if (err != 0)
            return j->files.stop != 0 ? j->files.stop : -1;
    }
    return 0;
}

/*
 * The libraries the search found through --lib must be found by the
 * guest's loader too, which knows no --lib: their directories go first
 * in LD_LIBRARY_PATH, where the search put them (libs.c), before what
 * the environment already had there, once.  --env-clear keeps them: the
 * program cannot start without.  0, or -1 when out of memory.
 */
static int job_lib_env(struct job *j)
{
    static const char key[] = "LD_LIBRARY_PATH=";
    const size_t klen = sizeof(key) - 1, dlen = strlen(j->lib_path);
    const char *old = "";
    char **slot = NULL, **v;
    size_t n;

    for (int i = 0; i < j->envv.n; i++)
        if (strncmp(j->envv.v[i], key, klen) == 0) {
            slot = &j->envv.v[i];
            old = *slot + klen;
        }
    /* An image built with these --lib directories has them already. */
    if (strncmp(old, j->lib_path, dlen) == 0 &&
        (old[dlen] == '\0' || old[dlen] == ':'))
        return 0;
    n = klen + dlen + 1 + strlen(old) + 1;
    j->lib_env = malloc(n);
    if (j->lib_env == NULL)
        return -1;
    snprintf(j->lib_env, n, "%s%s%s%s", key, j->lib_path, *old ? ":" : "", old);
    if (slot != NULL) {
        *slot = j->lib_env;
        return 0;
    }
    v = realloc(j->envv.v, ((size_t)j->envv.n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    v[j->envv.n++] = j->lib_env;
    j->envv.v = v;
    return 0;
}

/* argv and envp: as typed, or an image's with the overrides applied.
 * The environment starts from the defaults (or the image's), or from
 * nothing with --env-clear; then --lib's LD_LIBRARY_PATH. */
static int job_strings(struct job *j)
{
    const struct gorump_image *img = &j->stored.img;
    const struct run_args *a = j->a;
    struct strv args = {0}, env = {0}, none = {0};
    int err;

    if (j->kind != JOB_IMAGE)
        err = overlay_args(&none, a->program, a->args, a->nargs, &j->argv) ||
              overlay_env(a->env_clear ? &none : &overlay_default_env, a->env,
                          a->nenv, &j->envv);
    else
        err =
            strv_split(img->args, img->args_size, &args) ||
            strv_split(img->env, img->env_size, &env) ||
            overlay_args(&args, a->program, a->args, a->nargs, &j->argv) ||
            overlay_env(a->env_clear ? &none : &env, a->env, a->nenv, &j->envv);
    free(args.v);
    free(env.v);
    if (err == 0 && j->lib_path != NULL)
        err = job_lib_env(j);
    return err;
}

/* The record of a program on the image's disk, from the stored image's
 * own record of it (pack_image made it), or 1 when there is none. */
static int job_stored_record(struct job *j, struct pack_file *f)
{
    const struct gorump_image *img = &j->stored.img;

    for (size_t i = j->files.n; i-- > 0;) {
        const struct pack_file *g = &j->files.v[i];
        if (g->from_disk && g->host_off == img->program_disk_offset &&
            g->size == img->program_disk_size &&
            strcmp(g->path, img->exe_path) == 0) {
            *f = *g;
            f->path = strdup(g->path);
            f->host = strdup(g->host);
            f->owned = NULL;
            return f->host != NULL ? 0 : -1;
        }
    }
    return 1;
}

/* Whether a program of SIZE bytes goes on the disk: from IMAGE_DISK_MIN
 * bytes, or when it would take more than an eighth of the guest's RAM
 * (-m): in the image it costs its whole size in RAM for the whole run,
 * on the disk only the pages the program touches, and clean ones can be
 * given back (docs/IMAGE.md, "A program on the disk"). */
static int job_program_on_disk(const struct job *j, uint64_t size)
{
    return size >= IMAGE_DISK_MIN || size > (j->a->mem_mib << 20) / 8;
}

/*
 * A program that job_program_on_disk places there goes on the image's
 * disk as the last record at its guest path (docs/IMAGE.md, "The disk"),
 * so the image stays small and the guest reads the program's pages as it
 * uses them.  0, or -1 (reported).
 */
static int job_program_record(struct job *j)
{
    int image = j->kind == JOB_IMAGE;
    const char *exe = image ? j->stored.img.exe_path : j->exe_path;
    uint64_t size = image ? j->stored.program_size : j->prog_size;
    struct pack_file f = {0};
    struct stat st;
    int err = 1;

    if (exe == NULL || !job_program_on_disk(j, size))
        return 0;
    if (image && j->stored.img.program_disk_size != 0)
        err = job_stored_record(j, &f);
    if (err > 0 && image) { /* an image whose program is in its PROGRAM */
        f = (struct pack_file){.mode = GORUMP_S_IFREG | 0755,
                               .path = strdup(exe),
                               .data = j->stored.program};
        err = 0;
    } else if (err > 0) {
        if (stat(j->prog_host, &st) != 0) {
            report("%s: %s", j->prog_host, strerror(errno));
            return -1;
        }
        f = pack_record(exe, &st, GORUMP_S_IFREG);
        f.host = strdup(j->prog_host);
        err = f.host == NULL ? -1 : 0;
    }
    f.size = size;
    f.to_disk = 1;
    pack_drop(&j->files, exe);
    if (err != 0 || pack_add(&j->files, &f) != 0) {
        if (err != 0)
            report("out of memory");
        return -1;
    }
    j->in.program_in_files = 1;
    return 0;
}

int job_input(struct job *j)
{
    const struct gorump_image *img = &j->stored.img;
    int image = j->kind == JOB_IMAGE, err;

    if (!image && job_exe_path(j) != 0)
        return -1;
    err = job_pack(j);
    if (err == 0)
        err = job_program_record(j);
    if (err != 0)
        return err;
    if (job_strings(j) != 0) {
        report("out of memory");
        return -1;
    }
    j->in.program = image ? j->stored.program : j->prog;
    j->in.program_size = image ? j->stored.program_size : j->prog_size;
    j->in.nargs = j->argv.n;
    j->in.args = j->argv.v;
    j->in.nenv = j->envv.n;
    j->in.env = j->envv.v;
    j->in.cwd = j->a->cwd != NULL ? j->a->cwd : image ? img->cwd : "/";
    j->in.exe_path = image ? img->exe_path : j->exe_path;
    j->in.files = &j->files;
    return 0;
}

void job_free(struct job *j)
{
    unmap_file(j->prog, j->prog_size);
    j->prog = NULL;
    image_unmap(&j->stored);
    pack_free(&j->files);
    free(j->argv.v);
    free(j->envv.v);
    j->argv.v = j->envv.v = NULL;
    free(j->lib_path);
    free(j->lib_env);
    j->lib_path = j->lib_env = NULL;
}
