/*
 * tool/args.h — the command lines of `gorump run` and `gorump build`,
 * parsed into one struct (build accepts a subset of run's options, plus
 * -o; the network options are run's only, see args_net.c).  Pure apart from
 * reading the host environment for `-e KEY`: nothing is printed and no file is
 * looked at, errors come back as a sentence in args->err.
 */
#ifndef GORUMP_TOOL_ARGS_H
#define GORUMP_TOOL_ARGS_H

#include <stddef.h>
#include <stdint.h>

enum run_machine {
    RUN_MACHINE_MICROVM,
    RUN_MACHINE_Q35,
};

/* --disk-bus: the device every disk is (the program's, volumes). */
enum run_disk_bus {
    RUN_DISK_VIRTIO, /* virtio-blk, on the machine's transport */
    RUN_DISK_NVME,   /* an NVMe controller each, on PCI (q35) */
    RUN_DISK_SCSI,   /* one virtio-scsi adapter, a disk on each target */
};

/* --vmm: which monitor runs the guest (tool/vmm.h). */
enum run_vmm {
    RUN_VMM_QEMU,
    RUN_VMM_FIRECRACKER,
    RUN_VMM_CLOUD_HYPERVISOR,
};

#define RUN_MEM_DEFAULT_MIB 256
#define RUN_MEM_MIN_MIB 4
#define RUN_MEM_MAX_MIB (64 * 1024)
/* --cpus: the kernel starts up to 64 CPUs (kernel/arch/x86_64/smp.c). */
#define RUN_CPUS_MAX 64

/* One --dir or --file, in command-line order (later records win). */
struct run_pack {
    char *host;  /* HOSTDIR or HOSTFILE, allocated */
    char *guest; /* normalised absolute guest path, or NULL for a
                    --dir without :GUESTDIR (HOSTDIR made absolute) */
    int is_dir;  /* 1: --dir, 0: --file */
};

/* -v shares and volumes at most (one virtio-9p or virtio-blk device
 * each) */
#define RUN_SHARE_MAX 8

/* One -v HOSTDIR:GUESTPATH[:ro] or -v FILE:GUESTPATH[:ro], in
 * command-line order. */
struct run_share {
    char *host;   /* as given, allocated (made absolute by shares_check) */
    char *guest;  /* normalised absolute guest path, allocated */
    int ro;       /* :ro: the guest may not change it */
    int recorded; /* from the image's VOLUMES (gorump build -v), not typed */
    /* Set by shares_check: a volume (an ext2 image file), the how-many-th
     * (its disk's id is gorump-vol<slot>), and its locked fd. */
    int volume;
    int slot;
    int lock_fd; /* -1: none */
};

enum run_net_mode {
    RUN_NET_USER, /* QEMU user networking (slirp), the default */
    RUN_NET_TAP,  /* an existing host tap device */
    RUN_NET_NONE, /* no network device at all */
};

#define RUN_FWD_MAX 64 /* -p rules; keeps QEMU's -netdev value bounded */

/* One -p [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]. */
struct run_fwd {
    const char *spec;    /* as typed, for messages; points into argv */
    int udp;             /* 0: tcp */
    char host_ip[16];    /* dotted quad, 127.0.0.1 unless given */
    unsigned host_port;  /* 1..65535 */
    unsigned guest_port; /* 1..65535 */
};

/* --net, -p, --ip, --gateway, --dns; the strings are normalised and empty
 * when not given. */
/* --ip dhcp: ask a DHCP server even where the address is known. */
#define RUN_IP_DHCP "dhcp"

struct run_net {
    enum run_net_mode mode;
    char tap[16]; /* RUN_NET_TAP: the host interface's name */
    int nfwd;
    struct run_fwd *fwd; /* allocated, RUN_FWD_MAX entries */
    char ip[19];         /* "ADDR/PREFIX", RUN_IP_DHCP, or "" */
    char gateway[16];
    char dns[16];
};

struct run_args {
    const char *cmd;     /* "run" or "build": argv[0], for messages */
    uint64_t mem_mib;    /* guest memory, whole MiB */
    uint64_t timeout_ms; /* 0: no timeout */
    unsigned cpus;       /* --cpus: virtual CPUs, 1 (default) to RUN_CPUS_MAX */
    int interactive;     /* -i: pass our stdin to the program */
    enum run_machine machine;
    int machine_given;          /* --machine was given (QEMU's only) */
    enum run_vmm vmm;           /* --vmm, QEMU by default */
    enum run_disk_bus disk_bus; /* --disk-bus, virtio by default */
    const char *kernel;         /* --kernel PATH, or NULL */
    const char *program;        /* PROGRAM as typed */
    int nargs;                  /* the program's arguments after PROGRAM */
    char **args;                /* points into argv */
    int env_clear;           /* --env-clear: no default or stored variables */
    int nenv;                /* -e values in order, each "KEY=VALUE" */
    char **env;              /* allocated, freed by run_args_free() */
    int npack;               /* --dir and --file options */
    struct run_pack *pack;   /* allocated */
    char *cwd;               /* --cwd, normalised, or NULL */
    int nshare;              /* -v options (with an image's, shares_merge) */
    struct run_share *share; /* allocated, RUN_SHARE_MAX entries */
    int nlib;                /* --lib PATHs, in order */
    const char **lib;        /* allocated; the strings point into argv */
    const char *output;      /* build -o IMAGE, or NULL */
    int format;              /* build --format: enum bootdisk_format */
    int list;                /* build --list: print the files, write none */
    struct run_net net;      /* run only */
    char gdb_host[256];      /* run --gdb [HOST:]PORT (see gdb.h) */
    unsigned gdb_port;       /* 0: no --gdb */
    char err[4096 + 256];    /* why parsing failed (paths can be long) */
};

enum {
    RUN_ARGS_OK = 0,
    RUN_ARGS_HELP = 1,  /* -h or --help: print the run usage */
    RUN_ARGS_ERROR = -1 /* see args->err */
};

/*
 * Parses argv[1..argc); argv[0] is the subcommand, "run" or "build", and
 * decides which options exist.  Options come first and stop at PROGRAM or
 * "--"; everything after PROGRAM belongs to the program.  Guest paths
 * (--dir's GUESTDIR, --file's GUESTPATH, --cwd) must be absolute and are
 * normalised here, network options checked against each other once all
 * are read.  Returns RUN_ARGS_*; call run_args_free() after any
 * result.
 */
int run_args_parse(struct run_args *args, int argc, char **argv);
void run_args_free(struct run_args *args);

/* Whether the options change what goes into an image: program arguments,
 * -e, --cwd, --dir, --file or --lib.  (-m, --timeout... do not.) */
int run_args_edit_image(const struct run_args *args);

/* "512", "512M", "2G", "65536K": sizes for -m, no suffix meaning MiB.
 * Stores whole MiB (rounded up) in *mib; 0, or -1 if malformed or outside
 * RUN_MEM_MIN_MIB..RUN_MEM_MAX_MIB. */
int args_parse_mem(const char *s, uint64_t *mib);

/* "4": a whole number of CPUs, 1..RUN_CPUS_MAX, into *cpus; 0, or -1 if
 * malformed or out of range. */
int args_parse_cpus(const char *s, unsigned *cpus);

/* "10", "0.5": a positive number of seconds, stored in whole milliseconds
 * rounded up; 0, or -1 if malformed, zero or absurdly large. */
int args_parse_seconds(const char *s, uint64_t *ms);

/* MS as seconds for a message: "30", "2.5", "0.001". */
void args_format_seconds(uint64_t ms, char *buf, size_t size);

#endif
