/*
 * tests/unit/abi_ours.c — the kernel's Linux constants, for test_abi.c
 * (abi_const.h).  Only the kernel's headers here: the host's define the
 * same names.
 */
#include "../../kernel/lib/errno.h"
#include "../../kernel/lib/linux_abi.h"
#include "abi_const.h"

const struct abi_const abi_ours[] = {
#include "abi_names.h"
};
const size_t abi_nconst = sizeof(abi_ours) / sizeof(abi_ours[0]);
