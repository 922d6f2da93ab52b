/*
 * tests/unit/elf_build.h — hand-built ELF files for the ELF parser's unit
 * test and the fuzz seed generator: an ELF header, its program headers
 * right after it, and zeros up to the file size asked for.
 */
#ifndef GORUMP_TESTS_ELF_BUILD_H
#define GORUMP_TESTS_ELF_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct elf_ph {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

struct elf_spec {
    uint16_t type; /* ET_EXEC 2, ET_DYN 3 */
    uint64_t entry;
    int nph;
    struct elf_ph ph[24];
    size_t file_size; /* at least 64 + nph * 56 */
};

static inline void elf_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A malloc'd file of exactly s->file_size bytes (so ASan sees any read
 * past its end); *len gets the size. */
static inline uint8_t *elf_build(const struct elf_spec *s, size_t *len)
{
    uint8_t *f = calloc(1, s->file_size);

    memcpy(f,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    elf_put(f + 16, s->type, 2);
    elf_put(f + 18, 62, 2); /* EM_X86_64 */
    elf_put(f + 20, 1, 4);
    elf_put(f + 24, s->entry, 8);
    elf_put(f + 32, 64, 8); /* e_phoff */
    elf_put(f + 52, 64, 2);
    elf_put(f + 54, 56, 2);
    elf_put(f + 56, (uint64_t)s->nph, 2);
    for (int i = 0; i < s->nph; i++) {
        uint8_t *p = f + 64 + 56 * i;
        const struct elf_ph *ph = &s->ph[i];
        elf_put(p, ph->type, 4);
        elf_put(p + 4, ph->flags, 4);
        elf_put(p + 8, ph->offset, 8);
        elf_put(p + 16, ph->vaddr, 8);
        elf_put(p + 24, ph->vaddr, 8);
        elf_put(p + 32, ph->filesz, 8);
        elf_put(p + 40, ph->memsz, 8);
        elf_put(p + 48, ph->align, 8);
    }
    *len = s->file_size;
    return f;
}

/* A static ET_EXEC like Go's: PHDR, text at 0x400000, data+bss after. */
static inline struct elf_spec elf_sample_exec(void)
{
    struct elf_spec s = {
        .type = 2,
        .entry = 0x400100,
        .nph = 3,
        .ph = {{6, 4, 64, 0x400040, 3 * 56, 3 * 56, 8},
               {1, 5, 0, 0x400000, 0x1000, 0x1000, 0x1000},
               {1, 6, 0x1000, 0x401000, 0x800, 0x3000, 0x1000}},
        .file_size = 0x1800,
    };
    return s;
}

/* A static PIE: loads from 0, PT_DYNAMIC for self-relocation. */
static inline struct elf_spec elf_sample_pie(void)
{
    struct elf_spec s = {
        .type = 3,
        .entry = 0x120,
        .nph = 3,
        .ph = {{1, 5, 0, 0, 0x1000, 0x1000, 0x1000},
               {1, 6, 0x1000, 0x2000, 0x200, 0x1000, 0x1000},
               {2, 6, 0x1100, 0x2100, 0x100, 0x100, 8}},
        .file_size = 0x1200,
    };
    return s;
}

/* A dynamically linked PIE: the static PIE plus PT_INTERP at 0x200 and a
 * dynamic section at 0x1100 naming two libraries and a DT_RUNPATH, its
 * string table at 0x300 (in the first load).  The offsets of the
 * entries' values are ELF_DYN_* below, for tests that break them. */
#define ELF_INTERP "/lib64/ld-linux-x86-64.so.2"
#define ELF_DYN_STRTAB 0x300
#define ELF_DYN_AT 0x1100
static inline uint8_t *elf_build_dynamic(size_t *len)
{
    static const char strtab[] = "\0libfoo.so.1\0libc.so.6\0$ORIGIN/../lib";
    static const uint64_t dyn[][2] = {
        {1, 1}, {1, 13}, {29, 23}, {5, ELF_DYN_STRTAB}, {10, sizeof(strtab)},
        {0, 0}};
    struct elf_spec s = elf_sample_pie();
    uint8_t *f;

    s.ph[3] = (struct elf_ph){
        3, 4, 0x200, 0x200, sizeof(ELF_INTERP), sizeof(ELF_INTERP), 1};
    s.nph = 4;
    f = elf_build(&s, len);
    memcpy(f + 0x200, ELF_INTERP, sizeof(ELF_INTERP));
    memcpy(f + ELF_DYN_STRTAB, strtab, sizeof(strtab));
    for (size_t i = 0; i < sizeof(dyn) / sizeof(dyn[0]); i++) {
        elf_put(f + ELF_DYN_AT + 16 * i, dyn[i][0], 8);
        elf_put(f + ELF_DYN_AT + 16 * i + 8, dyn[i][1], 8);
    }
    return f;
}

/* A shared object or program of the same shape: INTERP (NULL: none),
 * DT_NEEDED for each of NEEDED[0..n), DT_RUNPATH RUNPATH (NULL: none).
 * The string table must fit in 0x300..0x1000. */
static inline uint8_t *elf_build_object(const char *interp,
                                        const char *const *needed, int n,
                                        const char *runpath, size_t *len)
{
    struct elf_spec s = elf_sample_pie();
    size_t str = 1, at = ELF_DYN_AT;
    uint8_t *f;

    if (interp != NULL) {
        s.ph[3] = (struct elf_ph){
            3, 4, 0x200, 0x200, strlen(interp) + 1, strlen(interp) + 1, 1};
        s.nph = 4;
    }
    f = elf_build(&s, len);
    if (interp != NULL)
        memcpy(f + 0x200, interp, strlen(interp) + 1);
    for (int i = 0; i <= n; i++) {
        const char *v = i < n ? needed[i] : runpath;
        if (v == NULL)
            continue;
        memcpy(f + ELF_DYN_STRTAB + str, v, strlen(v) + 1);
        elf_put(f + at, i < n ? 1 : 29, 8);
        elf_put(f + at + 8, str, 8);
        at += 16;
        str += strlen(v) + 1;
    }
    elf_put(f + at, 5, 8);
    elf_put(f + at + 8, ELF_DYN_STRTAB, 8);
    elf_put(f + at + 16, 10, 8);
    elf_put(f + at + 24, str, 8);
    return f;
}

#endif
