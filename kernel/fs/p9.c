/*
 * fs/p9.c — a 9P2000.L file system over virtio-9p: the backend
 * (fs/mount.h) that shares a host directory (docs/FILESYSTEM.md,
 * "Mounts").  Each inode the mount layer holds has a fid walked to it
 * (refreshed by every lookup, so a fid follows the host's current name),
 * and, once needed, fids opened for reading, for reading and writing, and
 * for reading the directory; forget clunks them all.  Reads and writes
 * are cut to what one message holds (msize less the header).  FIFOs and
 * sockets the server will not make are regular files shown as special
 * (create_special).
 */
#include "fs/p9.h"
#include "mm/mm.h"

#define O_LARGEFILE 0100000
#define AT_REMOVEDIR_9P 0x200
#define DT_FIFO 1
#define DT_DIR 4
#define DT_SOCK 12

/* Tsetattr's valid bits (Linux's P9_ATTR_*) */
#define P9_SET_MODE 1
#define P9_SET_UID 2
#define P9_SET_GID 4
#define P9_SET_SIZE 8
#define P9_SET_ATIME 16
#define P9_SET_MTIME 32
#define P9_SET_CTIME 64
#define P9_SET_ATIME_SET 128
#define P9_SET_MTIME_SET 256

static struct p9 *client(struct mount *m)
{
    return m->priv;
}

static struct list *chain(struct p9 *p, uint64_t ino)
{
    return &p->inos[(ino * 0x9e3779b97f4a7c15ULL) >> 58];
}

static struct p9_ino *find(struct p9 *p, uint64_t ino)
{
    list_for_each(l, chain(p, ino))
    {
        struct p9_ino *e = container_of(l, struct p9_ino, link);
        if (e->ino == ino)
            return e;
    }
    return NULL;
}

/* Records fid (walked to the file ino) as ino's, clunking the one it
 * replaces; on failure fid is clunked. */
static int keep(struct p9 *p, uint64_t ino, uint32_t fid)
{
    struct p9_ino *e = find(p, ino);
    if (!e) {
        e = kzalloc(sizeof(*e));
        if (!e) {
            p9_clunk(p, fid);
            return -ENOMEM;
        }
        e->ino = ino;
        e->fid = e->rfid = e->wfid = e->dfid = P9_NOFID;
        list_add_tail(chain(p, ino), &e->link);
    }
    p9_clunk(p, e->fid);
    e->fid = fid;
    return 0;
}

/* The fid walked to ino (-ESTALE if the layer forgot it). */
static int fid_of(struct p9 *p, uint64_t ino, uint32_t *fid)
{
    struct p9_ino *e = find(p, ino);
    if (!e)
        return -ESTALE;
    *fid = e->fid;
    return 0;
}

static struct p9_special *special(struct p9 *p, uint64_t ino)
{
    list_for_each(l, &p->specials)
    {
        struct p9_special *s = container_of(l, struct p9_special, link);
        if (s->ino == ino)
            return s;
    }
    return NULL;
}

/* Tgetattr, with a FIFO's or socket's placeholder shown as what it
 * stands for. */
static int getattr(struct p9 *p, uint32_t fid, struct fs_attr *a)
{
    int err = p9_getattr(p, fid, a);
    struct p9_special *s = err ? NULL : special(p, a->ino);
    if (s && S_ISREG(a->mode))
        a->mode = (a->mode & 07777) | s->type;
    return err;
}

/* Walks from directory fid dfid to name and reads its attributes; the
 * new fid becomes the inode's. */
static int walk_in(struct p9 *p, uint32_t dfid, const char *name, size_t len,
                   struct fs_attr *a)
{
    uint32_t fid = p9_newfid(p);
    int err = p9_walk(p, dfid, fid, name, len);
    if (err)
        return err;
    err = getattr(p, fid, a);
    if (err) {
        p9_clunk(p, fid);
        return err;
    }
    return keep(p, a->ino, fid);
}

static int p9fs_root(struct mount *m, struct fs_attr *a)
{
    struct p9 *p = client(m);
    return walk_in(p, p->root_fid, NULL, 0, a);
}

static int p9fs_lookup(struct mount *m, uint64_t dir, const char *name,
                       size_t len, struct fs_attr *a)
{
    uint32_t dfid;
    int err = fid_of(client(m), dir, &dfid);
    return err ? err : walk_in(client(m), dfid, name, len, a);
}

