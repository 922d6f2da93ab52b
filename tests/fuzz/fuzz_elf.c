/*
 * tests/fuzz/fuzz_elf.c — libFuzzer target for gorump_elf_parse() and
 * gorump_elf_dynamic().  What is accepted must keep the promises of
 * include/gorump/elf.h: loads in order, never overlapping (two may share a
 * page), within the file and below GORUMP_USER_TOP; an interpreter path
 * NUL-terminated inside the file; a string table inside the file whose named
 * strings end in it.
 */
#include <stdint.h>
#include <stdlib.h>

#include <gorump/elf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_loads(const struct gorump_elf_info *info, size_t size)
{
    uint64_t prev_end = 0; /* the previous load's last byte + 1 */

    if (info->nload == 0 || info->nload > GORUMP_ELF_MAX_LOADS)
        abort();
    for (unsigned i = 0; i < info->nload; i++) {
        const struct gorump_elf_load *l = &info->load[i];
        if (l->filesz > l->memsz || l->offset > size ||
            l->filesz > size - l->offset)
            abort();
        if (l->vaddr > GORUMP_USER_TOP || l->memsz > GORUMP_USER_TOP - l->vaddr)
            abort();
        if (l->vaddr < prev_end)
            abort();
        if (!info->is_pie && l->vaddr < 0x1000)
            abort();
        prev_end = l->vaddr + l->memsz;
    }
    if (info->lo != (info->load[0].vaddr & ~0xfffull) ||
        info->hi != ((prev_end + 0xfff) & ~0xfffull))
        abort();
    if (info->entry < info->lo || info->entry >= info->hi)
        abort();
}

static void check_interp(const uint8_t *data, size_t size,
                         const struct gorump_elf_info *info)
{
    if (info->interp_len == 0)
        return;
    if (info->interp_off > size || info->interp_len >= size - info->interp_off)
        abort();
    if (data[info->interp_off + info->interp_len] != 0)
        abort();
}

/* Every string the section names can be read to its NUL inside it. */
static void check_dynamic(const uint8_t *data, size_t size)
{
    static struct gorump_elf_dyn d;
    int64_t offs[2];

    if (gorump_elf_dynamic(data, size, &d) != 0) {
        if (d.nneeded != 0)
            abort();
        return;
    }
    if (d.nneeded == 0 && d.strsz == 0)
        return;
    if (d.strtab > size || d.strsz > size - d.strtab)
        abort();
    for (unsigned i = 0; i < d.nneeded; i++)
        if (gorump_elf_dyn_string(data, &d, (int64_t)d.needed[i]) == NULL)
            abort();
    offs[0] = d.rpath;
    offs[1] = d.runpath;
    for (int i = 0; i < 2; i++)
        if (offs[i] >= 0 && gorump_elf_dyn_string(data, &d, offs[i]) == NULL)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gorump_elf_info info;

    if (gorump_elf_parse(data, size, &info) == 0) {
        check_loads(&info, size);
        check_interp(data, size, &info);
    } else if (info.nload != 0 || info.interp_len != 0) {
        abort();
    }
    check_dynamic(data, size);
    return 0;
}
