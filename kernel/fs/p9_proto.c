/*
 * fs/p9_proto.c — 9P2000.L messages (fs/p9.h): building them in the
 * device's buffer, checking every answer (its size against what the
 * device wrote, its tag, its type, every field against the size), and
 * the calls the others are made of: version, attach, walk, getattr,
 * lopen, clunk.  Nothing a server sends is trusted: a malformed answer
 * is -EIO, an Rlerror's code outside Linux's errnos is -EIO too.
 */
#include "fs/p9.h"
#include "mm/mm.h"

#define ERRNO_MAX 133 /* EHWPOISON, the largest Linux errno */

void p9_begin(struct p9 *p, struct p9_out *o, uint8_t type)
{
    o->b = p->dev->tbuf;
    o->cap = p->msize;
    o->len = 0;
    o->over = false;
    p9_put32(o, 0); /* size, set by p9_rpc */
    p9_put8(o, type);
    p9_put16(o, type == P9_TVERSION ? P9_NOTAG : P9_TAG);
}

static uint8_t *room(struct p9_out *o, uint32_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = true;
        return NULL;
    }
    uint8_t *at = o->b + o->len;
    o->len += n;
    return at;
}

void p9_put8(struct p9_out *o, uint8_t v)
{
    uint8_t *at = room(o, 1);
    if (at)
        *at = v;
}

void p9_put16(struct p9_out *o, uint16_t v)
{
    uint8_t *at = room(o, 2);
    if (at)
        memcpy(at, &v, 2); /* x86 is little-endian, as 9P */
}

void p9_put32(struct p9_out *o, uint32_t v)
{
    uint8_t *at = room(o, 4);
    if (at)
        memcpy(at, &v, 4);
}

void p9_put64(struct p9_out *o, uint64_t v)
{
    uint8_t *at = room(o, 8);
    if (at)
        memcpy(at, &v, 8);
}

void p9_putstr(struct p9_out *o, const char *s, size_t len)
{
    if (len > 0xffff) {
        o->over = true;
        return;
    }
    p9_put16(o, (uint16_t)len);
    uint8_t *at = room(o, (uint32_t)len);
    if (at)
        memcpy(at, s, len);
}

const uint8_t *p9_getbytes(struct p9_in *in, uint32_t n)
{
    if (in->bad || n > in->len - in->pos) {
        in->bad = true;
        return NULL;
    }
    const uint8_t *at = in->b + in->pos;
    in->pos += n;
    return at;
}

uint8_t p9_get8(struct p9_in *in)
{
    const uint8_t *at = p9_getbytes(in, 1);
    return at ? *at : 0;
}

uint16_t p9_get16(struct p9_in *in)
{
    uint16_t v = 0;
    const uint8_t *at = p9_getbytes(in, 2);
    if (at)
        memcpy(&v, at, 2);
    return v;
}

uint32_t p9_get32(struct p9_in *in)
{
    uint32_t v = 0;
    const uint8_t *at = p9_getbytes(in, 4);
    if (at)
        memcpy(&v, at, 4);
    return v;
}

uint64_t p9_get64(struct p9_in *in)
{
    uint64_t v = 0;
    const uint8_t *at = p9_getbytes(in, 8);
    if (at)
        memcpy(&v, at, 8);
    return v;
}

void p9_getqid(struct p9_in *in, struct p9_qid *q)
{
    q->type = p9_get8(in);
    q->version = p9_get32(in);
    q->path = p9_get64(in);
}

const char *p9_getstr(struct p9_in *in, uint16_t *len)
{
    *len = p9_get16(in);
    const uint8_t *at = p9_getbytes(in, *len);
    if (!at)
        *len = 0;
    return (const char *)at;
}

int p9_rpc(struct p9 *p, struct p9_out *o, struct p9_in *in)
{
    if (o->over)
        return -ENAMETOOLONG;
    memcpy(o->b, &o->len, 4);
    uint32_t rlen;
    int err = v9p_rpc(p->dev, o->len, &rlen);
    if (err)
        return err;
    struct p9_in h = {p->dev->rbuf, MIN(rlen, p->msize), 0, false};
    uint32_t size = p9_get32(&h);
    uint8_t type = p9_get8(&h);
    uint16_t tag = p9_get16(&h), sent;
    memcpy(&sent, o->b + 5, 2);
    if (h.bad || size < P9_HDR || size > h.len || tag != sent)
        return -EIO;
    *in = (struct p9_in){h.b + P9_HDR, size - P9_HDR, 0, false};
    if (type == P9_RLERROR) {
        uint32_t ecode = p9_get32(in);
        return in->bad || ecode == 0 || ecode > ERRNO_MAX ? -EIO : -(int)ecode;
    }
    return type == o->b[4] + 1 ? 0 : -EIO;
}

/* --- the common calls */

uint32_t p9_newfid(struct p9 *p)
{
    uint32_t fid = p->next_fid++;
    if (p->next_fid == P9_NOFID)
        p->next_fid = 1; /* 4 billion walks later: old ones are clunked */
    return fid;
}

