/*
 * tests/fuzz/fuzz_elf.c — libFuzzer target for gorump_elf_parse().  What
 * is accepted must keep the promises of include/gorump/elf.h: loads in
 * order, a page apart, within the file and below GORUMP_USER_TOP.
 */
#include <stdint.h>
#include <stdlib.h>

#include <gorump/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_loads(const struct gorump_elf_info *info, size_t size)
{
    uint64_t prev_end = 0;

    if (info->nload == 0 || info->nload > GORUMP_ELF_MAX_LOADS)
        abort();
    for (unsigned i = 0; i < info->nload; i++) {
        const struct gorump_elf_load *l = &info->load[i];
        if (l->filesz > l->memsz || l->offset > size ||
            l->filesz > size - l->offset)
            abort();
        if (l->vaddr > GORUMP_USER_TOP || l->memsz > GORUMP_USER_TOP - l->vaddr)
            abort();
        if ((l->vaddr & ~0xfffull) < prev_end)
            abort();
        if (!info->is_pie && l->vaddr < 0x1000)
            abort();
        prev_end = (l->vaddr + l->memsz + 0xfff) & ~0xfffull;
    }
    if (info->lo != (info->load[0].vaddr & ~0xfffull) || info->hi != prev_end)
        abort();
    if (info->entry < info->lo || info->entry >= info->hi)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gorump_elf_info info;

    if (gorump_elf_parse(data, size, &info) == 0)
        check_loads(&info, size);
    else if (info.nload != 0)
        abort();
    return 0;
}