/* An open fid of ino's, for reading (write false) or for writing: the
 * one there is, else one opened now.  Regular files are opened for
 * reading and writing when that is allowed, so one fid serves both. */
static int open_fid(struct p9 *p, uint64_t ino, bool write, uint32_t *out)
{
    struct p9_ino *e = find(p, ino);
    if (!e)
        return -ESTALE;
    if (e->wfid != P9_NOFID || (!write && e->rfid != P9_NOFID)) {
        *out = e->wfid != P9_NOFID ? e->wfid : e->rfid;
        return 0;
    }
    uint32_t fid = p9_newfid(p);
    int err = p9_walk(p, e->fid, fid, NULL, 0);
    if (err)
        return err;
    err = p9_lopen(p, fid, 2 | O_LARGEFILE); /* O_RDWR */
    if (err && !write)
        err = p9_lopen(p, fid, 0 | O_LARGEFILE); /* O_RDONLY */
    else if (!err)
        write = true;
    if (err) {
        p9_clunk(p, fid);
        return err;
    }
    if (write)
        e->wfid = fid;
    else
        e->rfid = fid;
    *out = fid;
    return 0;
}

/* Attributes from the open fid when there is one: it still works after
 * the file is unlinked (QEMU stats the open file then). */
static uint32_t attr_fid(struct p9_ino *e)
{
    return e->wfid != P9_NOFID   ? e->wfid
           : e->rfid != P9_NOFID ? e->rfid
                                 : e->fid;
}

static int p9fs_getattr(struct mount *m, uint64_t ino, struct fs_attr *a)
{
    struct p9_ino *e = find(client(m), ino);
    if (!e)
        return -ESTALE;
    int err = getattr(client(m), attr_fid(e), a);
    return !err && a->ino != ino ? -ESTALE : err;
}

static unsigned set_bits(unsigned mask)
{
    static const unsigned map[][2] = {
        {FS_SET_MODE, P9_SET_MODE},
        {FS_SET_UID, P9_SET_UID},
        {FS_SET_GID, P9_SET_GID},
        {FS_SET_SIZE, P9_SET_SIZE},
        {FS_SET_ATIME, P9_SET_ATIME | P9_SET_ATIME_SET},
        {FS_SET_MTIME, P9_SET_MTIME | P9_SET_MTIME_SET},
        {FS_SET_ATIME_NOW, P9_SET_ATIME},
        {FS_SET_MTIME_NOW, P9_SET_MTIME},
        {FS_SET_CTIME, P9_SET_CTIME},
    };
    unsigned v = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
        v |= mask & map[i][0] ? map[i][1] : 0;
    return v;
}

/* Tsetattr fid[4] valid[4] mode[4] uid[4] gid[4] size[8] atime_sec[8]
 * atime_nsec[8] mtime_sec[8] mtime_nsec[8]; Rsetattr. */
static int p9fs_setattr(struct mount *m, uint64_t ino,
                        const struct fs_setattr *s)
{
    struct p9 *p = client(m);
    struct p9_ino *e = find(p, ino);
    struct p9_out o;
    struct p9_in in;
    if (!e)
        return -ESTALE;
    p9_begin(p, &o, P9_TSETATTR);
    p9_put32(&o, attr_fid(e)); /* an open file's: ftruncate, unlinked too */
    p9_put32(&o, set_bits(s->mask));
    p9_put32(&o, s->mode);
    p9_put32(&o, s->uid);
    p9_put32(&o, s->gid);
    p9_put64(&o, s->size);
    p9_put64(&o, (uint64_t)s->atime.tv_sec);
    p9_put64(&o, (uint64_t)s->atime.tv_nsec);
    p9_put64(&o, (uint64_t)s->mtime.tv_sec);
    p9_put64(&o, (uint64_t)s->mtime.tv_nsec);
    return p9_rpc(p, &o, &in);
}

static int p9fs_open(struct mount *m, uint64_t ino, unsigned flags)
{
    uint32_t fid;
    return open_fid(client(m), ino, (flags & O_ACCMODE) != O_RDONLY, &fid);
}

/* The most data one Tread or Twrite carries: msize less their headers
 * (Rread: 7 + count[4]; Twrite: 7 + fid[4] offset[8] count[4]). */
static uint32_t io_max(struct p9 *p)
{
    return p->msize - P9_HDR - 16;
}

