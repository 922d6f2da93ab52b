/*
 * tool/gdb.h — `gorump run --gdb [HOST:]PORT`: the address QEMU's gdb stub
 * listens on (checked before QEMU starts, so a bad one is our error, not
 * QEMU's), and the gdb command line that loads the kernel's symbols and
 * the program's at the addresses the kernel maps it at.
 */
#ifndef GORUMP_TOOL_GDB_H
#define GORUMP_TOOL_GDB_H

#include <stddef.h>
#include <stdint.h>

#define GDB_HOST_DEFAULT "127.0.0.1"

/* "[HOST:]PORT": HOST a name, a dotted quad or "[IPv6]" (kept with its
 * brackets, as QEMU's tcp: syntax wants it), GDB_HOST_DEFAULT when
 * absent; PORT 1..65535.  0, or -1 if malformed. */
int gdb_parse_addr(const char *s, char *host, size_t size, unsigned *port);

/* Whether HOST:PORT can be listened on now: 0, or -1 after reporting why
 * (a port in use, a host that names no local address). */
int gdb_check_addr(const char *host, unsigned port);

/* The -gdb value QEMU takes: "tcp:HOST:PORT". */
void gdb_qemu_arg(const char *host, unsigned port, char *out, size_t size);

/* What gdb needs: the kernel with its debug information, the program on
 * the host (NULL for one inside an image) and whether the kernel loads it
 * at GORUMP_PIE_BASE (ET_DYN) or at its own addresses. */
struct gdb_target {
    const char *kernel; /* the kernel QEMU boots */
    const char *program;
    int is_pie;
    const char *host;
    unsigned port;
};

/* Prints on stderr where the guest waits and the gdb command line that
 * debugs it. */
void gdb_print_command(const struct gdb_target *t);

#endif
