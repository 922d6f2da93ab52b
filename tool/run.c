/*
 * tool/run.c — `gorump run`, top to bottom: parse the options, get the
 * program (reading it, building a Go package, or opening an image), find
 * the kernel and QEMU, write the image into the image cache or a
 * temporary directory, its disk of large files, if any, into the disk cache (or
 * boot a given image as it is when nothing overrides it), boot QEMU with the
 * network asked for, relay the console until the guest stops, clean up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/console.h>

#include "args.h"
#include "diskcache.h"
#include "gdb.h"
#include "image_read.h"
#include "imagecache.h"
#include "image_write.h"
#include "job.h"
#include "paths.h"
#include "proc.h"
#include "qemu.h"
#include "qemu_net.h"
#include "run.h"
#include "shares.h"
#include "supervise.h"
#include "usage.h"
#include "util.h"
#include "vmm.h"
#include "workdir.h"

struct run {
    struct run_args *a;
    struct job job;
    int sigfd;
    char kernel[4096];
    char qemu[4096];
    char image[4096];
    char disk[4096]; /* the image's disk, or "" when it has none */
    uint64_t disk_size;
    char cmdline[KERNEL_CMDLINE_MAX + 1];
    char gdb_prog[4096]; /* --gdb: the program on the host, or "" */
    int gdb_pie;         /* and whether it is ET_DYN */
    struct vmm_argv vmm; /* --vmm other than QEMU */
};

/* The disk of the image's large files, when it has one, checked before
 * QEMU would fail on it.  0 or -1 (reported). */
static int run_disk(struct run *r)
{
    r->disk[0] = '\0';
    if (r->disk_size == 0)
        return 0;
    image_disk_path(r->image, r->disk, sizeof(r->disk));
    return image_disk_check(r->disk, r->disk_size);
}

/* An image without a disk: from the image cache when it can be, else in
 * the workdir (a program built from a package here is new each time: no
 * cache).  0, -1 or a signal. */
static int run_image_cached(struct run *r)
{
    struct job *j = &r->job;
    char cached[4096];
    int err = j->kind != JOB_ELF ? 1
                                 : imagecache_get(&j->in, j->prog_host, cached,
                                                  sizeof(cached), r->sigfd);

    if (err == 0)
        snprintf(r->image, sizeof(r->image), "%s", cached);
    return err != 1 ? err : image_write_file(r->image, &j->in, r->sigfd);
}

/* The image QEMU boots: PROGRAM itself when it is an image nothing
 * changes, else a new one in the workdir.  0, -1 or a signal. */
static int run_write_image(struct run *r)
{
    struct job *j = &r->job;
    int err;

    /* -m, --timeout... change nothing in the image: boot it as it is. */
    if (j->kind == JOB_IMAGE && !run_args_edit_image(r->a)) {
        snprintf(r->image, sizeof(r->image), "%s", r->a->program);
        r->disk_size = j->stored.img.disk_size;
        return run_disk(r);
    }
    err = job_input(j);
    if (err != 0)
        return err;
    if (workdir_file(&j->wd, "image", r->image, sizeof(r->image)) != 0) {
        report("%s: cannot make the image path", j->wd.path);
        return -1;
    }
    r->disk_size = image_disk_size(&j->in);
    if (r->disk_size == 0)
        return run_image_cached(r);
    /* The disk from the cache when it can be, else beside the image (a
     * program built from a package here is new each time: no cache). */
    err = j->kind == JOB_PACKAGE
              ? 1
              : diskcache_get(&j->in, r->disk, sizeof(r->disk), r->sigfd);
    if (err == 0)
        return image_write_image(r->image, &j->in, r->sigfd);
    if (err != 1)
        return err;
    err = image_write_file(r->image, &j->in, r->sigfd);
    return err != 0 ? err : run_disk(r);
}

/* The kernel command line: the user's words, then the network's.  0, or
 * -1 (reported). */
static int run_cmdline(struct run *r)
{
    const struct run_net *n = &r->a->net;
    const char *user = qemu_kernel_cmdline();
    char base[KERNEL_CMDLINE_MAX + 1];

    /* -i: the kernel passes the serial input on as the program's stdin. */
    int len = snprintf(base, sizeof(base), "%s%s", user,
                       r->a->interactive ? " gorump.stdin" : "");

    if (len >= (int)sizeof(base) ||
        qemu_net_cmdline(base, n, r->cmdline, sizeof(r->cmdline)) != 0 ||
        shares_cmdline(r->a, r->cmdline, sizeof(r->cmdline)) != 0) {
        report("the kernel command line would be longer than %d bytes "
               "(GORUMP_KERNEL_ARGS is %zu)",
               KERNEL_CMDLINE_MAX, strlen(user));
        return -1;
    }
    if (n->mode == RUN_NET_TAP && n->ip[0] == '\0')
        report("warning: --net tap:%s without --ip: the guest will try "
               "DHCP on the tap network (and wait up to 5 s for it)",
               n->tap);
    return 0;
}

