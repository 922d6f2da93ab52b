/*
 * fs/ext2/dir.c — directories: blocks of variable-length entries (inode,
 * record length, name length, file type, name) searched linearly.  An
 * indexed directory (dir_index) reads the same way, since its index
 * blocks look like empty entries; it loses EXT2_INDEX_FL on the first
 * change, as in Linux's ext2.  Every entry is checked before use: a
 * record that is too short, unaligned, runs out of its block or names an
 * inode out of range gives -EUCLEAN, and so does a hole in a directory.
 * The readdir cookie is the byte offset of the next entry, as ext2's
 * f_pos is.
 */
#include "fs/ext2/ext2_int.h"

struct dirent_v {
    uint32_t ino, rec, nlen;
    uint8_t type;
    const char *name;
};

/* The entry at off in block data, checked. */
static int de_parse(struct ext2_fs *fs, const uint8_t *data, uint32_t off,
                    struct dirent_v *de)
{
    if (off + DE_HDR > fs->bsize)
        return -EUCLEAN;
    const uint8_t *p = data + off;
    de->ino = get32(p);
    de->rec = get16(p + 4);
    bool ft = fs->feat_incompat & INCOMPAT_FILETYPE;
    de->nlen = ft ? p[6] : get16(p + 6);
    de->type = ft ? p[7] : 0;
    de->name = (const char *)p + DE_HDR;
    if (de->rec < DE_HDR || de->rec % 4 || off + de->rec > fs->bsize ||
        de->nlen > EXT2_NAME_MAX || DE_HDR + de->nlen > de->rec ||
        de->ino > fs->inodes)
        return -EUCLEAN;
    return 0;
}

static void de_put(struct ext2_fs *fs, uint8_t *p, uint32_t ino, uint32_t rec,
                   const char *name, size_t len, uint16_t mode)
{
    put32(p, ino);
    put16(p + 4, rec);
    if (fs->feat_incompat & INCOMPAT_FILETYPE) {
        p[6] = (uint8_t)len;
        uint8_t t = ext2_dtype(mode);
        /* The on-disk file types: 1 regular ... 7 symbolic link. */
        static const uint8_t ft[16] = {
            [EXT2_DT_REG] = 1, [EXT2_DT_DIR] = 2,  [EXT2_DT_CHR] = 3,
            [EXT2_DT_BLK] = 4, [EXT2_DT_FIFO] = 5, [EXT2_DT_SOCK] = 6,
            [EXT2_DT_LNK] = 7};
        p[7] = ft[t];
    } else {
        put16(p + 6, (uint32_t)len);
    }
    memcpy(p + DE_HDR, name, len);
}

uint8_t ext2_dtype(uint16_t mode)
{
    return (uint8_t)((mode & S_IFMT_) >> 12);
}

static uint8_t de_dtype(uint8_t ft)
{
    static const uint8_t dt[8] = {EXT2_DT_UNKNOWN, EXT2_DT_REG, EXT2_DT_DIR,
                                  EXT2_DT_CHR,     EXT2_DT_BLK, EXT2_DT_FIFO,
                                  EXT2_DT_SOCK,    EXT2_DT_LNK};
    return ft < 8 ? dt[ft] : EXT2_DT_UNKNOWN;
}

int ext2_name_ok(const char *name, size_t len)
{
    if (!len)
        return -ENOENT;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/' || !name[i])
            return -EINVAL;
    return 0;
}

static int dir_get(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dir)
{
    int err = ext2_iget(fs, dino, dir);
    if (!err && !IS_DIR(dir->mode))
        err = -ENOTDIR;
    if (!err && dir->size % fs->bsize)
        err = -EUCLEAN;
    return err;
}

/* Directory block lblk, pinned; a hole is corruption. */
static struct ext2_buf *dir_block(struct ext2_fs *fs, uint32_t dino,
                                  struct ext2_inode *dir, uint32_t lblk,
                                  int *err)
{
    uint32_t blk;
    bool fresh;
    *err = ext2_bmap(fs, dino, dir, lblk, false, &blk, &fresh);
    if (!*err && !blk)
        *err = -EUCLEAN;
    return *err ? NULL : ext2_bread(fs, blk, CLS_DIR, err);
}

