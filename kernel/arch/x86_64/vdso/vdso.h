/*
 * arch/x86_64/vdso/vdso.h — what the kernel and its vDSO share: the data
 * page mapped read-only one page below the vDSO's image in every address
 * space (vdso.c maps both), from which the vDSO's clock functions compute
 * the time in user mode exactly as the kernel's clock does
 * (arch/x86_64/clock.c): ns = ((tsc - tsc0) * mult) >> 32.
 */
#ifndef ARCH_X86_64_VDSO_VDSO_H
#define ARCH_X86_64_VDSO_VDSO_H

#include <stdint.h>

#define VDSO_DATA_VERSION 1

struct vdso_data {
    uint32_t version; /* VDSO_DATA_VERSION: 0 means unset, use syscalls */
    uint32_t pad;
    uint64_t tsc0;      /* the TSC at CLOCK_MONOTONIC's zero */
    uint64_t mult;      /* ns per TSC tick, 32.32 fixed point */
    uint64_t real_base; /* CLOCK_REALTIME minus CLOCK_MONOTONIC, ns */
};

#endif
