/*
 * tests/unit/kshim/uaccess.c — the kernel's checked user copies
 * (kernel/mm/uaccess.c, its range checks included) with the host's own
 * memory as user memory: the assembly routines that catch faults become
 * plain copies, so a test passes host pointers as user addresses, and 0
 * or an address at or above USER_TOP as bad ones.
 */
#include "mm/uaccess.c"

long uaccess_copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    return 0;
}

long uaccess_zero(void *udst, size_t n)
{
    memset(udst, 0, n);
    return 0;
}

long uaccess_strncpy(char *dst, const char *usrc, size_t max)
{
    size_t n = strnlen(usrc, max);
    if (n == max)
        return -ENAMETOOLONG;
    memcpy(dst, usrc, n + 1);
    return (long)n;
}

long uaccess_load32(const uint32_t *uaddr)
{
    return *uaddr;
}
