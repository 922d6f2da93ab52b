/*
 * tests/unit/test_hostfwd.c — widening another process's -p listeners
 * (tool/hostfwd.c).  A child plays QEMU: it listens with a backlog of 1 on
 * a forwarded port and on one that is not, binds a UDP socket to the
 * forwarded port too, and never accepts.  Linux then completes two
 * handshakes per listener and drops further SYNs; after hostfwd_widen()
 * the forwarded listener takes many, the other still only two.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "check.h"
#include "hostfwd.h"

/* A socket of TYPE bound to 127.0.0.1:PORT (0: any); its port in *out. */
static int bound(int type, unsigned port, unsigned *out)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, type, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    *out = ntohs(sa.sin_port);
    return fd;
}

/* The child: two listeners and a UDP socket, ports sent up PIPE, then it
 * waits to be killed. */
static void play_qemu(int pipe_fd)
{
    unsigned ports[2], udp;
    int a = bound(SOCK_STREAM, 0, &ports[0]);
    int b = bound(SOCK_STREAM, 0, &ports[1]);

    if (a < 0 || b < 0 || listen(a, 1) != 0 || listen(b, 1) != 0 ||
        bound(SOCK_DGRAM, ports[0], &udp) < 0)
        _exit(1);
    if (write(pipe_fd, ports, sizeof(ports)) != sizeof(ports))
        _exit(1);
    for (;;)
        pause();
}

/* Opens N connections to 127.0.0.1:PORT at once and returns how many
 * complete their handshake within MS milliseconds (they are left open). */
static int connect_burst(unsigned port, int n, int ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct pollfd pfd[16];
    int done = 0;

    for (int i = 0; i < n && i < 16; i++) {
        pfd[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        pfd[i].events = POLLOUT;
        if (connect(pfd[i].fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
            errno != EINPROGRESS)
            pfd[i].fd = -1;
    }
    for (int waited = 0; waited < ms && done < n; waited += 10) {
        poll(NULL, 0, 10);
        done = 0;
        for (int i = 0; i < n; i++) {
            int err = -1;
            socklen_t len = sizeof(err);

            pfd[i].revents = 0;
            poll(&pfd[i], 1, 0);
            if ((pfd[i].revents & POLLOUT) &&
                getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
                err == 0)
                done++;
        }
    }
    return done;
}

static void test_listeners(void)
{
    struct run_fwd f[3] = {{.host_ip = "127.0.0.1", .host_port = 80},
                           {.udp = 1, .host_ip = "127.0.0.1", .host_port = 53},
                           {.host_ip = "0.0.0.0", .host_port = 443}};
    struct run_net n = {.mode = RUN_NET_USER, .nfwd = 3, .fwd = f};

    CHECK_EQ(hostfwd_listeners(&n), 2);
    n.mode = RUN_NET_TAP;
    CHECK_EQ(hostfwd_listeners(&n), 0);
    CHECK_EQ(hostfwd_widen(getpid(), &n), 0);
    n.mode = RUN_NET_NONE;
    CHECK_EQ(hostfwd_listeners(&n), 0);
}

static void test_widen(void)
{
    unsigned ports[2];
    int p[2];
    pid_t child;
    struct run_fwd f[2] = {{.host_ip = "127.0.0.1"},
                           {.udp = 1, .host_ip = "127.0.0.1"}};
    struct run_net n = {.mode = RUN_NET_USER, .nfwd = 2, .fwd = f};

    CHECK(pipe(p) == 0);
    child = fork();
    if (child == 0) {
        close(p[0]);
        play_qemu(p[1]);
    }
    close(p[1]);
    CHECK(read(p[0], ports, sizeof(ports)) == sizeof(ports));
    close(p[0]);
    f[0].host_port = f[1].host_port = ports[0];

    /* Backlog 1: two handshakes complete, the third SYN is dropped. */
    CHECK_EQ(connect_burst(ports[0], 3, 300), 2);
    CHECK_EQ(hostfwd_widen(child, &n), 1);
    /* Widened: a burst of 12 more completes at once. */
    CHECK_EQ(connect_burst(ports[0], 12, 2000), 12);
    /* The listener that is not forwarded kept its backlog. */
    CHECK_EQ(connect_burst(ports[1], 3, 300), 2);

    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    /* Gone: its sockets cannot be reached. */
    CHECK_EQ(hostfwd_widen(child, &n), -ESRCH);
}

int main(void)
{
    test_listeners();
    test_widen();
    return check_done();
}
