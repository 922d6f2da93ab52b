/*
 * tests/unit/test_args.c — `gorump run` and `gorump build` option parsing
 * (tool/args.c, tool/args_files.c): every option in every form, the
 * defaults, where options stop, which command has which option, the guest
 * path options, the network options (tool/args_net.c), and each error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "args_net.h"
#include "bootdisk.h"
#include "check.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define BUILD(...) ((char *[]){"build", __VA_ARGS__, NULL})

/* Parses the NULL-terminated argv V. */
static int parse(struct run_args *a, char **v)
{
    int n = 0;

    while (v[n] != NULL)
        n++;
    return run_args_parse(a, n, v);
}

static void test_defaults(void)
{
    struct run_args a;
    char **v;

    v = ARGV("prog");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 256);
    CHECK_EQ(a.timeout_ms, 0);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    CHECK_EQ(a.cpus, 1);
    CHECK(a.kernel == NULL);
    CHECK(strcmp(a.program, "prog") == 0);
    CHECK_EQ(a.nargs, 0);
    CHECK_EQ(a.nenv, 0);
    CHECK_EQ(a.npack, 0);
    CHECK(a.cwd == NULL && a.output == NULL);
    CHECK(strcmp(a.cmd, "run") == 0);
    CHECK(!run_args_edit_image(&a));
    CHECK_EQ(a.net.mode, RUN_NET_USER);
    CHECK_EQ(a.net.nfwd, 0);
    CHECK(a.net.ip[0] == '\0' && a.net.gateway[0] == '\0');
    CHECK(a.net.dns[0] == '\0' && a.net.tap[0] == '\0');
    run_args_free(&a);
}

static void test_forms(void)
{
    struct run_args a;
    char **v;

    v = ARGV("-m", "512", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 512);
    run_args_free(&a);
    v = ARGV("-m1G", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 1024);
    run_args_free(&a);
    v = ARGV("--memory=2g", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 2048);
    run_args_free(&a);
    v = ARGV("--memory", "16384K", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.mem_mib, 16);
    run_args_free(&a);
    v = ARGV("--timeout", "2.5", "--machine", "q35", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.timeout_ms, 2500);
    CHECK_EQ(a.machine, RUN_MACHINE_Q35);
    run_args_free(&a);
    v = ARGV("--cpus", "4", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.cpus, 4);
    run_args_free(&a);
    v = ARGV("--cpus=64", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.cpus, 64);
    run_args_free(&a);
    v = ARGV("--timeout=7", "--machine=microvm", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.timeout_ms, 7000);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    run_args_free(&a);
    v = ARGV("--kernel", "/k", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.kernel != NULL && strcmp(a.kernel, "/k") == 0);
    run_args_free(&a);
    v = ARGV("--kernel=/k2", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.kernel != NULL && strcmp(a.kernel, "/k2") == 0);
    run_args_free(&a);
}

static void test_env(void)
{
    struct run_args a;
    char **v;

    setenv("GORUMP_TEST_VAR", "from host", 1);
    v = ARGV("-e", "A=1", "-eB=2", "--env=C=", "--env", "D=x=y", "-e",
             "GORUMP_TEST_VAR", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.nenv, 5);
    if (a.nenv == 5) {
        CHECK(strcmp(a.env[0], "A=1") == 0);
        CHECK(strcmp(a.env[1], "B=2") == 0);
        CHECK(strcmp(a.env[2], "C=") == 0);
        CHECK(strcmp(a.env[3], "D=x=y") == 0);
        CHECK(strcmp(a.env[4], "GORUMP_TEST_VAR=from host") == 0);
    }
    run_args_free(&a);
    unsetenv("GORUMP_TEST_VAR");
    v = ARGV("-e", "GORUMP_TEST_VAR", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "GORUMP_TEST_VAR is not set") != NULL);
    run_args_free(&a);
    v = ARGV("-e", "=v", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "empty variable name") != NULL);
    run_args_free(&a);
    v = ARGV("--env-clear", "-e", "A=1", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.env_clear && a.nenv == 1 && run_args_edit_image(&a));
    run_args_free(&a);
    v = ARGV("--env-clear", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.env_clear && a.nenv == 0 && run_args_edit_image(&a));
    run_args_free(&a);
}

