/*
 * tests/unit/test_elf.c — the ELF checker (common/elf.c) on hand-built
 * files: valid ET_EXEC and static-PIE ET_DYN accepted, and each kind of
 * file gorump cannot run refused with its own error.  Set
 * GORUMP_TEST_GO_BINARY to a static Go program to check a real one too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gorump/elf.h>

#include "check.h"
#include "elf_build.h"
#include "util.h"

static int parse_spec(const struct elf_spec *s, struct gorump_elf_info *info)
{
    size_t len;
    uint8_t *f = elf_build(s, &len);
    int err = gorump_elf_parse(f, len, info);

    free(f);
    return err;
}

/* Parses the sample with the N-byte field at OFF set to V. */
static int parse_patched(size_t off, uint64_t v, int n)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;
    size_t len;
    uint8_t *f = elf_build(&s, &len);
    int err;

    elf_put(f + off, v, n);
    err = gorump_elf_parse(f, len, &info);
    free(f);
    return err;
}

static void test_exec(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;

    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.is_pie, 0);
    CHECK_EQ(info.entry, 0x400100);
    CHECK_EQ(info.phdr, 0x400040);
    CHECK_EQ(info.phnum, 3);
    CHECK_EQ(info.phentsize, 56);
    CHECK_EQ(info.lo, 0x400000);
    CHECK_EQ(info.hi, 0x404000);
    CHECK_EQ(info.nload, 2);
    CHECK_EQ(info.load[1].vaddr, 0x401000);
    CHECK_EQ(info.load[1].memsz, 0x3000);
    CHECK_EQ(info.load[1].offset, 0x1000);
    CHECK_EQ(info.load[1].filesz, 0x800);
    CHECK_EQ(info.load[1].flags, 6);
    /* Without PT_PHDR the headers are found in the first load. */
    s.ph[0].type = 4; /* PT_NOTE */
    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.phdr, 0x400040);
    /* ... and when no load holds them, AT_PHDR is 0. */
    s.ph[1].filesz = 0x40;
    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.phdr, 0);
}

static void test_pie(void)
{
    struct elf_spec s = elf_sample_pie();
    struct gorump_elf_info info;

    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.is_pie, 1);
    CHECK_EQ(info.lo, 0);
    CHECK_EQ(info.hi, 0x3000);
    CHECK_EQ(info.phdr, 64);
    CHECK_EQ(info.nload, 2);
}

static void test_header_errors(void)
{
    struct gorump_elf_info info;

    CHECK_EQ(gorump_elf_parse("", 0, &info), GORUMP_ELF_ENOTELF);
    CHECK_EQ(gorump_elf_parse("#!/bin/sh\n", 10, &info), GORUMP_ELF_ENOTELF);
    CHECK_EQ(gorump_elf_parse("\x7f"
                              "ELF",
                              4, &info),
             GORUMP_ELF_ETRUNC);
    CHECK_EQ(parse_patched(4, 1, 1), GORUMP_ELF_ECLASS); /* ELFCLASS32 */
    CHECK_EQ(parse_patched(4, 0, 1), GORUMP_ELF_ECLASS);
    CHECK_EQ(parse_patched(5, 2, 1), GORUMP_ELF_EENDIAN); /* ELFDATA2MSB */
    CHECK_EQ(parse_patched(6, 0, 1), GORUMP_ELF_EPHDR);
    CHECK_EQ(parse_patched(18, 183, 2), GORUMP_ELF_EMACHINE); /* aarch64 */
    CHECK_EQ(parse_patched(18, 3, 2), GORUMP_ELF_EMACHINE);   /* i386 */
    CHECK_EQ(parse_patched(16, 1, 2), GORUMP_ELF_ETYPE);      /* ET_REL */
    CHECK_EQ(parse_patched(16, 4, 2), GORUMP_ELF_ETYPE);      /* ET_CORE */
    CHECK_EQ(parse_patched(20, 0, 4), GORUMP_ELF_EPHDR);      /* e_version */
    CHECK_EQ(parse_patched(54, 32, 2), GORUMP_ELF_EPHDR);     /* phentsize */
    CHECK_EQ(parse_patched(56, 0, 2), GORUMP_ELF_ENOLOAD);    /* phnum 0 */
    CHECK_EQ(parse_patched(56, 0xffff, 2), GORUMP_ELF_ETRUNC);
    CHECK_EQ(parse_patched(32, 0x1800 - 100, 8), GORUMP_ELF_ETRUNC);
    CHECK_EQ(parse_patched(32, UINT64_MAX - 8, 8), GORUMP_ELF_ETRUNC);
    CHECK_EQ(parse_patched(24, 0x404000, 8), GORUMP_ELF_EPHDR); /* entry */
    CHECK_EQ(parse_patched(24, 0x3ff000, 8), GORUMP_ELF_EPHDR);
}

