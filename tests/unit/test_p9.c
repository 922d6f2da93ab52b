/*
 * tests/unit/test_p9.c — the 9P2000.L client (kernel/fs/p9_proto.c and
 * kernel/fs/p9.c, built for the host) against a server of the test's own
 * that answers each request with a message the test makes: well-formed
 * answers give what they say; answers too short, too long for what the
 * device wrote, of the wrong tag or type, with an errno out of range, a
 * count larger than asked or than the message, a directory entry that
 * does not fit or names nothing, give EIO (or skip the entry) and never
 * read or write outside the buffers (ASan watches them); then 30000
 * requests answered with random bytes behind a valid header.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fs/p9.c"
#include "fs/p9_proto.c"

#include "check.h"
#include "heap.c"
#include "kshim.c"

/* --- what p9.c needs from the rest of the kernel ---------------------- */

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

void seq_printf(struct seq *s, const char *fmt, ...)
{
    (void)s, (void)fmt;
}

int mount_add(const char *path, const struct fs_backend_ops *ops, void *priv,
              const char *source, bool ro)
{
    (void)path, (void)ops, (void)priv, (void)source, (void)ro;
    return 0;
}

/* --- the device: each request is answered by the next reply ----------- */

static struct v9p dev;
static uint8_t reply[V9P_BUF];
static uint32_t reply_len; /* what the device says it wrote */
static uint8_t last_type;  /* the request's type */
static int requests, clunks;

struct v9p *v9p_find(const char *tag)
{
    return strcmp(tag, "t") ? NULL : &dev;
}

int v9p_rpc(struct v9p *d, uint32_t tlen, uint32_t *rlen)
{
    uint32_t size;
    memcpy(&size, d->tbuf, 4);
    CHECK(size == tlen && tlen >= P9_HDR && tlen <= V9P_BUF);
    last_type = d->tbuf[4];
    requests++;
    clunks += last_type == P9_TCLUNK;
    if (last_type == P9_TCLUNK) { /* always fine */
        uint8_t ok[7] = {7, 0, 0, 0, P9_TCLUNK + 1, d->tbuf[5], d->tbuf[6]};
        memcpy(d->rbuf, ok, 7);
        *rlen = 7;
        return 0;
    }
    memcpy(d->rbuf, reply, reply_len);
    *rlen = reply_len;
    return 0;
}

/* The next answer: type, then len bytes of fields; size from len. */
static void answer(uint8_t type, const void *fields, uint32_t len)
{
    uint32_t size = P9_HDR + len;
    memcpy(reply, &size, 4);
    reply[4] = type;
    reply[5] = P9_TAG, reply[6] = 0;
    if (len)
        memcpy(reply + P9_HDR, fields, len);
    reply_len = size;
}

/* Field writers for answers. */
static uint32_t put(uint8_t *b, uint32_t at, const void *v, uint32_t n)
{
    memcpy(b + at, v, n);
    return at + n;
}

static uint32_t put_qid(uint8_t *b, uint32_t at, uint64_t path)
{
    uint8_t q[13] = {0};
    memcpy(q + 5, &path, 8);
    return put(b, at, q, 13);
}

static uint32_t put_str(uint8_t *b, uint32_t at, const char *s)
{
    uint16_t n = (uint16_t)strlen(s);
    at = put(b, at, &n, 2);
    return put(b, at, s, n);
}

static struct p9 client_of;
static struct mount mnt_of = {.priv = &client_of};

static void setup(void)
{
    dev.tbuf = calloc(1, V9P_BUF);
    dev.rbuf = calloc(1, V9P_BUF);
    client_of.dev = &dev;
    for (unsigned i = 0; i < ARRAY_SIZE(client_of.inos); i++)
        list_init(&client_of.inos[i]);
    list_init(&client_of.specials);
}

/* Rgetattr for ino: a regular file of size bytes. */
static void answer_getattr(uint64_t ino, uint32_t mode, uint64_t size)
{
    uint8_t b[200] = {0};
    uint64_t valid = P9_GETATTR_BASIC, nlink = 1;
    uint32_t at = put(b, 0, &valid, 8);
    at = put_qid(b, at, ino);
    at = put(b, at, &mode, 4);
    at += 8; /* uid, gid */
    at = put(b, at, &nlink, 8);
    at += 8; /* rdev */
    at = put(b, at, &size, 8);
    at += 16 + 6 * 8 + 4 * 8; /* blksize blocks, 3 times, btime gen dv */
    answer(P9_TGETATTR + 1, b, at);
}

