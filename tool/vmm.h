/*
 * tool/vmm.h — `gorump run --vmm firecracker|cloud-hypervisor`: the same
 * kernel, image and command line handed to another monitor than QEMU
 * (docs/DEPLOY.md says what each one is given and why).  Both need KVM.
 * The guest's serial port is the monitor's stdio, as with QEMU, so the
 * tool decodes it the same way (supervise.h); neither monitor has QEMU's
 * isa-debug-exit device, so the tool stops the monitor once the guest's
 * exit record has come.
 */
#ifndef GORUMP_TOOL_VMM_H
#define GORUMP_TOOL_VMM_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"

#define VMM_ARGV_MAX 32

/* What a run hands the monitor; disk is the image's disk or NULL. */
struct vmm_config {
    enum run_vmm vmm;
    const char *kernel, *image, *disk, *cmdline;
    uint64_t mem_mib;
    unsigned cpus; /* vCPUs (--cpus) */
    const struct run_net *net;
};

struct vmm_argv {
    char *argv[VMM_ARGV_MAX]; /* NULL-terminated */
    char path[4096];          /* the monitor's binary */
    char config[4096];        /* Firecracker: its configuration file */
    char cmdline[4096 + 64];
    char mem[32];
    char cpus[16];
    char disk[4096 + 64];
    char net[64];
};

/* The monitor's command name ("firecracker"). */
const char *vmm_name(enum run_vmm vmm);

/* Options this monitor cannot honour (-v, --gdb, --machine, -p, a user
 * network asked for by -p); 0, or -1 (reported).  A user network that
 * is only the default becomes none. */
int vmm_check(struct run_args *a);

/* The monitor on $PATH (or $GORUMP_FIRECRACKER, $GORUMP_CLOUD_HYPERVISOR)
 * into v->path; 0, or -1 (reported, naming the package or release). */
int vmm_find(enum run_vmm vmm, struct vmm_argv *v);

/* The kernel command line a monitor is given: the run's, plus where the
 * image's disk is when the monitor cannot give it an id. */
int vmm_cmdline(const struct vmm_config *c, char *out, size_t size);

/* Firecracker's --config-file contents for c, into f; 0 or -1. */
int vmm_firecracker_json(const struct vmm_config *c, int fd);

/* The argv that starts the monitor; v->path is set, and for Firecracker
 * v->config names the file vmm_firecracker_json() wrote.  0, or -1
 * (reported). */
int vmm_build_argv(const struct vmm_config *c, struct vmm_argv *v);

#endif
