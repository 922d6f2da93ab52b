/*
 * proc/vdso.c — the vDSO in each address space: its data page, then its
 * image (arch/x86_64/vdso/, embedded by arch/x86_64/vdso_blob.S), copied
 * into a private mapping at exec and made read-only (the image also
 * executable).  The data never changes after boot (the wall clock is not
 * set), so a copy per address space is all the sharing needed: two pages
 * for each program.
 */
#include "proc/proc.h"
#include "arch/x86_64/vdso/vdso.h"
#include "mm/mm.h"

extern const uint8_t vdso_image_start[], vdso_image_end[];

uint64_t vdso_map(void)
{
    uint64_t len = (uint64_t)(vdso_image_end - vdso_image_start);
    uint64_t img = ALIGN_UP(len, (uint64_t)PAGE_SIZE);
    long a = vm_mmap(0, PAGE_SIZE + img, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
    if (a < 0)
        return 0;
    struct vdso_data d;
    clock_vdso_data(&d);
    uint64_t data = (uint64_t)a, code = data + PAGE_SIZE;
    if (copy_to_user(data, &d, sizeof(d)) ||
        copy_to_user(code, vdso_image_start, len) ||
        vm_mprotect(data, PAGE_SIZE, PROT_READ) ||
        vm_mprotect(code, img, PROT_READ | PROT_EXEC)) {
        vm_munmap(data, PAGE_SIZE + img);
        return 0;
    }
    return code;
}
