/*
 * tests/unit/abi_const.h — the constants test_abi compares: every
 * object-like macro of kernel/lib/linux_abi.h and kernel/lib/errno.h,
 * listed by the build in abi_names.h, and evaluated three times: with the
 * kernel's headers (abi_ours.c), with the host's UAPI headers
 * (abi_uapi.c) and with its C library's (abi_libc.c).  A header set that
 * does not define a name marks it unknown.
 */
#ifndef ABI_CONST_H
#define ABI_CONST_H

#include <stdbool.h>
#include <stddef.h>

struct abi_const {
    const char *name;
    long long value;
    bool known;
};

#define ABI_HAVE(n) {#n, (long long)(n), true},
#define ABI_MISSING(n) {#n, 0, false},

extern const struct abi_const abi_ours[], abi_uapi[], abi_libc[];
extern const size_t abi_nconst;

#endif