static void test_dynamic(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;

    s.ph[0].type = 2; /* PT_DYNAMIC in an ET_EXEC with no interpreter */
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_EDYNAMIC);
    /* An interpreter whose path is not NUL-terminated, or empty. */
    s = elf_sample_exec();
    s.ph[0].type = 3;
    s.ph[0].offset = 0x1000; /* zeros */
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_EINTERP);
    /* ... which is judged before a later broken segment. */
    s.ph[2].filesz = 0x10000;
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_EINTERP);
}

/* The sample dynamic PIE with the N-byte field at OFF set to V. */
static uint8_t *dynamic_patched(size_t *len, size_t off, uint64_t v, int n)
{
    uint8_t *f = elf_build_dynamic(len);

    if (n > 0)
        elf_put(f + off, v, n);
    return f;
}

static int parse_dynamic_patched(size_t off, uint64_t v, int n)
{
    struct gorump_elf_info info;
    size_t len;
    uint8_t *f = dynamic_patched(&len, off, v, n);
    int err = gorump_elf_parse(f, len, &info);

    free(f);
    return err;
}

static void test_interp(void)
{
    struct gorump_elf_info info;
    size_t len;
    uint8_t *f = elf_build_dynamic(&len);
    size_t ph3 = 64 + 3 * 56;

    CHECK_EQ(gorump_elf_parse(f, len, &info), 0);
    CHECK_EQ(info.is_pie, 1);
    CHECK_EQ(info.interp_off, 0x200);
    CHECK_EQ(info.interp_len, strlen(ELF_INTERP));
    CHECK(memcmp(f + info.interp_off, ELF_INTERP, info.interp_len + 1) == 0);
    free(f);
    /* Empty path, no NUL inside p_filesz, too long, past the end. */
    CHECK_EQ(parse_dynamic_patched(0x200, 0, 1), GORUMP_ELF_EINTERP);
    CHECK_EQ(parse_dynamic_patched(0x200 + 27, 'x', 1), GORUMP_ELF_EINTERP);
    CHECK_EQ(parse_dynamic_patched(ph3 + 32, 1, 8), GORUMP_ELF_EINTERP);
    CHECK_EQ(parse_dynamic_patched(ph3 + 32, 4097, 8), GORUMP_ELF_EINTERP);
    CHECK_EQ(parse_dynamic_patched(ph3 + 8, 0x11f0, 8), GORUMP_ELF_ETRUNC);
    CHECK_EQ(parse_dynamic_patched(ph3 + 8, UINT64_MAX - 4, 8),
             GORUMP_ELF_ETRUNC);
    /* Two interpreters. */
    CHECK_EQ(parse_dynamic_patched(64 + 2 * 56, 3, 4), GORUMP_ELF_EINTERP);
}

static int dyn_patched(size_t off, uint64_t v, int n, struct gorump_elf_dyn *d)
{
    size_t len;
    uint8_t *f = dynamic_patched(&len, off, v, n);
    int err = gorump_elf_dynamic(f, len, d);

    free(f);
    return err;
}

static void test_dynamic_section(void)
{
    struct gorump_elf_dyn d;
    size_t len;
    uint8_t *f = elf_build_dynamic(&len);
    struct elf_spec s = elf_sample_exec();
    uint8_t *g;
    size_t glen;

    CHECK_EQ(gorump_elf_dynamic(f, len, &d), 0);
    CHECK_EQ(d.nneeded, 2);
    CHECK(strcmp(gorump_elf_dyn_string(f, &d, (int64_t)d.needed[0]),
                 "libfoo.so.1") == 0);
    CHECK(strcmp(gorump_elf_dyn_string(f, &d, (int64_t)d.needed[1]),
                 "libc.so.6") == 0);
    CHECK(strcmp(gorump_elf_dyn_string(f, &d, d.runpath), "$ORIGIN/../lib") ==
          0);
    CHECK_EQ(d.rpath, -1);
    CHECK(gorump_elf_dyn_string(f, &d, -1) == NULL);
    CHECK(gorump_elf_dyn_string(f, &d, (int64_t)d.strsz) == NULL);
    free(f);
    /* No PT_DYNAMIC: nothing needed, no error. */
    g = elf_build(&s, &glen);
    CHECK_EQ(gorump_elf_dynamic(g, glen, &d), 0);
    CHECK_EQ(d.nneeded, 0);
    free(g);
    /* A needed name past the table; a table past the end of the file, or
     * at an address no load holds; a dynamic section past the end. */
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 8, 1000, 8, &d), GORUMP_ELF_EDYNSEC);
    CHECK_EQ(d.nneeded, 0);
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 4 * 16 + 8, 0x1000, 8, &d),
             GORUMP_ELF_EDYNSEC);
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 3 * 16 + 8, 0x1800, 8, &d),
             GORUMP_ELF_EDYNSEC);
    CHECK_EQ(dyn_patched(64 + 2 * 56 + 32, 0x1000, 8, &d), GORUMP_ELF_EDYNSEC);
    /* A string table whose last string has no NUL: a runpath in it. */
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 4 * 16 + 8, 30, 8, &d),
             GORUMP_ELF_EDYNSEC);
    /* No DT_STRTAB at all. */
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 3 * 16, 0x6ffffeff, 8, &d),
             GORUMP_ELF_EDYNSEC);
    /* Entries after DT_NULL are not read: a bad DT_NEEDED there. */
    CHECK_EQ(dyn_patched(ELF_DYN_AT + 6 * 16, 1, 8, &d), 0);
    CHECK_EQ(d.nneeded, 2);
}

