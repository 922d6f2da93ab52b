/*
 * tool/qemu.c — building QEMU's command line and starting it (see qemu.h).
 * The guest sees one serial port on stdio (our pipe), the kernel boots via
 * its PVH note from -kernel, the image arrives as the PVH module from
 * -initrd, isa-debug-exit lets the kernel stop QEMU, a virtio-net
 * device gives it a network unless --net none, a virtio-blk device
 * carries the disk of an image's large files when it has one, a
 * virtio-9p device each -v share and a virtio-blk device each -v
 * volume (or, with --disk-bus, an NVMe controller each, or a SCSI disk
 * each on one virtio-scsi adapter).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "paths.h"
#include "proc.h"
#include "qemu.h"
#include "shares.h"
#include "util.h"

#define QEMU_NAME "qemu-system-x86_64"
#define MICROVM                                                                \
    "microvm,x-option-roms=off,pit=on,pic=off,rtc=on,isa-serial=on,acpi=off"

static void add(struct qemu_argv *q, const char *a)
{
    if (q->argc < QEMU_ARGV_MAX - 1)
        q->argv[q->argc++] = (char *)a;
    q->argv[q->argc] = NULL;
}

static void add2(struct qemu_argv *q, const char *opt, const char *val)
{
    add(q, opt);
    add(q, val);
}

/* QEMU's option values end at a comma; a comma in a file name is
 * written twice. */
static void escape_commas(char *out, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s != '\0' && n + 3 < size; s++) {
        out[n++] = *s;
        if (*s == ',')
            out[n++] = ',';
    }
    out[n] = '\0';
}

/* The device a disk is: an NVMe controller (its serial number is the
 * guest's id for the disk, as virtio-blk's serial is), a SCSI disk on
 * the virtio-scsi adapter (qemu_add_scsi; its serial is the unit serial
 * number, VPD page 80h), or virtio-blk on the machine's transport. */
static const char *qemu_disk_device(const struct qemu_config *c)
{
    if (c->disk_bus == RUN_DISK_NVME)
        return "nvme";
    if (c->disk_bus == RUN_DISK_SCSI)
        return "scsi-hd,bus=scsi0.0";
    return c->machine == RUN_MACHINE_Q35 ? "virtio-blk-pci"
                                         : "virtio-blk-device";
}

/* --disk-bus scsi: one virtio-scsi adapter on the machine's transport
 * (virtio-mmio on microvm), before the disks, which QEMU puts on targets
 * 0, 1, ... in the order they come: the guest's sda, sdb, ... */
static void qemu_add_scsi(const struct qemu_config *c, struct qemu_argv *q)
{
    int volumes = 0;

    for (int i = 0; i < c->nshare && i < RUN_SHARE_MAX; i++)
        volumes += c->shares[i].volume;
    if (c->disk_bus != RUN_DISK_SCSI || (c->disk == NULL && volumes == 0))
        return;
    add2(q, "-device",
         c->machine == RUN_MACHINE_Q35 ? "virtio-scsi-pci,id=scsi0"
                                       : "virtio-scsi-device,id=scsi0");
}

static void qemu_add_disk(const struct qemu_config *c, struct qemu_argv *q)
{
    char file[2 * 4096];

    if (c->disk == NULL)
        return;
    escape_commas(file, sizeof(file), c->disk);
    snprintf(q->drive, sizeof(q->drive),
             "file=%s,if=none,format=raw,id=disk0%s", file,
             c->disk_readonly ? ",readonly=on" : "");
    snprintf(q->blkdev, sizeof(q->blkdev), "%s,drive=disk0,serial=%s",
             qemu_disk_device(c), c->disk_serial != NULL ? c->disk_serial : "");
    add2(q, "-drive", q->drive);
    add2(q, "-device", q->blkdev);
}

static void qemu_add_net(const struct qemu_config *c, struct qemu_argv *q)
{
    if (c->net == NULL || c->net->mode == RUN_NET_NONE)
        return;
    qemu_net_netdev(c->net, q->netdev, sizeof(q->netdev));
    /* A test facility (docs/TESTING.md): GORUMP_TEST_NETDEV=SPEC makes
     * net0 "-netdev SPEC,id=net0" instead, such as the stream socket on
     * which tests/netfuzz speaks raw Ethernet to the guest. */
    const char *test = getenv("GORUMP_TEST_NETDEV");
    if (test != NULL && *test != '\0')
        snprintf(q->netdev, sizeof(q->netdev), "%s,id=net0", test);
    add2(q, "-netdev", q->netdev);
    add2(q, "-device", qemu_net_device(c->machine));
}

