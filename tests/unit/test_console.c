/*
 * tests/unit/test_console.c — the serial protocol decoder (tool/console.c):
 * each record, escapes, and that any split of the input into chunks
 * decodes exactly like the whole.
 */
#include <stdlib.h>
#include <string.h>

#include <gorump/console.h>

#include "check.h"
#include "console.h"

#define DLE "\x10"
#define MAXOUT 8192

/* Every decoded byte with the stream it came on. */
struct rec {
    size_t n;
    uint8_t byte[MAXOUT];
    char stream[MAXOUT];
    int calls;
    int empty; /* emit() calls with no bytes: there must be none */
};

static void rec_emit(void *ctx, int stream, const uint8_t *p, size_t n)
{
    struct rec *r = ctx;

    r->empty += n == 0;
    r->calls++;
    for (size_t i = 0; i < n && r->n < MAXOUT; i++) {
        r->byte[r->n] = p[i];
        r->stream[r->n++] = (char)stream;
    }
}

/* Feeds all n bytes, on as if one transport carried them all (a
 * transport switch ends a con_feed early). */
static void feed_all(struct con_decoder *d, const char *p, size_t n,
                     struct rec *r)
{
    while (n > 0) {
        size_t k = con_feed(d, (const uint8_t *)p, n, rec_emit, r);
        CHECK(k > 0);
        if (k == 0)
            return;
        p += k;
        n -= k;
    }
}

/* Decodes S (LEN bytes) in chunks of CHUNK bytes (0: all at once). */
static void decode(struct con_decoder *d, struct rec *r, const char *s,
                   size_t len, size_t chunk)
{
    con_init(d);
    memset(r, 0, sizeof(*r));
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t i = 0; i < len; i += chunk)
        feed_all(d, s + i, len - i < chunk ? len - i : chunk, r);
}

/* The decoded bytes of stream C as a string. */
static const char *text(const struct rec *r, char c)
{
    static char buf[MAXOUT + 1];
    size_t k = 0;

    for (size_t i = 0; i < r->n; i++)
        if (r->stream[i] == c)
            buf[k++] = (char)r->byte[i];
    buf[k] = '\0';
    return buf;
}

static void test_streams(void)
{
    static const char s[] = "boot\n" DLE "1out" DLE "2err" DLE "1more" DLE
                            "kkern" DLE "1" DLE DLE "x";
    struct con_decoder d;
    struct rec r;

    decode(&d, &r, s, sizeof(s) - 1, 0);
    CHECK(strcmp(text(&r, GORUMP_CON_KERNEL), "boot\nkern") == 0);
    CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "outmore\x10x") == 0);
    CHECK(strcmp(text(&r, GORUMP_CON_STDERR), "err") == 0);
    CHECK_EQ(d.exit_status, -1);
    CHECK_EQ(d.first_record, 0);
    CHECK_EQ(d.nbytes, sizeof(s) - 1);
    /* Runs are passed on whole, not byte by byte. */
    CHECK(r.calls <= 8);
}

static void test_exit(void)
{
    static const char s[] = DLE "1bye\n" DLE "x\x2a" DLE "ptrailer";
    struct con_decoder d;
    struct rec r;

    for (size_t chunk = 0; chunk <= 3; chunk++) {
        decode(&d, &r, s, sizeof(s) - 1, chunk);
        CHECK_EQ(d.exit_status, 42);
        CHECK_EQ(d.first_record, GORUMP_CON_EXIT);
        CHECK_EQ(d.panicked, 1);
        CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "bye\ntrailer") == 0);
    }
}

/* The status byte is raw: DLE, 0 and 255 are statuses, not escapes. */
static void test_exit_status_bytes(void)
{
    static const char s1[] = DLE "x" DLE "after";
    static const char s2[] = DLE "x\xff";
    static const char s3[] = DLE "x\0" DLE "x\x05";
    struct con_decoder d;
    struct rec r;

    decode(&d, &r, s1, sizeof(s1) - 1, 1);
    CHECK_EQ(d.exit_status, 16);
    CHECK(strcmp(text(&r, GORUMP_CON_KERNEL), "after") == 0);
    decode(&d, &r, s2, sizeof(s2) - 1, 0);
    CHECK_EQ(d.exit_status, 255);
    decode(&d, &r, s3, sizeof(s3) - 1, 0);
    CHECK_EQ(d.exit_status, 0); /* the first record counts */
}

static void test_panic(void)
{
    static const char s[] = "PANIC: bad\n" DLE "p" DLE "x\x01";
    struct con_decoder d;
    struct rec r;

    decode(&d, &r, s, sizeof(s) - 1, 0);
    CHECK_EQ(d.panicked, 1);
    CHECK_EQ(d.first_record, GORUMP_CON_PANIC);
    CHECK(strcmp(text(&r, GORUMP_CON_KERNEL), "PANIC: bad\n") == 0);
}