/* Calls fn on each entry (free ones too) until it returns non-zero. */
static int dir_walk(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dir,
                    uint32_t from,
                    int (*fn)(void *, struct ext2_buf *, uint32_t, uint32_t,
                              uint32_t, struct dirent_v *),
                    void *arg)
{
    uint32_t n = (uint32_t)(dir->size >> fs->bshift);
    for (uint32_t lblk = from; lblk < n; lblk++) {
        int err, r = 0;
        struct ext2_buf *b = dir_block(fs, dino, dir, lblk, &err);
        if (!b)
            return err;
        for (uint32_t off = 0, prev = 0; off < fs->bsize && !r;) {
            struct dirent_v de;
            r = de_parse(fs, b->data, off, &de);
            if (!r)
                r = fn(arg, b, lblk, off, prev, &de);
            prev = off;
            off += de.rec;
        }
        ext2_brelse(fs, b);
        if (r)
            return r;
    }
    return 0;
}

struct find_arg {
    const char *name;
    size_t len;
    struct ext2_dirpos *pos;
};

static int find_fn(void *arg, struct ext2_buf *b, uint32_t lblk, uint32_t off,
                   uint32_t prev, struct dirent_v *de)
{
    struct find_arg *fa = arg;
    if (!de->ino || de->nlen != fa->len || memcmp(de->name, fa->name, fa->len))
        return 0;
    *fa->pos = (struct ext2_dirpos){lblk, off, prev, de->ino, de->type};
    return 1;
}

int ext2_dir_find(struct ext2_fs *fs, uint32_t dino, const char *name,
                  size_t len, struct ext2_dirpos *pos)
{
    struct ext2_inode dir;
    int err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    struct find_arg fa = {name, len, pos};
    err = dir_walk(fs, dino, &dir, 0, find_fn, &fa);
    return err == 1 ? 0 : err ? err : -ENOENT;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                uint32_t *ino)
{
    struct ext2_dirpos pos;
    int err = ext2_dir_find(fs, dir, name, len, &pos);
    if (!err)
        *ino = pos.ino;
    return err;
}

struct readdir_arg {
    uint64_t *cookie;
    int (*emit)(void *, const char *, size_t, uint32_t, unsigned, uint64_t);
    void *arg;
    uint32_t bshift;
};

static int readdir_fn(void *arg, struct ext2_buf *b, uint32_t lblk,
                      uint32_t off, uint32_t prev, struct dirent_v *de)
{
    struct readdir_arg *ra = arg;
    uint64_t at = ((uint64_t)lblk << ra->bshift) + off;
    if (at < *ra->cookie || !de->ino)
        return 0;
    if (ra->emit(ra->arg, de->name, de->nlen, de->ino, de_dtype(de->type),
                 at + de->rec))
        return 1;
    *ra->cookie = at + de->rec;
    return 0;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dino, uint64_t *cookie,
                 int (*emit)(void *arg, const char *name, size_t len,
                             uint32_t ino, unsigned type, uint64_t next),
                 void *arg)
{
    struct ext2_inode dir;
    int err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    if (*cookie >= dir.size)
        return 0;
    struct readdir_arg ra = {cookie, emit, arg, fs->bshift};
    err = dir_walk(fs, dino, &dir, (uint32_t)(*cookie >> fs->bshift),
                   readdir_fn, &ra);
    if (!err)
        *cookie = dir.size;
    return err == 1 ? 0 : err;
}

static int dir_changed(struct ext2_fs *fs, uint32_t dino,
                       struct ext2_inode *dir)
{
    dir->flags &= ~(uint32_t)EXT2_INDEX_FL;
    ext2_touch(fs, dir, true, true);
    return ext2_iwrite(fs, dino, dir);
}

struct add_arg {
    struct ext2_fs *fs;
    const char *name;
    size_t len;
    uint32_t ino;
    uint16_t mode;
    int err;
};

static int add_fn(void *arg, struct ext2_buf *b, uint32_t lblk, uint32_t off,
                  uint32_t prev, struct dirent_v *de)
{
    struct add_arg *aa = arg;
    uint32_t need = DE_LEN(aa->len);
    uint32_t used = de->ino ? DE_LEN(de->nlen) : 0;
    if (de->rec < used + need)
        return 0;
    if ((aa->err = ext2_bdirty(aa->fs, b, CLS_DIR)))
        return 1;
    uint8_t *p = b->data + off;
    if (used) {
        put16(p + 4, used);
        p += used;
    }
    de_put(aa->fs, p, aa->ino, de->rec - used, aa->name, aa->len, aa->mode);
    return 1;
}

/* A new last block holding only the entry, written before the directory
 * grows to include it. */
