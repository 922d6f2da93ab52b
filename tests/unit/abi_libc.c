/*
 * tests/unit/abi_libc.c — the host C library's values of the kernel's
 * Linux constants, for test_abi.c (abi_const.h): the socket layer's
 * (AF_, SOCK_, MSG_, SHUT_, SCM_RIGHTS), which the UAPI does not export,
 * and a second opinion on the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "abi_const.h"

/* glibc's is sysconf(_SC_MINSIGSTKSZ), the CPU's signal frame: the ABI's
 * constant is the UAPI's. */
#undef MINSIGSTKSZ

const struct abi_const abi_libc[] = {
#include "abi_names.h"
};
