/*
 * common/elf.c — checking that an ELF file is a program gorump can run
 * (include/gorump/elf.h) and describing its loadable segments.  Built into
 * the kernel, the tool and the fuzz target: stdint/stddef and gorump headers
 * only, every field read byte by byte and checked against len with
 * arithmetic that cannot wrap.  Also the dynamic section's strings the
 * tool needs to find a program's libraries (DT_NEEDED, DT_RUNPATH,
 * DT_RPATH).  References: the System V gABI ("ELF Header", "Program
 * Header", "Dynamic Section") and its x86-64 psABI supplement.
 */
#include <stddef.h>
#include <stdint.h>

#include <gorump/elf.h>

#include "le.h"

#define ELF_PAGE 4096ull
#define EHDR_SIZE 64u
#define PHDR_SIZE 56u

/* Elf64_Ehdr fields. */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_NIDENT 16
#define E_TYPE 16
#define E_MACHINE 18
#define E_VERSION 20
#define E_ENTRY 24
#define E_PHOFF 32
#define E_PHENTSIZE 54
#define E_PHNUM 56

/* Elf64_Phdr fields. */
#define P_TYPE 0
#define P_FLAGS 4
#define P_OFFSET 8
#define P_VADDR 16
#define P_FILESZ 32
#define P_MEMSZ 40
#define P_ALIGN 48

#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_PHDR 6

/* Elf64_Dyn: d_tag, d_val; the tags the tool reads. */
#define DYN_SIZE 16u
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_RPATH 15
#define DT_RUNPATH 29

/* Longest interpreter path accepted (Linux's PATH_MAX, with its NUL). */
#define INTERP_MAX 4096u

static uint64_t page_down(uint64_t a)
{
    return a & ~(ELF_PAGE - 1);
}