static void test_connect(void)
{
    uint8_t b[64];
    uint32_t msize = 8192, at = put(b, 0, &msize, 4);
    at = put_str(b, at, "9P2000.L");
    answer(P9_TVERSION + 1, b, at);
    /* Tversion's tag is NOTAG: the answer's must be too. */
    reply[5] = reply[6] = 0xff;
    /* Rattach follows; the fake answers every request alike, so the
     * version is checked alone first. */
    CHECK_EQ(p9_connect(&client_of), -EIO); /* Rversion as Rattach */
    CHECK_EQ(client_of.msize, 8192u);
    at = put(b, 0, &msize, 4);
    at = put_str(b, at, "9P2000.u");
    answer(P9_TVERSION + 1, b, at);
    reply[5] = reply[6] = 0xff;
    CHECK_EQ(p9_connect(&client_of), -EPROTONOSUPPORT);
    msize = 100;
    at = put(b, 0, &msize, 4);
    at = put_str(b, at, "9P2000.L");
    answer(P9_TVERSION + 1, b, at);
    reply[5] = reply[6] = 0xff;
    CHECK_EQ(p9_connect(&client_of), -EIO);
    client_of.msize = 8192;
    client_of.next_fid = 1;
}

static void test_headers(void)
{
    struct p9_out o;
    struct p9_in in;
    uint32_t e = 2;
    answer(P9_RLERROR, &e, 4);
    p9_begin(&client_of, &o, P9_TCLUNK + 2); /* any request but clunk */
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -ENOENT);
    e = 0;
    answer(P9_RLERROR, &e, 4);
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    e = 5000;
    answer(P9_RLERROR, &e, 4);
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    answer(P9_RLERROR, &e, 2); /* an ecode cut short */
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    answer(P9_TCLUNK + 3, NULL, 0);
    CHECK_EQ(p9_rpc(&client_of, &o, &in), 0);
    answer(P9_TCLUNK + 4, NULL, 0); /* the wrong type */
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    answer(P9_TCLUNK + 3, NULL, 0);
    reply[5] = 9; /* the wrong tag */
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    answer(P9_TCLUNK + 3, NULL, 0);
    reply_len = 6; /* the device wrote less than a header */
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
    answer(P9_TCLUNK + 3, NULL, 0);
    uint32_t big = 100; /* size past what the device wrote */
    memcpy(reply, &big, 4);
    CHECK_EQ(p9_rpc(&client_of, &o, &in), -EIO);
}

/* Getattr answers cut at every length are EIO; the whole one works. */
static void test_getattr(void)
{
    struct fs_attr a;
    answer_getattr(42, S_IFREG | 0644, 1234);
    uint32_t whole = reply_len;
    for (uint32_t n = P9_HDR; n < whole; n++) {
        answer_getattr(42, S_IFREG | 0644, 1234);
        uint32_t size = n;
        memcpy(reply, &size, 4);
        reply_len = n;
        CHECK_EQ(p9_getattr(&client_of, 1, &a), -EIO);
    }
    answer_getattr(42, S_IFREG | 0644, 1234);
    CHECK_EQ(p9_getattr(&client_of, 1, &a), 0);
    CHECK(a.ino == 42 && a.size == 1234 && a.mode == (S_IFREG | 0644));
    answer_getattr(42, 0170644, 1); /* no file type Linux has */
    CHECK_EQ(p9_getattr(&client_of, 1, &a), -EIO);
}

static bool fill_all(void *ctx, const struct fs_dirent *d)
{
    int *n = ctx;
    CHECK(d->len >= 1 && d->len <= NAME_MAX && !memchr(d->name, '/', d->len));
    (*n)++;
    return true;
}