/* Options end at PROGRAM or "--"; everything after PROGRAM is its own. */
static void test_program_args(void)
{
    struct run_args a;
    char **v;

    v = ARGV("-m", "64", "prog", "-m", "--help", "--", "x");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "prog") == 0);
    CHECK_EQ(a.mem_mib, 64);
    CHECK_EQ(a.nargs, 4);
    if (a.nargs == 4) {
        CHECK(strcmp(a.args[0], "-m") == 0);
        CHECK(strcmp(a.args[1], "--help") == 0);
        CHECK(strcmp(a.args[2], "--") == 0);
        CHECK(strcmp(a.args[3], "x") == 0);
    }
    run_args_free(&a);
    v = ARGV("--", "-weird", "a");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "-weird") == 0);
    CHECK_EQ(a.nargs, 1);
    run_args_free(&a);
    v = ARGV("-");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.program, "-") == 0);
    run_args_free(&a);
}

static void test_help(void)
{
    struct run_args a;
    char **v;

    v = ARGV("--help");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    v = ARGV("-h", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    v = ARGV("p", "-h");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    run_args_free(&a);
}

/* Each bad command line fails with a message naming what is wrong. */
static void expect_error(char **v, const char *needle)
{
    struct run_args a;

    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    if (strstr(a.err, needle) == NULL) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", a.err, needle);
        CHECK(0);
    }
    run_args_free(&a);
}

static void test_errors(void)
{
    struct run_args a;

    CHECK_EQ(run_args_parse(&a, 1, ARGV("x")), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "missing PROGRAM") != NULL);
    run_args_free(&a);
    expect_error(ARGV("-m", "64"), "missing PROGRAM");
    expect_error(ARGV("--"), "missing PROGRAM");
    expect_error(ARGV("--frob", "p"), "unknown option '--frob'");
    expect_error(ARGV("-x", "p"), "unknown option '-x'");
    expect_error(ARGV("-hx", "p"), "unknown option '-hx'");
    expect_error(ARGV("--=1", "p"), "unknown option '--=1'");
    expect_error(ARGV("--help=yes", "p"), "takes no value");
    expect_error(ARGV("-m"), "'-m' needs a value");
    expect_error(ARGV("--timeout"), "'--timeout' needs a value");
    expect_error(ARGV("--kernel="), "needs a non-empty value");
    expect_error(ARGV("-m", "lots", "p"), "invalid memory size 'lots'");
    expect_error(ARGV("-m", "3M", "p"), "invalid memory size '3M'");
    expect_error(ARGV("-m", "65G", "p"), "invalid memory size");
    expect_error(ARGV("--timeout", "0", "p"), "invalid number of seconds");
    expect_error(ARGV("--timeout=-1", "p"), "invalid number of seconds");
    expect_error(ARGV("--machine", "pc", "p"), "unknown machine 'pc'");
    expect_error(ARGV("--cpus", "0", "p"), "invalid number of CPUs '0'");
    expect_error(ARGV("--cpus=65", "p"), "'65' (want 1 to 64)");
    expect_error(ARGV("--cpus", "abc", "p"), "invalid number of CPUs 'abc'");
    expect_error(ARGV("--cpus", "2x", "p"), "invalid number of CPUs '2x'");
    expect_error(ARGV("--cpus", "-1", "p"), "invalid number of CPUs '-1'");
    expect_error(ARGV("--cpus", "99999999999999999999", "p"),
                 "invalid number of CPUs");
    expect_error(ARGV("--kernel="), "run: option '--kernel='");
}

/* The --dir, --file and --cwd values: split at the last ':', guest paths
 * normalised. */
