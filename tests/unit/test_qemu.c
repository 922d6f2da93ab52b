/*
 * tests/unit/test_qemu.c — QEMU's command line (tool/qemu.c) with and
 * without a network (tool/qemu_net.c), the choice of accelerator and
 * kernel command line, recognising and explaining a -p rule QEMU refused
 * (tool/qemu_err.c), and how a guest's end becomes gorump's exit status
 * (tool/supervise.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gorump/console.h>

#include "check.h"
#include "console.h"
#include "args.h"
#include "qemu.h"
#include "qemu_err.h"
#include "qemu_net.h"
#include "supervise.h"

/* Sends stderr to /dev/null (for expected messages); returns the old fd
 * for quiet_end(). */
static int quiet_begin(void)
{
    int saved = dup(2), null = open("/dev/null", O_WRONLY);

    fflush(stderr);
    dup2(null, 2);
    close(null);
    return saved;
}

static void quiet_end(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

/* argv equals the NULL-terminated list WANT. */
static int argv_is(const struct qemu_argv *q, const char *const *want)
{
    int i;

    for (i = 0; want[i] != NULL; i++) {
        if (i >= q->argc || strcmp(q->argv[i], want[i]) != 0) {
            fprintf(stderr, "  argv[%d] = '%s', want '%s'\n", i,
                    i < q->argc ? q->argv[i] : "(end)", want[i]);
            return 0;
        }
    }
    return i == q->argc && q->argv[i] == NULL;
}

static void test_microvm_kvm(void)
{
    struct qemu_config c = {.qemu = "/usr/bin/qemu-system-x86_64",
                            .kernel = "/k.elf",
                            .image = "/tmp/x/image",
                            .cmdline = "gorump",
                            .mem_mib = 256,
                            .machine = RUN_MACHINE_MICROVM,
                            .kvm = 1};
    static const char *const want[] = {
        "/usr/bin/qemu-system-x86_64",
        "-M",
        "microvm,x-option-roms=off,pit=on,pic=off,rtc=on,isa-serial=on,"
        "acpi=off",
        "-accel",
        "kvm",
        "-cpu",
        "host,-arch-capabilities",
        "-m",
        "256M",
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-kernel",
        "/k.elf",
        "-initrd",
        "/tmp/x/image",
        "-append",
        "gorump",
        "-chardev",
        "stdio,id=con,signal=off",
        "-serial",
        "chardev:con",
        "-device",
        "isa-debug-exit,iobase=0x501,iosize=1",
        NULL};
    struct qemu_argv q;

    qemu_build_argv(&c, &q);
    CHECK(argv_is(&q, want));
}

static void test_q35_tcg(void)
{
    struct qemu_config c = {.qemu = "qemu",
                            .kernel = "k",
                            .image = "i",
                            .cmdline = "debug x=1",
                            .mem_mib = 65536,
                            .machine = RUN_MACHINE_Q35,
                            .kvm = 0};
    struct qemu_argv q;

    qemu_build_argv(&c, &q);
    CHECK(q.argc < QEMU_ARGV_MAX);
    CHECK(strcmp(q.argv[1], "-M") == 0 && strcmp(q.argv[2], "q35") == 0);
    CHECK(strcmp(q.argv[4], "tcg") == 0 && strcmp(q.argv[6], "max") == 0);
    CHECK(strcmp(q.argv[8], "65536M") == 0);
    CHECK(strcmp(q.argv[18], "-append") == 0);
    CHECK(strcmp(q.argv[19], "debug x=1") == 0);
}

/* The argv after the fixed part test_microvm_kvm() checks. */
static const char *const *net_part(const struct qemu_argv *q)
{
    int i = 0;

    while (i < q->argc && strcmp(q->argv[i], "isa-debug-exit,iobase=0x501,"
                                             "iosize=1") != 0)
        i++;
    return (const char *const *)q->argv + (i < q->argc ? i + 1 : i);
}

/* The NULL-terminated lists A and WANT are equal. */
static int list_is(const char *const *a, const char *const *want)
{
    int i;

    for (i = 0; want[i] != NULL; i++) {
        if (a[i] == NULL || strcmp(a[i], want[i]) != 0) {
            fprintf(stderr, "  [%d] = '%s', want '%s'\n", i,
                    a[i] != NULL ? a[i] : "(end)", want[i]);
            return 0;
        }
    }
    return a[i] == NULL;
}

/* --cpus: -smp after -m, and TCG with a host thread per vCPU; KVM stays
 * KVM.  One CPU (or none said) adds nothing. */
static void test_smp_argv(void)
{
    struct qemu_config c = {.qemu = "q",
                            .kernel = "k",
                            .image = "i",
                            .cmdline = "gorump",
                            .mem_mib = 256,
                            .cpus = 16,
                            .machine = RUN_MACHINE_Q35};
    struct qemu_argv q;

    qemu_build_argv(&c, &q);
    CHECK(strcmp(q.argv[4], "tcg,thread=multi") == 0);
    CHECK(strcmp(q.argv[9], "-smp") == 0 && strcmp(q.argv[10], "16") == 0);
    c.kvm = 1;
    qemu_build_argv(&c, &q);
    CHECK(strcmp(q.argv[4], "kvm") == 0 && strcmp(q.argv[10], "16") == 0);
    c.cpus = 1;
    c.kvm = 0;
    qemu_build_argv(&c, &q);
    CHECK(strcmp(q.argv[4], "tcg") == 0 &&
          strcmp(q.argv[9], "-nodefaults") == 0);
}

/* A disk: after the fixed part, before the network, with the mmio
 * transport made modern once; commas in its path doubled, as QEMU's
 * option syntax wants. */
static void test_disk_argv(void)
{
    struct run_net none = {.mode = RUN_NET_NONE}, user = {.mode = RUN_NET_USER};
    struct qemu_config c = {.qemu = "qemu",
                            .kernel = "k",
                            .image = "i",
                            .cmdline = "gorump",
                            .mem_mib = 256,
                            .machine = RUN_MACHINE_MICROVM,
                            .net = &none,
                            .disk = "/t/a,b.disk",
                            .disk_readonly = 1,
                            .disk_serial = "gorump-files"};
    struct qemu_argv q;
    const char *const mmio[] = {
        "-global", "virtio-mmio.force-legacy=false",
        "-drive",  "file=/t/a,,b.disk,if=none,format=raw,id=disk0,readonly=on",
        "-device", "virtio-blk-device,drive=disk0,serial=gorump-files",
        NULL};
    const char *const pci[] = {"-drive",  "file=d,if=none,format=raw,id=disk0",
                               "-device", "virtio-blk-pci,drive=disk0,serial=",
                               "-netdev", "user,id=net0",
                               "-device", "virtio-net-pci,netdev=net0,romfile=",
                               NULL};

    qemu_build_argv(&c, &q);
    CHECK(q.argc < QEMU_ARGV_MAX && list_is(net_part(&q), mmio));
    c.net = &user;
    qemu_build_argv(&c, &q);
    CHECK(q.argc < QEMU_ARGV_MAX);
    CHECK(strcmp(net_part(&q)[6], "-netdev") == 0); /* one -global only */
    c = (struct qemu_config){.qemu = "qemu",
                             .kernel = "k",
                             .image = "i",
                             .cmdline = "gorump",
                             .mem_mib = 256,
                             .machine = RUN_MACHINE_Q35,
                             .net = &user,
                             .disk = "d"};
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), pci));
    /* --disk-bus nvme: the disk is an NVMe controller with the serial. */
    const char *const nvme[] = {"-drive", "file=d,if=none,format=raw,id=disk0",
                                "-device", "nvme,drive=disk0,serial=gorump-x",
                                NULL};
    c.net = &none;
    c.disk_bus = RUN_DISK_NVME;
    c.disk_serial = "gorump-x";
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), nvme));
    /* --disk-bus scsi: one adapter, then the disk on its bus. */
    const char *const scsi[] = {
        "-device", "virtio-scsi-pci,id=scsi0",
        "-drive",  "file=d,if=none,format=raw,id=disk0",
        "-device", "scsi-hd,bus=scsi0.0,drive=disk0,serial=gorump-x",
        NULL};
    c.disk_bus = RUN_DISK_SCSI;
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), scsi));
    /* On microvm the adapter is on virtio-mmio; without a disk, none. */
    c.machine = RUN_MACHINE_MICROVM;
    qemu_build_argv(&c, &q);
    CHECK(strcmp(net_part(&q)[1], "virtio-mmio.force-legacy=false") == 0);
    CHECK(strcmp(net_part(&q)[3], "virtio-scsi-device,id=scsi0") == 0);
    c.disk = NULL;
    qemu_build_argv(&c, &q);
    for (int i = 0; i < q.argc; i++)
        CHECK(strstr(q.argv[i], "scsi") == NULL);
}

