/*
 * tool/qemu_net.h — the guest's network, as QEMU options (-netdev, the
 * virtio-net -device) and kernel command-line words (gorump.ip=,
 * gorump.gw=, gorump.dns=; kernel/net/net.c reads them).  Pure, so it is
 * unit-tested; qemu.c puts the pieces into QEMU's command line.
 */
#ifndef GORUMP_TOOL_QEMU_NET_H
#define GORUMP_TOOL_QEMU_NET_H

#include <stddef.h>

#include "args.h"

/* Room for "user,id=net0" and RUN_FWD_MAX ",hostfwd=udp:A.B.C.D:P-:P". */
#define QEMU_NETDEV_MAX 4096

/* The kernel keeps 1024 bytes of command line, NUL included
 * (kernel/main.c); a longer one would be cut silently. */
#define KERNEL_CMDLINE_MAX 1023

/* QEMU's -netdev value for N, whose mode is user or tap, into buf:
 * "user,id=net0,hostfwd=tcp:127.0.0.1:3000-:3000" or
 * "tap,id=net0,ifname=tap0,script=no,downscript=no". */
void qemu_net_netdev(const struct run_net *n, char *buf, size_t size);

/* One -p rule as QEMU spells it in hostfwd= and in its error messages:
 * "tcp:127.0.0.1:3000-:3000". */
void qemu_net_rule(const struct run_fwd *f, char *buf, size_t size);

/* The -device value: virtio-net on the machine's transport (virtio-mmio
 * on microvm, PCI on q35). */
const char *qemu_net_device(enum run_machine m);

/* BASE (the user's kernel arguments) then N's words, space-separated,
 * into buf.  0, or -1 if the result is longer than KERNEL_CMDLINE_MAX or
 * SIZE. */
int qemu_net_cmdline(const char *base, const struct run_net *n, char *buf,
                     size_t size);

#endif
