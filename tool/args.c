/*
 * tool/args.c — parsing `gorump run|build [OPTION]... PROGRAM [ARG]...`.
 * Options accept "--opt=value", "--opt value", and for one-letter options
 * "-m value" and "-mvalue".  The first argument that is not an option is
 * PROGRAM; the rest, dashes or not, belong to the program.  The guest
 * file options (--dir, --file, --cwd) are in args_files.c, the network
 * options (--net, -p, --ip, --gateway, --dns) in args_net.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "bootdisk.h"
#include "args_files.h"
#include "args_net.h"
#include "gdb.h"

#define KIB 1024ull
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define SECONDS_MAX 1000000000ull /* ~31 years: keeps ms arithmetic exact */

enum opt_id {
    OPT_MEM,
    OPT_ENV,
    OPT_TIMEOUT,
    OPT_MACHINE,
    OPT_KERNEL,
    OPT_HELP,
    OPT_DIR,
    OPT_FILE,
    OPT_CWD,
    OPT_OUTPUT,
    OPT_NET,
    OPT_PUBLISH,
    OPT_IP,
    OPT_GATEWAY,
    OPT_DNS,
    OPT_INTERACTIVE,
    OPT_ENV_CLEAR,
    OPT_LIB,
    OPT_LIST,
    OPT_GDB,
    OPT_VOLUME,
    OPT_VMM,
    OPT_DISK_BUS,
    OPT_FORMAT,
    OPT_CPUS
};

/* Which subcommands have an option. */
#define FOR_RUN 1
#define FOR_BUILD 2
#define FOR_BOTH (FOR_RUN | FOR_BUILD)

struct opt {
    char short_name; /* 0 if none */
    const char *long_name;
    int has_value;
    enum opt_id id;
    int cmds; /* FOR_* */
};

static const struct opt run_opts[] = {
    {'m', "memory", 1, OPT_MEM, FOR_RUN},
    {'e', "env", 1, OPT_ENV, FOR_BOTH},
    {0, "env-clear", 0, OPT_ENV_CLEAR, FOR_BOTH},
    {0, "timeout", 1, OPT_TIMEOUT, FOR_RUN},
    {0, "machine", 1, OPT_MACHINE, FOR_RUN},
    {0, "kernel", 1, OPT_KERNEL, FOR_BOTH},
    {'h', "help", 0, OPT_HELP, FOR_BOTH},
    {0, "dir", 1, OPT_DIR, FOR_BOTH},
    {0, "file", 1, OPT_FILE, FOR_BOTH},
    {0, "cwd", 1, OPT_CWD, FOR_BOTH},
    {'o', "output", 1, OPT_OUTPUT, FOR_BUILD},
    {0, "net", 1, OPT_NET, FOR_RUN},
    {'p', "publish", 1, OPT_PUBLISH, FOR_RUN},
    {0, "ip", 1, OPT_IP, FOR_RUN},
    {0, "gateway", 1, OPT_GATEWAY, FOR_RUN},
    {0, "dns", 1, OPT_DNS, FOR_RUN},
    {'i', "interactive", 0, OPT_INTERACTIVE, FOR_RUN},
    {0, "lib", 1, OPT_LIB, FOR_BOTH},
    {0, "list", 0, OPT_LIST, FOR_BUILD},
    {0, "gdb", 1, OPT_GDB, FOR_RUN},
    {'v', "volume", 1, OPT_VOLUME, FOR_BOTH},
    {0, "vmm", 1, OPT_VMM, FOR_RUN},
    {0, "disk-bus", 1, OPT_DISK_BUS, FOR_RUN},
    {0, "format", 1, OPT_FORMAT, FOR_BUILD},
    {0, "cpus", 1, OPT_CPUS, FOR_RUN},
};

#define NOPTS (sizeof(run_opts) / sizeof(run_opts[0]))

