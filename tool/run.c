/*
 * tool/run.c — `gorump run`, top to bottom: parse the options, get the
 * program (reading it, or building a Go package), check it is an ELF file
 * gorump can run, write the image into a temporary directory, boot QEMU,
 * relay the console until the guest stops, clean up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/console.h>
#include <gorump/elf.h>

#include "args.h"
#include "gobuild.h"
#include "image_write.h"
#include "paths.h"
#include "proc.h"
#include "qemu.h"
#include "run.h"
#include "supervise.h"
#include "usage.h"
#include "util.h"
#include "workdir.h"

struct run {
    struct run_args *a;
    int sigfd;
    struct workdir wd;
    char kernel[4096];
    char qemu[4096];
    char image[4096];
    uint8_t *prog;
    size_t prog_size;
};

/* Reads PATH as the program and checks it; SHOWN names it in messages.
 * BUILT: PATH came from `go build`, so "not ELF" means no main package. */
static int run_load(struct run *r, const char *path, const char *shown,
                    int built)
{
    struct gorump_elf_info info;
    int err = read_file(path, &r->prog, &r->prog_size);

    if (err != 0) {
        report("%s: %s", shown,
               err == -EINVAL ? "not a regular file" : strerror(-err));
        return -1;
    }
    err = gorump_elf_parse(r->prog, r->prog_size, &info);
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

/* Builds the package directory and loads what go made.  0, -1, or a
 * stopping signal's number. */
static int run_build(struct run *r)
{
    char out[4096];
    int sig;

    if (workdir_file(&r->wd, "x", out, sizeof(out)) != 0) {
        report("%s: temporary path too long", r->wd.path);
        return -1;
    }
    sig = go_build(r->a->program, out, r->sigfd);
    if (sig != 0)
        return sig;
    return run_load(r, out, r->a->program, 1);
}

static int run_write_image(struct run *r)
{
    struct run_args *a = r->a;
    struct image_input in = {.program = r->prog,
                             .program_size = r->prog_size,
                             .nargs = a->nargs + 1,
                             .nenv = a->nenv,
                             .env = a->env,
                             .cwd = "/"};
    char **argv = malloc(((size_t)a->nargs + 1) * sizeof(*argv));
    int err;

    if (argv == NULL ||
        workdir_file(&r->wd, "image", r->image, sizeof(r->image)) != 0) {
        free(argv);
        report("%s: cannot make the image path", r->wd.path);
        return -1;
    }
    argv[0] = (char *)a->program;
    memcpy(argv + 1, a->args, (size_t)a->nargs * sizeof(*argv));
    in.args = argv;
    err = image_write_file(r->image, &in);
    free(argv);
    if (err != 0)
        report("%s: cannot write the image: %s", r->image, strerror(-err));
    return err != 0 ? -1 : 0;
}

static int run_guest(struct run *r)
{
    struct qemu_config c = {.qemu = r->qemu,
                            .kernel = r->kernel,
                            .image = r->image,
                            .cmdline = qemu_kernel_cmdline(),
                            .mem_mib = r->a->mem_mib,
                            .machine = r->a->machine,
                            .kvm = qemu_use_kvm()};
    struct qemu_argv q;
    struct guest g = {
        .sigfd = r->sigfd, .timeout_ms = r->a->timeout_ms, .qemu = r->qemu};

    if (c.kvm < 0)
        return GORUMP_STATUS_FAILURE;
    qemu_build_argv(&c, &q);
    g.pid = qemu_start(&q, &g.out_fd);
    if (g.pid < 0)
        return GORUMP_STATUS_FAILURE;
    return supervise(&g);
}

/* Everything before the guest boots.  0, -1 (reported), or a signal. */
static int run_prepare(struct run *r, int is_dir)
{
    int sig;

    if (!is_dir && run_load(r, r->a->program, r->a->program, 0) != 0)
        return -1;
    if (find_kernel(r->a->kernel, r->kernel, sizeof(r->kernel)) != 0 ||
        qemu_find(r->qemu, sizeof(r->qemu)) != 0 || workdir_create(&r->wd) != 0)
        return -1;
    if (is_dir) {
        sig = run_build(r);
        if (sig != 0)
            return sig;
    }
    sig = signals_take(r->sigfd);
    if (sig != 0)
        return sig;
    return run_write_image(r);
}

static int run_program(struct run_args *a)
{
    struct run r = {.a = a, .sigfd = -1};
    struct stat st;
    int err, status;

    if (stat(a->program, &st) != 0) {
        report("%s: %s", a->program, strerror(errno));
        return GORUMP_STATUS_FAILURE;
    }
    r.sigfd = signals_setup();
    if (r.sigfd < 0)
        return GORUMP_STATUS_FAILURE;
    err = run_prepare(&r, S_ISDIR(st.st_mode));
    status = err < 0 ? GORUMP_STATUS_FAILURE : 128 + err;
    if (err == 0) {
        free(r.prog); /* the image holds it now */
        r.prog = NULL;
        status = run_guest(&r);
    }
    workdir_remove(&r.wd);
    free(r.prog);
    close(r.sigfd);
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_args a;
    int r = run_args_parse(&a, argc, argv), status;

    if (r == RUN_ARGS_HELP) {
        usage_run(stdout);
        status = 0;
    } else if (r == RUN_ARGS_ERROR) {
        report("%s", a.err);
        fprintf(stderr, "Try 'gorump run --help'.\n");
        status = GORUMP_STATUS_FAILURE;
    } else {
        status = run_program(&a);
    }
    run_args_free(&a);
    return status;
}