/* A volume: a raw virtio-blk disk with the id gorump-vol<slot>.
 * cache=writeback (QEMU's default, named here): writes go to the host's
 * page cache, the guest sees a write cache and its FLUSH becomes an
 * fdatasync of the file, so what the guest's fsync flushed survives the
 * host crashing too (docs/STORAGE.md, "Durability"). */
static void qemu_add_volume(const struct qemu_config *c, struct qemu_argv *q,
                            int i)
{
    char path[2 * 4096];
    const struct run_share *s = &c->shares[i];

    escape_commas(path, sizeof(path), s->host);
    snprintf(q->fsdev[i], sizeof(q->fsdev[i]),
             "file=%s,if=none,format=raw,id=vol%d,cache=writeback%s", path,
             s->slot, s->ro ? ",readonly=on" : "");
    snprintf(q->p9dev[i], sizeof(q->p9dev[i]), "%s,drive=vol%d,serial=%s%d",
             qemu_disk_device(c), s->slot, SHARES_VOLUME_ID, s->slot);
    add2(q, "-drive", q->fsdev[i]);
    add2(q, "-device", q->p9dev[i]);
}

/* Each share: QEMU's local file system driver on the host directory,
 * security_model=none (files are made with the modes the guest asks,
 * owned by whoever runs QEMU, so the host sees ordinary files; a chown
 * from the guest is not kept), readonly=on for :ro.  Each volume: a
 * disk (qemu_add_volume). */
static void qemu_add_shares(const struct qemu_config *c, struct qemu_argv *q)
{
    char path[2 * 4096];

    for (int i = 0; i < c->nshare && i < RUN_SHARE_MAX; i++) {
        if (c->shares[i].volume) {
            qemu_add_volume(c, q, i);
            continue;
        }
        escape_commas(path, sizeof(path), c->shares[i].host);
        snprintf(q->fsdev[i], sizeof(q->fsdev[i]),
                 "local,id=share%d,path=%s,security_model=none%s", i, path,
                 c->shares[i].ro ? ",readonly=on" : "");
        snprintf(q->p9dev[i], sizeof(q->p9dev[i]),
                 "%s,fsdev=share%d,mount_tag=gorump%d",
                 c->machine == RUN_MACHINE_Q35 ? "virtio-9p-pci"
                                               : "virtio-9p-device",
                 i, i);
        add2(q, "-fsdev", q->fsdev[i]);
        add2(q, "-device", q->p9dev[i]);
    }
}

void qemu_build_argv(const struct qemu_config *c, struct qemu_argv *q)
{
    q->argc = 0;
    snprintf(q->mem, sizeof(q->mem), "%lluM", (unsigned long long)c->mem_mib);
    add(q, c->qemu);
    add2(q, "-M", c->machine == RUN_MACHINE_Q35 ? "q35" : MICROVM);
    /* TCG runs every vCPU on one host thread unless told otherwise:
     * thread=multi gives each its own, so they really run in parallel. */
    add2(q, "-accel",
         c->kvm        ? "kvm"
         : c->cpus > 1 ? "tcg,thread=multi"
                       : "tcg");
    /* QEMU 7.2 aborts setting MSR_IA32_ARCH_CAPABILITIES under nested
     * KVM (as on Firecracker hosts); the guest has no use for it. */
    add2(q, "-cpu", c->kvm ? "host,-arch-capabilities" : "max");
    add2(q, "-m", q->mem);
    if (c->cpus > 1) {
        snprintf(q->smp, sizeof(q->smp), "%u", c->cpus);
        add2(q, "-smp", q->smp);
    }
    add(q, "-nodefaults");
    add(q, "-no-user-config");
    add2(q, "-display", "none");
    add(q, "-no-reboot");
    add2(q, "-kernel", c->kernel);
    add2(q, "-initrd", c->image);
    add2(q, "-append", c->cmdline);
    add2(q, "-chardev", "stdio,id=con,signal=off");
    add2(q, "-serial", "chardev:con");
    add2(q, "-device", "isa-debug-exit,iobase=0x501,iosize=1");
    /* The kernel drives virtio 1.x devices only (virtio 1.1 §4.2.4);
     * QEMU 7.2's virtio-mmio defaults to the legacy interface. */
    if (c->machine == RUN_MACHINE_MICROVM &&
        (c->disk != NULL || c->nshare > 0 || c->port ||
         (c->net != NULL && c->net->mode != RUN_NET_NONE)))
        add2(q, "-global", "virtio-mmio.force-legacy=false");
    qemu_add_scsi(c, q);
    qemu_add_disk(c, q);
    qemu_add_net(c, q);
    if (c->gdb != NULL) {
        add2(q, "-gdb", c->gdb);
        add(q, "-S");
    }
    qemu_add_shares(c, q);
    if (c->port) {
        add2(q, "-chardev", "socket,id=port,fd=3");
        add2(q, "-device",
             c->machine == RUN_MACHINE_Q35 ? "virtio-serial-pci"
                                           : "virtio-serial-device");
        /* Port 1, not a virtconsole: QEMU drops what a console port
         * cannot write at once (kernel/drv/virtio_console.c). */
        add2(q, "-device", "virtserialport,chardev=port,nr=1");
    }
}