/* Parses "run ARGS... p" into *a (run_args_free() it). */
static void parse_run(struct run_args *a, char **v)
{
    int n = 0;

    while (v[n] != NULL)
        n++;
    CHECK_EQ(run_args_parse(a, n, v), RUN_ARGS_OK);
}

#define RUNARGS(...) ((char *[]){"run", __VA_ARGS__, "p", NULL})

static void test_net_argv(void)
{
    struct qemu_config c = {.qemu = "q",
                            .kernel = "k",
                            .image = "i",
                            .cmdline = "gorump",
                            .mem_mib = 256,
                            .machine = RUN_MACHINE_MICROVM};
    static const char *const user[] = {
        "-global",
        "virtio-mmio.force-legacy=false",
        "-netdev",
        "user,id=net0,hostfwd=tcp:127.0.0.1:3000-:3000,hostfwd=udp:0.0.0.0:"
        "53-:5353",
        "-device",
        "virtio-net-device,netdev=net0",
        NULL};
    static const char *const plain[] = {
        "-global", "virtio-mmio.force-legacy=false", "-netdev", "user,id=net0",
        "-device", "virtio-net-device,netdev=net0",  NULL};
    static const char *const q35_tap[] = {
        "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no", "-device",
        "virtio-net-pci,netdev=net0,romfile=", NULL};
    static const char *const none[] = {NULL};
    struct run_args a;
    struct qemu_argv q;

    parse_run(&a, RUNARGS("-p", "3000:3000", "-p", "0.0.0.0:53:5353/udp"));
    c.net = &a.net;
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), user));
    run_args_free(&a);
    parse_run(&a, RUNARGS("--net=user"));
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), plain));
    run_args_free(&a);
    parse_run(&a, RUNARGS("--net", "tap:tap0", "--machine", "q35"));
    c.machine = RUN_MACHINE_Q35;
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), q35_tap));
    run_args_free(&a);
    parse_run(&a, RUNARGS("--net", "none"));
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), none));
    c.machine = RUN_MACHINE_MICROVM;
    qemu_build_argv(&c, &q);
    CHECK(list_is(net_part(&q), none));
    run_args_free(&a);
}

