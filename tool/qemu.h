/*
 * tool/qemu.h — the QEMU command line for a gorump guest (pure, so it is
 * unit-tested) and starting QEMU with its console on a pipe.
 */
#ifndef GORUMP_TOOL_QEMU_H
#define GORUMP_TOOL_QEMU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "qemu_net.h"

#define QEMU_ARGV_MAX (56 + 4 * RUN_SHARE_MAX)

struct qemu_config {
    const char *qemu;    /* path of qemu-system-x86_64 */
    const char *kernel;  /* -kernel */
    const char *image;   /* -initrd: the gorump image */
    const char *cmdline; /* -append, never empty */
    uint64_t mem_mib;
    unsigned cpus; /* -smp; above 1 under TCG, one host thread each */
    enum run_machine machine;
    int kvm; /* 1: -accel kvm -cpu host; 0: -accel tcg -cpu max */
    const struct run_net *net; /* the network device, if any */
    /* A raw disk image attached as a virtio-blk device, or NULL; QEMU
     * takes it read-only when disk_readonly, and the guest sees
     * disk_serial as its id (VIRTIO_BLK_T_GET_ID; at most 20 bytes). */
    const char *disk;
    int disk_readonly;
    const char *disk_serial;
    /* Whether disk and volumes are virtio-blk, NVMe or SCSI disks. */
    enum run_disk_bus disk_bus;
    /* QEMU's gdb stub, "tcp:HOST:PORT" (gdb.h), or NULL; with it the
     * guest starts halted (-S) until gdb continues it. */
    const char *gdb;
    /* -v shares and volumes: a virtio-9p or virtio-blk device each
     * (tool/shares.h). */
    const struct run_share *shares;
    int nshare;
    /* A virtio-console device whose port 0 is QEMU's fd 3 (a socket):
     * the kernel moves the console's output stream there
     * (include/gorump/console.h). */
    int port;
};

/* A built command line; argv points into the struct and into the config's
 * strings, so neither may move or be freed while it is used. */
struct qemu_argv {
    int argc;
    char *argv[QEMU_ARGV_MAX]; /* NULL-terminated */
    char mem[32];
    char smp[16];
    char netdev[QEMU_NETDEV_MAX];
    char drive[2 * 4096 + 64];
    char blkdev[128];
    /* -v i: a share's -fsdev and -device, or a volume's -drive and
     * -device */
    char fsdev[RUN_SHARE_MAX][2 * 4096 + 96];
    char p9dev[RUN_SHARE_MAX][128];
};

void qemu_build_argv(const struct qemu_config *c, struct qemu_argv *q);

/* Whether to use KVM: $GORUMP_ACCEL if set (kvm or tcg), else whether
 * /dev/kvm can be opened for reading and writing and is not PVM's.  1, 0,
 * or -1 (reported) when $GORUMP_ACCEL is neither. */
int qemu_use_kvm(void);

/* The disk $GORUMP_TEST_DISK names (a raw image, or anything QEMU's
 * -drive file= takes, such as blkdebug:CONFIG:IMAGE), for the block driver's
 * tests; NULL when unset or empty.  `,ro` at its end attaches it
 * read-only. */
const char *qemu_test_disk(int *readonly);

/* Whether the guest gets a virtio-console port for its output: 1 unless
 * $GORUMP_CONSOLE is "serial" (everything on the serial port, one byte
 * at a time, as before); -1 (reported) when it is neither "serial" nor
 * "virtio". */
int qemu_console_port(void);

/* The kernel command line: $GORUMP_KERNEL_ARGS, or "gorump" when it is
 * unset or empty. */
const char *qemu_kernel_cmdline(void);

/* Finds QEMU ($GORUMP_QEMU, else qemu-system-x86_64 in $PATH) into
 * out[0..size); 0, or -1 after telling the user how to install it. */
int qemu_find(char *out, size_t size);

/* Starts QEMU with its stdin, stdout and stderr each on a new pipe;
 * returns the pid and sets *in_fd to the writing end of the first (the
 * guest's serial input; non-blocking) and *out_fd and *err_fd to the
 * reading ends of the others, or returns -1 (reported).  With port_fd,
 * QEMU's fd 3 is one end of a new socket pair (qemu_config.port) and
 * *port_fd the other; else *port_fd is -1. */
pid_t qemu_start(const struct qemu_argv *q, int port, int *in_fd, int *out_fd,
                 int *err_fd, int *port_fd);

/* The same for any monitor's argv (vmm.h): its stdio are our pipes, and
 * with port its fd 3 the socket of qemu_start's port_fd. */
pid_t monitor_start(char *const *argv, int port, int *in_fd, int *out_fd,
                    int *err_fd, int *port_fd);

#endif