const char *qemu_test_disk(int *readonly)
{
    static char buf[4096];
    const char *s = getenv("GORUMP_TEST_DISK");
    size_t n;

    *readonly = 0;
    if (s == NULL || s[0] == '\0')
        return NULL;
    n = strlen(s);
    if (n > 3 && strcmp(s + n - 3, ",ro") == 0 && n - 3 < sizeof(buf)) {
        memcpy(buf, s, n - 3);
        buf[n - 3] = '\0';
        *readonly = 1;
        return buf;
    }
    return s;
}

int qemu_use_kvm(void)
{
    const char *accel = getenv("GORUMP_ACCEL");
    int fd;

    if (accel != NULL && strcmp(accel, "kvm") == 0)
        return 1;
    if (accel != NULL && strcmp(accel, "tcg") == 0)
        return 0;
    if (accel != NULL && accel[0] != '\0') {
        report("GORUMP_ACCEL=%s: want kvm or tcg", accel);
        return -1;
    }
    /* PVM's /dev/kvm runs only guests built for PVM: an ordinary guest's
     * SYSCALL gets no ring-0 entry (docs/ARCHITECTURE.md). */
    if (access("/sys/module/kvm_pvm", F_OK) == 0)
        return 0;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

int qemu_console_port(void)
{
    const char *v = getenv("GORUMP_CONSOLE");

    if (v == NULL || v[0] == '\0' || strcmp(v, "virtio") == 0)
        return 1;
    if (strcmp(v, "serial") == 0)
        return 0;
    report("GORUMP_CONSOLE=%s: want virtio or serial", v);
    return -1;
}

const char *qemu_kernel_cmdline(void)
{
    const char *s = getenv("GORUMP_KERNEL_ARGS");

    return s != NULL && s[0] != '\0' ? s : "gorump";
}

int qemu_find(char *out, size_t size)
{
    const char *env = getenv("GORUMP_QEMU");

    if (env != NULL && env[0] != '\0') {
        if (find_command(env, out, size) == 0)
            return 0;
        report("%s: no such command (from $GORUMP_QEMU)", env);
        return -1;
    }
    if (find_command(QEMU_NAME, out, size) == 0)
        return 0;
    report(QEMU_NAME " not found (apt-get install qemu-system-x86)");
    return -1;
}

pid_t qemu_start(const struct qemu_argv *q, int port, int *in_fd, int *out_fd,
                 int *err_fd, int *port_fd)
{
    return monitor_start(q->argv, port, in_fd, out_fd, err_fd, port_fd);
}

pid_t monitor_start(char *const *argv, int port, int *in_fd, int *out_fd,
                    int *err_fd, int *port_fd)
{
    struct spawn s = {.path = argv[0], .argv = argv};
    int p[4][2], n, np = port ? 4 : 3;
    pid_t pid;

    for (n = 0; n < np; n++) {
        int r = n < 3
                    ? pipe2(p[n], O_CLOEXEC)
                    : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p[n]);
        if (r != 0) {
            report("%s: %s", n < 3 ? "pipe" : "socketpair", strerror(errno));
            while (n-- > 0) {
                close(p[n][0]);
                close(p[n][1]);
            }
            return -1;
        }
    }
    *port_fd = port ? p[3][0] : -1;
    s.fd3 = port ? p[3][1] : 0;
    s.stdin_fd = p[0][0];
    s.new_pgrp = 1;
    s.stdout_fd = p[1][1];
    s.stderr_fd = p[2][1];
    pid = spawn_child(&s);
    close(p[0][0]);
    close(p[1][1]);
    close(p[2][1]);
    if (port)
        close(p[3][1]);
    if (pid < 0) {
        close(p[0][1]);
        close(p[1][0]);
        close(p[2][0]);
        if (port)
            close(p[3][0]);
        return -1;
    }
    fcntl(p[0][1], F_SETFL, O_NONBLOCK);
    *in_fd = p[0][1];
    *out_fd = p[1][0];
    *err_fd = p[2][0];
    return pid;
}
