/*
 * mm/uaccess.c — checked copies between kernel and user memory.  The range
 * check here keeps every access below USER_TOP; the assembly routines in
 * arch/x86_64/uaccess.S turn a fault on an unmapped or forbidden page into
 * -EFAULT.  Faults on lazily allocated pages are resolved on the way, as
 * they would be for the program itself.
 */
#include "mm/mm.h"

long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_zero(void *udst, size_t n);
long uaccess_strncpy(char *dst, const char *usrc, size_t max);
long uaccess_load32(const uint32_t *uaddr);
long uaccess_copy_sum(void *dst, const void *src, size_t n, uint64_t *sum);

bool user_range_ok(uint64_t p, uint64_t n)
{
    return p < USER_TOP && n <= USER_TOP - p;
}

long copy_from_user(void *dst, uint64_t usrc, size_t n)
{
    if (!user_range_ok(usrc, n))
        return -EFAULT;
    return n ? uaccess_copy(dst, (const void *)usrc, n) : 0;
}

long copy_to_user(uint64_t udst, const void *src, size_t n)
{
    if (!user_range_ok(udst, n))
        return -EFAULT;
    return n ? uaccess_copy((void *)udst, src, n) : 0;
}

long zero_user(uint64_t udst, size_t n)
{
    if (!user_range_ok(udst, n))
        return -EFAULT;
    return n ? uaccess_zero((void *)udst, n) : 0;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
    if (usrc >= USER_TOP)
        return -EFAULT;
    size_t lim = MIN(max, USER_TOP - usrc);
    long n = uaccess_strncpy(dst, (const char *)usrc, lim);
    if (n < 0)
        return n;
    if ((size_t)n == lim)
        return lim < max ? -EFAULT : -ENAMETOOLONG;
    return n;
}

long get_user_u32(uint32_t *v, uint64_t uaddr)
{
    if (!user_range_ok(uaddr, 4) || (uaddr & 3))
        return -EFAULT;
    long r = uaccess_load32((const uint32_t *)uaddr);
    if (r < 0)
        return r;
    *v = (uint32_t)r;
    return 0;
}

long user_readable(uint64_t p, size_t n)
{
    if (!user_range_ok(p, n))
        n = p < USER_TOP ? USER_TOP - p : 0;
    size_t ok = 0;
    while (ok < n) {
        /* The aligned word holding the byte is on the same page. */
        if (uaccess_load32((const uint32_t *)ALIGN_DOWN(p + ok, 4)) < 0)
            break;
        ok = MIN(n, (size_t)(ALIGN_DOWN(p + ok, PAGE_SIZE) + PAGE_SIZE - p));
    }
    return ok ? (long)ok : -EFAULT;
}

long copy_from_user_sum(void *dst, uint64_t usrc, size_t n, uint64_t *sum)
{
    if (!user_range_ok(usrc, n))
        return -EFAULT;
    return n ? uaccess_copy_sum(dst, (const void *)usrc, n, sum) : 0;
}