static void test_files(void)
{
    struct run_args a;
    char **v;

    v = ARGV("--dir", "data", "--dir=/h:/g//x/", "--file", "a:b:/etc/./f",
             "--cwd=/app/", "--dir", "/tmp:/", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.npack, 4);
    if (a.npack == 4) {
        CHECK(strcmp(a.pack[0].host, "data") == 0 && a.pack[0].guest == NULL);
        CHECK(a.pack[0].is_dir);
        CHECK(strcmp(a.pack[1].host, "/h") == 0);
        CHECK(strcmp(a.pack[1].guest, "/g/x") == 0);
        CHECK(strcmp(a.pack[2].host, "a:b") == 0 && !a.pack[2].is_dir);
        CHECK(strcmp(a.pack[2].guest, "/etc/f") == 0);
        CHECK(strcmp(a.pack[3].guest, "/") == 0);
    }
    CHECK(a.cwd != NULL && strcmp(a.cwd, "/app") == 0);
    CHECK(run_args_edit_image(&a));
    run_args_free(&a);
    v = ARGV("--cwd", "/", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.cwd, "/") == 0 && run_args_edit_image(&a));
    run_args_free(&a);
}

static void test_files_errors(void)
{
    char name[300], path[310];

    expect_error(ARGV("--dir", "d:rel", "p"), "--dir: 'rel': not an absolute");
    expect_error(ARGV("--dir", "d:", "p"), "--dir: empty guest path in 'd:'");
    expect_error(ARGV("--dir", ":/x", "p"), "--dir: empty host path");
    expect_error(ARGV("--file", "f", "p"),
                 "--file: 'f' names no guest path (want --file "
                 "HOSTFILE:GUESTPATH)");
    expect_error(ARGV("--file", "f:x/y", "p"), "--file: 'x/y': not an abs");
    expect_error(ARGV("--file", "f:/a/..", "p"), "guest path cannot be /");
    expect_error(ARGV("--cwd", "tmp", "p"), "--cwd: 'tmp': not an absolute");
    expect_error(ARGV("--cwd", "/a", "--cwd=/b", "p"), "--cwd given twice");
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(path, sizeof(path), "f:/%s", name);
    expect_error(ARGV("--file", path, "p"), "file name too long");
    expect_error(BUILD("--dir"), "build: option '--dir' needs a value");
}