static int add_block(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dir,
                     struct add_arg *aa)
{
    uint32_t lblk = (uint32_t)(dir->size >> fs->bshift), blk;
    bool fresh;
    if (dir->size + fs->bsize > UINT32_MAX)
        return -EFBIG;
    int err = ext2_bmap(fs, dino, dir, lblk, true, &blk, &fresh);
    if (err)
        return err;
    struct ext2_buf *b = ext2_bzero(fs, blk, CLS_DIR, &err);
    if (!b)
        return err;
    de_put(fs, b->data, aa->ino, fs->bsize, aa->name, aa->len, aa->mode);
    err = ext2_bwrite(fs, b);
    ext2_brelse(fs, b);
    if (!err)
        dir->size += fs->bsize;
    return err;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dino, const char *name,
                 size_t len, uint32_t ino, uint16_t mode)
{
    struct ext2_inode dir;
    int err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    struct add_arg aa = {fs, name, len, ino, mode, 0};
    err = dir_walk(fs, dino, &dir, 0, add_fn, &aa);
    if (err == 1)
        err = aa.err;
    else if (!err)
        err = add_block(fs, dino, &dir, &aa);
    int err2 = dir_changed(fs, dino, &dir);
    return err ? err : err2;
}

/* Runs fn on the entry name (which must name ino) in its pinned block. */
static int dir_at(struct ext2_fs *fs, uint32_t dino, const char *name,
                  size_t len, uint32_t ino,
                  int (*fn)(struct ext2_fs *, uint8_t *,
                            const struct ext2_dirpos *, void *),
                  void *arg)
{
    struct ext2_dirpos pos;
    struct ext2_inode dir;
    int err = ext2_dir_find(fs, dino, name, len, &pos);
    if (!err && ino && pos.ino != ino)
        err = -ENOENT;
    if (!err)
        err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    struct ext2_buf *b = dir_block(fs, dino, &dir, pos.lblk, &err);
    if (!b)
        return err;
    err = ext2_bdirty(fs, b, CLS_DIR);
    if (!err)
        err = fn(fs, b->data, &pos, arg);
    ext2_brelse(fs, b);
    int err2 = dir_changed(fs, dino, &dir);
    return err ? err : err2;
}

static int remove_fn(struct ext2_fs *fs, uint8_t *data,
                     const struct ext2_dirpos *pos, void *arg)
{
    uint8_t *p = data + pos->off;
    if (pos->prev == pos->off) {
        put32(p, 0);
        return 0;
    }
    uint8_t *q = data + pos->prev;
    put16(q + 4, get16(q + 4) + get16(p + 4));
    return 0;
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dino, const char *name,
                    size_t len, uint32_t ino)
{
    return dir_at(fs, dino, name, len, ino, remove_fn, NULL);
}

struct set_arg {
    uint32_t ino;
    uint16_t mode;
};

static int set_fn(struct ext2_fs *fs, uint8_t *data,
                  const struct ext2_dirpos *pos, void *arg)
{
    struct set_arg *sa = arg;
    uint8_t *p = data + pos->off;
    size_t len = (fs->feat_incompat & INCOMPAT_FILETYPE) ? p[6] : get16(p + 6);
    de_put(fs, p, sa->ino, get16(p + 4), (const char *)p + DE_HDR, len,
           sa->mode);
    return 0;
}

int ext2_dir_set(struct ext2_fs *fs, uint32_t dino, const char *name,
                 size_t len, uint32_t ino, uint16_t mode)
{
    struct set_arg sa = {ino, mode};
    return dir_at(fs, dino, name, len, 0, set_fn, &sa);
}

static int empty_fn(void *arg, struct ext2_buf *b, uint32_t lblk, uint32_t off,
                    uint32_t prev, struct dirent_v *de)
{
    if (!de->ino)
        return 0;
    if ((de->nlen == 1 && de->name[0] == '.') ||
        (de->nlen == 2 && de->name[0] == '.' && de->name[1] == '.'))
        return 0;
    return 1;
}

int ext2_dir_empty(struct ext2_fs *fs, uint32_t dino)
{
    struct ext2_inode dir;
    int err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    err = dir_walk(fs, dino, &dir, 0, empty_fn, NULL);
    return err == 1 ? 0 : err ? err : 1;
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                  uint32_t parent)
{
    uint32_t blk;
    bool fresh;
    int err = ext2_bmap(fs, ino, in, 0, true, &blk, &fresh);
    if (err)
        return err;
    struct ext2_buf *b = ext2_bzero(fs, blk, CLS_DIR, &err);
    if (!b)
        return err;
    de_put(fs, b->data, ino, DE_LEN(1), ".", 1, S_IFDIR_);
    de_put(fs, b->data + DE_LEN(1), parent, fs->bsize - DE_LEN(1), "..", 2,
           S_IFDIR_);
    err = ext2_bwrite(fs, b);
    ext2_brelse(fs, b);
    if (!err)
        in->size = fs->bsize;
    return err;
}
