/*
 * bench/widen.c — gives a QEMU that bench/http started itself the same -p
 * listener backlog `gorump run` gives its own (tool/hostfwd.h), so both
 * guests sit behind the same forwarding.
 *
 *   widen PID PORT     waits up to 10 s for QEMU PID's listener on
 *                      127.0.0.1:PORT, then widens it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "hostfwd.h"

int main(int argc, char **argv)
{
    struct run_fwd f = {.host_ip = "127.0.0.1"};
    struct run_net n = {.mode = RUN_NET_USER, .nfwd = 1, .fwd = &f};
    int r = 0;

    if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: widen PID PORT\n");
        return 2;
    }
    f.host_port = (unsigned)atoi(argv[2]);
    for (int i = 0; i < 1000 && r == 0; i++) {
        r = hostfwd_widen(atoi(argv[1]), &n);
        if (r == 0)
            usleep(10000);
    }
    if (r <= 0) {
        fprintf(stderr, "widen: no listener of process %s on port %s (%s)\n",
                argv[1], argv[2], r < 0 ? strerror(-r) : "not found");
        return 1;
    }
    return 0;
}
