/*
 * tool/gdb.c — the --gdb address and the gdb command line (see gdb.h).
 * QEMU's gdb stub (-gdb tcp:HOST:PORT, with -S so no instruction runs
 * before gdb says continue) sees the guest's virtual addresses: the
 * kernel at its link addresses, the program where kernel/proc/exec.c maps
 * it, its own for ET_EXEC, GORUMP_PIE_BASE plus its own for ET_DYN.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gorump/elf.h>

#include "gdb.h"
#include "util.h"

/* A name or address QEMU's tcp: syntax takes unchanged. */
static int gdb_host_ok(const char *h, size_t n)
{
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
        return strspn(h + 1, "0123456789abcdefABCDEF:.") == n - 2 && n > 2;
    return n > 0 && strspn(h, "abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n;
}

int gdb_parse_addr(const char *s, char *host, size_t size, unsigned *port)
{
    const char *colon = strrchr(s, ':'), *p = colon ? colon + 1 : s;
    size_t n = colon ? (size_t)(colon - s) : 0;
    unsigned long v = 0;

    if (colon != NULL && (!gdb_host_ok(s, n) || n >= size))
        return -1;
    if (*p == '\0' || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5)
        return -1;
    v = strtoul(p, NULL, 10);
    if (v == 0 || v > 65535)
        return -1;
    if (colon != NULL)
        snprintf(host, size, "%.*s", (int)n, s);
    else
        snprintf(host, size, "%s", GDB_HOST_DEFAULT);
    *port = (unsigned)v;
    return 0;
}

/* Binds a socket to AI's address: 0, or the errno. */
static int gdb_try_bind(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    int one = 1, err = 0;

    if (fd < 0)
        return errno;
    /* As QEMU does (util/qemu-sockets.c), so a port left in TIME_WAIT
     * by a previous session is free. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        err = errno;
    close(fd);
    return err;
}

int gdb_check_addr(const char *host, unsigned port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    char name[256], service[8];
    size_t n = strlen(host);
    int r, err;

    /* "[::1]" is QEMU's spelling; getaddrinfo wants "::1". */
    if (n > 2 && host[0] == '[')
        snprintf(name, sizeof(name), "%.*s", (int)(n - 2), host + 1);
    else
        snprintf(name, sizeof(name), "%s", host);
    snprintf(service, sizeof(service), "%u", port);
    r = getaddrinfo(name, service, &hints, &res);
    if (r != 0) {
        report("--gdb %s:%u: %s", host, port, gai_strerror(r));
        return -1;
    }
    err = gdb_try_bind(res);
    freeaddrinfo(res);
    if (err == EADDRINUSE)
        report("--gdb %s:%u: port %u is in use (choose another)", host, port,
               port);
    else if (err != 0)
        report("--gdb %s:%u: cannot listen there: %s", host, port,
               strerror(err));
    return err != 0 ? -1 : 0;
}

void gdb_qemu_arg(const char *host, unsigned port, char *out, size_t size)
{
    snprintf(out, size, "tcp:%s:%u", host, port);
}

/* S as one shell word: in single quotes, each ' written as '\''. */
static void gdb_put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* The kernel's twin with debug information, KERNEL's directory's
 * kernel.debug.elf for a KERNEL named kernel.elf (make's build/ and the
 * package's /usr/lib/gorump/ alike), else KERNEL itself (a kernel built
 * elsewhere; make's kernel.elf is stripped, so gdb sees addresses only). */
static void gdb_debug_kernel(const char *kernel, char *out, size_t size)
{
    const char *base = strrchr(kernel, '/');
    size_t dir = base ? (size_t)(base + 1 - kernel) : 0;
    char path[PATH_MAX];

    if (strcmp(kernel + dir, "kernel.elf") != 0 ||
        (size_t)snprintf(out, size, "%.*skernel.debug.elf", (int)dir, kernel) >=
            size ||
        access(out, R_OK) != 0)
        snprintf(out, size, "%s", kernel);
    /* "/usr/bin/../lib/gorump/..." as the user would write it. */
    if (realpath(out, path) != NULL)
        snprintf(out, size, "%s", path);
}

void gdb_print_command(const struct gdb_target *t)
{
    char kernel[4096], cmd[4096 + 64], remote[300];

    gdb_debug_kernel(t->kernel, kernel, sizeof(kernel));
    snprintf(remote, sizeof(remote), "target remote %s:%u", t->host, t->port);
    report("the guest waits for gdb on %s:%u; debug it with:", t->host,
           t->port);
    fputs("  gdb ", stderr);
    gdb_put_quoted(stderr, kernel);
    if (t->program != NULL) {
        /* add-symbol-file asks before loading unless confirm is off. */
        snprintf(cmd, sizeof(cmd), "add-symbol-file %s -o %#llx", t->program,
                 t->is_pie ? (unsigned long long)GORUMP_PIE_BASE : 0ULL);
        fputs(" -ex 'set confirm off' -ex ", stderr);
        gdb_put_quoted(stderr, cmd);
        fputs(" -ex 'set confirm on'", stderr);
    }
    fputs(" -ex ", stderr);
    gdb_put_quoted(stderr, remote);
    fputc('\n', stderr);
    if (t->program == NULL)
        report("(the program is inside the image: add its symbols with "
               "add-symbol-file PROGRAM, and -o %#llx if it is PIE)",
               (unsigned long long)GORUMP_PIE_BASE);
}
