/*
 * tests/unit/test_qemu.c — QEMU's command line (tool/qemu.c), the choice
 * of accelerator and kernel command line, and how a guest's end becomes
 * gorump's exit status (tool/supervise.c).
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gorump/console.h>

#include "check.h"
#include "console.h"
#include "qemu.h"
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
    CHECK_EQ(status_for("H", 1, killed), GORUMP_STATUS_PANIC);
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
    test_env_choices();
    test_status();
    return check_done();
}
