/*
 * fs/mount_ops.c — what the system calls do to the files of a mounted
 * file system (fs/mount.h): writes go straight to the backend through a
 * kernel buffer (and into the pages cached of the file); new names,
 * removals, renames and attribute changes are backend calls whose
 * results refresh the nodes.  A file's pages are its page cache:
 * node_page asks mount_page, which reads the page from the backend; a
 * page a MAP_SHARED mapping may write is dirty and goes back to the
 * backend at msync, fsync, munmap, when the node's last holder goes, at
 * exit, and before the guest's own write of the file (so the disk sees
 * the stores in order, as on Linux).  A backend that caches (ext2) has
 * read(2) served from the pages too, read ahead 32 pages at a time (or
 * as many as the read wants, up to 1 MiB) straight into the pages, and its
 * clean pages are on diskfile.c's clock, which takes them back under memory
 * pressure; a 9p share's reads go to the host, whose files may change under it.
 */
#include "fs/mount.h"
#include "mm/mm.h"

#define BOUNCE (128 * 1024) /* bytes of one backend call from the kernel */
#define BOUNCE_ORDER 8      /* pages of the kernel buffer for user memory */

static struct mount *mnt(const struct node *n)
{
    return n->mnt;
}

/* --- file contents */

/* Pages of mounted files that shared mappings have stored to since they
 * were last written back: not the cache's to take back. */
static uint64_t dirty_pages;

/* Copies what was written into the pages a mapping holds, so the
 * mapping sees it at once. */
static void pages_update(struct node *n, const uint8_t *src, size_t len,
                         uint64_t off)
{
    for (size_t done = 0; done < len;) {
        uint64_t idx = (off + done) / PAGE_SIZE, in = (off + done) % PAGE_SIZE;
        size_t c = MIN(len - done, PAGE_SIZE - in);
        if (idx < n->npages && n->pages[idx])
            memcpy((uint8_t *)phys_to_virt(node_pg_pa(n->pages[idx])) + in,
                   src + done, c);
        done += c;
    }
}

/* One backend read or write of c bytes at off, between buf (kernel
 * memory, or user memory through the kernel buffer tmp when tmp is not
 * NULL): the bytes moved, or a negative errno. */
static long piece(struct node *n, uint64_t buf, uint8_t *tmp, size_t c,
                  uint64_t off, bool write)
{
    struct mount *m = mnt(n);
    uint8_t *k = tmp ? tmp : (uint8_t *)buf;
    if (write && tmp && copy_from_user(tmp, buf, c))
        return -EFAULT;
    long r = write ? m->ops->write(m, n->ino, k, c, off)
                   : m->ops->read(m, n->ino, k, c, off);
    if (r > 0 && write)
        pages_update(n, k, (size_t)r, off);
    if (r > 0 && !write && tmp && copy_to_user(buf, tmp, (size_t)r))
        return -EFAULT;
    return write && r == 0 ? -EIO : r;
}

/* The kernel buffer for a transfer of len bytes: pages enough for it up
 * to BOUNCE_ORDER, fewer if memory has no such block; its order in
 * *order, 0 when there is none. */
static uint64_t bounce_alloc(size_t len, unsigned *order)
{
    unsigned o = 0;
    while (o < BOUNCE_ORDER && (PAGE_SIZE << o) < len)
        o++;
    for (;; o--) {
        uint64_t pa = pmem_alloc(o);
        if (pa || o == 0) {
            *order = o;
            return pa;
        }
    }
}

/* Reads or writes len bytes in pieces of at most the kernel buffer (a
 * backend call each: a write of up to a MiB is one device request):
 * what was moved, or the error that stopped the first piece. */
static long transfer(struct node *n, uint64_t buf, bool user, size_t len,
                     uint64_t off, bool write)
{
    mount_writeback(n); /* the mappings' stores first */
    unsigned order = 0;
    uint64_t pa = user ? bounce_alloc(len, &order) : 0;
    if (user && !pa)
        return -ENOMEM;
    uint8_t *tmp = user ? phys_to_virt(pa) : NULL;
    size_t most = user ? PAGE_SIZE << order : (size_t)BOUNCE;
    size_t done = 0;
    long r = 0;
    while (done < len) {
        size_t c = MIN(len - done, most);
        r = piece(n, buf + done, tmp, c, off + done, write);
        if (r <= 0)
            break;
        done += (size_t)r;
        if (!write && (size_t)r < c)
            break; /* the end of the file */
    }
    if (pa)
        pmem_free(pa, order);
    return done ? (long)done : r;
}