/* build has -o and the image options; run's VM options are run's only. */
static void test_build(void)
{
    struct run_args a;
    char **v;

    v = BUILD("-o", "x.img", "-e", "A=1", "--dir=/d", "prog", "arg");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.cmd, "build") == 0);
    CHECK(a.output != NULL && strcmp(a.output, "x.img") == 0);
    CHECK(a.nenv == 1 && a.npack == 1 && a.nargs == 1);
    run_args_free(&a);
    v = BUILD("--output=y.img", "prog");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.output, "y.img") == 0);
    run_args_free(&a);
    /* -v is recorded by build, with run's rules. */
    v = BUILD("-v", "d.img:/data", "--volume=/srv:/srv:ro", "prog");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(a.nshare == 2 && !a.share[0].ro && a.share[1].ro);
    CHECK(strcmp(a.share[0].host, "d.img") == 0 &&
          strcmp(a.share[1].guest, "/srv") == 0);
    run_args_free(&a);
    expect_error(BUILD("-v", "d.img:/proc/x", "p"),
                 "-v d.img:/proc/x: the guest path cannot be in /proc");
    v = BUILD("--help");
    CHECK_EQ(parse(&a, v), RUN_ARGS_HELP);
    run_args_free(&a);
    expect_error(BUILD("-m", "64", "p"), "build: unknown option '-m'");
    expect_error(BUILD("--timeout=1", "p"), "unknown option '--timeout=1'");
    expect_error(BUILD("--vmm=qemu", "p"), "unknown option");
    expect_error(ARGV("--format=raw", "p"), "run: unknown option");
    expect_error(BUILD("--format=iso", "p"),
                 "--format: unknown format 'iso' (want image, raw");
    expect_error(ARGV("--vmm=xen", "p"), "--vmm: unknown monitor 'xen'");
    /* A disk holds a kernel: --kernel is build's too. */
    v = BUILD("--format=gce", "--kernel=k", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.format, BOOTDISK_GCE);
    CHECK(a.kernel != NULL && strcmp(a.kernel, "k") == 0);
    run_args_free(&a);
    v = BUILD("--format", "containerdisk", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.format, BOOTDISK_CONTAINERDISK);
    run_args_free(&a);
    expect_error(BUILD("--format=containerdis", "p"),
                 "--format: unknown format 'containerdis'");
    v = BUILD("--format=image", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.format, BOOTDISK_NONE);
    run_args_free(&a);
    v = ARGV("--vmm", "cloud-hypervisor", "--machine=microvm", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.vmm, RUN_VMM_CLOUD_HYPERVISOR);
    CHECK(a.machine_given);
    run_args_free(&a);
    /* --disk-bus nvme implies q35, and is refused with microvm. */
    v = ARGV("--disk-bus", "nvme", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.disk_bus, RUN_DISK_NVME);
    CHECK_EQ(a.machine, RUN_MACHINE_Q35);
    CHECK(!a.machine_given);
    run_args_free(&a);
    v = ARGV("--disk-bus=virtio", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.disk_bus, RUN_DISK_VIRTIO);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    run_args_free(&a);
    /* --disk-bus scsi: virtio-scsi exists on microvm (virtio-mmio) too. */
    v = ARGV("--disk-bus", "scsi", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.disk_bus, RUN_DISK_SCSI);
    CHECK_EQ(a.machine, RUN_MACHINE_MICROVM);
    run_args_free(&a);
    expect_error(ARGV("--disk-bus", "nvme", "--machine", "microvm", "p"),
                 "--disk-bus nvme needs --machine q35");
    expect_error(ARGV("--disk-bus", "ide", "p"),
                 "unknown bus 'ide' (want virtio, scsi or nvme)");
    expect_error(BUILD("--disk-bus=nvme", "p"), "unknown option");
    expect_error(BUILD("--machine=q35", "p"), "unknown option");
    expect_error(ARGV("-o", "x", "p"), "run: unknown option '-o'");
    expect_error(BUILD("-o"), "'-o' needs a value");
    expect_error(BUILD("-e", "A=1"), "build: missing PROGRAM");
}

static void test_mem(void)
{
    uint64_t m = 0;

    CHECK(args_parse_mem("8", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8M", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8192k", &m) == 0 && m == 8);
    CHECK(args_parse_mem("8193K", &m) == 0 && m == 9); /* rounded up */
    CHECK(args_parse_mem("64G", &m) == 0 && m == 65536);
    CHECK(args_parse_mem("65536", &m) == 0 && m == 65536);
    CHECK(args_parse_mem("65537", &m) != 0);
    CHECK(args_parse_mem("8191K", &m) == 0 && m == 8);
    CHECK(args_parse_mem("4M", &m) == 0 && m == 4);
    CHECK(args_parse_mem("4095K", &m) != 0);
    CHECK(args_parse_mem("0", &m) != 0);
    CHECK(args_parse_mem("", &m) != 0);
    CHECK(args_parse_mem("M", &m) != 0);
    CHECK(args_parse_mem("-8M", &m) != 0);
    CHECK(args_parse_mem("8MB", &m) != 0);
    CHECK(args_parse_mem("8T", &m) != 0);
    CHECK(args_parse_mem("1.5G", &m) != 0);
    CHECK(args_parse_mem(" 8M", &m) != 0);
    CHECK(args_parse_mem("99999999999999999999999", &m) != 0);
    CHECK(args_parse_mem("18014398509481984G", &m) != 0); /* 2^54 G wraps */
}