static void test_net_cmdline(void)
{
    char buf[KERNEL_CMDLINE_MAX + 1], big[KERNEL_CMDLINE_MAX + 2];
    struct run_args a;

    /* --net user (the default): QEMU's fixed addresses, no DHCP... */
    parse_run(&a, RUNARGS("-p", "1:2"));
    CHECK_EQ(qemu_net_cmdline("gorump", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "gorump gorump.ip=10.0.2.15/24 gorump.gw=10.0.2.2 "
                      "gorump.dns=10.0.2.3") == 0);
    run_args_free(&a);
    /* ...unless asked for, and what is given wins. */
    parse_run(&a, RUNARGS("--ip", "dhcp"));
    CHECK_EQ(qemu_net_cmdline("gorump", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "gorump") == 0);
    run_args_free(&a);
    parse_run(&a, RUNARGS("--dns", "10.0.2.9"));
    CHECK_EQ(qemu_net_cmdline("gorump", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "gorump gorump.ip=10.0.2.15/24 gorump.gw=10.0.2.2 "
                      "gorump.dns=10.0.2.9") == 0);
    run_args_free(&a);
    /* Other networks: DHCP unless --ip. */
    parse_run(&a, RUNARGS("--net", "tap:t0"));
    CHECK_EQ(qemu_net_cmdline("gorump", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "gorump") == 0);
    run_args_free(&a);
    parse_run(&a, RUNARGS("--ip", "10.0.2.15/24", "--gateway", "10.0.2.2",
                          "--dns", "10.0.2.3"));
    CHECK_EQ(
        qemu_net_cmdline("gorump gorump.verbose", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "gorump gorump.verbose gorump.ip=10.0.2.15/24 "
                      "gorump.gw=10.0.2.2 gorump.dns=10.0.2.3") == 0);
    run_args_free(&a);
    parse_run(&a, RUNARGS("--net", "tap:t0", "--dns", "1.1.1.1"));
    CHECK_EQ(qemu_net_cmdline("x", &a.net, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "x gorump.dns=1.1.1.1") == 0);
    /* Longer than the kernel keeps: refused, not cut.  The words are
     * " gorump.dns=1.1.1.1", 19 bytes. */
    memset(big, 'a', KERNEL_CMDLINE_MAX - 18);
    big[KERNEL_CMDLINE_MAX - 18] = '\0';
    CHECK_EQ(qemu_net_cmdline(big, &a.net, buf, sizeof(buf)), -1);
    big[KERNEL_CMDLINE_MAX - 19] = '\0';
    CHECK_EQ(qemu_net_cmdline(big, &a.net, buf, sizeof(buf)), 0);
    CHECK_EQ(strlen(buf), KERNEL_CMDLINE_MAX);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_EQ(qemu_net_cmdline(big, &a.net, buf, sizeof(buf)), -1);
    run_args_free(&a);
}