/* GORUMP_STOP_TIMEOUT: seconds (a decimal) a program has to exit after a
 * signal is passed on to it; 0, or -1 (reported). */
static int stop_grace(uint64_t *ms)
{
    const char *s = getenv("GORUMP_STOP_TIMEOUT");

    *ms = (uint64_t)STOP_GRACE_DEFAULT_S * 1000;
    if (s == NULL || *s == '\0')
        return 0;
    if (args_parse_seconds(s, ms) != 0) {
        report("GORUMP_STOP_TIMEOUT=%s: want seconds, such as 10 or 0.5", s);
        return -1;
    }
    return 0;
}

/* --gdb: the stub's address is free, and the user learns how to attach.
 * 0, or -1 (reported). */
static int run_gdb(struct run *r, struct qemu_config *c, char *arg, size_t size)
{
    struct gdb_target t = {.kernel = r->kernel,
                           .program = r->gdb_prog[0] ? r->gdb_prog : NULL,
                           .is_pie = r->gdb_pie,
                           .host = r->a->gdb_host,
                           .port = r->a->gdb_port};

    if (r->a->gdb_port == 0)
        return 0;
    if (gdb_check_addr(t.host, t.port) != 0)
        return -1;
    gdb_qemu_arg(t.host, t.port, arg, size);
    c->gdb = arg;
    gdb_print_command(&t);
    return 0;
}

/* For --gdb, what the job knows of the program before it is freed. */
static void run_gdb_program(struct run *r)
{
    struct job *j = &r->job;

    if (r->a->gdb_port == 0 || j->kind == JOB_IMAGE || j->prog == NULL)
        return;
    snprintf(r->gdb_prog, sizeof(r->gdb_prog), "%s", j->prog_host);
    /* e_type, little-endian at offset 16 (elf(5)); 3 is ET_DYN. */
    r->gdb_pie = j->prog_size > 17 && j->prog[16] == 3 && j->prog[17] == 0;
}

/* QEMU puts the image at the top of guest RAM and the kernel sits at
 * 1 MiB: an image that reaches down into the kernel, or leaves it no
 * room for its first page tables, crashes the boot, so it is refused
 * here.  The room is the first MiB, the kernel with its bss (under
 * 640 KiB) and its early page tables' region (512 KiB, kernel/main.c),
 * rounded up.  0, or -1 (reported). */
#define RUN_KERNEL_ROOM_MIB 3

static int run_image_fits(const struct run *r)
{
    struct stat st;
    uint64_t need;

    if (stat(r->image, &st) != 0) {
        report("%s: %s", r->image, strerror(errno));
        return -1;
    }
    need = ((uint64_t)st.st_size + (1u << 20) - 1) / (1u << 20) +
           RUN_KERNEL_ROOM_MIB;
    if (need <= r->a->mem_mib)
        return 0;
    report("%s: the image holds %llu MiB; the guest needs at least -m %lluM "
           "for it",
           r->a->program, (unsigned long long)(st.st_size >> 20),
           (unsigned long long)need);
    return -1;
}

/* Whether the guest's monitor may be left to die unwaited once the exit
 * record is in (supervise.h): it holds nothing a next run could want at
 * once, no writable disk (WRITABLE_DISK), volume, tap device, forwarded
 * host port or gdb stub. */
static int run_leave_early(const struct run *r, int writable_disk)
{
    const struct run_args *a = r->a;

    for (int i = 0; i < a->nshare; i++)
        if (a->share[i].volume)
            return 0;
    return !writable_disk && a->net.mode != RUN_NET_TAP && a->net.nfwd == 0 &&
           a->gdb_port == 0;
}

/* --vmm firecracker or cloud-hypervisor: the same guest, supervised the
 * same way (vmm.h). */
