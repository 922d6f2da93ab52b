/*
 * sys/sys_mm.c — memory system calls, thin wrappers over mm/vm.c.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

#define MAP_ANONYMOUS 0x20

SYS(mmap)
{
    if (!(a3 & MAP_ANONYMOUS)) {
        /* No file can be mapped yet: say which problem comes first. */
        struct file *f = fd_get((int)a4);
        if (!f)
            return -EBADF;
        file_put(f);
    }
    return vm_mmap(a0, a1, (int)a2, (int)a3, (int)a4, a5);
}

SYS(munmap)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return vm_munmap(a0, a1);
}

SYS(mprotect)
{
    (void)a3, (void)a4, (void)a5;
    return vm_mprotect(a0, a1, (int)a2);
}

SYS(madvise)
{
    (void)a3, (void)a4, (void)a5;
    return vm_madvise(a0, a1, (int)a2);
}

SYS(brk)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return vm_brk(a0);
}

/* Nothing is ever swapped out: locking memory is a no-op. */
SYS(mlock)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return user_range_ok(a0, a1) ? 0 : -ENOMEM;
}

/* Reports every page of the range as resident. */
SYS(mincore)
{
    (void)a3, (void)a4, (void)a5;
    if (a0 & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t pages = ALIGN_UP((uint64_t)a1, PAGE_SIZE) / PAGE_SIZE;
    if (!user_range_ok(a0, a1))
        return -ENOMEM;
    uint8_t one[64];
    memset(one, 1, sizeof(one));
    for (uint64_t i = 0; i < pages; i += sizeof(one))
        if (copy_to_user(a2 + i, one, MIN(sizeof(one), pages - i)))
            return -EFAULT;
    return 0;
}