int args_fail(struct run_args *a, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(a->err, sizeof(a->err), "%s: ", a->cmd);

    va_start(ap, fmt);
    vsnprintf(a->err + n, sizeof(a->err) - (size_t)n, fmt, ap);
    va_end(ap);
    return RUN_ARGS_ERROR;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Leading decimal digits of *s into *n, advancing *s; -1 on overflow. */
static int parse_digits(const char **s, uint64_t *n, uint64_t max)
{
    *n = 0;
    for (; is_digit(**s); (*s)++) {
        uint64_t d = (uint64_t)(**s - '0');
        if (*n > (max - d) / 10)
            return -1;
        *n = *n * 10 + d;
    }
    return 0;
}

static uint64_t mem_unit(char c)
{
    switch (c) {
    case 'k':
    case 'K':
        return KIB;
    case 'm':
    case 'M':
    case '\0':
        return MIB;
    case 'g':
    case 'G':
        return GIB;
    }
    return 0;
}

int args_parse_mem(const char *s, uint64_t *mib)
{
    uint64_t n, unit, bytes;

    if (!is_digit(*s) || parse_digits(&s, &n, UINT64_MAX) != 0)
        return -1;
    unit = mem_unit(*s);
    if (unit == 0 || (*s != '\0' && s[1] != '\0'))
        return -1;
    if (n > RUN_MEM_MAX_MIB * MIB / unit)
        return -1;
    bytes = n * unit;
    if (bytes < RUN_MEM_MIN_MIB * MIB)
        return -1;
    *mib = (bytes + MIB - 1) / MIB;
    return 0;
}

int args_parse_seconds(const char *s, uint64_t *ms)
{
    uint64_t whole = 0, frac = 0, scale = 100;
    int ndigits = 0, more = 0;

    ndigits += is_digit(*s);
    if (parse_digits(&s, &whole, SECONDS_MAX) != 0)
        return -1;
    if (*s == '.') {
        for (s++; is_digit(*s); s++, ndigits++) {
            frac += (uint64_t)(*s - '0') * scale;
            more |= scale == 0 && *s != '0';
            scale /= 10;
        }
    }
    if (*s != '\0' || ndigits == 0)
        return -1;
    *ms = whole * 1000 + frac + (uint64_t)more; /* round up past 1 ms */
    return *ms == 0 ? -1 : 0;
}

int args_parse_cpus(const char *s, unsigned *cpus)
{
    uint64_t n;

    if (!is_digit(*s) || parse_digits(&s, &n, UINT64_MAX) != 0 || *s != '\0')
        return -1;
    if (n < 1 || n > RUN_CPUS_MAX)
        return -1;
    *cpus = (unsigned)n;
    return 0;
}

void args_format_seconds(uint64_t ms, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%llu.%03llu", (unsigned long long)(ms / 1000),
                     (unsigned long long)(ms % 1000));

    if (n <= 0 || (size_t)n >= size)
        return;
    while (buf[n - 1] == '0')
        buf[--n] = '\0';
    if (buf[n - 1] == '.')
        buf[n - 1] = '\0';
}

/* "KEY=VALUE" as given, or "KEY" whose value comes from our environment. */
static int args_add_env(struct run_args *a, const char *v)
{
    const char *eq = strchr(v, '=');
    const char *host;
    char *s;

    if (v[0] == '\0' || v[0] == '=')
        return args_fail(a, "-e: empty variable name in '%s'", v);
    if (eq != NULL) {
        s = strdup(v);
    } else {
        host = getenv(v);
        if (host == NULL)
            return args_fail(a,
                             "-e %s: %s is not set in this "
                             "environment (use -e %s=VALUE)",
                             v, v, v);
        s = malloc(strlen(v) + strlen(host) + 2);
        if (s != NULL)
            sprintf(s, "%s=%s", v, host);
    }
    if (s == NULL)
        return args_fail(a, "out of memory");
    a->env[a->nenv++] = s;
    return RUN_ARGS_OK;
}

/* The network options (args_net.c). */
static int args_apply_net(struct run_args *a, const struct opt *o,
                          const char *v)
{
    switch (o->id) {
    case OPT_NET:
        return args_set_net(a, v);
    case OPT_PUBLISH:
        return args_add_fwd(a, v);
    case OPT_IP:
        return args_set_ip(a, v);
    case OPT_GATEWAY:
        return args_set_gateway(a, v);
    case OPT_DNS:
        return args_set_dns(a, v);
    default:
        return RUN_ARGS_ERROR;
    }
}