/* How many pages from idx on to read at once, for a read that wants
 * pages [idx, idx + want): the missing ones (not past the end), up to
 * READAHEAD of them or the read's own, READAHEAD_MAX at most, when the
 * miss is where a sequential reader's next one would be (the file's
 * first page, or the page after the last span), else the read's own
 * alone, so a random 4 KiB read costs one page and not 32 (bench/storage:
 * 340 against 1,900 and more 4 KiB random reads a second). */
#define READAHEAD 32
#define READAHEAD_MAX 256 /* 1 MiB: a request costs the same, whatever */
static uint64_t span_len(struct node *n, uint64_t idx, uint64_t want)
{
    uint64_t end = ALIGN_UP(n->size, PAGE_SIZE) / PAGE_SIZE;
    uint64_t most = MIN(MAX(want, 1), (uint64_t)READAHEAD_MAX);
    if (idx == 0 || idx == n->ra_next)
        most = MAX(most, (uint64_t)READAHEAD);
    uint64_t k = 0;
    while (k < most && idx + k < end && !n->pages[idx + k])
        k++;
    n->ra_next = idx + k;
    return k;
}

/* Reads pages [idx, idx + k) of n into buf in one backend call, zeros
 * past the end of the file: 0 or -EIO. */
static int span_read(struct node *n, uint64_t idx, uint64_t k, uint8_t *buf)
{
    struct mount *m = mnt(n);
    uint64_t at = idx * PAGE_SIZE;
    size_t want = (size_t)MIN(k * PAGE_SIZE, n->size - at);
    long r = m->ops->read(m, n->ino, buf, want, at);
    if (r < 0)
        return -EIO;
    memset(buf + r, 0, k * PAGE_SIZE - (size_t)r);
    return 0;
}

/* Reads the span straight into one block of fresh pages, which become
 * the cache's one by one (the buddy allocator takes them back singly):
 * 0, -EIO, or -ENOMEM when no such block is free. */
static int span_direct(struct node *n, uint64_t idx, uint64_t k)
{
    unsigned order = 0;
    while ((1ULL << order) < k)
        order++;
    uint64_t pa = pmem_alloc(order);
    if (!pa)
        return -ENOMEM;
    for (uint64_t i = k; i < (1ULL << order); i++)
        pmem_free(pa + i * PAGE_SIZE, 0);
    int err = span_read(n, idx, k, phys_to_virt(pa));
    for (uint64_t i = 0; i < k; i++) {
        if (err)
            pmem_free(pa + i * PAGE_SIZE, 0);
        else
            diskfile_cache_page(n, idx + i, pa + i * PAGE_SIZE);
    }
    return err;
}

/* Reads the missing pages from idx on (span_len) into fresh clean
 * pages: straight into them when a block of pages is free, else through
 * a buffer, a page at a time, READAHEAD at most.  0, -EIO, -ENOMEM. */
static int fill_span(struct node *n, uint64_t idx, uint64_t want)
{
    static uint8_t *rbuf; /* READAHEAD pages, made once */
    uint64_t k = span_len(n, idx, want);
    diskfile_room(k);
    int err = span_direct(n, idx, k);
    if (err != -ENOMEM)
        return err;
    k = MIN(k, (uint64_t)READAHEAD);
    if (!rbuf && !(rbuf = kmalloc(READAHEAD * PAGE_SIZE)))
        return -ENOMEM;
    if ((err = span_read(n, idx, k, rbuf)))
        return err;
    for (uint64_t i = 0; i < k; i++) {
        uint64_t p = pmem_alloc(0);
        if (!p)
            return i ? 0 : -ENOMEM;
        memcpy(phys_to_virt(p), rbuf + i * PAGE_SIZE, PAGE_SIZE);
        diskfile_cache_page(n, idx + i, p);
    }
    return 0;
}

/* read(2) through the page cache. */
static long cached_read(struct node *n, uint64_t buf, bool user, size_t len,
                        uint64_t off)
{
    if (off >= n->size)
        return 0;
    len = (size_t)MIN((uint64_t)len, n->size - off);
    int err = node_table(n, ALIGN_UP(off + len, PAGE_SIZE) / PAGE_SIZE);
    size_t done = 0;
    while (!err && done < len) {
        uint64_t at = off + done, idx = at / PAGE_SIZE, in = at % PAGE_SIZE;
        size_t c = MIN(len - done, (size_t)(PAGE_SIZE - in));
        uint64_t want = ALIGN_UP(off + len, PAGE_SIZE) / PAGE_SIZE - idx;
        if (!n->pages[idx] && !(err = fill_span(n, idx, want)) &&
            !n->pages[idx])
            err = -ENOMEM; /* taken back at once: memory is gone */
        if (err)
            break;
        n->pages[idx] |= n->pages[idx] & NODE_PG_CLEAN ? NODE_PG_REF : 0;
        const uint8_t *src =
            (uint8_t *)phys_to_virt(node_pg_pa(n->pages[idx])) + in;
        /* Copying to the user may fault, and the fault reclaim pages. */
        diskfile_pin(n, idx);
        if (user ? copy_to_user(buf + done, src, c) != 0
                 : (memcpy((void *)(buf + done), src, c), false))
            err = -EFAULT;
        diskfile_unpin();
        if (!err)
            done += c;
    }
    return done ? (long)done : err;
}

