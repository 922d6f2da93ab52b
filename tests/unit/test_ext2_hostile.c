/*
 * tests/unit/test_ext2_hostile.c — the ext2 library (kernel/fs/ext2) on
 * images an attacker wrote: a volume filled through the library (files
 * up to double indirect blocks, directories of several blocks, fast and
 * slow symbolic links) is copied again and again with a few seeded
 * random bytes changed in its superblock, group descriptors, inode
 * table, directory blocks or indirect blocks; each copy is mounted (read-
 * write if it may be, else read-only), walked whole (readdir, lookup,
 * getattr, read, readlink), changed (create, write, truncate, rename,
 * unlink, rmdir) and unmounted.  Only error returns are allowed: ASan and
 * UBSan abort the test on any bad access, the kernel's assertions abort
 * it too, and an alarm ends a run that hangs.
 */
#include "ext2_host.h"

static struct ext2_fs fs;
static uint64_t rnd;

static uint64_t h_rand(uint64_t n)
{
    rnd ^= rnd << 13;
    rnd ^= rnd >> 7;
    rnd ^= rnd << 17;
    return n ? rnd % n : 0;
}

/* --- where the metadata lies ------------------------------------------ */

#define MAX_REGIONS 256
static struct region {
    uint64_t off, len;
} regions[MAX_REGIONS];
static int nregions, sb_region; /* sb_region: the superblock's, then the
                                  descriptors' */

static void region_add(uint64_t off, uint64_t len)
{
    if (nregions < MAX_REGIONS)
        regions[nregions++] = (struct region){off, len};
}

static void region_blk(uint32_t blk)
{
    if (blk)
        region_add((uint64_t)blk << fs.bshift, fs.bsize);
}

/* Every block of directory ino and the indirect blocks of file ino. */
static void regions_of(uint32_t ino)
{
    struct ext2_inode in;
    if (ext2_iget(&fs, ino, &in))
        return;
    if (IS_DIR(in.mode))
        for (uint32_t l = 0; l < in.size >> fs.bshift; l++) {
            uint32_t blk;
            bool fresh;
            if (!ext2_bmap(&fs, ino, &in, l, false, &blk, &fresh))
                region_blk(blk);
        }
    region_blk(in.block[IND]);
    region_blk(in.block[DIND]);
    if (in.block[DIND]) {
        uint32_t first;
        bool fresh;
        if (!ext2_bmap(&fs, ino, &in, N_DIRECT + fs.ptrs, false, &first,
                       &fresh))
            region_add(((uint64_t)in.block[DIND] << fs.bshift), 16);
    }
}

/* --- the image ---------------------------------------------------------- */

static void fill(uint32_t dir, int depth)
{
    static uint8_t data[300 << 10];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + depth);
    char name[32];
    uint32_t ino;
    for (int i = 0; i < 30; i++) {
        int n = snprintf(name, sizeof(name), "file-with-a-long-name-%d", i);
        CHECK_EQ(ext2_create(&fs, dir, name, (size_t)n, 0644, 0, 0, &ino), 0);
        size_t size = i % 20 == 0 ? sizeof(data) : (size_t)(i * 700);
        CHECK_EQ(ext2_write(&fs, ino, 0, data, size), (long)size);
        regions_of(ino);
    }
    CHECK_EQ(ext2_symlink(&fs, dir, "fast", 4, "file-with-a-long-name-1", 23, 0,
                          0, &ino),
             0);
    char target[300];
    memset(target, 'y', sizeof(target));
    CHECK_EQ(
        ext2_symlink(&fs, dir, "slow", 4, target, sizeof(target), 0, 0, &ino),
        0);
    if (depth < 2)
        for (int i = 0; i < 2; i++) {
            int n = snprintf(name, sizeof(name), "d%d", i);
            CHECK_EQ(ext2_mkdir(&fs, dir, name, (size_t)n, 0755, 0, 0, &ino),
                     0);
            fill(ino, depth + 1);
        }
    regions_of(dir);
}

static bool make_base(struct memdev *m, unsigned bsize, bool journal)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/base%u%s.img", ext2_tmpdir(), bsize,
             journal ? "j" : "");
    if (!mkfs(img, bsize, "12M", journal ? "-O has_journal -J size=1" : NULL) ||
        !memdev_load(m, img))
        return false;
    struct ext2_dev dev = memdev_dev(m);
    nregions = 0;
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    CHECK_EQ(fs.jnl.on, journal);
    fill(EXT2_ROOT_INO, 0);
    /* The journal's superblock (its inode is in the inode table's start,
     * below). */
    if (journal)
        region_add(jnl_off(&fs, 0), 1024);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK(memdev_save(m, img));
    CHECK_EQ(fsck(img), 0);
    /* The superblock, the descriptors, the start of each inode table. */
    sb_region = nregions;
    region_add(1024, 1024);
    region_blk(fs.first_data + 1);
    for (uint32_t g = 0; g < fs.ngroups; g++) {
        uint8_t *gd =
            m->mem + ((uint64_t)(fs.first_data + 1) << fs.bshift) + g * GD_SIZE;
        region_add((uint64_t)get32(gd + GD_INODE_TABLE) << fs.bshift,
                   8 * fs.bsize);
    }
    return true;
}

/* --- the walk ----------------------------------------------------------- */