static int run_guest_vmm(struct run *r, struct guest *g)
{
    struct vmm_config c = {.vmm = r->a->vmm,
                           .kernel = r->kernel,
                           .image = r->image,
                           .disk = r->disk[0] != '\0' ? r->disk : NULL,
                           .cmdline = r->cmdline,
                           .mem_mib = r->a->mem_mib,
                           .cpus = r->a->cpus,
                           .net = &r->a->net};
    struct vmm_argv *v = &r->vmm;
    int fd;

    if (run_image_fits(r) != 0 || run_cmdline(r) != 0 ||
        stop_grace(&g->stop_grace_ms) != 0)
        return GORUMP_STATUS_FAILURE;
    if (c.vmm == RUN_VMM_FIRECRACKER) {
        if (workdir_file(&r->job.wd, "firecracker.json", v->config,
                         sizeof(v->config)) != 0)
            return GORUMP_STATUS_FAILURE;
        fd = open(v->config, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || vmm_firecracker_json(&c, fd) != 0) {
            report("%s: %s", v->config, strerror(errno));
            if (fd >= 0)
                close(fd);
            return GORUMP_STATUS_FAILURE;
        }
        close(fd);
    }
    if (vmm_build_argv(&c, v) != 0)
        return GORUMP_STATUS_FAILURE;
    g->qemu = v->path;
    g->leave_early = run_leave_early(r, 0);
    /* Neither monitor has a virtio-console: the serial port carries it
     * all. */
    g->pid = monitor_start(v->argv, 0, &g->in_fd, &g->out_fd, &g->err_fd,
                           &g->port_fd);
    return g->pid < 0 ? GORUMP_STATUS_FAILURE : supervise(g);
}

static int run_guest(struct run *r)
{
    struct qemu_config c = {.qemu = r->qemu,
                            .kernel = r->kernel,
                            .image = r->image,
                            .cmdline = r->cmdline,
                            .mem_mib = r->a->mem_mib,
                            .cpus = r->a->cpus,
                            .machine = r->a->machine,
                            .disk_bus = r->a->disk_bus,
                            .kvm = qemu_use_kvm(),
                            .net = &r->a->net,
                            .shares = r->a->share,
                            .nshare = r->a->nshare,
                            .port = qemu_console_port()};
    struct qemu_argv q;
    char gdb[300];
    struct guest g = {.sigfd = r->sigfd,
                      .stdin_src = r->a->interactive ? 0 : -1,
                      .timeout_ms = r->a->timeout_ms,
                      .qemu = r->qemu,
                      .net = &r->a->net};

    if (r->a->vmm != RUN_VMM_QEMU)
        return run_guest_vmm(r, &g);
    /* The image's disk, read-only; else the driver tests' disk, if any. */
    c.disk = r->disk[0] != '\0' ? r->disk : qemu_test_disk(&c.disk_readonly);
    c.disk_readonly |= r->disk[0] != '\0';
    c.disk_serial = r->disk[0] != '\0' ? GORUMP_DISK_ID : "gorump-test";
    if (c.kvm < 0 || c.port < 0 || run_image_fits(r) != 0 ||
        run_cmdline(r) != 0 || stop_grace(&g.stop_grace_ms) != 0 ||
        run_gdb(r, &c, gdb, sizeof(gdb)) != 0)
        return GORUMP_STATUS_FAILURE;
    g.leave_early = run_leave_early(r, c.disk != NULL && !c.disk_readonly);
    qemu_build_argv(&c, &q);
    g.pid = qemu_start(&q, c.port, &g.in_fd, &g.out_fd, &g.err_fd, &g.port_fd);
    if (g.pid < 0)
        return GORUMP_STATUS_FAILURE;
    return supervise(&g);
}

/* Everything before the guest boots.  0, -1 (reported), or a signal. */
static int run_prepare(struct run *r)
{
    struct job *j = &r->job;
    int sig;

    /* An image's recorded -v values join the typed ones first (so
     * --vmm refuses them as it refuses typed ones). */
    if (job_load(j) != 0 ||
        (j->kind == JOB_IMAGE && shares_merge(r->a, &j->stored.img) != 0))
        return -1;
    if (r->a->vmm != RUN_VMM_QEMU &&
        (vmm_check(r->a) != 0 || vmm_find(r->a->vmm, &r->vmm) != 0))
        return -1;
    if (shares_check(r->a) != 0)
        return -1;
    if (find_kernel(r->a->kernel, r->kernel, sizeof(r->kernel)) != 0 ||
        (r->a->vmm == RUN_VMM_QEMU &&
         qemu_find(r->qemu, sizeof(r->qemu)) != 0) ||
        workdir_create(&j->wd) != 0)
        return -1;
    sig = job_build(j);
    if (sig == 0)
        sig = signals_take(r->sigfd);
    if (sig != 0)
        return sig;
    return run_write_image(r);
}

static int run_program(struct run_args *a)
{
    struct run r = {.a = a, .sigfd = -1};
    int err, status;

    r.sigfd = signals_setup();
    if (r.sigfd < 0)
        return GORUMP_STATUS_FAILURE;
    job_init(&r.job, a, r.sigfd);
    err = run_prepare(&r);
    status = err < 0 ? GORUMP_STATUS_FAILURE : 128 + err;
    if (err == 0) {
        run_gdb_program(&r);
        job_free(&r.job); /* the image holds it all now */
        status = run_guest(&r);
    }
    workdir_remove(&r.job.wd);
    job_free(&r.job);
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