long mount_read(struct node *n, uint64_t buf, bool user, size_t len,
                uint64_t off)
{
    if (mnt(n)->ops->cache)
        return cached_read(n, buf, user, len, off);
    return transfer(n, buf, user, len, off, false);
}

long mount_write(struct node *n, uint64_t buf, bool user, size_t len,
                 uint64_t off)
{
    if (mnt(n)->ro)
        return -EROFS;
    if (off + len < off || off + len > (1ULL << 40))
        return -EFBIG;
    long r = transfer(n, buf, user, len, off, true);
    if (r > 0 && off + (uint64_t)r > n->size)
        n->size = off + (uint64_t)r;
    if (r > 0)
        node_touch(n, true);
    return r;
}

void mount_pages_drop(struct node *n, uint64_t size)
{
    uint64_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    if (keep >= n->npages)
        return;
    /* Mappings lose the pages (private copies too), as on truncate. */
    vm_zap_file(n, keep, UINT64_MAX, true);
    for (uint64_t i = keep; i < n->npages; i++) {
        if (n->pages[i])
            pmem_free(node_pg_pa(n->pages[i]), 0);
        if (n->pages[i] & NODE_PG_CLEAN)
            diskfile_uncount();
        if (n->pages[i] & NODE_PG_DIRTY)
            dirty_pages--;
        n->pages[i] = 0;
    }
}

int mount_truncate(struct node *n, uint64_t size)
{
    if (size > (1ULL << 40))
        return -EFBIG;
    mount_writeback(n);
    struct fs_setattr sa = {.mask = FS_SET_SIZE, .size = size};
    int err = mount_setattr(n, &sa);
    if (!err && n->size != size) {
        mount_pages_drop(n, size);
        n->size = size;
    }
    /* The last kept page must read zeros past the new end. */
    uint64_t last = size / PAGE_SIZE;
    if (!err && size % PAGE_SIZE && last < n->npages && n->pages[last])
        memset((uint8_t *)phys_to_virt(node_pg_pa(n->pages[last])) +
                   size % PAGE_SIZE,
               0, PAGE_SIZE - size % PAGE_SIZE);
    return err;
}

int mount_page(struct node *n, uint64_t idx, uint64_t *pa)
{
    int err = node_table(n, idx + 1);
    if (err)
        return err;
    if (!n->pages[idx] && mnt(n)->ops->cache) {
        err = fill_span(n, idx, 1);
        if (err)
            return err == -ENOMEM ? -ENOSPC : err;
        if (!n->pages[idx])
            return -ENOSPC; /* taken back at once: memory is gone */
    }
    if (!n->pages[idx]) {
        /* A backend that does not cache (a share): the page is read for
         * the mappings alone, and is on the clock as well while clean. */
        diskfile_room(1);
        uint64_t p = pmem_alloc_zeroed(0);
        if (!p)
            return -ENOSPC;
        uint64_t at = idx * PAGE_SIZE;
        size_t c = (size_t)MIN((uint64_t)PAGE_SIZE, n->size - at);
        long r = mnt(n)->ops->read(mnt(n), n->ino, phys_to_virt(p), c, at);
        if (r < 0) {
            pmem_free(p, 0);
            return -EIO;
        }
        diskfile_cache_page(n, idx, p);
    }
    n->pages[idx] |= n->pages[idx] & NODE_PG_CLEAN ? NODE_PG_REF : 0;
    *pa = node_pg_pa(n->pages[idx]);
    return 0;
}

int mount_page_dirty(struct node *n, uint64_t idx)
{
    if (mnt(n)->ro)
        return 0; /* the mapping cannot have asked to write */
    if (idx < n->npages && n->pages[idx] && !(n->pages[idx] & NODE_PG_DIRTY)) {
        /* A page a mapping stores to is no longer the cache's to take
         * back, until it is written back. */
        if (n->pages[idx] & NODE_PG_CLEAN)
            diskfile_uncount();
        n->pages[idx] &= ~(uint64_t)(NODE_PG_CLEAN | NODE_PG_REF);
        n->pages[idx] |= NODE_PG_DIRTY;
        dirty_pages++;
        n->dirty = true;
    }
    return 0;
}

