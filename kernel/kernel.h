/*
 * kernel.h — the top level (main.c, exit.c): the one thing the layers
 * below may call up to.  Everything else the top level does, it does by
 * calling down (docs/ARCHITECTURE.md, "Layers").
 */
#ifndef KERNEL_H
#define KERNEL_H

#include "lib/lib.h"

/* The program is over (its last thread exited, exit_group, a fatal signal,
 * the OOM killer): closes its files, lets the network finish sending,
 * tells the host status & 0xff and stops the machine.  Called from the
 * exiting thread's syscall or trap path, never from an interrupt. */
__noreturn void kernel_exit(int status);

#endif
