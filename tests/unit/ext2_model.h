/*
 * tests/unit/ext2_model.h — test_ext2.c's model of a directory tree: the
 * random run (model_run) that drives the ext2 library and the model with
 * the same seeded operations and checks every result against it, and the
 * full-volume run (model_full).
 */
#ifndef GORUMP_TESTS_EXT2_MODEL_H
#define GORUMP_TESTS_EXT2_MODEL_H

#define M_OBJS 400
#define M_ENTS 600
#define M_NAMES 12
#define M_BIG (70ULL << 20) /* past 1 KiB blocks' triple indirect start */

struct m_obj {
    char type; /* 0 free, 'f', 'd', 'l' */
    uint32_t ino;
    int links;          /* entries that name it */
    uint8_t *data;      /* file contents, or the link's target */
    uint64_t size, cap; /* cap: bytes allocated for data */
};

struct m_ent {
    int dir, obj; /* objs[] indexes; dir < 0: unused */
    char name[8];
};

static struct model {
    struct m_obj objs[M_OBJS];
    struct m_ent ents[M_ENTS];
    struct ext2_fs fs;
    uint64_t rnd;
    int big_files;
} M;

static uint64_t m_rand(uint64_t n)
{
    M.rnd ^= M.rnd << 13;
    M.rnd ^= M.rnd >> 7;
    M.rnd ^= M.rnd << 17;
    return n ? M.rnd % n : 0;
}

static int m_new_obj(char type, uint32_t ino)
{
    for (int i = 0; i < M_OBJS; i++)
        if (!M.objs[i].type) {
            M.objs[i] = (struct m_obj){.type = type, .ino = ino};
            return i;
        }
    return -1;
}

static int m_find(int dir, const char *name)
{
    for (int i = 0; i < M_ENTS; i++)
        if (M.ents[i].dir == dir && !strcmp(M.ents[i].name, name))
            return i;
    return -1;
}

static int m_add_ent(int dir, const char *name, int obj)
{
    for (int i = 0; i < M_ENTS; i++)
        if (M.ents[i].dir < 0) {
            M.ents[i].dir = dir;
            M.ents[i].obj = obj;
            snprintf(M.ents[i].name, sizeof(M.ents[i].name), "%s", name);
            M.objs[obj].links++;
            return i;
        }
    return -1;
}

static void m_drop_ent(int e)
{
    struct m_obj *o = &M.objs[M.ents[e].obj];
    M.ents[e].dir = -1;
    if (--o->links == 0) {
        if (o->type == 'f' && o->size > (8u << 20))
            M.big_files--;
        free(o->data);
        *o = (struct m_obj){0};
    }
}

static int m_children(int dir)
{
    int n = 0;
    for (int i = 0; i < M_ENTS; i++)
        n += M.ents[i].dir == dir;
    return n;
}

static int m_subdirs(int dir)
{
    int n = 0;
    for (int i = 0; i < M_ENTS; i++)
        n += M.ents[i].dir == dir && M.objs[M.ents[i].obj].type == 'd';
    return n;
}

/* A random object of the given type ('d', 'f', or 0 for any) that has an
 * entry (or is the root), as an entry index (-1 for the root). */
static int m_pick(char type, int *obj)
{
    for (int tries = 0; tries < 50; tries++) {
        int e = (int)m_rand(M_ENTS);
        if (M.ents[e].dir >= 0 &&
            (!type || M.objs[M.ents[e].obj].type == type)) {
            *obj = M.ents[e].obj;
            return e;
        }
    }
    *obj = 0; /* the root */
    return -1;
}

static void m_name(char *name)
{
    snprintf(name, 8, "n%d", (int)m_rand(M_NAMES));
}

/* Whether object a is b or lies below it. */
static bool m_below(int a, int b)
{
    for (int guard = 0; guard < M_OBJS; guard++) {
        if (a == b)
            return true;
        if (a == 0)
            return false;
        int up = -1;
        for (int i = 0; i < M_ENTS && up < 0; i++)
            if (M.ents[i].dir >= 0 && M.ents[i].obj == a)
                up = M.ents[i].dir;
        if (up < 0)
            return false;
        a = up;
    }
    return false;
}