/* QEMU 7.2's words for a hostfwd rule it cannot bind. */
static void test_failed_rule(void)
{
    static const char qemu_said[] =
        "qemu-system-x86_64: -netdev user,id=net0,hostfwd=tcp:127.0.0.1:3000"
        "-:3000,hostfwd=udp:127.0.0.1:3000-:3000: Could not set up host "
        "forwarding rule 'udp:127.0.0.1:3000-:3000'\n";
    struct run_args a;
    char msg[256];

    parse_run(&a, RUNARGS("-p", "3000:3000", "-p", "3000:3000/udp"));
    CHECK_EQ(qemu_err_failed_rule(qemu_said, &a.net), 1);
    CHECK_EQ(qemu_err_failed_rule("Could not set up host forwarding rule "
                                  "'tcp:127.0.0.1:3000-:3000'",
                                  &a.net),
             0);
    CHECK_EQ(qemu_err_failed_rule("Could not set up host forwarding rule "
                                  "'tcp:127.0.0.1:3000-:30001'",
                                  &a.net),
             -1);
    CHECK_EQ(qemu_err_failed_rule("Could not set up host forwarding rule "
                                  "'tcp:127.0.0.1:3000-:3000",
                                  &a.net),
             -1);
    CHECK_EQ(qemu_err_failed_rule("qemu: some other failure", &a.net), -1);
    CHECK_EQ(qemu_err_failed_rule("", &a.net), -1);
    qemu_err_fwd_message(&a.net.fwd[0], EADDRINUSE, msg, sizeof(msg));
    CHECK(strcmp(msg, "-p 3000:3000: host port 3000 is in use (choose "
                      "another: -p HOSTPORT:3000)") == 0);
    qemu_err_fwd_message(&a.net.fwd[1], EADDRINUSE, msg, sizeof(msg));
    CHECK(strcmp(msg, "-p 3000:3000/udp: host port 3000/udp is in use "
                      "(choose another: -p HOSTPORT:3000/udp)") == 0);
    qemu_err_fwd_message(&a.net.fwd[0], EADDRNOTAVAIL, msg, sizeof(msg));
    CHECK(strcmp(msg, "-p 3000:3000: 127.0.0.1 is not an address of this "
                      "host") == 0);
    qemu_err_fwd_message(&a.net.fwd[0], EACCES, msg, sizeof(msg));
    CHECK(strstr(msg, "no permission to use host port 3000") != NULL);
    qemu_err_fwd_message(&a.net.fwd[0], 0, msg, sizeof(msg));
    CHECK(strstr(msg, "busy then, free now") != NULL);
    qemu_err_fwd_message(&a.net.fwd[0], ENOBUFS, msg, sizeof(msg));
    CHECK(strstr(msg, "-p 3000:3000: QEMU could not forward host port "
                      "3000: ") != NULL);
    run_args_free(&a);
}

