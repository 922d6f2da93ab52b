/*
 * tests/unit/abi_uapi.c — the host's UAPI headers' values of the kernel's
 * Linux constants, for test_abi.c (abi_const.h).  IOV_MAX is the UAPI's
 * UIO_MAXIOV.
 */
#include <linux/types.h>
/* asm/socket.h's SO_RCVTIMEO picks its value by time_t's size. */
typedef __kernel_old_time_t time_t;

#include <asm/ioctls.h>
#include <asm/mman.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/socket.h>
#include <linux/errno.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inotify.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include <linux/signal.h>
#include <linux/sockios.h>
#include <linux/stat.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/xattr.h>

#include "abi_const.h"

#define IOV_MAX UIO_MAXIOV

const struct abi_const abi_uapi[] = {
#include "abi_names.h"
};