/* Only for a <= GORUMP_USER_TOP, which is page-aligned: cannot wrap. */
static uint64_t page_up(uint64_t a)
{
    return (a + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
}

/* e_ident and the fixed fields of the ELF header. */
static int elf_header(const uint8_t *p, uint64_t len)
{
    uint16_t type;

    if (len < 4 || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
        return GORUMP_ELF_ENOTELF;
    if (len < EI_NIDENT)
        return GORUMP_ELF_ETRUNC;
    if (p[EI_CLASS] != ELFCLASS64)
        return GORUMP_ELF_ECLASS;
    if (p[EI_DATA] != ELFDATA2LSB)
        return GORUMP_ELF_EENDIAN;
    if (p[EI_VERSION] != EV_CURRENT)
        return GORUMP_ELF_EPHDR;
    if (len < EHDR_SIZE)
        return GORUMP_ELF_ETRUNC;
    if (le16(p + E_MACHINE) != EM_X86_64)
        return GORUMP_ELF_EMACHINE;
    type = le16(p + E_TYPE);
    if (type != ET_EXEC && type != ET_DYN)
        return GORUMP_ELF_ETYPE;
    if (le32(p + E_VERSION) != EV_CURRENT || le16(p + E_PHENTSIZE) != PHDR_SIZE)
        return GORUMP_ELF_EPHDR;
    return 0;
}

/* The program header table lies inside the file. */
static int elf_phdrs_in_file(const uint8_t *p, uint64_t len)
{
    uint64_t phoff = le64(p + E_PHOFF);
    uint64_t phnum = le16(p + E_PHNUM);

    if (phnum == 0)
        return GORUMP_ELF_ENOLOAD;
    if (phoff > len || phnum * PHDR_SIZE > len - phoff)
        return GORUMP_ELF_ETRUNC;
    return 0;
}

static const uint8_t *elf_phdr(const uint8_t *p, unsigned i)
{
    return p + le64(p + E_PHOFF) + (uint64_t)i * PHDR_SIZE;
}

/*
 * PT_INTERP: at most one, its path inside the file, NUL-terminated within
 * p_filesz, not empty and shorter than PATH_MAX (binfmt_elf's checks).
 * An ET_EXEC with PT_DYNAMIC but no interpreter has nothing to relocate
 * it; a static PIE (ET_DYN) keeps its PT_DYNAMIC for self-relocation.
 */
static int elf_find_interp(const uint8_t *p, uint64_t len, int is_exec,
                           struct gorump_elf_info *info)
{
    unsigned phnum = le16(p + E_PHNUM);
    int dynamic = 0;

    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = elf_phdr(p, i);
        uint32_t type = le32(ph + P_TYPE);
        uint64_t off = le64(ph + P_OFFSET), size = le64(ph + P_FILESZ);
        dynamic |= type == PT_DYNAMIC;
        if (type != PT_INTERP)
            continue;
        if (info->interp_len != 0 || size < 2 || size > INTERP_MAX)
            return GORUMP_ELF_EINTERP;
        if (off > len || size > len - off)
            return GORUMP_ELF_ETRUNC;
        for (uint64_t k = 0; k < size && p[off + k] != '\0'; k++)
            info->interp_len = k + 1;
        if (info->interp_len == 0 || info->interp_len == size)
            return GORUMP_ELF_EINTERP; /* empty, or no NUL inside */
        info->interp_off = off;
    }
    if (dynamic && is_exec && info->interp_len == 0)
        return GORUMP_ELF_EDYNAMIC;
    return 0;
}

/* One PT_LOAD's fields, checked on their own. */
static int elf_load_fields(const uint8_t *ph, uint64_t len,
                           struct gorump_elf_load *l)
{
    uint64_t align = le64(ph + P_ALIGN);

    l->flags = le32(ph + P_FLAGS);
    l->offset = le64(ph + P_OFFSET);
    l->vaddr = le64(ph + P_VADDR);
    l->filesz = le64(ph + P_FILESZ);
    l->memsz = le64(ph + P_MEMSZ);
    if (l->filesz > l->memsz || (align & (align - 1)) != 0)
        return GORUMP_ELF_EPHDR;
    /* Pages are mapped from the file: both must sit at one page offset. */
    if (l->offset % ELF_PAGE != l->vaddr % ELF_PAGE)
        return GORUMP_ELF_EPHDR;
    if (l->offset > len || l->filesz > len - l->offset)
        return GORUMP_ELF_ETRUNC;
    if (l->vaddr > GORUMP_USER_TOP || l->memsz > GORUMP_USER_TOP - l->vaddr)
        return GORUMP_ELF_ESEGMENT;
    return 0;
}

/* Appends a PT_LOAD; loads must come in address order and not overlap,
 * but two may share a page, as a linker that does not separate them
 * lays them out (the later one's mapping covers that page, as on Linux). */
static int elf_add_load(struct gorump_elf_info *info, const uint8_t *ph,
                        uint64_t len, int is_exec)
{
    struct gorump_elf_load l;
    const struct gorump_elf_load *prev;
    int err = elf_load_fields(ph, len, &l);

    if (err != 0 || l.memsz == 0)
        return err;
    if (is_exec && l.vaddr < ELF_PAGE)
        return GORUMP_ELF_ESEGMENT; /* page 0 stays unmapped for nil */
    if (info->nload > 0) {
        prev = &info->load[info->nload - 1];
        if (l.vaddr < prev->vaddr + prev->memsz)
            return GORUMP_ELF_ESEGMENT;
    }
    if (info->nload == GORUMP_ELF_MAX_LOADS)
        return GORUMP_ELF_ENOLOAD;
    info->load[info->nload++] = l;
    return 0;
}

/* Where the program headers are once loaded: PT_PHDR says, or the load
 * that holds them in the file; 0 when no load does. */
static uint64_t elf_find_phdr(const uint8_t *p,
                              const struct gorump_elf_info *info)
{
    uint64_t phoff = le64(p + E_PHOFF);
    uint64_t size = (uint64_t)info->phnum * PHDR_SIZE;

    for (unsigned i = 0; i < info->phnum; i++) {
        const uint8_t *ph = elf_phdr(p, i);
        if (le32(ph + P_TYPE) == PT_PHDR)
            return le64(ph + P_VADDR);
    }
    for (unsigned i = 0; i < info->nload; i++) {
        const struct gorump_elf_load *l = &info->load[i];
        if (l->offset <= phoff && phoff - l->offset <= l->filesz &&
            size <= l->filesz - (phoff - l->offset))
            return l->vaddr + (phoff - l->offset);
    }
    return 0;
}

static void elf_clear(struct gorump_elf_info *info)
{
    info->is_pie = 0;
    info->entry = 0;
    info->phdr = 0;
    info->phnum = 0;
    info->phentsize = 0;
    info->lo = 0;
    info->hi = 0;
    info->nload = 0;
    info->interp_off = 0;
    info->interp_len = 0;
}

/* Every PT_LOAD, then the span they cover and where the entry lies. */
static int elf_loads(const uint8_t *p, uint64_t len,
                     struct gorump_elf_info *info)
{
    const struct gorump_elf_load *last;
    int err = 0;

    for (unsigned i = 0; err == 0 && i < info->phnum; i++) {
        const uint8_t *ph = elf_phdr(p, i);
        if (le32(ph + P_TYPE) == PT_LOAD)
            err = elf_add_load(info, ph, len, !info->is_pie);
    }
    if (err != 0)
        return err;
    if (info->nload == 0)
        return GORUMP_ELF_ENOLOAD;
    last = &info->load[info->nload - 1];
    info->lo = page_down(info->load[0].vaddr);
    info->hi = page_up(last->vaddr + last->memsz);
    if (info->entry < info->lo || info->entry >= info->hi)
        return GORUMP_ELF_EPHDR;
    return 0;
}

int gorump_elf_parse(const void *buf, uint64_t len,
                     struct gorump_elf_info *info)
{
    return gorump_elf_parse_head(buf, len, len, info);
}

int gorump_elf_parse_head(const void *buf, uint64_t head, uint64_t len,
                          struct gorump_elf_info *info)
{
    const uint8_t *p = buf;
    int err;

    elf_clear(info);
    if (head > len)
        head = len;
    err = elf_header(p, head);
    if (err == 0)
        err = elf_phdrs_in_file(p, head);
    if (err == 0)
        err = elf_find_interp(p, head, le16(p + E_TYPE) == ET_EXEC, info);
    if (err == 0) {
        info->is_pie = le16(p + E_TYPE) == ET_DYN;
        info->entry = le64(p + E_ENTRY);
        info->phnum = le16(p + E_PHNUM);
        info->phentsize = PHDR_SIZE;
        err = elf_loads(p, len, info);
    }
    if (err == 0)
        info->phdr = elf_find_phdr(p, info);
    if (err != 0)
        elf_clear(info);
    return err;
}

/* --- the dynamic section (for the tool's library search) */

/* The file offset of virtual address A: the PT_LOAD whose file bytes hold
 * it; -1 when none does. */
static int64_t elf_vaddr_offset(const uint8_t *p, uint64_t len, uint64_t a)
{
    unsigned phnum = le16(p + E_PHNUM);

    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = elf_phdr(p, i);
        uint64_t vaddr = le64(ph + P_VADDR), off = le64(ph + P_OFFSET);
        uint64_t size = le64(ph + P_FILESZ);
        if (le32(ph + P_TYPE) != PT_LOAD || a < vaddr || a - vaddr >= size)
            continue;
        if (off > len || size > len - off)
            return -1;
        return (int64_t)(off + (a - vaddr));
    }
    return -1;
}