static void m_resize(struct m_obj *o, uint64_t size)
{
    if (size > o->cap) {
        uint64_t cap = size + size / 4 + 4096;
        o->data = realloc(o->data, cap);
        memset(o->data + o->cap, 0, cap - o->cap);
        o->cap = cap;
    }
    if (size < o->size)
        memset(o->data + size, 0, o->size - size);
    bool was = o->size > (8u << 20), now = size > (8u << 20);
    M.big_files += (int)now - (int)was;
    o->size = size;
}

static void m_check_file(int obj, uint64_t off, uint64_t len)
{
    struct m_obj *o = &M.objs[obj];
    static uint8_t got[65536];
    len = len > sizeof(got) ? sizeof(got) : len;
    long want = off >= o->size ? 0 : (long)MIN(len, o->size - off);
    long n = ext2_read(&M.fs, o->ino, off, got, (size_t)len);
    CHECK_EQ(n, want);
    if (n == want && want > 0 && memcmp(got, o->data + off, (size_t)want)) {
        fprintf(stderr, "ino %u: bytes differ in [%llu, +%ld)\n", o->ino,
                (unsigned long long)off, want);
        CHECK(0);
    }
}

static void m_check_stat(int obj)
{
    struct m_obj *o = &M.objs[obj];
    struct ext2_stat st;
    CHECK_EQ(ext2_getattr(&M.fs, o->ino, &st), 0);
    if (o->type == 'd') {
        CHECK_EQ(st.nlink, 2 + m_subdirs(obj) + (obj == 0)); /* lost+found */
        CHECK_EQ(st.mode & S_IFMT, S_IFDIR);
    } else {
        CHECK_EQ(st.nlink, o->links);
        CHECK_EQ(st.size, o->size);
        CHECK_EQ(st.mode & S_IFMT, o->type == 'f' ? S_IFREG : S_IFLNK);
    }
}

static int op_create(char type)
{
    int d;
    char name[8];
    m_pick('d', &d);
    m_name(name);
    uint32_t ino = 0;
    int err, want = m_find(d, name) >= 0 ? -EEXIST : 0;
    char target[1100];
    size_t tlen = 1 + m_rand(m_rand(2) ? 59 : 1000);
    for (size_t i = 0; i < tlen; i++)
        target[i] = (char)('a' + m_rand(26));
    if (type == 'f')
        err = ext2_create(&M.fs, M.objs[d].ino, name, strlen(name), 0644, 1, 1,
                          &ino);
    else if (type == 'd')
        err = ext2_mkdir(&M.fs, M.objs[d].ino, name, strlen(name), 0755, 1, 1,
                         &ino);
    else
        err = ext2_symlink(&M.fs, M.objs[d].ino, name, strlen(name), target,
                           tlen, 1, 1, &ino);
    CHECK_EQ(err, want);
    if (err)
        return err;
    int o = m_new_obj(type, ino);
    if (o < 0 || m_add_ent(d, name, o) < 0)
        return -ENOSPC; /* the model is full: stop adding */
    if (type == 'l') {
        M.objs[o].data = malloc(tlen);
        memcpy(M.objs[o].data, target, tlen);
        M.objs[o].size = tlen;
    }
    return 0;
}

static uint64_t m_offset(unsigned bsize)
{
    switch (m_rand(8)) {
    case 0:
        return m_rand(2 << 20); /* double indirect with 1 KiB blocks */
    case 1:
        if (M.big_files < 2)
            return m_rand(bsize == 1024 ? M_BIG : 20 << 20);
        return m_rand(4096);
    default:
        return m_rand(64 << 10);
    }
}