static void test_seconds(void)
{
    uint64_t ms = 0;
    char buf[32];

    CHECK(args_parse_seconds("1", &ms) == 0 && ms == 1000);
    CHECK(args_parse_seconds("0.5", &ms) == 0 && ms == 500);
    CHECK(args_parse_seconds(".25", &ms) == 0 && ms == 250);
    CHECK(args_parse_seconds("3.", &ms) == 0 && ms == 3000);
    CHECK(args_parse_seconds("0.0001", &ms) == 0 && ms == 1);
    CHECK(args_parse_seconds("1.0009", &ms) == 0 && ms == 1001);
    CHECK(args_parse_seconds("1.000", &ms) == 0 && ms == 1000);
    CHECK(args_parse_seconds("1000000000", &ms) == 0);
    CHECK(args_parse_seconds("1000000001", &ms) != 0);
    CHECK(args_parse_seconds("0", &ms) != 0);
    CHECK(args_parse_seconds("0.000", &ms) != 0);
    CHECK(args_parse_seconds("", &ms) != 0);
    CHECK(args_parse_seconds(".", &ms) != 0);
    CHECK(args_parse_seconds("1e3", &ms) != 0);
    CHECK(args_parse_seconds("inf", &ms) != 0);
    CHECK(args_parse_seconds("nan", &ms) != 0);
    CHECK(args_parse_seconds("0x10", &ms) != 0);
    CHECK(args_parse_seconds("-1", &ms) != 0);
    CHECK(args_parse_seconds("1s", &ms) != 0);
    args_format_seconds(30000, buf, sizeof(buf));
    CHECK(strcmp(buf, "30") == 0);
    args_format_seconds(2500, buf, sizeof(buf));
    CHECK(strcmp(buf, "2.5") == 0);
    args_format_seconds(1, buf, sizeof(buf));
    CHECK(strcmp(buf, "0.001") == 0);
}

/* fwd[i] of A is PROTO HOSTIP:HOSTPORT -> GUESTPORT, typed as SPEC. */
static int fwd_is(const struct run_args *a, int i, const char *spec, int udp,
                  const char *ip, unsigned hp, unsigned gp)
{
    const struct run_fwd *f = &a->net.fwd[i];

    return i < a->net.nfwd && strcmp(f->spec, spec) == 0 && f->udp == udp &&
           strcmp(f->host_ip, ip) == 0 && f->host_port == hp &&
           f->guest_port == gp;
}

static void test_publish(void)
{
    struct run_args a;
    char **v;

    v = ARGV("-p", "3000:3000", "-p8080:80/tcp", "--publish=0.0.0.0:53:53/udp",
             "--publish", "10.1.2.3:65535:1", "-p", "1:65535/udp", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.nfwd, 5);
    CHECK(fwd_is(&a, 0, "3000:3000", 0, "127.0.0.1", 3000, 3000));
    CHECK(fwd_is(&a, 1, "8080:80/tcp", 0, "127.0.0.1", 8080, 80));
    CHECK(fwd_is(&a, 2, "0.0.0.0:53:53/udp", 1, "0.0.0.0", 53, 53));
    CHECK(fwd_is(&a, 3, "10.1.2.3:65535:1", 0, "10.1.2.3", 65535, 1));
    CHECK(fwd_is(&a, 4, "1:65535/udp", 1, "127.0.0.1", 1, 65535));
    CHECK(!run_args_edit_image(&a)); /* networking is a run-time choice */
    run_args_free(&a);
    /* One port for tcp and udp, or on two host addresses, is fine. */
    v = ARGV("-p", "53:53", "-p", "53:53/udp", "-p", "127.0.0.2:53:54", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.nfwd, 3);
    run_args_free(&a);
    v = ARGV("--net", "user", "-p", "1:2", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    run_args_free(&a);
}

static void test_net(void)
{
    struct run_args a;
    char **v;

    v = ARGV("--net", "tap:tap0", "--ip", "192.168.7.2/24", "--gateway",
             "192.168.7.1", "--dns=192.168.7.1", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.mode, RUN_NET_TAP);
    CHECK(strcmp(a.net.tap, "tap0") == 0);
    CHECK(strcmp(a.net.ip, "192.168.7.2/24") == 0);
    CHECK(strcmp(a.net.gateway, "192.168.7.1") == 0);
    CHECK(strcmp(a.net.dns, "192.168.7.1") == 0);
    run_args_free(&a);
    v = ARGV("--net=tap:a-very-long-nm", "--ip=10.0.0.1/32", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.net.tap, "a-very-long-nm") == 0);
    CHECK(strcmp(a.net.ip, "10.0.0.1/32") == 0);
    run_args_free(&a);
    v = ARGV("--net", "none", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.mode, RUN_NET_NONE);
    run_args_free(&a);
    /* --dns alone goes with DHCP; the last --net wins. */
    v = ARGV("--net", "none", "--net", "user", "--dns", "9.9.9.9", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.mode, RUN_NET_USER);
    CHECK(strcmp(a.net.dns, "9.9.9.9") == 0 && a.net.ip[0] == '\0');
    run_args_free(&a);
    v = ARGV("--ip", "10.0.2.15/24", "--gateway=10.0.2.2", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK(strcmp(a.net.gateway, "10.0.2.2") == 0);
    run_args_free(&a);
    v = ARGV("--ip", "10.0.0.2/31", "--gateway", "10.0.0.3", "p");
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK); /* RFC 3021 point-to-point */
    run_args_free(&a);
}