/* The PT_DYNAMIC entries' file span, or 0 (none); -1 when malformed. */
static int elf_dyn_span(const uint8_t *p, uint64_t len, uint64_t *off,
                        uint64_t *n)
{
    unsigned phnum = le16(p + E_PHNUM);

    *n = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = elf_phdr(p, i);
        if (le32(ph + P_TYPE) != PT_DYNAMIC)
            continue;
        *off = le64(ph + P_OFFSET);
        *n = le64(ph + P_FILESZ) / DYN_SIZE;
        if (*off > len || *n > (len - *off) / DYN_SIZE)
            return -1;
        return 0;
    }
    return 0;
}

static void elf_dyn_entry(struct gorump_elf_dyn *d, uint64_t tag, uint64_t val,
                          uint64_t *strtab_va, int *err)
{
    switch (tag) {
    case DT_NEEDED:
        if (d->nneeded == GORUMP_ELF_MAX_NEEDED)
            *err = GORUMP_ELF_EDYNSEC;
        else
            d->needed[d->nneeded++] = val;
        break;
    case DT_STRTAB:
        *strtab_va = val;
        break;
    case DT_STRSZ:
        d->strsz = val;
        break;
    case DT_RPATH:
        d->rpath = (int64_t)(val & INT64_MAX);
        break;
    case DT_RUNPATH:
        d->runpath = (int64_t)(val & INT64_MAX);
        break;
    }
}

