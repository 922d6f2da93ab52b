/*
 * tests/cpu/vdso.c — the vDSO the kernel maps (AT_SYSINFO_EHDR): found as
 * a C library or Go's runtime finds it (its dynamic symbols, version
 * LINUX_2.6), and its clocks agree with the system calls: for
 * CLOCK_MONOTONIC and CLOCK_REALTIME, a system call's time, then the
 * vDSO's, then the system call's again never go backwards, over many
 * rounds and after moving between CPUs; gettimeofday and time likewise;
 * clocks it does not compute come from the system call (CPU time, an
 * unknown id's -EINVAL).  The page below the image (the data) cannot be
 * written.  Runs natively against Linux's vDSO too.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 20000

static const Elf64_Sym *syms;
static const char *strs;
static const Elf64_Half *versym;
static const Elf64_Verdef *verdef;
static uint32_t nsyms;
static uintptr_t bias;

static int fails;
#define CHECK(c, ...)                                                          \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("FAIL: " __VA_ARGS__);                                      \
            printf("\n");                                                      \
            fails++;                                                           \
        }                                                                      \
    } while (0)

/* The version name of symbol i, or NULL. */
static const char *version_of(uint32_t i)
{
    if (!versym || !verdef)
        return NULL;
    unsigned want = versym[i] & 0x7fff;
    for (const Elf64_Verdef *d = verdef;;
         d = (const void *)((const char *)d + d->vd_next)) {
        if (d->vd_ndx == want) {
            const Elf64_Verdaux *a =
                (const void *)((const char *)d + d->vd_aux);
            return strs + a->vda_name;
        }
        if (!d->vd_next)
            return NULL;
    }
}

static void *lookup(const char *name)
{
    for (uint32_t i = 0; i < nsyms; i++) {
        if (strcmp(strs + syms[i].st_name, name) || !syms[i].st_value)
            continue;
        const char *v = version_of(i);
        CHECK(v && !strcmp(v, "LINUX_2.6"), "%s: version %s", name,
              v ? v : "(none)");
        return (void *)(bias + syms[i].st_value);
    }
    return NULL;
}

static int parse(const Elf64_Ehdr *eh)
{
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_type != ET_DYN) {
        printf("FAIL: AT_SYSINFO_EHDR is not a shared object\n");
        return -1;
    }
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    int loads = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !loads++)
            bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)((const char *)eh + ph[i].p_offset);
    }
    if (!loads || !dyn) {
        printf("FAIL: no PT_LOAD or PT_DYNAMIC\n");
        return -1;
    }
    const uint32_t *hash = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        const void *p = (const void *)(bias + dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB:
            syms = p;
            break;
        case DT_STRTAB:
            strs = p;
            break;
        case DT_HASH:
            hash = p;
            break;
        case DT_VERSYM:
            versym = p;
            break;
        case DT_VERDEF:
            verdef = p;
            break;
        }
    }
    if (!syms || !strs || !hash) {
        printf("FAIL: no DT_SYMTAB, DT_STRTAB or DT_HASH\n");
        return -1;
    }
    nsyms = hash[1]; /* nchain: the number of symbols */
    return 0;
}

static int64_t ts_ns(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static sigjmp_buf jb;
static void on_segv(int s)
{
    (void)s;
    siglongjmp(jb, 1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
    if (!eh) {
        printf("FAIL: no AT_SYSINFO_EHDR\n");
        return 1;
    }
    if (parse(eh))
        return 1;
    int (*vgettime)(clockid_t, struct timespec *) =
        lookup("__vdso_clock_gettime");
    int (*vgettimeofday)(struct timeval *, void *) =
        lookup("__vdso_gettimeofday");
    time_t (*vtime)(time_t *) = lookup("__vdso_time");
    if (!vgettime || !vgettimeofday || !vtime) {
        printf("FAIL: missing symbols: clock_gettime %p gettimeofday %p "
               "time %p\n",
               (void *)vgettime, (void *)vgettimeofday, (void *)vtime);
        return 1;
    }
    const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME,
                                CLOCK_BOOTTIME};
    for (unsigned c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
        int bad = 0;
        for (int i = 0; i < ROUNDS && !bad; i++) {
            struct timespec a, b, d;
            if (i % 1000 == 999)
                sched_yield(); /* maybe onto another CPU */
            syscall(SYS_clock_gettime, clocks[c], &a);
            int r = vgettime(clocks[c], &b);
            syscall(SYS_clock_gettime, clocks[c], &d);
            if (r || ts_ns(a) > ts_ns(b) || ts_ns(b) > ts_ns(d) ||
                b.tv_nsec < 0 || b.tv_nsec >= 1000000000) {
                printf("FAIL: clock %d: system call %lld.%09ld, vDSO "
                       "%lld.%09ld (%d), system call %lld.%09ld\n",
                       (int)clocks[c], (long long)a.tv_sec, a.tv_nsec,
                       (long long)b.tv_sec, b.tv_nsec, r, (long long)d.tv_sec,
                       d.tv_nsec);
                bad = 1;
                fails++;
            }
        }
    }
    for (int i = 0; i < 1000; i++) {
        struct timeval a, b, d;
        syscall(SYS_gettimeofday, &a, NULL);
        int r = vgettimeofday(&b, NULL);
        syscall(SYS_gettimeofday, &d, NULL);
        int64_t ua = a.tv_sec * 1000000LL + a.tv_usec,
                ub = b.tv_sec * 1000000LL + b.tv_usec,
                ud = d.tv_sec * 1000000LL + d.tv_usec;
        if (r || ua > ub || ub > ud) {
            printf("FAIL: gettimeofday: %lld, vDSO %lld (%d), %lld\n",
                   (long long)ua, (long long)ub, r, (long long)ud);
            fails++;
            break;
        }
    }
    time_t t0 = syscall(SYS_time, NULL), tv, t1;
    time_t tr = vtime(&tv);
    t1 = syscall(SYS_time, NULL);
    CHECK(tr == tv && t0 <= tr && tr <= t1,
          "time: %lld (%lld) not in [%lld, %lld]", (long long)tr, (long long)tv,
          (long long)t0, (long long)t1);
    /* What it leaves to the system call. */
    struct timespec cpu;
    CHECK(vgettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 && ts_ns(cpu) > 0,
          "CLOCK_PROCESS_CPUTIME_ID");
    CHECK(vgettime((clockid_t)123, &cpu) == -22, "clock 123: not -EINVAL");
    /* The data page below the image is read-only. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    volatile char *below = (volatile char *)((uintptr_t)eh & ~4095UL) - 1;
    if (!sigsetjmp(jb, 1)) {
        *below = 1;
        printf("FAIL: wrote the page below the vDSO\n");
        fails++;
    }
    if (fails)
        return 1;
    printf("vDSO at %p: clock_gettime, gettimeofday and time agree with "
           "the system calls\nSUCCESS\n",
           (void *)eh);
    return 0;
}