static void test_net_errors(void)
{
    static const char want_fwd[] =
        "want [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]";

    expect_error(ARGV("--net", "slirp", "p"),
                 "--net: unknown network 'slirp' (want user, tap:IFNAME or "
                 "none)");
    expect_error(ARGV("--net", "tap", "p"), "unknown network 'tap'");
    expect_error(ARGV("--net", "tap:", "p"), "'tap:': invalid interface");
    expect_error(ARGV("--net", "tap:sixteen-chars-xy", "p"), "invalid interf");
    expect_error(ARGV("--net", "tap:a,b", "p"), "invalid interface");
    expect_error(ARGV("--net", "tap:a/b", "p"), "invalid interface");
    expect_error(ARGV("--net", "tap:..", "p"), "invalid interface");
    expect_error(ARGV("--net", "tap:a b", "p"), "invalid interface");
    expect_error(ARGV("-p", "3000", "p"), want_fwd);
    expect_error(ARGV("-p", "3000/udp", "p"), want_fwd);
    expect_error(ARGV("-p", ":80", "p"), "-p :80: invalid host port ''");
    expect_error(ARGV("-p", "80:", "p"), "invalid guest port ''");
    expect_error(ARGV("-p", "0:80", "p"), "-p 0:80: invalid host port '0' "
                                          "(want 1 to 65535)");
    expect_error(ARGV("-p", "80:0", "p"), "invalid guest port '0'");
    expect_error(ARGV("-p", "65536:80", "p"), "invalid host port '65536'");
    expect_error(ARGV("-p", "99999999999:80", "p"), "invalid host port");
    expect_error(ARGV("-p", "080:80", "p"), "invalid host port '080'");
    expect_error(ARGV("-p", "-1:80", "p"), "invalid host port '-1'");
    expect_error(ARGV("-p", "x:80", "p"), "invalid host port 'x'");
    expect_error(ARGV("-p", "80:80/sctp", "p"),
                 "-p 80:80/sctp: unknown protocol 'sctp' (want tcp or udp)");
    expect_error(ARGV("-p", "80:80/", "p"), "unknown protocol ''");
    expect_error(ARGV("-p", "::1:80:80", "p"),
                 "-p ::1:80:80: host address '::1' is not an IPv4 address");
    expect_error(ARGV("-p", "localhost:80:80", "p"), "'localhost' is not an");
    expect_error(ARGV("-p", "1.2.3:80:80", "p"), "'1.2.3' is not an IPv4");
    expect_error(ARGV("-p", "1.2.3.4.5:80:80", "p"), "is not an IPv4");
    expect_error(ARGV("-p", "1.2.3.256:80:80", "p"), "is not an IPv4");
    expect_error(ARGV("-p", "224.0.0.1:80:80", "p"), "is not unicast");
    expect_error(ARGV("-p", ":80:80", "p"), "-p :80:80: empty host address");
    expect_error(ARGV("-p", "80:80", "-p", "80:81", "p"),
                 "-p 80:80 and -p 80:81 both use host port 80/tcp");
    expect_error(ARGV("-p", "0.0.0.0:80:80/udp", "-p", "80:81/udp", "p"),
                 "both use host port 80/udp");
    expect_error(ARGV("--net", "none", "-p", "80:80", "p"),
                 "-p 80:80 needs --net user");
    expect_error(ARGV("-p", "80:80", "--net", "tap:t0", "p"),
                 "-p 80:80 needs --net user");
    expect_error(ARGV("--ip", "10.0.2.15", "p"),
                 "--ip: '10.0.2.15': want ADDR/PREFIX, e.g. 10.0.2.15/24");
    expect_error(ARGV("--ip", "10.0.2/24", "p"), "want ADDR/PREFIX");
    expect_error(ARGV("--ip", "DHCP", "p"), "or dhcp");
    expect_error(ARGV("--ip", "dhcp", "--ip", "dhcp", "p"), "given twice");
    expect_error(ARGV("--ip", "dhcp", "--gateway", "10.0.2.2", "p"),
                 "needs --ip ADDR/PREFIX");
    expect_error(ARGV("--ip", "10.0.2.15/33", "p"),
                 "invalid prefix length '33' (want 1 to 32)");
    expect_error(ARGV("--ip", "10.0.2.15/0", "p"), "invalid prefix length '0'");
    expect_error(ARGV("--ip", "10.0.2.15/", "p"), "invalid prefix length ''");
    expect_error(ARGV("--ip", "10.0.2.15/024", "p"), "invalid prefix");
    expect_error(ARGV("--ip", "127.0.0.2/8", "p"), "not a usable host address");
    expect_error(ARGV("--ip", "0.1.2.3/8", "p"), "not a usable host address");
    expect_error(ARGV("--ip", "224.1.1.1/24", "p"), "not a usable host");
    expect_error(ARGV("--ip", "10.0.2.0/24", "p"), "not a usable host");
    expect_error(ARGV("--ip", "10.0.2.255/24", "p"), "not a usable host");
    expect_error(ARGV("--ip", "1.1.1.1/24", "--ip", "1.1.1.2/24", "p"),
                 "--ip given twice");
    expect_error(ARGV("--gateway", "10.0.2.2", "p"),
                 "--gateway 10.0.2.2 needs --ip");
    expect_error(ARGV("--ip", "10.0.2.15/24", "--gateway", "10.0.3.1", "p"),
                 "--gateway 10.0.3.1: outside the guest's subnet "
                 "10.0.2.15/24");
    expect_error(ARGV("--ip", "10.0.2.15/24", "--gateway", "10.0.2.15", "p"),
                 "that is the guest's own --ip");
    expect_error(ARGV("--gateway", "10.0.2", "p"),
                 "--gateway: '10.0.2' is not an IPv4 address");
    expect_error(ARGV("--gateway", "127.0.0.1", "p"), "not a usable address");
    expect_error(ARGV("--dns", "8.8.8", "p"), "--dns: '8.8.8' is not an IPv4");
    expect_error(ARGV("--dns", "0.0.0.0", "p"), "not a usable address");
    expect_error(ARGV("--dns", "255.255.255.255", "p"), "not a usable");
    expect_error(ARGV("--dns", "1.1.1.1", "--dns", "1.0.0.1", "p"),
                 "--dns given twice");
    expect_error(ARGV("--net", "none", "--dns", "1.1.1.1", "p"),
                 "--net none: no interface for --ip, --gateway or --dns");
    expect_error(ARGV("--net", "none", "--ip", "10.0.0.2/8", "p"),
                 "--net none");
    expect_error(BUILD("--net", "none", "p"), "build: unknown option '--net'");
    expect_error(BUILD("-p", "80:80", "p"), "build: unknown option '-p'");
    expect_error(BUILD("--ip=10.0.0.2/8", "p"), "unknown option");
}