static int args_apply(struct run_args *a, const struct opt *o, const char *v)
{
    switch (o->id) {
    case OPT_MEM:
        if (args_parse_mem(v, &a->mem_mib) != 0)
            return args_fail(a,
                             "-m: invalid memory size '%s' (want "
                             "4M to 64G, e.g. 512M or 2G)",
                             v);
        return RUN_ARGS_OK;
    case OPT_ENV:
        return args_add_env(a, v);
    case OPT_TIMEOUT:
        if (args_parse_seconds(v, &a->timeout_ms) != 0)
            return args_fail(a,
                             "--timeout: invalid number of seconds "
                             "'%s' (want a positive number, e.g. 30 or 2.5)",
                             v);
        return RUN_ARGS_OK;
    case OPT_CPUS:
        if (args_parse_cpus(v, &a->cpus) != 0)
            return args_fail(a,
                             "--cpus: invalid number of CPUs '%s' (want "
                             "1 to %d)",
                             v, RUN_CPUS_MAX);
        return RUN_ARGS_OK;
    case OPT_FORMAT:
        a->format = bootdisk_format_parse(v);
        if (a->format < 0)
            return args_fail(a,
                             "--format: unknown format '%s' "
                             "(want image, raw, qcow2, vmdk, gce or "
                             "containerdisk)",
                             v);
        return RUN_ARGS_OK;
    case OPT_VMM:
        if (strcmp(v, "qemu") == 0)
            a->vmm = RUN_VMM_QEMU;
        else if (strcmp(v, "firecracker") == 0)
            a->vmm = RUN_VMM_FIRECRACKER;
        else if (strcmp(v, "cloud-hypervisor") == 0)
            a->vmm = RUN_VMM_CLOUD_HYPERVISOR;
        else
            return args_fail(a,
                             "--vmm: unknown monitor '%s' "
                             "(want qemu, firecracker or cloud-hypervisor)",
                             v);
        return RUN_ARGS_OK;
    case OPT_DISK_BUS:
        if (strcmp(v, "virtio") == 0)
            a->disk_bus = RUN_DISK_VIRTIO;
        else if (strcmp(v, "nvme") == 0)
            a->disk_bus = RUN_DISK_NVME;
        else if (strcmp(v, "scsi") == 0)
            a->disk_bus = RUN_DISK_SCSI;
        else
            return args_fail(a,
                             "--disk-bus: unknown bus '%s' "
                             "(want virtio, scsi or nvme)",
                             v);
        return RUN_ARGS_OK;
    case OPT_MACHINE:
        a->machine_given = 1;
        if (strcmp(v, "microvm") == 0)
            a->machine = RUN_MACHINE_MICROVM;
        else if (strcmp(v, "q35") == 0)
            a->machine = RUN_MACHINE_Q35;
        else
            return args_fail(a,
                             "--machine: unknown machine '%s' "
                             "(want microvm or q35)",
                             v);
        return RUN_ARGS_OK;
    case OPT_KERNEL:
        a->kernel = v;
        return RUN_ARGS_OK;
    case OPT_HELP:
        return RUN_ARGS_HELP;
    case OPT_INTERACTIVE:
        a->interactive = 1;
        return RUN_ARGS_OK;
    case OPT_ENV_CLEAR:
        a->env_clear = 1;
        return RUN_ARGS_OK;
    case OPT_DIR:
        return args_add_dir(a, v);
    case OPT_FILE:
        return args_add_file(a, v);
    case OPT_CWD:
        return args_set_cwd(a, v);
    case OPT_VOLUME:
        return args_add_share(a, v);
    case OPT_LIB:
        a->lib[a->nlib++] = v;
        return RUN_ARGS_OK;
    case OPT_OUTPUT:
        a->output = v;
        return RUN_ARGS_OK;
    case OPT_LIST:
        a->list = 1;
        return RUN_ARGS_OK;
    case OPT_GDB:
        if (gdb_parse_addr(v, a->gdb_host, sizeof(a->gdb_host), &a->gdb_port) !=
            0)
            return args_fail(a,
                             "--gdb: invalid address '%s' (want [HOST:]PORT, "
                             "e.g. 1234 or 127.0.0.1:1234)",
                             v);
        return RUN_ARGS_OK;
    default:
        return args_apply_net(a, o, v);
    }
    return RUN_ARGS_ERROR;
}

/* The entry for "--NAME" (n bytes of name) or "-X" that CMDS has. */
static const struct opt *args_lookup(const char *name, size_t n, int is_long,
                                     int cmds)
{
    for (size_t k = 0; k < NOPTS; k++) {
        const struct opt *o = &run_opts[k];
        if (!(o->cmds & cmds))
            continue;
        if (is_long ? strlen(o->long_name) == n &&
                          strncmp(o->long_name, name, n) == 0
                    : o->short_name == name[0])
            return o;
    }
    return NULL;
}

