/*
 * tool/vmm.c — Firecracker's configuration file and cloud-hypervisor's
 * command line for a gorump guest (see vmm.h; docs/DEPLOY.md shows both
 * as a user writes them by hand).
 *
 * Firecracker (docs/api_requests and its swagger file): `firecracker
 * --no-api --config-file FILE` with boot-source (kernel_image_path, the
 * ELF with its PVH note; initrd_path, which reaches the kernel as the PVH
 * module; boot_args), machine-config and drives; it appends a
 * virtio_mmio.device=4K@0xADDR:IRQ word per device to boot_args and puts
 * the 8250 UART on its stdio.  Its block devices have no serial, so the
 * image's disk is named to the kernel as gorump.filesdisk=vda instead.
 *
 * cloud-hypervisor (docs/quick_start.md, `cloud-hypervisor --help`):
 * --kernel takes the same PVH ELF, --initramfs the image, devices are
 * virtio-pci, and --serial tty --console off makes the UART the console.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"
#include "vmm.h"

const char *vmm_name(enum run_vmm vmm)
{
    return vmm == RUN_VMM_FIRECRACKER ? "firecracker" : "cloud-hypervisor";
}

int vmm_check(struct run_args *a)
{
    const char *name = vmm_name(a->vmm);
    const char *what = a->nshare > 0      ? "-v (virtio-9p shares)"
                       : a->gdb_port != 0 ? "--gdb (QEMU's gdb stub)"
                       : a->machine_given ? "--machine (QEMU's machines)"
                       : a->disk_bus == RUN_DISK_NVME
                           ? "--disk-bus nvme (QEMU's NVMe controller)"
                       : a->disk_bus == RUN_DISK_SCSI
                           ? "--disk-bus scsi (QEMU's virtio-scsi adapter)"
                       : a->net.nfwd > 0 ? "-p (QEMU's user network)"
                                         : NULL;

    if (what != NULL) {
        report("--vmm %s: %s is QEMU's only", name, what);
        return -1;
    }
    /* QEMU's user network is the default; the others have tap only. */
    if (a->net.mode == RUN_NET_USER)
        a->net.mode = RUN_NET_NONE;
    return 0;
}

int vmm_find(enum run_vmm vmm, struct vmm_argv *v)
{
    const char *name = vmm_name(vmm);
    const char *env =
        getenv(vmm == RUN_VMM_FIRECRACKER ? "GORUMP_FIRECRACKER"
                                          : "GORUMP_CLOUD_HYPERVISOR");

    if (env != NULL && env[0] != '\0')
        name = env;
    if (find_command(name, v->path, sizeof(v->path)) == 0)
        return 0;
    report("%s: not found on $PATH (install the %s release binary; "
           "docs/DEPLOY.md)",
           name, vmm_name(vmm));
    return -1;
}

int vmm_cmdline(const struct vmm_config *c, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s", c->cmdline,
                     c->disk != NULL ? " gorump.filesdisk=vda" : "");

    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* s as a JSON string (RFC 8259 §7): quotes, backslashes and control
 * characters escaped. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

int vmm_firecracker_json(const struct vmm_config *c, int fd)
{
    char cmdline[4096 + 64];
    FILE *f = fdopen(dup(fd), "w");

    if (f == NULL || vmm_cmdline(c, cmdline, sizeof(cmdline)) != 0) {
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fputs("{\n  \"boot-source\": {\n    \"kernel_image_path\": ", f);
    json_str(f, c->kernel);
    fputs(",\n    \"initrd_path\": ", f);
    json_str(f, c->image);
    fputs(",\n    \"boot_args\": ", f);
    json_str(f, cmdline);
    fprintf(f,
            "\n  },\n  \"machine-config\": {\n    \"vcpu_count\": %u,\n"
            "    \"mem_size_mib\": %llu\n  },\n  \"drives\": [",
            c->cpus ? c->cpus : 1, (unsigned long long)c->mem_mib);
    if (c->disk != NULL) {
        fputs("\n    {\n      \"drive_id\": \"files\",\n"
              "      \"path_on_host\": ",
              f);
        json_str(f, c->disk);
        fputs(",\n      \"is_root_device\": false,\n"
              "      \"is_read_only\": true\n    }\n  ",
              f);
    }
    fputs("],\n  \"network-interfaces\": [", f);
    if (c->net->mode == RUN_NET_TAP) {
        fputs("\n    {\n      \"iface_id\": \"eth0\",\n"
              "      \"host_dev_name\": ",
              f);
        json_str(f, c->net->tap);
        fputs("\n    }\n  ", f);
    }
    fputs("]\n}\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

static void ch_argv(const struct vmm_config *c, struct vmm_argv *v, int *n)
{
    char **a = v->argv;

    a[(*n)++] = "--kernel";
    a[(*n)++] = (char *)c->kernel;
    a[(*n)++] = "--initramfs";
    a[(*n)++] = (char *)c->image;
    a[(*n)++] = "--cmdline";
    a[(*n)++] = v->cmdline;
    snprintf(v->mem, sizeof(v->mem), "size=%lluM",
             (unsigned long long)c->mem_mib);
    a[(*n)++] = "--memory";
    a[(*n)++] = v->mem;
    a[(*n)++] = "--cpus";
    snprintf(v->cpus, sizeof(v->cpus), "boot=%u", c->cpus ? c->cpus : 1);
    a[(*n)++] = v->cpus;
    a[(*n)++] = "--serial";
    a[(*n)++] = "tty";
    a[(*n)++] = "--console";
    a[(*n)++] = "off";
    if (c->disk != NULL) {
        snprintf(v->disk, sizeof(v->disk), "path=%s,readonly=on", c->disk);
        a[(*n)++] = "--disk";
        a[(*n)++] = v->disk;
    }
    if (c->net->mode == RUN_NET_TAP) {
        snprintf(v->net, sizeof(v->net), "tap=%s", c->net->tap);
        a[(*n)++] = "--net";
        a[(*n)++] = v->net;
    }
}

int vmm_build_argv(const struct vmm_config *c, struct vmm_argv *v)
{
    int n = 0;

    if (vmm_cmdline(c, v->cmdline, sizeof(v->cmdline)) != 0) {
        report("the kernel command line is too long for %s", vmm_name(c->vmm));
        return -1;
    }
    /* cloud-hypervisor's option values end at a comma, with no escape. */
    if (c->vmm == RUN_VMM_CLOUD_HYPERVISOR && c->disk != NULL &&
        strchr(c->disk, ',') != NULL) {
        report("%s: cloud-hypervisor cannot take a disk path with a comma",
               c->disk);
        return -1;
    }
    v->argv[n++] = v->path;
    if (c->vmm == RUN_VMM_FIRECRACKER) {
        v->argv[n++] = "--no-api";
        v->argv[n++] = "--config-file";
        v->argv[n++] = v->config;
    } else {
        ch_argv(c, v, &n);
    }
    v->argv[n] = NULL;
    return 0;
}