/* Tread fid[4] offset[8] count[4]; Rread count[4] data[count]. */
static long p9fs_read(struct mount *m, uint64_t ino, void *buf, size_t len,
                      uint64_t off)
{
    struct p9 *p = client(m);
    uint32_t fid;
    int err = open_fid(p, ino, false, &fid);
    if (err)
        return err;
    size_t done = 0;
    while (done < len) {
        uint32_t want = (uint32_t)MIN(len - done, (size_t)io_max(p));
        struct p9_out o;
        struct p9_in in;
        p9_begin(p, &o, P9_TREAD);
        p9_put32(&o, fid);
        p9_put64(&o, off + done);
        p9_put32(&o, want);
        err = p9_rpc(p, &o, &in);
        uint32_t got = err ? 0 : p9_get32(&in);
        const uint8_t *data = err ? NULL : p9_getbytes(&in, got);
        if (!err && (!data || got > want))
            err = -EIO;
        if (err)
            return done ? (long)done : err;
        memcpy((uint8_t *)buf + done, data, got);
        done += got;
        if (got < want)
            break; /* the end of the file */
    }
    return (long)done;
}

/* Twrite fid[4] offset[8] count[4] data[count]; Rwrite count[4]. */
static long p9fs_write(struct mount *m, uint64_t ino, const void *buf,
                       size_t len, uint64_t off)
{
    struct p9 *p = client(m);
    uint32_t fid;
    int err = open_fid(p, ino, true, &fid);
    if (err)
        return err;
    size_t done = 0;
    while (done < len) {
        uint32_t want = (uint32_t)MIN(len - done, (size_t)io_max(p));
        struct p9_out o;
        struct p9_in in;
        p9_begin(p, &o, P9_TWRITE);
        p9_put32(&o, fid);
        p9_put64(&o, off + done);
        p9_put32(&o, want);
        uint8_t *at = o.over || want > o.cap - o.len ? NULL : o.b + o.len;
        if (!at)
            return done ? (long)done : -EIO;
        memcpy(at, (const uint8_t *)buf + done, want);
        o.len += want;
        err = p9_rpc(p, &o, &in);
        uint32_t put = err ? 0 : p9_get32(&in);
        if (!err && (in.bad || put > want || put == 0))
            err = -EIO;
        if (err)
            return done ? (long)done : err;
        done += put;
    }
    return (long)done;
}

/* A new entry's qid came back: look it up as the layer will use it. */
static int made(struct p9 *p, uint32_t dfid, const char *name, size_t len,
                int err, struct fs_attr *a)
{
    return err ? err : walk_in(p, dfid, name, len, a);
}

/* Starts a message whose first fields are directory dir's fid and a
 * name in it (Tmknod, Tmkdir, Tsymlink, Tunlinkat); *dfid is that fid.
 * 0, or -ESTALE. */
static int begin_entry(struct p9 *p, struct p9_out *o, uint8_t type,
                       uint64_t dir, const char *name, size_t len,
                       uint32_t *dfid)
{
    int err = fid_of(p, dir, dfid);
    if (err)
        return err;
    p9_begin(p, o, type);
    p9_put32(o, *dfid);
    p9_putstr(o, name, len);
    return 0;
}

/* Tlcreate fid[4] name[s] flags[4] mode[4] gid[4]; Rlcreate qid
 * iounit[4]: fid (a clone of the directory's) becomes the new file,
 * opened; it is kept as the file's read-write fid. */
static int create_reg(struct p9 *p, uint32_t dfid, const char *name, size_t len,
                      uint32_t mode, struct fs_attr *a)
{
    struct p9_out o;
    struct p9_in in;
    uint32_t fid = p9_newfid(p);
    int err = p9_walk(p, dfid, fid, NULL, 0);
    if (err)
        return err;
    p9_begin(p, &o, P9_TLCREATE);
    p9_put32(&o, fid);
    p9_putstr(&o, name, len);
    p9_put32(&o, 2 | O_CREAT | O_EXCL | O_LARGEFILE);
    p9_put32(&o, mode & 07777);
    p9_put32(&o, 0);
    err = made(p, dfid, name, len, p9_rpc(p, &o, &in), a);
    struct p9_ino *e = err ? NULL : find(p, a->ino);
    if (!e || e->wfid != P9_NOFID)
        p9_clunk(p, fid);
    else
        e->wfid = fid;
    return err;
}

