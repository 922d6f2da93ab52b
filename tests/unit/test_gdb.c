/*
 * tests/unit/test_gdb.c — `gorump run --gdb [HOST:]PORT` (tool/gdb.c):
 * the address parsed and refused, a port in use found before QEMU would
 * fail on it, and QEMU's -gdb and -S added to its command line.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "args.h"
#include "gdb.h"
#include "qemu.h"

static void test_parse(void)
{
    char host[64];
    unsigned port = 0;

    CHECK(gdb_parse_addr("1234", host, sizeof(host), &port) == 0);
    CHECK(strcmp(host, "127.0.0.1") == 0 && port == 1234);
    CHECK(gdb_parse_addr("0.0.0.0:65535", host, sizeof(host), &port) == 0);
    CHECK(strcmp(host, "0.0.0.0") == 0 && port == 65535);
    CHECK(gdb_parse_addr("localhost:1", host, sizeof(host), &port) == 0);
    CHECK(strcmp(host, "localhost") == 0 && port == 1);
    CHECK(gdb_parse_addr("[::1]:99", host, sizeof(host), &port) == 0);
    CHECK(strcmp(host, "[::1]") == 0 && port == 99);
    static const char *const bad[] = {
        "",      "0",     "65536", "0001234", "12x",  "-5",
        ":1234", "host:", "a b:1", "a,b:1",   "[]:1", "::1:1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(gdb_parse_addr(bad[i], host, sizeof(host), &port) < 0);
    CHECK(gdb_parse_addr("averyveryverylonghostname.example:1", host, 8,
                         &port) < 0);
}

/* A listening socket on 127.0.0.1 makes the port "in use". */
static void test_in_use(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), saved, null;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
          listen(fd, 1) == 0 &&
          getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    saved = dup(2);
    null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    CHECK(gdb_check_addr("127.0.0.1", ntohs(sa.sin_port)) == -1);
    CHECK(gdb_check_addr("no-such-host.invalid", 1234) == -1);
    close(fd);
    CHECK(gdb_check_addr("127.0.0.1", ntohs(sa.sin_port)) == 0);
    CHECK(gdb_check_addr("[::1]", ntohs(sa.sin_port)) == 0 ||
          access("/proc/net/if_inet6", F_OK) != 0);
    dup2(saved, 2);
    close(saved);
    close(null);
}

static void test_argv(void)
{
    struct qemu_config c = {.qemu = "qemu",
                            .kernel = "k",
                            .image = "i",
                            .cmdline = "gorump",
                            .mem_mib = 256};
    struct qemu_argv q;
    char arg[64];

    qemu_build_argv(&c, &q);
    for (int i = 0; i < q.argc; i++)
        CHECK(strcmp(q.argv[i], "-S") != 0 && strcmp(q.argv[i], "-gdb") != 0);
    gdb_qemu_arg("127.0.0.1", 1234, arg, sizeof(arg));
    CHECK(strcmp(arg, "tcp:127.0.0.1:1234") == 0);
    c.gdb = arg;
    qemu_build_argv(&c, &q);
    CHECK(q.argc >= 3 && strcmp(q.argv[q.argc - 3], "-gdb") == 0 &&
          strcmp(q.argv[q.argc - 2], arg) == 0 &&
          strcmp(q.argv[q.argc - 1], "-S") == 0 && q.argv[q.argc] == NULL);
}

int main(void)
{
    test_parse();
    test_in_use();
    test_argv();
    return check_done();
}