static void op_write(unsigned bsize)
{
    int f;
    if (m_pick('f', &f) < 0)
        return;
    struct m_obj *o = &M.objs[f];
    uint64_t off = m_offset(bsize);
    size_t len = m_rand(m_rand(4) ? 3000 : 40000);
    static uint8_t buf[40000];
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)m_rand(256);
    long n = ext2_write(&M.fs, o->ino, off, buf, len);
    CHECK_EQ(n, (long)len);
    if (n != (long)len)
        return;
    if (off + len > o->size)
        m_resize(o, off + len);
    memcpy(o->data + off, buf, len);
    m_check_file(f, off - MIN(off, 100), len + 200);
}

static void op_truncate(unsigned bsize)
{
    int f;
    if (m_pick('f', &f) < 0)
        return;
    struct m_obj *o = &M.objs[f];
    uint64_t size = m_rand(3) ? m_rand(o->size + 1) : m_offset(bsize);
    CHECK_EQ(ext2_truncate(&M.fs, o->ino, size), 0);
    m_resize(o, size);
    m_check_file(f, size - MIN(size, 3000), 6000);
}

static void op_unlink(void)
{
    int o, e = m_pick(0, &o);
    if (e < 0)
        return;
    struct m_ent *en = &M.ents[e];
    int dir = en->dir;
    bool isdir = M.objs[o].type == 'd';
    int want = isdir ? (m_children(o) ? -ENOTEMPTY : 0) : 0;
    int err =
        isdir ? ext2_rmdir(&M.fs, M.objs[dir].ino, en->name, strlen(en->name))
              : ext2_unlink(&M.fs, M.objs[dir].ino, en->name, strlen(en->name));
    CHECK_EQ(err, want);
    if (!err)
        m_drop_ent(e);
    if (isdir)
        CHECK_EQ(
            ext2_unlink(&M.fs, M.objs[dir].ino, en->name, strlen(en->name)),
            err ? -EISDIR : -ENOENT);
}

static void op_link(void)
{
    int o, d;
    char name[8];
    if (m_pick('f', &o) < 0)
        return;
    m_pick('d', &d);
    m_name(name);
    int want = m_find(d, name) >= 0 ? -EEXIST : 0;
    CHECK_EQ(ext2_link(&M.fs, M.objs[o].ino, M.objs[d].ino, name, strlen(name)),
             want);
    if (!want)
        m_add_ent(d, name, o);
}

static int rename_want(int o, int d, int t)
{
    bool sdir = M.objs[o].type == 'd';
    if (sdir && m_below(d, o))
        return -EINVAL;
    if (t < 0 || M.ents[t].obj == o)
        return 0;
    int to = M.ents[t].obj;
    if (sdir && M.objs[to].type != 'd')
        return -ENOTDIR;
    if (!sdir && M.objs[to].type == 'd')
        return -EISDIR;
    if (M.objs[to].type == 'd' && m_children(to))
        return -ENOTEMPTY;
    return 0;
}

static void op_rename(void)
{
    int o, d;
    char name[8];
    int e = m_pick(0, &o);
    if (e < 0)
        return;
    m_pick('d', &d);
    m_name(name);
    int t = m_find(d, name);
    int want = rename_want(o, d, t);
    struct m_ent *en = &M.ents[e];
    int err = ext2_rename(&M.fs, M.objs[en->dir].ino, en->name,
                          strlen(en->name), M.objs[d].ino, name, strlen(name));
    if (err != want)
        fprintf(stderr, "rename %s -> %s: %d, want %d\n", en->name, name, err,
                want);
    CHECK_EQ(err, want);
    if (err || (t >= 0 && M.ents[t].obj == o))
        return;
    if (t >= 0)
        m_drop_ent(t);
    en->dir = d;
    snprintf(en->name, sizeof(en->name), "%s", name);
}

/* Every entry of the model through lookup, every file read whole, every
 * directory listed. */
static int count_fn(void *arg, const char *name, size_t len, uint32_t ino,
                    unsigned type, uint64_t next)
{
    (*(int *)arg)++;
    return 0;
}

