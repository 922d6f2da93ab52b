/*
 * tool/qemu_net.c — network options for QEMU and the kernel (see
 * qemu_net.h).  One interface, net0.  Its MAC is QEMU's default; on
 * microvm QEMU adds the virtio-mmio device to the kernel command line
 * itself (virtio_mmio.device=...), on q35 the kernel finds it on PCI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qemu_net.h"

/* Appends the formatted text at *len; once SIZE is reached *len stays
 * at or past it, which the callers treat as too long. */
__attribute__((format(printf, 4, 5))) static void
append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    *len += n > 0 ? (size_t)n : 0;
}

void qemu_net_rule(const struct run_fwd *f, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%s:%u-:%u", f->udp ? "udp" : "tcp", f->host_ip,
             f->host_port, f->guest_port);
}

void qemu_net_netdev(const struct run_net *n, char *buf, size_t size)
{
    char rule[64];
    size_t len = 0;

    if (n->mode == RUN_NET_TAP) {
        /* script=no: the user set the tap device up on the host. */
        snprintf(buf, size, "tap,id=net0,ifname=%s,script=no,downscript=no",
                 n->tap);
        return;
    }
    append(buf, size, &len, "user,id=net0");
    for (int i = 0; i < n->nfwd; i++) {
        qemu_net_rule(&n->fwd[i], rule, sizeof(rule));
        append(buf, size, &len, ",hostfwd=%s", rule);
    }
}

const char *qemu_net_device(enum run_machine m)
{
    /* romfile=: the PVH boot needs no PXE option ROM. */
    return m == RUN_MACHINE_Q35 ? "virtio-net-pci,netdev=net0,romfile="
                                : "virtio-net-device,netdev=net0";
}

int qemu_net_cmdline(const char *base, const struct run_net *n, char *buf,
                     size_t size)
{
    size_t len = 0;

    /* QEMU's user network has fixed addresses (its -netdev user defaults:
     * the guest 10.0.2.15/24, the host's side 10.0.2.2, its DNS 10.0.2.3),
     * so the guest is told them instead of waiting for its DHCP server. */
    int user = n->mode == RUN_NET_USER && n->ip[0] == '\0';
    const char *ip = user ? "10.0.2.15/24" : n->ip;
    const char *gw = n->gateway[0] == '\0' && user ? "10.0.2.2" : n->gateway;
    const char *dns = n->dns[0] == '\0' && user ? "10.0.2.3" : n->dns;

    append(buf, size, &len, "%s", base);
    if (ip[0] != '\0' && strcmp(ip, RUN_IP_DHCP) != 0)
        append(buf, size, &len, " gorump.ip=%s", ip);
    if (gw[0] != '\0')
        append(buf, size, &len, " gorump.gw=%s", gw);
    if (dns[0] != '\0')
        append(buf, size, &len, " gorump.dns=%s", dns);
    return len >= size || len > KERNEL_CMDLINE_MAX ? -1 : 0;
}