/* A FIFO or socket the server will not make (QEMU 7.2 refuses, with
 * ENXIO, to make a special file under security_model=none, as it then
 * opens it to set its mode): a regular file of that name and mode
 * stands in for it, so the host sees the name, and the guest shows it
 * as the special file (getattr).  Linux's 9p also keeps such files in
 * the guest: it never opens them on the server. */
static int create_special(struct p9 *p, uint32_t dfid, const char *name,
                          size_t len, uint32_t mode, struct fs_attr *a)
{
    struct p9_special *s = kzalloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    int err = create_reg(p, dfid, name, len, mode, a);
    if (err) {
        kfree(s);
        return err;
    }
    s->ino = a->ino;
    s->type = mode & S_IFMT;
    list_add_tail(&p->specials, &s->link);
    a->mode = (a->mode & 07777) | s->type;
    return 0;
}

/* Tmknod dfid[4] name[s] mode[4] major[4] minor[4] gid[4]; Rmknod qid:
 * FIFOs and sockets, and regular files through create_reg. */
static int p9fs_create(struct mount *m, uint64_t dir, const char *name,
                       size_t len, uint32_t mode, struct fs_attr *a)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t dfid;
    int err = fid_of(p, dir, &dfid);
    if (err)
        return err;
    if (S_ISREG(mode))
        return create_reg(p, dfid, name, len, mode, a);
    if (!p->no_mknod) {
        p9_begin(p, &o, P9_TMKNOD); /* begin_entry without a second fid_of */
        p9_put32(&o, dfid);
        p9_putstr(&o, name, len);
        p9_put32(&o, mode);
        p9_put32(&o, 0);
        p9_put32(&o, 0);
        p9_put32(&o, 0);
        err = p9_rpc(p, &o, &in);
        if (err != -ENXIO)
            return made(p, dfid, name, len, err, a);
        p->no_mknod = true; /* and say it on QEMU's stderr only once */
    }
    return create_special(p, dfid, name, len, mode, a);
}

/* Tmkdir dfid[4] name[s] mode[4] gid[4]; Rmkdir qid. */
static int p9fs_mkdir(struct mount *m, uint64_t dir, const char *name,
                      size_t len, uint32_t mode, struct fs_attr *a)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t dfid;
    int err = begin_entry(p, &o, P9_TMKDIR, dir, name, len, &dfid);
    if (err)
        return err;
    p9_put32(&o, mode & 07777);
    p9_put32(&o, 0);
    return made(p, dfid, name, len, p9_rpc(p, &o, &in), a);
}

/* Tsymlink fid[4] name[s] symtgt[s] gid[4]; Rsymlink qid. */
static int p9fs_symlink(struct mount *m, uint64_t dir, const char *name,
                        size_t len, const char *target, struct fs_attr *a)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t dfid;
    int err = begin_entry(p, &o, P9_TSYMLINK, dir, name, len, &dfid);
    if (err)
        return err;
    p9_putstr(&o, target, strlen(target));
    p9_put32(&o, 0);
    return made(p, dfid, name, len, p9_rpc(p, &o, &in), a);
}

/* Treadlink fid[4]; Rreadlink target[s]. */
static long p9fs_readlink(struct mount *m, uint64_t ino, char *buf, size_t size)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t fid;
    int err = fid_of(p, ino, &fid);
    if (err)
        return err;
    p9_begin(p, &o, P9_TREADLINK);
    p9_put32(&o, fid);
    err = p9_rpc(p, &o, &in);
    if (err)
        return err;
    uint16_t n;
    const char *t = p9_getstr(&in, &n);
    if (in.bad || memchr(t, 0, n))
        return -EIO;
    if ((size_t)n >= size)
        return -ERANGE;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return n;
}

/* Tlink dfid[4] fid[4] name[s]; Rlink. */
static int p9fs_link(struct mount *m, uint64_t ino, uint64_t dir,
                     const char *name, size_t len)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t dfid, fid;
    int err = fid_of(p, dir, &dfid);
    if (!err)
        err = fid_of(p, ino, &fid);
    if (err)
        return err;
    p9_begin(p, &o, P9_TLINK);
    p9_put32(&o, dfid);
    p9_put32(&o, fid);
    p9_putstr(&o, name, len);
    return p9_rpc(p, &o, &in);
}