/* Every string the entries name must lie inside the table. */
static int elf_dyn_check(const uint8_t *p, const struct gorump_elf_dyn *d)
{
    for (unsigned i = 0; i < d->nneeded; i++)
        if (gorump_elf_dyn_string(p, d, (int64_t)d->needed[i]) == NULL)
            return GORUMP_ELF_EDYNSEC;
    if ((d->rpath >= 0 && gorump_elf_dyn_string(p, d, d->rpath) == NULL) ||
        (d->runpath >= 0 && gorump_elf_dyn_string(p, d, d->runpath) == NULL))
        return GORUMP_ELF_EDYNSEC;
    return 0;
}

int gorump_elf_dynamic(const void *buf, uint64_t len, struct gorump_elf_dyn *d)
{
    const uint8_t *p = buf;
    uint64_t off = 0, n, strtab_va = UINT64_MAX;
    int64_t strtab;
    int err = elf_header(p, len);

    *d = (struct gorump_elf_dyn){.rpath = -1, .runpath = -1};
    if (err == 0)
        err = elf_phdrs_in_file(p, len);
    if (err == 0 && elf_dyn_span(p, len, &off, &n) != 0)
        err = GORUMP_ELF_EDYNSEC;
    if (err != 0 || n == 0)
        return err;
    for (uint64_t i = 0; i < n && err == 0; i++) {
        const uint8_t *e = p + off + i * DYN_SIZE;
        if (le64(e) == DT_NULL)
            break;
        elf_dyn_entry(d, le64(e), le64(e + 8), &strtab_va, &err);
    }
    strtab = strtab_va == UINT64_MAX ? -1 : elf_vaddr_offset(p, len, strtab_va);
    if (err == 0 && (strtab < 0 || d->strsz > len - (uint64_t)strtab))
        err = GORUMP_ELF_EDYNSEC;
    if (err == 0) {
        d->strtab = (uint64_t)strtab;
        err = elf_dyn_check(p, d);
    }
    if (err != 0)
        *d = (struct gorump_elf_dyn){.rpath = -1, .runpath = -1};
    return err;
}

const char *gorump_elf_dyn_string(const void *buf,
                                  const struct gorump_elf_dyn *d, int64_t off)
{
    const char *s = (const char *)buf + d->strtab;

    if (off < 0 || (uint64_t)off >= d->strsz)
        return NULL;
    for (uint64_t i = (uint64_t)off; i < d->strsz; i++)
        if (s[i] == '\0')
            return s + off;
    return NULL;
}

const char *gorump_elf_strerror(int err)
{
    switch (err) {
    case 0:
        return "no error";
    case GORUMP_ELF_ENOTELF:
        return "not an ELF file";
    case GORUMP_ELF_ECLASS:
        return "32-bit ELF file; gorump runs 64-bit x86-64 programs";
    case GORUMP_ELF_EENDIAN:
        return "big-endian ELF file; gorump runs little-endian x86-64 "
               "programs";
    case GORUMP_ELF_EMACHINE:
        return "ELF file for another processor; gorump runs x86-64 programs "
               "(build with GOARCH=amd64)";
    case GORUMP_ELF_ETYPE:
        return "not an executable (an object file, core dump or other kind "
               "of ELF file)";
    case GORUMP_ELF_EDYNAMIC:
        return "an ET_EXEC with a dynamic section but no interpreter "
               "(PT_INTERP)";
    case GORUMP_ELF_EINTERP:
        return "malformed interpreter path (PT_INTERP)";
    case GORUMP_ELF_EDYNSEC:
        return "malformed dynamic section (PT_DYNAMIC or its string table)";
    case GORUMP_ELF_ETRUNC:
        return "truncated ELF file (its headers or segments go past its end)";
    case GORUMP_ELF_EPHDR:
        return "malformed ELF header or program headers";
    case GORUMP_ELF_ENOLOAD:
        return "ELF file with no loadable segment, or too many of them";
    case GORUMP_ELF_ESEGMENT:
        return "ELF segment overlaps another, wraps around, or lies outside "
               "user space";
    }
    return "unknown ELF error";
}
