/*
 * include/gorump/console.h — how the kernel talks to the host tool over the
 * one serial port every supported machine has (COM1, 0x3f8).
 *
 * The port carries a byte stream in which 0x10 (DLE) escapes a control
 * record; every other byte belongs to the current stream.  The tool decodes
 * it, so the program's stdout and stderr reach the host's stdout and stderr
 * separately and 8-bit clean, on machines with a single serial port.
 *
 *   DLE '1'        what follows is the program's stdout
 *   DLE '2'        what follows is the program's stderr
 *   DLE 'k'        what follows is a kernel message (the tool shows it on
 *                  stderr); the stream starts in this state
 *   DLE DLE        a literal 0x10 byte in the current stream
 *   DLE 'x' S      the program exited with status S (one byte, 0-255)
 *   DLE 'p'        the kernel panicked; its report was sent on 'k'
 *   DLE 'r'        the kernel now takes the host's records (below); the
 *                  tool holds them until then, as the UART's set-up at
 *                  boot clears whatever had arrived
 *   DLE 'c'        the program has read GORUMP_STDIN_CREDIT more bytes of
 *                  its stdin: the host may send that many more
 *   DLE 'v'        (the last record on the serial port for now) the stream
 *                  continues on port 0 of the virtio-console device, framed
 *                  the same way; the host holds what later arrives on the
 *                  serial port until the port says DLE 'b' or ends
 *   DLE 'b'        (on the virtio-console port, its last record) the
 *                  stream continues on the serial port: a panic's report,
 *                  or a port the kernel gave up
 *
 * After DLE 'x' or DLE 'p' the kernel writes to the isa-debug-exit port,
 * which stops QEMU.  The tool takes the status from the record, never from
 * QEMU's exit code (which cannot carry all of 0-255).
 *
 * The other direction, host to guest, carries the program's stdin when the
 * kernel command line has gorump.stdin (`gorump run -i`; without it stdin
 * reads end of file and plain bytes are ignored), and records:
 *
 *   DLE DLE        a literal 0x10 byte of stdin
 *   DLE 'e'        end of stdin
 *   DLE 's' N      deliver signal N (1-64, not SIGKILL or SIGSTOP) to the
 *                  program, as kill(2) from outside would: how the tool
 *                  passes on SIGINT, SIGTERM and SIGHUP for a graceful stop
 *
 * The host keeps at most GORUMP_STDIN_WINDOW bytes of stdin (unescaped)
 * that the program has not read in flight, which the kernel's buffer
 * holds: the kernel always drains the serial port, so a record never
 * waits behind stdin the program does not read.
 */
#ifndef GORUMP_CONSOLE_H
#define GORUMP_CONSOLE_H

#define GORUMP_CON_ESC 0x10
#define GORUMP_CON_STDOUT '1'
#define GORUMP_CON_STDERR '2'
#define GORUMP_CON_KERNEL 'k'
#define GORUMP_CON_EXIT 'x'
#define GORUMP_CON_PANIC 'p'
#define GORUMP_CON_SIGNAL 's'
#define GORUMP_CON_READY 'r'
#define GORUMP_CON_STDIN_EOF 'e'
#define GORUMP_CON_CREDIT 'c'
#define GORUMP_CON_MOVED 'v'
#define GORUMP_CON_BACK 'b'
#define GORUMP_STDIN_WINDOW 4096
#define GORUMP_STDIN_CREDIT 256

/* The isa-debug-exit device the tool adds to every guest. */
#define GORUMP_DEBUG_EXIT_PORT 0x501

/* Exit statuses of `gorump run` beyond the program's own 0-255:
 * 123 kernel panic or guest crash, 124 --timeout expired, 125 gorump itself
 * failed (bad arguments...), 126 the kernel refused the image or program. */
#define GORUMP_STATUS_PANIC 123
#define GORUMP_STATUS_TIMEOUT 124
#define GORUMP_STATUS_FAILURE 125
#define GORUMP_STATUS_BADIMAGE 126

#endif
