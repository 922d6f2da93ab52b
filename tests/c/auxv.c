/*
 * tests/c/auxv.c — what the kernel tells a starting program in its
 * auxiliary vector, checked against what the program can see for itself:
 * AT_PHDR is where its program headers are (dl_iterate_phdr's first
 * object), AT_ENTRY its _start, AT_BASE the interpreter's load address
 * (the object named like PT_INTERP) or 0 for a static program, AT_EXECFN
 * the path it was started by (run with an absolute path: argv[0]), and
 * the constants (AT_PAGESZ, AT_PLATFORM, AT_SECURE, AT_UID, AT_RANDOM,
 * AT_MINSIGSTKSZ when given).  Built dynamic, PIE or not, static, static
 * PIE, with glibc and musl; prints SUCCESS when all hold.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char _start[];

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

struct found {
    const ElfW(Phdr) * first_phdr;
    const char *interp;     /* PT_INTERP of the program, or NULL */
    ElfW(Addr) interp_base; /* the object named as PT_INTERP names it */
    ElfW(Addr) libc_base;   /* musl: libc.so is its own loader */
    int n;
};

static int each(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct found *f = arg;
    const char *base;

    (void)size;
    if (f->n++ == 0) {
        f->first_phdr = info->dlpi_phdr;
        for (int i = 0; i < info->dlpi_phnum; i++)
            if (info->dlpi_phdr[i].p_type == PT_INTERP)
                f->interp = (const char *)(info->dlpi_addr +
                                           info->dlpi_phdr[i].p_vaddr);
        return 0;
    }
    if (f->interp == NULL || info->dlpi_name == NULL)
        return 0;
    base = strrchr(f->interp, '/');
    if (strcmp(info->dlpi_name, f->interp) == 0 ||
        (base && strstr(info->dlpi_name, base + 1)))
        f->interp_base = info->dlpi_addr;
    else if (strstr(info->dlpi_name, "libc.so") && f->libc_base == 0)
        f->libc_base = info->dlpi_addr;
    return 0;
}

int main(int argc, char **argv)
{
    struct found f = {0};
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    unsigned long minsig = getauxval(AT_MINSIGSTKSZ);

    (void)argc;
    dl_iterate_phdr(each, &f);
    if (f.interp_base == 0)
        f.interp_base = f.libc_base;
    check(getauxval(AT_PHDR) == (unsigned long)f.first_phdr, "AT_PHDR");
    check(getauxval(AT_PHENT) == sizeof(ElfW(Phdr)), "AT_PHENT");
    check(getauxval(AT_PHNUM) > 0, "AT_PHNUM");
    check(getauxval(AT_ENTRY) == (unsigned long)_start, "AT_ENTRY");
    if (f.interp != NULL)
        check(getauxval(AT_BASE) != 0 && getauxval(AT_BASE) == f.interp_base,
              "AT_BASE is the interpreter's base");
    else
        check(getauxval(AT_BASE) == 0, "AT_BASE 0 without an interpreter");
    check(execfn != NULL && strcmp(execfn, argv[0]) == 0, "AT_EXECFN");
    check(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ");
    check(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK");
    check(platform != NULL && strcmp(platform, "x86_64") == 0, "AT_PLATFORM");
    check(getauxval(AT_SECURE) == 0, "AT_SECURE");
    check(getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
              getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid(),
          "AT_UID, AT_EUID, AT_GID, AT_EGID");
    check(getauxval(AT_RANDOM) != 0, "AT_RANDOM");
    check(getauxval(AT_HWCAP) != 0, "AT_HWCAP");
    check(minsig == 0 || (minsig >= 1024 && minsig <= 65536), "AT_MINSIGSTKSZ");
    printf("%s, %s\n", f.interp ? "interpreter" : "static",
           getauxval(AT_PHDR) > 0x100000000UL ? "high" : "low");
    if (failures == 0)
        printf("SUCCESS\n");
    return failures != 0;
}
