/*
 * common/elf.c — checking that an ELF file is a program gorump can run
 * (include/gorump/elf.h) and describing its loadable segments.  Built into
 * the kernel, the tool and the fuzz target: stdint/stddef and gorump headers
 * only, every field read byte by byte and checked against len with
 * arithmetic that cannot wrap.  References: the System V gABI ("ELF
 * Header", "Program Header") and its x86-64 psABI supplement.
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
 * Dynamic linking is refused before anything else is judged, so that a
 * glibc program gets the one message that tells how to fix it.  A static
 * PIE (ET_DYN) keeps its PT_DYNAMIC for self-relocation; an ET_EXEC has
 * no use for one without an interpreter.
 */
static int elf_check_static(const uint8_t *p, int is_exec)
{
    unsigned phnum = le16(p + E_PHNUM);

    for (unsigned i = 0; i < phnum; i++) {
        uint32_t type = le32(elf_phdr(p, i) + P_TYPE);
        if (type == PT_INTERP || (type == PT_DYNAMIC && is_exec))
            return GORUMP_ELF_EDYNAMIC;
    }
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

/* Appends a PT_LOAD; loads must come in address order, a page apart. */
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
        if (page_down(l.vaddr) < page_up(prev->vaddr + prev->memsz))
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
    const uint8_t *p = buf;
    int err;

    elf_clear(info);
    err = elf_header(p, len);
    if (err == 0)
        err = elf_phdrs_in_file(p, len);
    if (err == 0)
        err = elf_check_static(p, le16(p + E_TYPE) == ET_EXEC);
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
        return "dynamically linked (has an interpreter); build with "
               "CGO_ENABLED=0";
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