bool mount_page_writable(const struct node *n, uint64_t idx)
{
    return idx < n->npages && (n->pages[idx] & NODE_PG_DIRTY);
}

/* Page idx is no longer dirty: it is the cache's again (on the clock). */
static void page_clean(struct node *n, uint64_t idx)
{
    dirty_pages--;
    diskfile_cache_page(n, idx, node_pg_pa(n->pages[idx]));
}

int mount_writeback(struct node *n)
{
    if (!n->dirty)
        return 0;
    struct mount *m = mnt(n);
    int first = 0;
    bool left = false;
    for (uint64_t i = 0; i < n->npages; i++) {
        if (!(n->pages[i] & NODE_PG_DIRTY))
            continue;
        uint64_t at = i * PAGE_SIZE;
        if (at >= n->size) {
            page_clean(n, i); /* nothing of the file is in it */
            continue;
        }
        /* Write-protected in every mapping first (and the other CPUs'
         * entries gone), so a store from now on faults and marks the
         * page dirty again: none is lost between the copy and the bit. */
        vm_wrprotect_file(n, i, i + 1);
        size_t c = (size_t)MIN((uint64_t)PAGE_SIZE, n->size - at);
        long r = m->ops->write(m, n->ino, phys_to_virt(node_pg_pa(n->pages[i])),
                               c, at);
        if (r == (long)c) {
            page_clean(n, i);
            continue;
        }
        /* Kept dirty, so the bytes stay in memory; fsync and msync
         * report the error, and the balancer stops trying this node. */
        left = true;
        if (!first)
            first = r < 0 ? (int)r : -EIO;
    }
    n->dirty = left;
    n->wb_failed = left;
    if (first)
        kprintf("gorump: %s: writing a mapped page back failed (error %d)\n",
                m->source, -first);
    return first;
}

uint64_t mount_dirty_pages(void)
{
    return dirty_pages;
}

int mount_open(struct node *n, unsigned flags)
{
    struct mount *m = mnt(n);
    unsigned acc = flags & O_ACCMODE;
    if ((acc != O_RDONLY || (flags & O_TRUNC)) && m->ro)
        return -EROFS;
    if (!S_ISREG(n->mode) || !m->ops->open)
        return 0;
    return m->ops->open(m, n->ino, flags);
}

int mount_fsync(struct node *n)
{
    struct mount *m = mnt(n);
    int err = mount_writeback(n);
    int r = m->ops->fsync ? m->ops->fsync(m, n->ino) : 0;
    return err ? err : r;
}

/* --- attributes */

int mount_setattr(struct node *n, const struct fs_setattr *sa)
{
    struct mount *m = mnt(n);
    if (m->ro)
        return -EROFS;
    int err = m->ops->setattr(m, n->ino, sa);
    if (!err)
        mount_refresh(n);
    return err;
}

int mount_statfs(struct node *n, struct linux_statfs *sf)
{
    struct mount *m = mnt(n);
    struct fs_statfs s = {0};
    int err = m->ops->statfs ? m->ops->statfs(m, &s) : -ENOSYS;
    if (err)
        return err;
    memset(sf, 0, sizeof(*sf));
    sf->f_type = (int64_t)s.type;
    sf->f_bsize = sf->f_frsize = (int64_t)s.bsize;
    sf->f_blocks = s.blocks;
    sf->f_bfree = s.bfree;
    sf->f_bavail = s.bavail;
    sf->f_files = s.files;
    sf->f_ffree = s.ffree;
    sf->f_namelen = (int64_t)s.namelen;
    sf->f_fsid[0] = (int32_t)m->dev;
    sf->f_flags = m->ro ? 1 : 0; /* ST_RDONLY */
    return 0;
}

/* --- names */

/* The new file's node, made from the backend's attributes of it. */
static int made(struct node *dir, const char *name, size_t len, int err,
                const struct fs_attr *a, struct node **out)
{
    if (err)
        return err;
    /* The directory's attributes are not read again here: stat does
     * (node_stat), and nothing else uses a mount directory's. */
    struct node *n = mount_cache(mnt(dir), a, dir, name, len);
    if (!n)
        return -ENOMEM;
    if (out)
        *out = n;
    else
        node_put(n);
    return 0;
}