/* Tunlinkat dirfd[4] name[s] flags[4]; Runlinkat. */
static int p9fs_unlink(struct mount *m, uint64_t dir, const char *name,
                       size_t len, bool is_dir)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t dfid;
    int err = begin_entry(p, &o, P9_TUNLINKAT, dir, name, len, &dfid);
    if (err)
        return err;
    p9_put32(&o, is_dir ? AT_REMOVEDIR_9P : 0);
    return p9_rpc(p, &o, &in);
}

/* Trenameat olddirfid[4] oldname[s] newdirfid[4] newname[s];
 * Rrenameat. */
static int p9fs_rename(struct mount *m, uint64_t odir, const char *oname,
                       size_t olen, uint64_t ndir, const char *nname,
                       size_t nlen)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    uint32_t ofid, nfid;
    int err = fid_of(p, odir, &ofid);
    if (!err)
        err = fid_of(p, ndir, &nfid);
    if (err)
        return err;
    p9_begin(p, &o, P9_TRENAMEAT);
    p9_put32(&o, ofid);
    p9_putstr(&o, oname, olen);
    p9_put32(&o, nfid);
    p9_putstr(&o, nname, nlen);
    return p9_rpc(p, &o, &in);
}

/* The fid opened to read directory ino, opened now if need be. */
static int dir_fid(struct p9 *p, uint64_t ino, uint32_t *out)
{
    struct p9_ino *e = find(p, ino);
    if (!e)
        return -ESTALE;
    if (e->dfid == P9_NOFID) {
        uint32_t fid = p9_newfid(p);
        int err = p9_walk(p, e->fid, fid, NULL, 0);
        if (!err && (err = p9_lopen(p, fid, O_DIRECTORY | O_LARGEFILE)))
            p9_clunk(p, fid);
        if (err)
            return err;
        e->dfid = fid;
    }
    *out = e->dfid;
    return 0;
}

/* One Rreaddir's entries (qid offset[8] type[1] name[s] each) to fill;
 * *cookie moves past those taken, *taken counts them.  1 when fill
 * stopped, else 0, or -EIO for a malformed entry. */
static int dir_entries(struct p9 *p, struct p9_in *in, uint64_t *cookie,
                       fs_filldir_fn fill, void *ctx, unsigned *taken)
{
    while (in->pos < in->len) {
        struct p9_qid q;
        p9_getqid(in, &q);
        uint64_t off = p9_get64(in);
        uint8_t type = p9_get8(in);
        uint16_t n;
        const char *name = p9_getstr(in, &n);
        if (in->bad)
            return -EIO;
        /* A name no directory can hold is left out. */
        if (n == 0 || n > NAME_MAX || memchr(name, '/', n) ||
            memchr(name, 0, n)) {
            *cookie = off;
            continue;
        }
        struct p9_special *sp = special(p, q.path);
        if (sp)
            type = sp->type == S_IFIFO ? DT_FIFO : DT_SOCK;
        struct fs_dirent d = {q.path, off, type, name, n};
        if (!fill(ctx, &d))
            return 1;
        *cookie = off;
        ++*taken;
    }
    return 0;
}

/* Treaddir fid[4] offset[8] count[4]; Rreaddir count[4] data[count].
 * Returns after the first answer that gave entries (getdents may return
 * fewer than fit): asking again would only find the end, one more round
 * trip for every directory read. */
static int p9fs_readdir(struct mount *m, uint64_t dir, uint64_t cookie,
                        fs_filldir_fn fill, void *ctx)
{
    struct p9 *p = client(m);
    uint32_t fid;
    unsigned taken = 0;
    int err = dir_fid(p, dir, &fid);
    for (int r = 0; !err && r == 0 && taken == 0;) {
        struct p9_out o;
        struct p9_in in;
        p9_begin(p, &o, P9_TREADDIR);
        p9_put32(&o, fid);
        p9_put64(&o, cookie);
        p9_put32(&o, io_max(p));
        if ((err = p9_rpc(p, &o, &in)))
            break;
        uint32_t count = p9_get32(&in);
        const uint8_t *data = p9_getbytes(&in, count);
        if (!data)
            return -EIO;
        if (count == 0)
            return 0; /* the end */
        struct p9_in ents = {data, count, 0, false};
        uint64_t before = cookie;
        r = dir_entries(p, &ents, &cookie, fill, ctx, &taken);
        if (r == 0 && cookie == before)
            return -EIO; /* a server that does not move on */
        err = r < 0 ? r : 0;
    }
    return err;
}

