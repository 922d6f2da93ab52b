/*
 * mm/vmview.c — what /proc/PID shows of an address space that need not
 * be the one loaded: its mappings, its sizes, and the argument strings
 * exec left on its stack, read through its own page tables (a page not
 * present is not faulted in: the reader stops there).
 */
#include "mm/vma.h"

void vm_set_exec(const char *exe, uint64_t arg_start, uint64_t arg_end,
                 uint64_t env_start, uint64_t env_end)
{
    struct vm_space *s = vm_cur();
    kfree(s->exe);
    s->exe = exe ? kstrdup(exe) : NULL;
    s->arg_start = arg_start;
    s->arg_end = arg_end;
    s->env_start = env_start;
    s->env_end = env_end;
}

void vm_space_info(struct vm_space *s, struct vm_info *i)
{
    uint64_t total = 0;
    list_for_each(l, &s->vmas) total += VMA(l)->end - VMA(l)->start;
    *i = (struct vm_info){
        .mapped = total,
        .resident = s->resident,
        .resident_file = s->resident_file,
        .brk_start = s->brk_start,
        .arg_start = s->arg_start,
        .arg_end = s->arg_end,
        .env_start = s->env_start,
        .env_end = s->env_end,
        .exe = s->exe,
    };
}

void vm_space_each(struct vm_space *s,
                   void (*fn)(const struct vm_area *a, void *arg), void *arg)
{
    list_for_each(l, &s->vmas)
    {
        struct vma *v = VMA(l);
        struct vm_area a = {.start = v->start,
                            .end = v->end,
                            .prot = v->prot,
                            .shared = (v->flags & VMA_SHARED) != 0};
        if (v->file) {
            a.off = v->off;
            a.ino = v->file->node->ino;
            a.path = v->file->path;
            a.deleted = !v->file->node->nlink;
        }
        fn(&a, arg);
    }
}

size_t vm_space_read(struct vm_space *s, uint64_t addr, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n && addr < USER_TOP) {
        uint64_t *pte = pt_lookup(s->pml4, ALIGN_DOWN(addr, PAGE_SIZE));
        if (!pte || (*pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
            break;
        uint64_t pa = *pte & PTE_ADDR;
        if (pa + PAGE_SIZE > pmem_max_phys())
            break;
        size_t off = addr & (PAGE_SIZE - 1);
        size_t c = MIN(n - done, (size_t)PAGE_SIZE - off);
        memcpy((uint8_t *)buf + done, (uint8_t *)phys_to_virt(pa) + off, c);
        done += c;
        addr += c;
    }
    return done;
}