static void test_env_choices(void)
{
    int saved;

    unsetenv("GORUMP_KERNEL_ARGS");
    CHECK(strcmp(qemu_kernel_cmdline(), "gorump") == 0);
    setenv("GORUMP_KERNEL_ARGS", "", 1);
    CHECK(strcmp(qemu_kernel_cmdline(), "gorump") == 0);
    setenv("GORUMP_KERNEL_ARGS", "loglevel=9", 1);
    CHECK(strcmp(qemu_kernel_cmdline(), "loglevel=9") == 0);
    unsetenv("GORUMP_KERNEL_ARGS");
    setenv("GORUMP_ACCEL", "tcg", 1);
    CHECK_EQ(qemu_use_kvm(), 0);
    setenv("GORUMP_ACCEL", "kvm", 1);
    CHECK_EQ(qemu_use_kvm(), 1);
    setenv("GORUMP_ACCEL", "hvf", 1);
    saved = quiet_begin();
    CHECK_EQ(qemu_use_kvm(), -1);
    quiet_end(saved);
    unsetenv("GORUMP_ACCEL");
    CHECK(qemu_use_kvm() == 0 || qemu_use_kvm() == 1);
}

static void no_emit(void *ctx, int stream, const uint8_t *p, size_t n)
{
    (void)ctx, (void)stream, (void)p, (void)n;
}

/* The status for a console that decoded S, QEMU ending with WSTATUS. */
static int status_for(const char *s, size_t len, int wstatus)
{
    struct con_decoder d;

    con_init(&d);
    con_feed(&d, (const uint8_t *)s, len, no_emit, NULL);
    return guest_status(&d, wstatus, "qemu");
}

/* guest_status() reports on stderr; those messages are expected here. */
static void test_status(void)
{
    struct con_decoder d;
    const int exit0 = 0, exit1 = 1 << 8, exit3 = 3 << 8, killed = SIGKILL;
    int saved = quiet_begin();

    /* The record decides, whatever QEMU's own status. */
    con_init(&d);
    con_feed(&d, (const uint8_t *)"\x10x\xc8", 3, no_emit, NULL);
    CHECK_EQ(guest_status(&d, exit3, "qemu"), 200);
    CHECK_EQ(status_for("\x10x\x00", 3, exit0), 0);
    CHECK_EQ(status_for("oops\x10p", 6, exit3), GORUMP_STATUS_PANIC);
    CHECK_EQ(status_for("\x10p\x10x\x01", 5, exit3), GORUMP_STATUS_PANIC);
    CHECK_EQ(status_for("\x10x\x01\x10p", 5, exit3), 1);
    /* Output but no record: the guest died. */
    CHECK_EQ(status_for("H", 1, exit3), GORUMP_STATUS_PANIC);
    /* QEMU killed by a signal (not ours: the caller handles those) is
     * not the guest's doing, output or not. */
    CHECK_EQ(status_for("H", 1, killed), GORUMP_STATUS_FAILURE);
    /* No output: QEMU failed, unless it exited cleanly (triple fault
     * with -no-reboot). */
    CHECK_EQ(status_for("", 0, exit1), GORUMP_STATUS_FAILURE);
    CHECK_EQ(status_for("", 0, killed), GORUMP_STATUS_FAILURE);
    CHECK_EQ(status_for("", 0, exit0), GORUMP_STATUS_PANIC);
    quiet_end(saved);
}

int main(void)
{
    test_microvm_kvm();
    test_q35_tcg();
    test_smp_argv();
    test_net_argv();
    test_disk_argv();
    test_net_cmdline();
    test_failed_rule();
    test_env_choices();
    test_status();
    return check_done();
}