/* Tfsync fid[4] datasync[4]; Rfsync: on an open fid. */
static int p9fs_fsync(struct mount *m, uint64_t ino)
{
    struct p9 *p = client(m);
    struct p9_ino *e = find(p, ino);
    uint32_t fid;
    if (!e)
        return -ESTALE;
    int err = e->wfid != P9_NOFID || e->rfid != P9_NOFID
                  ? (fid = attr_fid(e), 0)
                  : dir_fid(p, ino, &fid);
    if (err == -ENOTDIR)
        err = open_fid(p, ino, false, &fid);
    if (err)
        return err;
    struct p9_out o;
    struct p9_in in;
    p9_begin(p, &o, P9_TFSYNC);
    p9_put32(&o, fid);
    p9_put32(&o, 0);
    return p9_rpc(p, &o, &in);
}

/* Tstatfs fid[4]; Rstatfs type[4] bsize[4] blocks[8] bfree[8] bavail[8]
 * files[8] ffree[8] fsid[8] namelen[4].  As Linux's 9p, f_type is the
 * host file system's. */
static int p9fs_statfs(struct mount *m, struct fs_statfs *s)
{
    struct p9 *p = client(m);
    struct p9_out o;
    struct p9_in in;
    p9_begin(p, &o, P9_TSTATFS);
    p9_put32(&o, p->root_fid);
    int err = p9_rpc(p, &o, &in);
    if (err)
        return err;
    s->type = p9_get32(&in);
    s->bsize = p9_get32(&in);
    s->blocks = p9_get64(&in);
    s->bfree = p9_get64(&in);
    s->bavail = p9_get64(&in);
    s->files = p9_get64(&in);
    s->ffree = p9_get64(&in);
    p9_get64(&in);
    s->namelen = p9_get32(&in);
    return in.bad ? -EIO : 0;
}

/* A placeholder's inode is forgotten: unless its file is still there
 * (the layer drops unused nodes too), it is no longer special. */
static void special_forget(struct p9 *p, struct p9_ino *e)
{
    struct p9_special *s = special(p, e->ino);
    struct fs_attr a;
    if (!s ||
        (p9_getattr(p, e->fid, &a) == 0 && a.ino == e->ino && a.nlink > 0))
        return;
    list_del(&s->link);
    kfree(s);
}

static void p9fs_forget(struct mount *m, uint64_t ino)
{
    struct p9 *p = client(m);
    struct p9_ino *e = find(p, ino);
    if (!e)
        return;
    special_forget(p, e);
    p9_clunk(p, e->fid);
    p9_clunk(p, e->rfid);
    p9_clunk(p, e->wfid);
    p9_clunk(p, e->dfid);
    list_del(&e->link);
    kfree(e);
}

static void p9fs_options(struct mount *m, struct seq *s)
{
    seq_printf(s, ",msize=%u,trans=virtio,version=9p2000.L", client(m)->msize);
}

static const struct fs_backend_ops p9fs_ops = {
    .type = "9p",
    .root = p9fs_root,
    .lookup = p9fs_lookup,
    .getattr = p9fs_getattr,
    .setattr = p9fs_setattr,
    .open = p9fs_open,
    .read = p9fs_read,
    .write = p9fs_write,
    .create = p9fs_create,
    .mkdir = p9fs_mkdir,
    .symlink = p9fs_symlink,
    .readlink = p9fs_readlink,
    .link = p9fs_link,
    .unlink = p9fs_unlink,
    .rename = p9fs_rename,
    .readdir = p9fs_readdir,
    .fsync = p9fs_fsync,
    .statfs = p9fs_statfs,
    .forget = p9fs_forget,
    .options = p9fs_options,
};

int p9_mount(const char *tag, const char *path, bool ro)
{
    struct v9p *dev = v9p_find(tag);
    if (!dev)
        return -ENODEV;
    if (dev->in_use)
        return -EBUSY;
    struct p9 *p = kzalloc(sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->dev = dev;
    for (unsigned i = 0; i < ARRAY_SIZE(p->inos); i++)
        list_init(&p->inos[i]);
    list_init(&p->specials);
    int err = p9_connect(p);
    if (!err)
        err = mount_add(path, &p9fs_ops, p, tag, ro);
    if (err) {
        kfree(p);
        return err;
    }
    dev->in_use = true;
    return 0;
}