/* RUN_FWD_MAX -p rules, then one more. */
static void test_publish_max(void)
{
    char *v[RUN_FWD_MAX * 2 + 8], specs[RUN_FWD_MAX + 1][16];
    struct run_args a;
    int n = 1;

    v[0] = "run";
    for (int i = 0; i < RUN_FWD_MAX; i++) {
        snprintf(specs[i], sizeof(specs[i]), "%d:80", 1000 + i);
        v[n++] = "-p";
        v[n++] = specs[i];
    }
    v[n] = "p";
    v[n + 1] = NULL;
    CHECK_EQ(parse(&a, v), RUN_ARGS_OK);
    CHECK_EQ(a.net.nfwd, RUN_FWD_MAX);
    run_args_free(&a);
    v[n++] = "-p";
    v[n++] = "2000:80";
    v[n] = "p";
    v[n + 1] = NULL;
    CHECK_EQ(parse(&a, v), RUN_ARGS_ERROR);
    CHECK(strstr(a.err, "-p 2000:80: at most 64 -p rules") != NULL);
    run_args_free(&a);
}

static void test_ip4(void)
{
    uint32_t v = 0;

    CHECK(args_parse_ip4("10.0.2.15", 9, &v) == 0 && v == 0x0a00020f);
    CHECK(args_parse_ip4("255.255.255.255", 15, &v) == 0 && v == ~0u);
    CHECK(args_parse_ip4("0.0.0.0", 7, &v) == 0 && v == 0);
    CHECK(args_parse_ip4("10.0.2.15/24", 9, &v) == 0 && v == 0x0a00020f);
    CHECK(args_parse_ip4("10.0.2.15", 8, &v) == 0 && v == 0x0a000201);
    CHECK(args_parse_ip4("10.0.2.15", 7, &v) != 0); /* "10.0.2." */
    CHECK(args_parse_ip4("", 0, &v) != 0);
    CHECK(args_parse_ip4("1.2.3", 5, &v) != 0);
    CHECK(args_parse_ip4("1.2.3.4.", 8, &v) != 0);
    CHECK(args_parse_ip4("1..3.4", 6, &v) != 0);
    CHECK(args_parse_ip4("01.2.3.4", 8, &v) != 0);
    CHECK(args_parse_ip4("1.2.3.0x1", 9, &v) != 0);
    CHECK(args_parse_ip4("1.2.3.1000", 10, &v) != 0);
    CHECK(args_parse_ip4("1.2.3.-1", 8, &v) != 0);
    CHECK(args_parse_ip4(" 1.2.3.4", 8, &v) != 0);
    CHECK(args_parse_ip4("1.2.3.4 ", 8, &v) != 0);
}