static void m_check_all(void)
{
    for (int e = 0; e < M_ENTS; e++) {
        struct m_ent *en = &M.ents[e];
        if (en->dir < 0)
            continue;
        uint32_t ino = 0;
        CHECK_EQ(ext2_lookup(&M.fs, M.objs[en->dir].ino, en->name,
                             strlen(en->name), &ino),
                 0);
        CHECK_EQ(ino, M.objs[en->obj].ino);
    }
    for (int o = 0; o < M_OBJS; o++) {
        struct m_obj *ob = &M.objs[o];
        if (!ob->type)
            continue;
        m_check_stat(o);
        if (ob->type == 'f')
            for (uint64_t off = 0; off < ob->size; off += 65536)
                m_check_file(o, off, 65536);
        if (ob->type == 'l') {
            char buf[4096];
            CHECK_EQ(ext2_readlink(&M.fs, ob->ino, buf, sizeof(buf)),
                     (long)ob->size);
            CHECK(!memcmp(buf, ob->data, ob->size));
        }
        if (ob->type == 'd') {
            int n = 0;
            uint64_t cookie = 0;
            CHECK_EQ(ext2_readdir(&M.fs, ob->ino, &cookie, count_fn, &n), 0);
            CHECK_EQ(n, m_children(o) + 2 + (o == 0)); /* lost+found */
        }
    }
}

static void m_path(int e, char *buf, size_t len)
{
    if (e < 0 || M.ents[e].dir == 0) {
        snprintf(buf, len, "/%s", e < 0 ? "" : M.ents[e].name);
        return;
    }
    int up = -1;
    for (int i = 0; i < M_ENTS && up < 0; i++)
        if (M.ents[i].dir >= 0 && M.ents[i].obj == M.ents[e].dir)
            up = i;
    char head[900];
    m_path(up, head, sizeof(head));
    snprintf(buf, len, "%s/%s", head, M.ents[e].name);
}

/* debugfs shows what the model holds: each small file's bytes. */
static void m_check_debugfs(const char *img)
{
    int checked = 0;
    for (int e = 0; e < M_ENTS && checked < 12; e++) {
        struct m_obj *o = &M.objs[M.ents[e].obj];
        if (M.ents[e].dir < 0 || o->type != 'f' || o->size > (1 << 20))
            continue;
        char path[1000], out[1100];
        m_path(e, path, sizeof(path));
        snprintf(out, sizeof(out), "%s.cat", img);
        CHECK_EQ(
            shell("debugfs -R 'cat %s' '%s' >'%s' 2>/dev/null", path, img, out),
            0);
        FILE *f = fopen(out, "r");
        uint8_t *got = malloc(o->size + 1);
        size_t n = f ? fread(got, 1, o->size + 1, f) : 0;
        CHECK_EQ(n, o->size);
        CHECK(n == o->size && (!n || !memcmp(got, o->data, n)));
        free(got);
        if (f)
            fclose(f);
        checked++;
    }
    CHECK(checked > 0);
    CHECK_EQ(shell("debugfs -R 'ls -l /' '%s' 2>/dev/null | grep -q lost+found",
                   img),
             0);
}

static void m_reset(uint32_t seed)
{
    for (int o = 0; o < M_OBJS; o++) {
        free(M.objs[o].data);
        M.objs[o] = (struct m_obj){0};
    }
    for (int e = 0; e < M_ENTS; e++)
        M.ents[e].dir = -1;
    M.objs[0] = (struct m_obj){.type = 'd', .ino = EXT2_ROOT_INO, .links = 1};
    M.rnd = 0x9e3779b97f4a7c15ULL * (seed + 1);
    M.big_files = 0;
}