struct walk {
    uint32_t ino[64];
    char name[64][EXT2_NAME_MAX + 1];
    uint8_t len[64];
    int n;
};

static int take(void *arg, const char *name, size_t len, uint32_t ino,
                unsigned type, uint64_t next)
{
    struct walk *w = arg;
    if (w->n >= 64)
        return 1;
    memcpy(w->name[w->n], name, len);
    w->len[w->n] = (uint8_t)len;
    w->ino[w->n++] = ino;
    return 0;
}

static long budget;  /* operations left in this image's walk */
static long corrupt; /* -EUCLEAN seen: the changes were noticed */

static int seen(int err)
{
    corrupt += err == -EUCLEAN;
    return err;
}

static void poke_file(uint32_t dir, uint32_t ino, struct walk *w, int i)
{
    static uint8_t buf[64 << 10];
    struct ext2_stat st;
    if (ext2_getattr(&fs, ino, &st))
        return;
    for (uint64_t off = 0; off < st.size && off < (256 << 10) && budget-- > 0;
         off += sizeof(buf))
        if (seen((int)ext2_read(&fs, ino, off, buf, sizeof(buf))) <= 0)
            break;
    ext2_readlink(&fs, ino, (char *)buf, sizeof(buf));
    if (fs.rdonly)
        return;
    switch (h_rand(6)) {
    case 0:
        ext2_write(&fs, ino, h_rand(1 << 20), buf, h_rand(5000));
        break;
    case 1:
        ext2_truncate(&fs, ino, h_rand(400 << 10));
        break;
    case 2:
        ext2_unlink(&fs, dir, w->name[i], w->len[i]);
        break;
    case 3:
        ext2_rename(&fs, dir, w->name[i], w->len[i], EXT2_ROOT_INO, "moved", 5);
        break;
    case 4:
        ext2_link(&fs, ino, dir, "linked", 6);
        break;
    default:
        ext2_rmdir(&fs, dir, w->name[i], w->len[i]);
    }
}

static void walk_dir(uint32_t dir, int depth)
{
    struct walk w = {.n = 0};
    uint64_t cookie = 0;
    if (depth > 6 || budget-- <= 0 ||
        seen(ext2_readdir(&fs, dir, &cookie, take, &w)))
        return;
    for (int i = 0; i < w.n; i++) {
        uint32_t ino;
        if (ext2_lookup(&fs, dir, w.name[i], w.len[i], &ino))
            continue;
        bool dot = (w.len[i] == 1 && w.name[i][0] == '.') ||
                   (w.len[i] == 2 && !memcmp(w.name[i], "..", 2));
        struct ext2_stat st;
        if (!dot && !ext2_getattr(&fs, ino, &st) && S_ISDIR(st.mode))
            walk_dir(ino, depth + 1);
        else if (!dot)
            poke_file(dir, ino, &w, i);
    }
    if (!fs.rdonly) {
        uint32_t ino;
        ext2_mkdir(&fs, dir, "new", 3, 0700, 0, 0, &ino);
        ext2_create(&fs, dir, "newfile", 7, 0600, 0, 0, &ino);
        ext2_write(&fs, ino, 0, "data", 4);
    }
}

static void hostile(struct memdev *base, int rounds, uint64_t seed)
{
    struct memdev m = *base;
    m.mem = malloc(base->size);
    rnd = seed;
    int mounted = 0, rw = 0;
    corrupt = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(m.mem, base->mem, base->size);
        int flips = 1 + (int)h_rand(8);
        for (int k = 0; k < flips; k++) {
            /* A quarter of the changes hit the superblock or the group
             * descriptors. */
            struct region *g = h_rand(4) ? &regions[h_rand((uint64_t)nregions)]
                                         : &regions[sb_region + h_rand(2)];
            uint64_t at = g->off + h_rand(g->len);
            if (at < m.size)
                m.mem[at] = h_rand(3) ? (uint8_t)h_rand(256)
                                      : m.mem[at] ^ (uint8_t)(1 << h_rand(8));
        }
        struct ext2_dev dev = memdev_dev(&m);
        int err = ext2_mount(&fs, &dev, 0);
        if (err)
            err = seen(ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY));
        CHECK(err <= 0);
        if (err)
            continue;
        mounted++;
        rw += !fs.rdonly;
        budget = 4000;
        walk_dir(EXT2_ROOT_INO, 0);
        struct ext2_statfs sf;
        ext2_statfs(&fs, &sf);
        CHECK(sf.bfree <= sf.blocks + 1);
        ext2_unmount(&fs);
    }
    printf("hostile: %d images, %d mounted (%d read-write), %ld -EUCLEAN\n",
           rounds, mounted, rw, corrupt);
    CHECK(mounted > rounds / 4);
    CHECK(corrupt > rounds / 50);
    free(m.mem);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 600;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    /* 1 and 4 KiB blocks, then 1 KiB with a journal (journal.c reads its
     * superblock and inode at each read-write mount). */
    static const unsigned sizes[] = {1024, 4096, 1024};
    for (int i = 0; i < 3; i++) {
        struct memdev base;
        alarm(120); /* a hang is a failure */
        if (!make_base(&base, sizes[i], i == 2)) {
            CHECK(0);
            continue;
        }
        hostile(&base, rounds, seed * 2 + (uint64_t)i + 1);
        free(base.mem);
    }
    return check_done();
}