int mount_create(struct node *dir, const char *name, size_t len, uint32_t mode,
                 struct node **out)
{
    struct mount *m = mnt(dir);
    struct fs_attr a;
    if (m->ro)
        return -EROFS;
    if (!m->ops->create)
        return -EPERM;
    int err = m->ops->create(m, dir->ino, name, len, mode, &a);
    return made(dir, name, len, err, &a, out);
}

int mount_mkdir(struct node *dir, const char *name, size_t len, uint32_t mode,
                struct node **out)
{
    struct mount *m = mnt(dir);
    struct fs_attr a;
    if (m->ro)
        return -EROFS;
    int err = m->ops->mkdir(m, dir->ino, name, len, mode, &a);
    return made(dir, name, len, err, &a, out);
}

int mount_symlink(struct node *dir, const char *name, size_t len,
                  const char *target, struct node **out)
{
    struct mount *m = mnt(dir);
    struct fs_attr a;
    if (m->ro)
        return -EROFS;
    int err = m->ops->symlink(m, dir->ino, name, len, target, &a);
    return made(dir, name, len, err, &a, out);
}

int mount_link(struct node *n, struct node *dir, const char *name, size_t len)
{
    struct mount *m = mnt(dir);
    if (m->ro)
        return -EROFS;
    int err = m->ops->link(m, n->ino, dir->ino, name, len);
    if (!err)
        mount_refresh(n);
    return err;
}

int mount_unlink(struct node *dir, const char *name, size_t len, struct node *n)
{
    struct mount *m = mnt(dir);
    if (m->ro)
        return -EROFS;
    int err = m->ops->unlink(m, dir->ino, name, len, S_ISDIR(n->mode));
    if (err)
        return err;
    mount_dent_drop(m, dir->ino, name, len);
    if (S_ISDIR(n->mode))
        mount_dents_drop_ino(m, n->ino);
    if (S_ISDIR(n->mode))
        n->nlink = 0;
    else
        mount_refresh(n); /* its link count, or gone */
    return 0;
}

int mount_rename(struct node *odir, const char *oname, size_t olen,
                 struct node *ndir, const char *nname, size_t nlen,
                 struct node *n, struct node *t)
{
    struct mount *m = mnt(odir);
    if (m->ro)
        return -EROFS;
    int err = m->ops->rename(m, odir->ino, oname, olen, ndir->ino, nname, nlen);
    if (err)
        return err;
    if (t && S_ISDIR(t->mode))
        mount_dents_drop_ino(m, t->ino); /* a directory replaced */
    mount_dent_drop(m, odir->ino, oname, olen);
    mount_dent_drop(m, ndir->ino, nname, nlen);
    mount_set_parent(n, ndir, nname, nlen);
    if (t && S_ISDIR(t->mode))
        t->nlink = 0;
    else if (t)
        mount_refresh(t);
    return 0;
}

int mount_readlink(struct node *n, struct seq *s)
{
    struct mount *m = mnt(n);
    char *buf = kmalloc(PATH_MAX);
    if (!buf)
        return -ENOMEM;
    long r = m->ops->readlink(m, n->ino, buf, PATH_MAX);
    if (r >= 0)
        seq_write(s, buf, (size_t)r);
    kfree(buf);
    return r < 0 ? (int)r : s->failed ? -ENOMEM : 0;
}

/* --- directories */

struct getdents_ctx {
    uint8_t *buf;
    size_t cap, len;
    uint64_t pos;
    bool full; /* an entry did not fit */
};

static bool fill(void *c, const struct fs_dirent *d)
{
    struct getdents_ctx *g = c;
    if (!dirent_emit(g->buf, g->cap, &g->len, d->ino, d->cookie, d->type,
                     d->name, d->len)) {
        g->full = true;
        return false;
    }
    g->pos = d->cookie;
    return true;
}

long mount_getdents(struct file *f, uint64_t ubuf, size_t n)
{
    struct node *dir = f->node;
    struct mount *m = mnt(dir);
    struct getdents_ctx g = {.cap = MIN(n, (size_t)65536), .pos = f->pos};
    g.buf = kmalloc(MAX(g.cap, (size_t)1));
    if (!g.buf)
        return -ENOMEM;
    long r = m->ops->readdir(m, dir->ino, f->pos, fill, &g);
    if (r < 0 && g.len)
        r = 0; /* what was read reaches the program first */
    if (!r && g.len == 0 && g.full)
        r = -EINVAL; /* the buffer cannot hold one entry */
    if (!r && copy_to_user(ubuf, g.buf, g.len))
        r = -EFAULT;
    if (!r) {
        f->pos = g.pos;
        r = (long)g.len;
    }
    kfree(g.buf);
    return r;
}