/* One Rreaddir of entries, then an empty one (the end). */
static void test_readdir(void)
{
    struct p9_ino *e = calloc(1, sizeof(*e));
    e->ino = 7;
    e->fid = 3, e->rfid = e->wfid = P9_NOFID, e->dfid = 4;
    list_add_tail(chain(&client_of, 7), &e->link);
    uint8_t b[512], ents[400];
    uint32_t at = 0;
    const char *names[] = {"ok", "a/b", "", "fine"};
    for (int i = 0; i < 4; i++) {
        uint64_t off = (uint64_t)i + 1;
        uint8_t t = 8;
        at = put_qid(ents, at, 100 + (uint64_t)i);
        at = put(ents, at, &off, 8);
        at = put(ents, at, &t, 1);
        at = put_str(ents, at, names[i]);
    }
    uint32_t at2 = put(b, 0, &at, 4);
    at2 = put(b, at2, ents, at);
    answer(P9_TREADDIR + 1, b, at2);
    int n = 0;
    /* The first answer that gives entries ends the call: the two good
     * names, without asking again. */
    int before = requests;
    CHECK_EQ(p9fs_readdir(&mnt_of, 7, 0, fill_all, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(requests - before, 1);
    /* Asked from its last cookie, the fake answers the same batch: the
     * cookie does not move past 4, which is EIO. */
    n = 0;
    CHECK_EQ(p9fs_readdir(&mnt_of, 7, 4, fill_all, &n), -EIO);
    CHECK_EQ(n, 2); /* "ok" and "fine" again */
    /* A count larger than the message. */
    uint32_t lie = 1000;
    at2 = put(b, 0, &lie, 4);
    at2 = put(b, at2, ents, at);
    answer(P9_TREADDIR + 1, b, at2);
    n = 0;
    CHECK_EQ(p9fs_readdir(&mnt_of, 7, 0, fill_all, &n), -EIO);
    CHECK_EQ(n, 0);
    /* An entry cut short inside a batch. */
    uint32_t cut = at - 3;
    at2 = put(b, 0, &cut, 4);
    at2 = put(b, at2, ents, cut);
    answer(P9_TREADDIR + 1, b, at2);
    n = 0;
    CHECK_EQ(p9fs_readdir(&mnt_of, 7, 0, fill_all, &n), -EIO);
}

/* Rread larger than asked is EIO; a short one is the end of the file. */
static void test_read(void)
{
    char buf[64];
    struct p9_ino *e = find(&client_of, 7);
    e->rfid = 5;
    uint8_t b[80];
    uint32_t cnt = 40, at = put(b, 0, &cnt, 4);
    memset(b + at, 'x', 40);
    answer(P9_TREAD + 1, b, at + 40);
    CHECK_EQ(p9fs_read(&mnt_of, 7, buf, 30, 0), -EIO);
    CHECK_EQ(p9fs_read(&mnt_of, 7, buf, 64, 0), 40);
    cnt = 60; /* more than the message holds */
    put(b, 0, &cnt, 4);
    answer(P9_TREAD + 1, b, at + 40);
    CHECK_EQ(p9fs_read(&mnt_of, 7, buf, 64, 0), -EIO);
    e->wfid = 6;
    uint32_t wrote = 0;
    answer(P9_TWRITE + 1, &wrote, 4);
    CHECK_EQ(p9fs_write(&mnt_of, 7, buf, 10, 0), -EIO);
    wrote = 11;
    answer(P9_TWRITE + 1, &wrote, 4);
    CHECK_EQ(p9fs_write(&mnt_of, 7, buf, 10, 0), -EIO);
    char target[8];
    uint8_t l[32];
    answer(P9_TREADLINK + 1, l, put_str(l, 0, "0123456789"));
    CHECK_EQ(p9fs_readlink(&mnt_of, 7, target, sizeof(target)), -ERANGE);
}

/* Random bytes after a header of the right type and tag, for every
 * call: errors, never a crash or an access outside the buffers. */
static void test_random(void)
{
    static const uint8_t types[] = {
        P9_TGETATTR, P9_TREAD,   P9_TWRITE, P9_TREADDIR, P9_TREADLINK,
        P9_TWALK,    P9_TSTATFS, P9_TMKDIR, P9_TLCREATE, P9_TLOPEN};
    char buf[300];
    struct fs_attr a;
    struct fs_statfs sf;
    int n;
    for (int i = 0; i < 30000; i++) {
        uint8_t f[300];
        uint32_t len = (uint32_t)kshim_random(sizeof(f));
        for (uint32_t k = 0; k < len; k++)
            f[k] = (uint8_t)kshim_random(256);
        uint8_t t = types[kshim_random(ARRAY_SIZE(types))];
        answer(kshim_random(8) ? t + 1 : P9_RLERROR, f, len);
        switch (kshim_random(8)) {
        case 0:
            p9fs_getattr(&mnt_of, 7, &a);
            break;
        case 1:
            p9fs_read(&mnt_of, 7, buf, kshim_random(sizeof(buf)), 0);
            break;
        case 2:
            p9fs_write(&mnt_of, 7, buf, kshim_random(sizeof(buf)), 0);
            break;
        case 3:
            n = 0;
            p9fs_readdir(&mnt_of, 7, kshim_random(5), fill_all, &n);
            break;
        case 4:
            p9fs_readlink(&mnt_of, 7, buf, kshim_random(sizeof(buf)) + 1);
            break;
        case 5:
            p9fs_lookup(&mnt_of, 7, "name", 4, &a);
            break;
        case 6:
            p9fs_statfs(&mnt_of, &sf);
            break;
        default:
            p9fs_mkdir(&mnt_of, 7, "d", 1, 0755, &a);
            break;
        }
    }
    CHECK(requests > 30000);
}

int main(void)
{
    setup();
    test_connect();
    test_headers();
    test_getattr();
    test_readdir();
    test_read();
    test_random();
    return check_done();
}
