/*
 * tests/unit/kshim/uaccess.c — the kernel's checked user copies
 * (kernel/mm/uaccess.c, its range checks included) with the host's own
 * memory as user memory: the assembly routines that catch faults become
 * plain copies, so a test passes host pointers as user addresses.  What
 * is below 64 KiB (where nothing is ever mapped: vm.mmap_min_addr) faults,
 * as does anything at or above USER_TOP.
 */
#include "mm/uaccess.c"

#define KSHIM_UNMAPPED 0x10000UL

long uaccess_copy(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst < KSHIM_UNMAPPED || (uintptr_t)src < KSHIM_UNMAPPED)
        return -EFAULT;
    memcpy(dst, src, n);
    return 0;
}

long uaccess_zero(void *udst, size_t n)
{
    if ((uintptr_t)udst < KSHIM_UNMAPPED)
        return -EFAULT;
    memset(udst, 0, n);
    return 0;
}

/* The string's length, or max when no NUL came within max bytes. */
long uaccess_strncpy(char *dst, const char *usrc, size_t max)
{
    if ((uintptr_t)usrc < KSHIM_UNMAPPED)
        return -EFAULT;
    size_t n = strnlen(usrc, max);
    memcpy(dst, usrc, n < max ? n + 1 : max);
    return (long)n;
}

long uaccess_load32(const uint32_t *uaddr)
{
    if ((uintptr_t)uaddr < KSHIM_UNMAPPED)
        return -EFAULT;
    return *uaddr;
}

/* As arch/x86_64/uaccess.S's: the copy, and the bytes added to *sum as
 * little-endian 64-bit words with end-around carry, the tail zero-padded. */
long uaccess_copy_sum(void *dst, const void *src, size_t n, uint64_t *sum)
{
    if ((uintptr_t)dst < KSHIM_UNMAPPED || (uintptr_t)src < KSHIM_UNMAPPED)
        return -EFAULT;
    memcpy(dst, src, n);
    uint64_t s = *sum;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, (const char *)src + i, n - i < 8 ? n - i : 8);
        s += w;
        s += s < w;
    }
    *sum = s;
    return 0;
}
