/*
 * include/gorump/elf.h — checking a program's ELF file, shared by the host
 * tool (to refuse what cannot run before starting a guest) and the kernel
 * (to load it).  Only what gorump runs is accepted: 64-bit little-endian
 * x86-64 executables, ET_EXEC or ET_DYN (PIE), static or with an
 * interpreter (PT_INTERP).  The tool also reads the dynamic section of a
 * program and its libraries to pack them.  C11 and stdint only.
 */
#ifndef GORUMP_ELF_H
#define GORUMP_ELF_H

#include <stdint.h>

#define GORUMP_ELF_MAX_LOADS 16

/* Highest user address a segment may reach (Linux's TASK_SIZE on 4-level
 * paging): anything above belongs to the kernel. */
#define GORUMP_USER_TOP 0x00007ffffffff000ULL

/* Where the kernel loads an ET_DYN program: Linux's ELF_ET_DYN_BASE on
 * x86-64 (2/3 of TASK_SIZE, page-aligned).  The tool's --gdb needs it to
 * place the program's symbols. */
#define GORUMP_PIE_BASE 0x555555554000ULL

struct gorump_elf_load {
    uint64_t vaddr;  /* p_vaddr (for ET_DYN, relative to the load base) */
    uint64_t memsz;  /* p_memsz, >= filesz */
    uint64_t offset; /* p_offset: file bytes start here */
    uint64_t filesz; /* p_filesz */
    uint32_t flags;  /* p_flags: PF_X 1, PF_W 2, PF_R 4 */
};

struct gorump_elf_info {
    int is_pie;         /* ET_DYN: loaded at a base the kernel chooses */
    uint64_t entry;     /* e_entry (relative to the base for ET_DYN) */
    uint64_t phdr;      /* vaddr of the program headers once loaded, or 0 */
    uint16_t phnum;     /* e_phnum */
    uint16_t phentsize; /* e_phentsize */
    uint64_t lo, hi;    /* page-aligned span of all loads [lo, hi) */
    unsigned nload;
    struct gorump_elf_load load[GORUMP_ELF_MAX_LOADS];
    uint64_t interp_off; /* PT_INTERP: the path's offset in the file */
    uint64_t interp_len; /* its length without the NUL; 0: static */
};

/*
 * Checks buf[0..len) as an ELF file gorump can run and fills *info.
 * Returns 0 or a negative GORUMP_ELF_E* code; every field is bounds-checked,
 * so hostile bytes only produce an error.
 *
 * Beyond the obvious (common/elf.c): a PT_INTERP (at most one) must hold
 * a NUL-terminated, non-empty path shorter than 4096 bytes (EINTERP), and
 * PT_DYNAMIC in an ET_EXEC without one is EDYNAMIC, both judged before
 * the loads; PT_LOADs with
 * p_memsz 0 are skipped; the others must have p_filesz <= p_memsz, p_align
 * 0 or a power of two, p_offset and p_vaddr equal modulo 4096, their file
 * bytes inside the file, and must be sorted by p_vaddr without overlapping
 * (two may share a page);
 * an ET_EXEC maps nothing in page 0; e_entry must lie in [lo, hi).  load[]
 * lists the PT_LOADs in file order.  On error *info is zeroed (nload 0).
 */
int gorump_elf_parse(const void *buf, uint64_t len,
                     struct gorump_elf_info *info);
/*
 * The same for a file of LEN bytes of which only the first HEAD are in
 * buf (a program read from a disk): the header, the program headers and
 * the interpreter's path must lie in those (else ETRUNC, as if the file
 * ended there); the segments are checked against LEN.
 */
int gorump_elf_parse_head(const void *buf, uint64_t head, uint64_t len,
                          struct gorump_elf_info *info);
/* What the tool reads from PT_DYNAMIC: offsets into the string table. */
#define GORUMP_ELF_MAX_NEEDED 256

struct gorump_elf_dyn {
    uint64_t strtab; /* file offset of DT_STRTAB's table */
    uint64_t strsz;  /* DT_STRSZ */
    unsigned nneeded;
    uint64_t needed[GORUMP_ELF_MAX_NEEDED]; /* DT_NEEDED, in order */
    int64_t rpath, runpath;                 /* DT_RPATH, DT_RUNPATH; -1 */
};

/*
 * The dynamic section of the ELF file buf[0..len) (a program or a shared
 * library; its header must be one gorump_elf_parse would accept up to the
 * type, which may be anything).  No PT_DYNAMIC: 0 and nneeded 0.  DT_STRTAB
 * is translated through the PT_LOAD holding it, the table must lie inside
 * the file, and every string named must end inside the table; otherwise
 * EDYNSEC (also for more than GORUMP_ELF_MAX_NEEDED DT_NEEDED).
 */
int gorump_elf_dynamic(const void *buf, uint64_t len, struct gorump_elf_dyn *d);
/* The NUL-terminated string at OFF in d's table, or NULL if OFF is
 * outside it (or the string does not end inside it). */
const char *gorump_elf_dyn_string(const void *buf,
                                  const struct gorump_elf_dyn *d, int64_t off);

/* A sentence naming what is wrong, for "gorump: PATH: <that>". */
const char *gorump_elf_strerror(int err);

enum {
    GORUMP_ELF_ENOTELF = -1,   /* no ELF magic */
    GORUMP_ELF_ECLASS = -2,    /* 32-bit (ELFCLASS32) or unknown class */
    GORUMP_ELF_EENDIAN = -3,   /* not little-endian */
    GORUMP_ELF_EMACHINE = -4,  /* not x86-64 */
    GORUMP_ELF_ETYPE = -5,     /* not ET_EXEC/ET_DYN (object, core...) */
    GORUMP_ELF_EDYNAMIC = -6,  /* ET_EXEC with PT_DYNAMIC, no PT_INTERP */
    GORUMP_ELF_ETRUNC = -7,    /* headers or segments beyond end of file */
    GORUMP_ELF_EPHDR = -8,     /* malformed program headers */
    GORUMP_ELF_ENOLOAD = -9,   /* no PT_LOAD, or too many */
    GORUMP_ELF_ESEGMENT = -10, /* overlapping, wrapping or kernel-half */
    GORUMP_ELF_EINTERP = -11,  /* malformed PT_INTERP */
    GORUMP_ELF_EDYNSEC = -12   /* malformed PT_DYNAMIC or string table */
};

#endif