/* Changes load 2 (the data segment) of the sample and parses. */
static int parse_data_load(uint64_t off, uint64_t vaddr, uint64_t filesz,
                           uint64_t memsz, uint64_t align)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;

    s.ph[2] = (struct elf_ph){1, 6, off, vaddr, filesz, memsz, align};
    return parse_spec(&s, &info);
}

static void test_segments(void)
{
    const uint64_t top = GORUMP_USER_TOP;

    CHECK_EQ(parse_data_load(0x1000, 0x401000, 0x800, 0x3000, 0x1000), 0);
    CHECK_EQ(parse_data_load(0x1000, 0x401000, 0x801, 0x800, 0x1000),
             GORUMP_ELF_EPHDR); /* filesz > memsz */
    CHECK_EQ(parse_data_load(0x1000, 0x401000, 0x801, 0x1000, 0x1000),
             GORUMP_ELF_ETRUNC); /* past the end of the file */
    CHECK_EQ(parse_data_load(0x2000, 0x402000, 0, 0x1000, 0x1000),
             GORUMP_ELF_ETRUNC); /* starts past the end */
    CHECK_EQ(parse_data_load(UINT64_MAX & ~0xfffull, 0x7ffffffff000, 0x2000,
                             0x2000, 0x1000),
             GORUMP_ELF_ETRUNC); /* offset + filesz wraps */
    CHECK_EQ(parse_data_load(0x1000, 0x401800, 0x10, 0x10, 0x1000),
             GORUMP_ELF_EPHDR); /* offset and vaddr not congruent */
    CHECK_EQ(parse_data_load(0x1000, 0x400000, 0x800, 0x1000, 0x1000),
             GORUMP_ELF_ESEGMENT); /* overlaps the text */
    CHECK_EQ(parse_data_load(0x1000, 0x3ff000, 0x800, 0x1000, 0x1000),
             GORUMP_ELF_ESEGMENT); /* out of order */
    CHECK_EQ(parse_data_load(0x1000, 0x401000, 0x800, 0x1000, 3),
             GORUMP_ELF_EPHDR); /* align not a power of two */
    CHECK_EQ(parse_data_load(0x1000, 0x401000, 0x800, 0x1000, 0), 0);
    CHECK_EQ(
        parse_data_load(0x1000, 0xffffffff80001000ull, 0x800, 0x1000, 0x1000),
        GORUMP_ELF_ESEGMENT); /* kernel half */
    CHECK_EQ(parse_data_load(0x1000, top - 0x1000, 0x800, 0x1000, 0x1000), 0);
    CHECK_EQ(parse_data_load(0x1000, top - 0x1000, 0x800, 0x1001, 0x1000),
             GORUMP_ELF_ESEGMENT); /* one byte past the user top */
    CHECK_EQ(
        parse_data_load(0x1000, 0x401000, 0x800, UINT64_MAX - 0x100, 0x1000),
        GORUMP_ELF_ESEGMENT); /* vaddr + memsz wraps */
}

/* Two loads may share a page (the later one's mapping covers it), but
 * not a byte. */
static void test_shared_page(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;

    s.ph[1].filesz = s.ph[1].memsz = 0x800;
    s.ph[2] = (struct elf_ph){1, 6, 0x800, 0x400800, 0x800, 0x1000, 0x1000};
    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.lo, 0x400000);
    CHECK_EQ(info.hi, 0x402000);
    s.ph[2].offset = 0x7ff;
    s.ph[2].vaddr = 0x4007ff;
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_ESEGMENT);
}

