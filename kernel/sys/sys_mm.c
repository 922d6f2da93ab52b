/*
 * sys/sys_mm.c — memory system calls, thin wrappers over mm/vm.c.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

SYS(mmap)
{
    /* Linux checks the offset first, then the fd (arch/x86 sys_mmap). */
    if (a5 & (PAGE_SIZE - 1))
        return -EINVAL;
    struct file *f = NULL;
    if (!(a3 & MAP_ANONYMOUS)) {
        f = fd_get((int)a4);
        if (!f || (f->flags & O_PATH)) {
            if (f)
                file_put(f);
            return -EBADF;
        }
    }
    long r = vm_mmap(a0, a1, (int)a2, (int)a3, f, a5);
    if (f)
        file_put(f);
    return r;
}

SYS(mremap)
{
    (void)a5;
    return vm_mremap(a0, a1, a2, (int)a3, a4);
}

SYS(msync)
{
    (void)a3, (void)a4, (void)a5;
    return vm_msync(a0, a1, (int)a2);
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

SYS(mincore)
{
    (void)a3, (void)a4, (void)a5;
    return vm_mincore(a0, a1, a2);
}
