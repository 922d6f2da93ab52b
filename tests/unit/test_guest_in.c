/*
 * tests/unit/test_guest_in.c — the guest's serial input (tool/guest_in.c):
 * stdin bytes escaped, the end of stdin and signals as records, nothing
 * sent before the kernel is ready, and a write failure reported.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gorump/console.h>

#include "check.h"
#include "guest_in.h"

/* What the guest side of the pipe got so far. */
static size_t drain(int fd, uint8_t *buf, size_t size)
{
    ssize_t n = read(fd, buf, size);
    return n > 0 ? (size_t)n : 0;
}

static void test_stdin_and_records(void)
{
    int src[2], dst[2];
    uint8_t got[64];
    struct guest_in in;
    static const uint8_t want[] = {'a', 0x10, 0x10, 'b', 0x10,
                                   's', 15,   0x10, 'e'};

    CHECK(pipe(src) == 0 && pipe(dst) == 0);
    fcntl(dst[1], F_SETFL, O_NONBLOCK);
    fcntl(dst[0], F_SETFL, O_NONBLOCK);
    CHECK(write(src[1],
                "a\x10"
                "b",
                3) == 3);
    close(src[1]);
    guest_in_init(&in, dst[1], src[0]);

    CHECK_EQ(guest_in_want_read(&in, 0, 0), 0); /* the kernel is not ready */
    CHECK_EQ(guest_in_want_read(&in, 1, 0), 1);
    guest_in_read(&in, 0);
    CHECK_EQ(in.n, 4);
    CHECK_EQ(guest_in_want_read(&in, 1, 0), 0); /* queue first */
    CHECK_EQ(guest_in_signal(&in, SIGTERM), 0);
    CHECK_EQ(guest_in_flush(&in, 0), 0); /* held until ready */
    CHECK_EQ(drain(dst[0], got, sizeof(got)), 0);
    CHECK_EQ(guest_in_want_write(&in, 1), 1);
    CHECK_EQ(guest_in_flush(&in, 1), 0);
    CHECK_EQ(in.n, 0);
    guest_in_read(&in, 0); /* the end of stdin */
    CHECK_EQ(in.src_eof, 1);
    CHECK_EQ(guest_in_want_read(&in, 1, 0), 0);
    CHECK_EQ(guest_in_flush(&in, 1), 0);
    CHECK_EQ(drain(dst[0], got, sizeof(got)), sizeof(want));
    CHECK(memcmp(got, want, sizeof(want)) == 0);

    close(dst[0]); /* QEMU has gone */
    CHECK_EQ(guest_in_signal(&in, SIGINT), 0);
    CHECK_EQ(guest_in_flush(&in, 1), -1);
    close(dst[1]);
    close(src[0]);
}

/* No more stdin in flight than the kernel's buffer: more only as the
 * program reads (the kernel's credits). */
static void test_window(void)
{
    int src[2], dst[2];
    static uint8_t big[3 * GORUMP_STDIN_WINDOW];
    uint8_t sink[2 * GORUMP_STDIN_WINDOW];
    struct guest_in in;

    CHECK(pipe(src) == 0 && pipe(dst) == 0);
    fcntl(dst[1], F_SETFL, O_NONBLOCK);
    fcntl(dst[0], F_SETFL, O_NONBLOCK);
    memset(big, 'x', sizeof(big));
    CHECK(write(src[1], big, sizeof(big)) == (ssize_t)sizeof(big));
    guest_in_init(&in, dst[1], src[0]);
    while (guest_in_want_read(&in, 1, 0)) {
        guest_in_read(&in, 0);
        CHECK_EQ(guest_in_flush(&in, 1), 0);
    }
    CHECK_EQ(in.sent, GORUMP_STDIN_WINDOW);
    CHECK_EQ(drain(dst[0], sink, sizeof(sink)), GORUMP_STDIN_WINDOW);
    /* The program read one credit's worth: exactly that much more. */
    CHECK_EQ(guest_in_want_read(&in, 1, 1), 1);
    guest_in_read(&in, 1);
    CHECK_EQ(in.sent, GORUMP_STDIN_WINDOW + GORUMP_STDIN_CREDIT);
    CHECK_EQ(guest_in_want_read(&in, 1, 1), 0);
    /* A signal still goes out behind it at once. */
    CHECK_EQ(guest_in_signal(&in, SIGTERM), 0);
    CHECK_EQ(guest_in_flush(&in, 1), 0);
    CHECK_EQ(drain(dst[0], sink, sizeof(sink)), GORUMP_STDIN_CREDIT + 3);
    close(src[0]);
    close(src[1]);
    close(dst[0]);
    close(dst[1]);
}

static void test_no_input(void)
{
    struct guest_in in;

    guest_in_init(&in, -1, -1);
    CHECK_EQ(guest_in_signal(&in, SIGTERM), -1);
    CHECK_EQ(guest_in_want_read(&in, 1, 0), 0);
    CHECK_EQ(guest_in_want_write(&in, 1), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_stdin_and_records();
    test_window();
    test_no_input();
    return check_done();
}