static void test_page_zero_and_counts(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;

    s.ph[1].vaddr = 0; /* ET_EXEC text at page 0 */
    s.ph[0].vaddr = 0x40;
    s.entry = 0x100;
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_ESEGMENT);
    s = elf_sample_exec();
    s.ph[1].type = s.ph[2].type = 4; /* no PT_LOAD left */
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_ENOLOAD);
    /* GORUMP_ELF_MAX_LOADS loads fit; one more does not. */
    s = elf_sample_exec();
    s.nph = 1 + GORUMP_ELF_MAX_LOADS;
    s.file_size = 0x1000 * (size_t)s.nph;
    s.ph[0] = (struct elf_ph){6, 4, 64, 0x400040, 56u * s.nph, 56u * s.nph, 8};
    for (int i = 1; i < s.nph; i++)
        s.ph[i] = (struct elf_ph){1,
                                  4,
                                  0x1000 * (uint64_t)(i - 1),
                                  0x400000 + 0x1000 * (uint64_t)(i - 1),
                                  0x1000,
                                  0x1000,
                                  0x1000};
    CHECK_EQ(parse_spec(&s, &info), 0);
    CHECK_EQ(info.nload, GORUMP_ELF_MAX_LOADS);
    s.nph++;
    s.ph[s.nph - 1] =
        (struct elf_ph){1, 4, 0x1000 * 16ull, 0x410000, 0x100, 0x100, 0x1000};
    s.file_size += 0x1000;
    CHECK_EQ(parse_spec(&s, &info), GORUMP_ELF_ENOLOAD);
}

/* Every prefix of a valid file is refused, and nothing is read past it. */
static void test_truncations(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info;
    size_t len;
    uint8_t *f = elf_build(&s, &len);
    int accepted = 0;

    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, f, n);
        accepted += gorump_elf_parse(copy, n, &info) == 0;
        free(copy);
    }
    CHECK_EQ(accepted, 0);
    free(f);
}

/* Only the head of a file in memory (a program on the image's disk):
 * the headers and the interpreter's path must be in it, the segments
 * only in the whole file. */
static void test_head(void)
{
    struct elf_spec s = elf_sample_exec();
    struct gorump_elf_info info, whole;
    size_t len, dlen;
    uint8_t *f = elf_build(&s, &len), *d = elf_build_dynamic(&dlen);
    uint64_t ph_end = 64 + 3 * 56;

    CHECK_EQ(gorump_elf_parse(f, len, &whole), 0);
    CHECK_EQ(gorump_elf_parse_head(f, ph_end, len, &info), 0);
    CHECK(info.entry == whole.entry && info.nload == whole.nload &&
          info.hi == whole.hi && info.phdr == whole.phdr);
    CHECK_EQ(gorump_elf_parse_head(f, ph_end - 1, len, &info),
             GORUMP_ELF_ETRUNC);
    /* A head larger than the file is the file. */
    CHECK_EQ(gorump_elf_parse_head(f, len, len - 1, &info), GORUMP_ELF_ETRUNC);
    CHECK_EQ(gorump_elf_parse_head(f, len + 100, len, &info), 0);
    /* The interpreter's path (at 0x200) must be in the head. */
    CHECK_EQ(gorump_elf_parse_head(d, 0x200 + sizeof(ELF_INTERP), dlen, &info),
             0);
    CHECK_EQ(info.interp_len, strlen(ELF_INTERP));
    CHECK_EQ(
        gorump_elf_parse_head(d, 0x200 + sizeof(ELF_INTERP) - 1, dlen, &info),
        GORUMP_ELF_ETRUNC);
    free(f);
    free(d);
}

static void test_real_binary(void)
{
    const char *path = getenv("GORUMP_TEST_GO_BINARY");
    struct gorump_elf_info info;
    uint8_t *buf;
    size_t len;

    if (path == NULL || path[0] == '\0')
        return;
    CHECK_EQ(read_file(path, &buf, &len), 0);
    if (buf == NULL)
        return;
    CHECK_EQ(gorump_elf_parse(buf, len, &info), 0);
    CHECK(info.nload >= 2 && info.phdr != 0);
    CHECK(info.entry >= info.lo && info.entry < info.hi);
    free(buf);
}

static void test_strerror(void)
{
    for (int e = GORUMP_ELF_EDYNSEC; e < 0; e++)
        CHECK(strlen(gorump_elf_strerror(e)) > 10);
    CHECK(strstr(gorump_elf_strerror(GORUMP_ELF_EINTERP), "PT_INTERP"));
    CHECK(strstr(gorump_elf_strerror(GORUMP_ELF_ECLASS), "32-bit"));
}

int main(void)
{
    test_exec();
    test_pie();
    test_header_errors();
    test_dynamic();
    test_interp();
    test_dynamic_section();
    test_segments();
    test_shared_page();
    test_page_zero_and_counts();
    test_truncations();
    test_head();
    test_real_binary();
    test_strerror();
    return check_done();
}
