/*
 * tests/sysfuzz/sysfuzz.h — the syscall fuzzer guest: a static Linux
 * program that attacks the kernel's syscall ABI and checks that every call
 * returns.  It runs inside gorump (`gorump run build/sysfuzz ...`) and
 * natively, so the two kernels' answers can be compared.
 *
 *   sysfuzz matrix [-x C:K]   every fd-taking call against every fd kind
 *   sysfuzz SEED N [-v]       random arguments to every implemented call
 *   sysfuzz regress           the hardening fixes, each checked
 *   sysfuzz signal CASE       a handler at a bad address, then raised
 *
 * Calls go through sf_sys (a raw SYSCALL instruction), so the C library
 * neither checks nor rewrites arguments, and results are -errno.
 */
#ifndef SYSFUZZ_H
#define SYSFUZZ_H

#include <stddef.h>
#include <stdint.h>

#define SF_PAGE 4096UL
#define SF_KERNEL_ADDR 0xffffffff80000000UL
#define SF_NONCANON_LO 0x0000800000000000UL
#define SF_NONCANON_HI 0x8000000000000000UL

/* A raw system call: the result or -errno, exactly as the kernel said. */
long sf_sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Memory the fuzzer may hand the kernel: a read-write scratch area, a
 * read-only page, a page that was unmapped, and a sacrificial region that
 * mmap, munmap, mprotect, mremap and madvise may do anything to. */
struct sf_mem {
    uint8_t *scratch; /* SF_SCRATCH bytes, read-write */
    uint8_t *ro;      /* one page, PROT_READ */
    uint8_t *unmapped;
    uint8_t *victim; /* SF_VICTIM bytes */
};
#define SF_SCRATCH (64 * SF_PAGE)
#define SF_VICTIM (256 * SF_PAGE)
extern struct sf_mem sf_mem;
void sf_mem_init(void);

/* A directory of the fuzzer's own, with a regular file, a FIFO and a
 * subdirectory in it; every relative path the fuzzer uses is inside. */
extern char sf_dir[64];
void sf_dir_init(void);

/* --- kinds.c: one fd of each kind, non-blocking wherever that exists */
struct sf_fd {
    int fd;     /* what the calls get (may be closed, -1 or huge) */
    int aux[3]; /* what keeps it in its state (closed with it), or -1 */
    int owned;  /* fd is ours to close (not closed, -1 or huge) */
};
int sf_kind_count(void);
const char *sf_kind_name(int k);
/* Makes kind k: 0, or -1 when this system cannot (the row is skipped). */
int sf_kind_open(int k, struct sf_fd *out);
void sf_kind_close(struct sf_fd *f);

/* --- matrix.c */
/* argv: -x CALL:KIND to leave a pair out. */
int sf_matrix(int argc, char **argv);
/* --- random.c */
int sf_random(uint64_t seed, long iterations, int verbose);
/* -s NR: syscall NR is not called (a known kernel bug being fixed). */
void sf_random_skip(int nr);
/* --- regress.c: the hardening fixes, checked (prints SUCCESS) */
int sf_regress(void);
/* --- signals.c */
int sf_signal_case(const char *name);

/* The errno's name ("EBADF"), or "ok" for a result >= 0. */
const char *sf_result_name(long r);

#endif