/* --lib, repeatable, for run and build; --list for build only. */
static void test_lib(void)
{
    struct run_args a;

    CHECK_EQ(parse(&a, BUILD("--lib", "/x/libz.so", "--lib=/opt/lib", "--list",
                             "prog")),
             RUN_ARGS_OK);
    CHECK_EQ(a.nlib, 2);
    CHECK(strcmp(a.lib[0], "/x/libz.so") == 0);
    CHECK(strcmp(a.lib[1], "/opt/lib") == 0);
    CHECK_EQ(a.list, 1);
    CHECK(run_args_edit_image(&a));
    run_args_free(&a);
    CHECK_EQ(parse(&a, ARGV("--lib", "libz.so", "prog")), RUN_ARGS_OK);
    CHECK_EQ(a.nlib, 1);
    CHECK_EQ(a.list, 0);
    run_args_free(&a);
    expect_error(ARGV("--list", "prog"), "--list");
    expect_error(ARGV("--lib=", "prog"), "--lib");
}

int main(void)
{
    test_defaults();
    test_forms();
    test_env();
    test_program_args();
    test_help();
    test_errors();
    test_files();
    test_files_errors();
    test_build();
    test_publish();
    test_net();
    test_net_errors();
    test_publish_max();
    test_ip4();
    test_mem();
    test_seconds();
    test_lib();
    return check_done();
}