/* The option argv[*i] names, with its value from "=value", the rest of a
 * short option, or the next argument (then *i moves past it). */
static int args_option(struct run_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *name = arg + 1, *v = NULL;
    const struct opt *o;
    size_t n = 1;
    int is_long = arg[1] == '-';

    if (is_long) {
        name = arg + 2;
        n = strcspn(name, "=");
        v = name[n] == '=' ? name + n + 1 : NULL;
    }
    o = args_lookup(name, n, is_long,
                    strcmp(a->cmd, "build") == 0 ? FOR_BUILD : FOR_RUN);
    if (o != NULL && !is_long && name[1] != '\0') {
        if (o->has_value)
            v = name + 1; /* "-m512" */
        else
            o = NULL; /* "-hx" is no option of ours */
    }
    if (o == NULL)
        return args_fail(a, "unknown option '%s'", arg);
    if (!o->has_value && v != NULL)
        return args_fail(a, "option '%s' takes no value", arg);
    if (o->has_value && v == NULL) {
        if (*i + 1 >= argc)
            return args_fail(a, "option '%s' needs a value", arg);
        v = argv[++*i];
    }
    if (o->has_value && v[0] == '\0')
        return args_fail(a, "option '%s' needs a non-empty value", arg);
    return args_apply(a, o, v);
}

static void args_init(struct run_args *a, const char *cmd)
{
    memset(a, 0, sizeof(*a));
    a->cmd = cmd != NULL && strcmp(cmd, "build") == 0 ? "build" : "run";
    a->mem_mib = RUN_MEM_DEFAULT_MIB;
    a->cpus = 1;
    a->machine = RUN_MACHINE_MICROVM;
    a->net.mode = RUN_NET_USER;
}

int run_args_parse(struct run_args *a, int argc, char **argv)
{
    int i, r;

    args_init(a, argc > 0 ? argv[0] : NULL);
    a->env = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*a->env));
    a->pack = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*a->pack));
    a->lib = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*a->lib));
    a->net.fwd = calloc(RUN_FWD_MAX, sizeof(*a->net.fwd));
    a->share = calloc(RUN_SHARE_MAX, sizeof(*a->share));
    if (a->env == NULL || a->pack == NULL || a->lib == NULL ||
        a->net.fwd == NULL || a->share == NULL)
        return args_fail(a, "out of memory");
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        r = args_option(a, argc, argv, &i);
        if (r != RUN_ARGS_OK)
            return r;
    }
    if (i >= argc)
        return args_fail(a, "missing PROGRAM (a Linux x86-64 program, a "
                            "Go main package directory or a gorump image)");
    a->program = argv[i];
    a->args = argv + i + 1;
    a->nargs = argc - i - 1;
    /* NVMe is a PCI device: q35 unless microvm was asked for. */
    if (a->disk_bus == RUN_DISK_NVME && a->machine == RUN_MACHINE_MICROVM) {
        if (a->machine_given)
            return args_fail(a, "--disk-bus nvme needs --machine q35 "
                                "(NVMe is a PCI device; microvm has no PCI)");
        a->machine = RUN_MACHINE_Q35;
    }
    return args_net_check(a);
}

void run_args_free(struct run_args *a)
{
    for (int i = 0; i < a->nenv; i++)
        free(a->env[i]);
    free(a->env);
    a->env = NULL;
    a->nenv = 0;
    for (int i = 0; i < a->npack; i++) {
        free(a->pack[i].host);
        free(a->pack[i].guest);
    }
    free(a->pack);
    a->pack = NULL;
    a->npack = 0;
    for (int i = 0; i < a->nshare; i++) {
        if (a->share[i].lock_fd >= 0)
            close(a->share[i].lock_fd);
        free(a->share[i].host);
        free(a->share[i].guest);
    }
    free(a->share);
    a->share = NULL;
    a->nshare = 0;
    free(a->cwd);
    a->cwd = NULL;
    free(a->lib);
    a->lib = NULL;
    a->nlib = 0;
    free(a->net.fwd);
    a->net.fwd = NULL;
    a->net.nfwd = 0;
}

int run_args_edit_image(const struct run_args *a)
{
    return a->nargs > 0 || a->nenv > 0 || a->env_clear || a->cwd != NULL ||
           a->npack > 0 || a->nlib > 0;
}