static void model_run(unsigned bsize, const char *size, uint32_t seed,
                      int steps)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/model%u.img", ext2_tmpdir(), bsize);
    CHECK(mkfs(img, bsize, size, NULL));
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    m_reset(seed);
    CHECK_EQ(ext2_mount(&M.fs, &dev, 0), 0);
    for (int step = 0; step < steps; step++) {
        int op = (int)m_rand(16);
        if (getenv("EXT2_TRACE"))
            fprintf(stderr, "step %d op %d\n", step, op);
        switch (op) {
        case 0:
        case 1:
            op_create('f');
            break;
        case 2:
            op_create('d');
            break;
        case 3:
            op_create('l');
            break;
        case 4:
        case 5:
        case 6:
        case 7:
            op_write(bsize);
            break;
        case 8:
            op_truncate(bsize);
            break;
        case 9:
        case 10:
            op_unlink();
            break;
        case 11:
            op_link();
            break;
        case 12:
        case 13:
            op_rename();
            break;
        default: {
            int o;
            m_pick(0, &o);
            m_check_stat(o);
        }
        }
        if (getenv("EXT2_FSCK_EACH")) {
            CHECK_EQ(ext2_unmount(&M.fs), 0);
            CHECK(memdev_save(&m, img));
            if (fsck(img)) {
                fprintf(stderr, "step %d\n", step);
                exit(1);
            }
            CHECK_EQ(ext2_mount(&M.fs, &dev, 0), 0);
        }
        if (step % 500 == 499) {
            CHECK_EQ(ext2_unmount(&M.fs), 0);
            CHECK_EQ(ext2_mount(&M.fs, &dev, 0), 0);
            m_check_all();
        }
    }
    m_check_all();
    CHECK_EQ(ext2_unmount(&M.fs), 0);
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    m_check_debugfs(img);
    free(m.mem);
    m_reset(0);
}

/* A volume filled to ENOSPC: what was written before is all there, space
 * freed is usable again, and e2fsck finds it clean. */
static void model_full(unsigned bsize)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/full%u.img", ext2_tmpdir(), bsize);
    CHECK(mkfs(img, bsize, "3M", NULL));
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    m_reset(7);
    CHECK_EQ(ext2_mount(&M.fs, &dev, 0), 0);
    static uint8_t buf[100000];
    long err = 0;
    int files = 0;
    for (; files < 200 && !err; files++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", files % 1000);
        uint32_t ino;
        CHECK_EQ(ext2_create(&M.fs, EXT2_ROOT_INO, name, strlen(name), 0600, 0,
                             0, &ino),
                 0);
        int o = m_new_obj('f', ino);
        m_add_ent(0, name, o);
        for (uint64_t off = 0; off < 400000;) {
            for (size_t i = 0; i < 50000; i++)
                buf[i] = (uint8_t)m_rand(256);
            long n = ext2_write(&M.fs, ino, off, buf, 50000);
            if (n <= 0) {
                err = n;
                break;
            }
            m_resize(&M.objs[o], off + (uint64_t)n);
            memcpy(M.objs[o].data + off, buf, (size_t)n);
            off += (uint64_t)n;
        }
    }
    CHECK_EQ(err, -ENOSPC);
    struct ext2_statfs sf;
    ext2_statfs(&M.fs, &sf);
    CHECK(sf.bfree < 20);
    m_check_all();
    /* Free one file: its space serves the next. */
    CHECK_EQ(ext2_unlink(&M.fs, EXT2_ROOT_INO, "f0", 2), 0);
    m_drop_ent(m_find(0, "f0"));
    ext2_statfs(&M.fs, &sf);
    CHECK(sf.bfree > 100000 / bsize);
    uint32_t ino;
    CHECK_EQ(ext2_create(&M.fs, EXT2_ROOT_INO, "again", 5, 0600, 0, 0, &ino),
             0);
    CHECK_EQ(ext2_write(&M.fs, ino, 0, buf, 90000), 90000);
    m_add_ent(0, "again", m_new_obj('f', ino));
    struct m_obj *o = &M.objs[M.ents[m_find(0, "again")].obj];
    m_resize(o, 90000);
    memcpy(o->data, buf, 90000);
    m_check_all();
    CHECK_EQ(ext2_unmount(&M.fs), 0);
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    CHECK_EQ(ext2_mount(&M.fs, &dev, EXT2_MOUNT_RDONLY), 0);
    m_check_all();
    free(m.mem);
    m_reset(0);
}

#endif