/* Tversion msize[4] version[s]; Rversion msize[4] version[s].  Tattach
 * fid[4] afid[4] uname[s] aname[s] n_uname[4]; Rattach qid. */
int p9_connect(struct p9 *p)
{
    static const char version[] = "9P2000.L";
    struct p9_out o;
    struct p9_in in;
    p->msize = P9_MSIZE;
    p9_begin(p, &o, P9_TVERSION);
    p9_put32(&o, P9_MSIZE);
    p9_putstr(&o, version, sizeof(version) - 1);
    int err = p9_rpc(p, &o, &in);
    if (err)
        return err;
    uint32_t msize = p9_get32(&in);
    uint16_t vlen;
    const char *v = p9_getstr(&in, &vlen);
    if (in.bad || vlen != sizeof(version) - 1 || memcmp(v, version, vlen))
        return -EPROTONOSUPPORT;
    if (msize < 4096)
        return -EIO;
    p->msize = MIN(msize, (uint32_t)P9_MSIZE);
    p->next_fid = 1;
    p->root_fid = p9_newfid(p);
    p9_begin(p, &o, P9_TATTACH);
    p9_put32(&o, p->root_fid);
    p9_put32(&o, P9_NOFID);
    p9_putstr(&o, "root", 4);
    p9_putstr(&o, "", 0);
    p9_put32(&o, 0);
    return p9_rpc(p, &o, &in);
}

/* Twalk fid[4] newfid[4] nwname[2] wname[s]...; Rwalk nwqid[2] qid...
 * One name, or none (a clone of fid). */
int p9_walk(struct p9 *p, uint32_t fid, uint32_t newfid, const char *name,
            size_t len)
{
    struct p9_out o;
    struct p9_in in;
    p9_begin(p, &o, P9_TWALK);
    p9_put32(&o, fid);
    p9_put32(&o, newfid);
    p9_put16(&o, name ? 1 : 0);
    if (name)
        p9_putstr(&o, name, len);
    int err = p9_rpc(p, &o, &in);
    if (err)
        return err;
    uint16_t n = p9_get16(&in);
    if (in.bad || n != (name ? 1 : 0)) {
        /* Fewer qids than names: the walk failed, newfid was not made. */
        return in.bad || n > 1 ? -EIO : -ENOENT;
    }
    return 0;
}

static struct linux_timespec ts(struct p9_in *in)
{
    uint64_t sec = p9_get64(in), nsec = p9_get64(in);
    return (struct linux_timespec){(int64_t)sec,
                                   nsec < 1000000000 ? (int64_t)nsec : 0};
}

/* Tgetattr fid[4] request_mask[8]; Rgetattr valid[8] qid mode[4] uid[4]
 * gid[4] nlink[8] rdev[8] size[8] blksize[8] blocks[8] atime mtime ctime
 * btime (sec[8] nsec[8] each) gen[8] data_version[8]. */
int p9_getattr(struct p9 *p, uint32_t fid, struct fs_attr *a)
{
    struct p9_out o;
    struct p9_in in;
    struct p9_qid q;
    p9_begin(p, &o, P9_TGETATTR);
    p9_put32(&o, fid);
    p9_put64(&o, P9_GETATTR_BASIC);
    int err = p9_rpc(p, &o, &in);
    if (err)
        return err;
    p9_get64(&in);
    p9_getqid(&in, &q);
    a->ino = q.path;
    a->mode = p9_get32(&in);
    a->uid = p9_get32(&in);
    a->gid = p9_get32(&in);
    a->nlink = p9_get64(&in);
    a->rdev = p9_get64(&in);
    a->size = p9_get64(&in);
    p9_get64(&in); /* blksize */
    a->blocks = p9_get64(&in);
    a->atime = ts(&in);
    a->mtime = ts(&in);
    a->ctime = ts(&in);
    ts(&in);       /* btime */
    p9_get64(&in); /* gen */
    p9_get64(&in); /* data_version: all there, or the answer is bad */
    if (in.bad)
        return -EIO;
    /* A mode without a type we know is no file we can show. */
    switch (a->mode & S_IFMT) {
    case S_IFREG:
    case S_IFDIR:
    case S_IFLNK:
    case S_IFIFO:
    case S_IFSOCK:
    case S_IFCHR:
    case 0060000: /* S_IFBLK */
        return 0;
    default:
        return -EIO;
    }
}

/* Tlopen fid[4] flags[4]; Rlopen qid iounit[4]. */
int p9_lopen(struct p9 *p, uint32_t fid, uint32_t flags)
{
    struct p9_out o;
    struct p9_in in;
    p9_begin(p, &o, P9_TLOPEN);
    p9_put32(&o, fid);
    p9_put32(&o, flags);
    return p9_rpc(p, &o, &in);
}

/* Tclunk fid[4]; Rclunk. */
int p9_clunk(struct p9 *p, uint32_t fid)
{
    struct p9_out o;
    struct p9_in in;
    if (fid == P9_NOFID)
        return 0;
    p9_begin(p, &o, P9_TCLUNK);
    p9_put32(&o, fid);
    return p9_rpc(p, &o, &in);
}