/* DLE as the last byte of a chunk, and the exit record cut everywhere. */
static void test_splits(void)
{
    static const char s[] = DLE "1a" DLE DLE "b" DLE "2c" DLE "x\x07";
    struct con_decoder d;
    struct rec r;
    size_t len = sizeof(s) - 1;

    for (size_t cut = 0; cut <= len; cut++) {
        con_init(&d);
        memset(&r, 0, sizeof(r));
        con_feed(&d, (const uint8_t *)s, cut, rec_emit, &r);
        con_feed(&d, (const uint8_t *)s + cut, len - cut, rec_emit, &r);
        CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "a\x10"
                                                  "b") == 0);
        CHECK(strcmp(text(&r, GORUMP_CON_STDERR), "c") == 0);
        CHECK_EQ(d.exit_status, 7);
    }
    /* A chunk that is a lone DLE, then the code in the next one. */
    con_init(&d);
    memset(&r, 0, sizeof(r));
    con_feed(&d, (const uint8_t *)DLE, 1, rec_emit, &r);
    CHECK_EQ(r.n, 0);
    CHECK_EQ(d.state, CON_ESC);
    con_feed(&d, (const uint8_t *)DLE, 1, rec_emit, &r);
    CHECK_EQ(r.n, 1);
    CHECK(r.byte[0] == 0x10 && r.stream[0] == GORUMP_CON_KERNEL);
    con_feed(&d, NULL, 0, rec_emit, &r); /* empty chunks are fine */
    CHECK_EQ(r.n, 1);
}

/* Unknown record codes vanish without disturbing the stream. */
static void test_unknown(void)
{
    static const char s[] = DLE "1ab" DLE "Zcd" DLE "\x00"
                                "e";
    struct con_decoder d;
    struct rec r;

    decode(&d, &r, s, sizeof(s) - 1, 0);
    CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "abcde") == 0);
    CHECK_EQ(d.first_record, 0);
}

/* The kernel's "ready for host records" leaves the stream alone. */
static void test_ready(void)
{
    static const char s[] = DLE "1ab" DLE "rcd";
    struct con_decoder d;
    struct rec r;

    decode(&d, &r, s, 4, 0);
    CHECK_EQ(d.ready, 0);
    decode(&d, &r, s, sizeof(s) - 1, 0);
    CHECK_EQ(d.ready, 1);
    CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "abcd") == 0);
    CHECK_EQ(d.first_record, 0);
}

/* DLE 'v' and DLE 'b' end a feed where they are: the rest belongs to
 * the transport the stream left, and the caller keeps it. */
static void test_transport_switch(void)
{
    static const char serial[] = DLE "1ab" DLE "vLATER";
    static const char port[] = "cd" DLE "2ef" DLE "bX";
    struct con_decoder d;
    struct rec r;
    size_t k;

    con_init(&d);
    memset(&r, 0, sizeof(r));
    k = con_feed(&d, (const uint8_t *)serial, sizeof(serial) - 1, rec_emit, &r);
    CHECK_EQ(k, 6u); /* up to and with the 'v' */
    CHECK_EQ(d.on_port, 1);
    CHECK_EQ(d.switched, 1);
    CHECK_EQ(d.nbytes, 6u);
    k = con_feed(&d, (const uint8_t *)port, sizeof(port) - 1, rec_emit, &r);
    CHECK_EQ(k, sizeof(port) - 2); /* all but the X after the 'b' */
    CHECK_EQ(d.on_port, 0);
    k = con_feed(&d, (const uint8_t *)serial + 6, 5, rec_emit, &r);
    CHECK_EQ(k, 5u);
    CHECK_EQ(d.switched, 0);
    CHECK(strcmp(text(&r, GORUMP_CON_STDOUT), "abcd") == 0);
    CHECK(strcmp(text(&r, GORUMP_CON_STDERR), "efLATER") == 0);
    /* A switch split from its DLE still stops at the code. */
    con_init(&d);
    CHECK_EQ(con_feed(&d, (const uint8_t *)DLE, 1, rec_emit, &r), 1u);
    CHECK_EQ(con_feed(&d, (const uint8_t *)"vz", 2, rec_emit, &r), 1u);
    CHECK_EQ(d.on_port, 1);
}

/* Random streams rich in DLEs, fed in random chunks, against one feed. */
static void test_random_chunks(void)
{
    static const char alphabet[] = "\x10\x10\x10"
                                   "12kxp\n\0ab\xff";
    static char s[2048];
    static struct rec whole, parts;
    struct con_decoder d1, d2;

    srand(12345);
    for (int iter = 0; iter < 300; iter++) {
        size_t len = (size_t)(rand() % (int)sizeof(s));
        for (size_t i = 0; i < len; i++)
            s[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
        decode(&d1, &whole, s, len, 0);
        con_init(&d2);
        memset(&parts, 0, sizeof(parts));
        for (size_t i = 0; i < len;) {
            size_t n = (size_t)(rand() % 9);
            if (n > len - i)
                n = len - i;
            feed_all(&d2, s + i, n, &parts);
            i += n;
        }
        CHECK_EQ(whole.empty + parts.empty, 0);
        CHECK_EQ(whole.n, parts.n);
        CHECK(memcmp(whole.byte, parts.byte, whole.n) == 0);
        CHECK(memcmp(whole.stream, parts.stream, whole.n) == 0);
        CHECK_EQ(d1.exit_status, d2.exit_status);
        CHECK_EQ(d1.first_record, d2.first_record);
        CHECK_EQ(d1.panicked, d2.panicked);
        CHECK_EQ(d1.state, d2.state);
        CHECK_EQ(d1.stream, d2.stream);
    }
}

int main(void)
{
    test_streams();
    test_exit();
    test_exit_status_bytes();
    test_panic();
    test_splits();
    test_unknown();
    test_ready();
    test_random_chunks();
    test_transport_switch();
    return check_done();
}
