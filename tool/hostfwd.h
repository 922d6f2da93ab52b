/*
 * tool/hostfwd.h — making QEMU's -p listeners take bursts of connections.
 *
 * QEMU's user networking listens on each forwarded host port with a
 * backlog of 1 and accepts one connection per turn of its main loop.  When
 * more connections arrive at once (a load generator opening 50, a browser
 * opening 6), Linux drops the SYNs and final ACKs that find the accept
 * queue full; the clients retry on a doubling schedule, retry together,
 * collide again, and a few are reset after about two minutes without the
 * guest ever seeing them.  listen() on a socket that already listens only
 * changes its backlog, so the tool takes a copy of QEMU's listening socket
 * (pidfd_getfd, Linux 5.6) and widens the backlog to SOMAXCONN.
 */
#ifndef GORUMP_TOOL_HOSTFWD_H
#define GORUMP_TOOL_HOSTFWD_H

#include <sys/types.h>

#include "args.h"

/* How many listeners QEMU makes for N's tcp -p rules (0 unless N is user
 * networking): what hostfwd_widen() returns once they all exist. */
int hostfwd_listeners(const struct run_net *n);

/*
 * Widens the backlog of every listening TCP socket of process PID whose
 * address is the host side of one of N's tcp -p rules (user networking
 * only).  Returns how many it widened, which is less than
 * hostfwd_listeners() while QEMU is still setting up, or
 * a negative errno when PID's sockets cannot be reached (ESRCH, EPERM,
 * ENOSYS on kernels before 5.6).
 */
int hostfwd_widen(pid_t pid, const struct run_net *n);

#endif
