/*
 * fs/node.c — the file tree: nodes (directories, regular files, symbolic
 * links, devices, generated files) and directory entries.  A regular file
 * packed in the image keeps its bytes there, page by page, until a write
 * (or a MAP_SHARED mapping, or a mapping that cannot use the image's page
 * as it is) copies that page into a page of its own; so the image is never
 * modified and reading packed files costs no memory.  A file's pages are
 * also its page cache: mappings map them (node_page), so read, write and
 * MAP_SHARED mappings all see the same bytes at once.  Contents may use at
 * most half the RAM (as Linux's tmpfs by default): beyond, writes fail
 * with ENOSPC and what was written before stays intact.  A directory's
 * size follows tmpfs's rule (mm/shmem.c's BOGO_DIRENT_SIZE): 40 bytes
 * empty, 20 more per entry.
 */
#include "fs/mount.h"
#include "mm/mm.h"

static struct {
    struct node *root;
    uint64_t next_ino;
    uint64_t pages_used;
} tree = {.next_ino = 2};

/* tmpfs's size of a directory entry; "." and ".." count too. */
#define DIRENT_BYTES 20

void seq_write(struct seq *s, const void *p, size_t n)
{
    if (s->failed)
        return;
    if (s->len + n + 1 > s->cap) {
        size_t cap = MAX(s->cap * 2, s->len + n + 256);
        char *b = kmalloc(cap);
        if (!b) {
            s->failed = true;
            return;
        }
        if (s->buf)
            memcpy(b, s->buf, s->len);
        kfree(s->buf);
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void seq_printf(struct seq *s, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    seq_write(s, tmp, MIN((size_t)n, sizeof(tmp) - 1));
}

static struct linux_timespec now(void)
{
    uint64_t ns = clock_real_ns();
    return time_ns_to_ts(ns);
}

void node_touch(struct node *n, bool modified)
{
    n->ctime = now();
    if (modified)
        n->mtime = n->ctime;
}

struct node *node_new(uint32_t mode)
{
    struct node *n = kzalloc(sizeof(*n));
    if (!n)
        return NULL;
    n->mode = mode;
    n->refs = 1;
    n->ino = tree.next_ino++;
    n->atime = n->mtime = n->ctime = now();
    list_init(&n->children);
    n->next_cookie = 3;
    n->parent = n;
    if (S_ISDIR(mode))
        n->size = 2 * DIRENT_BYTES;
    return n;
}

void node_init(void)
{
    tree.root = node_new(S_IFDIR | 0755);
    if (!tree.root)
        panic("no memory for the root directory");
    tree.root->nlink = 2;
}

struct node *node_root(void)
{
    return tree.root;
}

void node_get(struct node *n)
{
    n->refs++;
}

/* Frees page i of n, counted as the cache's or the file's own. */
static void drop_page(struct node *n, uint64_t i)
{
    uint64_t e = n->pages[i];
    pmem_free(node_pg_pa(e), 0);
    n->pages[i] = 0;
    if (e & NODE_PG_CLEAN)
        diskfile_uncount();
    else
        tree.pages_used--;
}

static void free_pages(struct node *n, uint64_t from)
{
    for (uint64_t i = from; i < n->npages; i++)
        if (n->pages[i])
            drop_page(n, i);
}

void node_put(struct node *n)
{
    assert(n->refs > 0);
    if (--n->refs)
        return;
    if (n->mnt) {
        mount_node_put(n);
        return;
    }
    if (n->nlink)
        return;
    assert(list_empty(&n->children));
    inotify_unlinked(n, 0);
    xattr_free(n);
    free_pages(n, 0);
    diskfile_detach(n);
    kfree(n->pages);
    kfree(n->link);
    kfree(n);
}

struct node *dir_lookup(struct node *dir, const char *name, size_t len)
{
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        if (d->len == len && !memcmp(d->name, name, len))
            return d->node;
    }
    return NULL;
}

int dir_link(struct node *dir, const char *name, size_t len, struct node *child)
{
    if (dir_lookup(dir, name, len))
        return -EEXIST;
    struct dirent *d = kmalloc(sizeof(*d) + len + 1);
    if (!d)
        return -ENOMEM;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->len = (uint16_t)len;
    d->node = child;
    d->cookie = dir->next_cookie++;
    list_add_tail(&dir->children, &d->link);
    child->nlink++;
    if (S_ISDIR(child->mode)) {
        child->parent = dir;
        child->self = d;
        child->nlink++; /* its own "." */
        dir->nlink++;   /* its ".." */
    }
    dir->size += DIRENT_BYTES;
    node_touch(dir, true);
    child->refs++; /* the entry's reference */
    return 0;
}

int dir_unlink(struct node *dir, const char *name, size_t len)
{
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        if (d->len != len || memcmp(d->name, name, len))
            continue;
        struct node *n = d->node;
        list_del(&d->link);
        kfree(d);
        n->nlink--;
        if (S_ISDIR(n->mode)) {
            n->nlink--;
            dir->nlink--;
            n->self = NULL;
        }
        dir->size -= DIRENT_BYTES;
        node_touch(dir, true);
        node_touch(n, false);
        node_put(n);
        return 0;
    }
    return -ENOENT;
}

bool dir_empty(struct node *dir)
{
    return list_empty(&dir->children);
}

/* --- regular file contents */

uint64_t node_pages_used(void)
{
    return tree.pages_used;
}

uint64_t node_pages_limit(void)
{
    return pmem_total_pages() / 2;
}

int node_table(struct node *n, uint64_t npages)
{
    if (npages <= n->npages)
        return 0;
    uint64_t cap = MAX(npages, n->npages * 2);
    uint64_t *t = kzalloc(cap * sizeof(*t));
    if (!t && cap > npages) /* a large table (a file on the disk) */
        t = kzalloc((cap = npages) * sizeof(*t));
    if (!t)
        return -ENOSPC;
    if (n->pages)
        memcpy(t, n->pages, n->npages * sizeof(*t));
    kfree(n->pages);
    n->pages = t;
    n->npages = cap;
    return 0;
}

/* The part of page idx still held by the image: bytes [0, return). */
static uint64_t image_bytes(const struct node *n, uint64_t idx)
{
    uint64_t at = idx * PAGE_SIZE;
    if (!n->image_data || at >= n->image_size)
        return 0;
    return MIN(PAGE_SIZE, n->image_size - at);
}

/* The part of page idx still held by the disk: bytes [0, return). */
static uint64_t disk_bytes(const struct node *n, uint64_t idx)
{
    uint64_t at = idx * PAGE_SIZE;
    if (!n->on_disk || at >= n->disk_size)
        return 0;
    return MIN(PAGE_SIZE, n->disk_size - at);
}

/* A clean page of the disk's becomes the file's own: written, it is no
 * longer the disk's bytes and may not be reclaimed. */
static int page_dirty(struct node *n, uint64_t idx)
{
    if (tree.pages_used >= node_pages_limit())
        return -ENOSPC;
    n->pages[idx] &= ~(uint64_t)(NODE_PG_CLEAN | NODE_PG_REF);
    diskfile_uncount();
    tree.pages_used++;
    return 0;
}

/* Gives page idx a page of the node's own (the table must cover idx),
 * copying what the image or the disk holds of it.  A private mapping
 * that maps the image's page directly is zapped, so it sees the node's
 * page from now on: one copy of the file's bytes, as one page cache. */
static int page_for_write(struct node *n, uint64_t idx)
{
    if (!n->pages[idx] && disk_bytes(n, idx)) {
        int err = diskfile_fill(n, idx);
        if (err)
            return err == -ENOMEM ? -ENOSPC : err;
    }
    if (n->pages[idx] & NODE_PG_CLEAN)
        return page_dirty(n, idx);
    if (n->pages[idx])
        return 0;
    if (tree.pages_used >= node_pages_limit())
        return -ENOSPC;
    uint64_t pa = pmem_alloc_zeroed(0), img = image_bytes(n, idx);
    if (!pa)
        return -ENOSPC;
    if (img) {
        memcpy(phys_to_virt(pa), n->image_data + idx * PAGE_SIZE, img);
        vm_zap_file(n, idx, idx + 1, false);
    }
    n->pages[idx] = pa;
    tree.pages_used++;
    return 0;
}

/* The page idx in n's table (a clean one marked used), or with !own the
 * image's whole, aligned page: whether there is one. */
static bool page_at_hand(struct node *n, uint64_t idx, bool own, uint64_t *pa)
{
    if (idx < n->npages && n->pages[idx]) {
        n->pages[idx] |= n->pages[idx] & NODE_PG_CLEAN ? NODE_PG_REF : 0;
        *pa = node_pg_pa(n->pages[idx]);
        return true;
    }
    const uint8_t *src = n->image_data + idx * PAGE_SIZE;
    if (!own && image_bytes(n, idx) == PAGE_SIZE &&
        !(virt_to_phys(src) & (PAGE_SIZE - 1))) {
        *pa = virt_to_phys(src);
        return true;
    }
    return false;
}

int node_page(struct node *n, uint64_t idx, bool own, uint64_t *pa)
{
    if (idx >= ALIGN_UP(n->size, PAGE_SIZE) / PAGE_SIZE)
        return -EIO;
    if (n->mnt)
        return mount_page(n, idx, pa);
    if ((idx >= n->npages || !n->pages[idx]) && disk_bytes(n, idx)) {
        int err = diskfile_fill(n, idx);
        if (err)
            return err;
    }
    if (page_at_hand(n, idx, own, pa))
        return 0;
    int err = node_table(n, idx + 1);
    if (!err)
        err = page_for_write(n, idx);
    if (!err)
        *pa = node_pg_pa(n->pages[idx]);
    return err;
}

int node_page_at_hand(struct node *n, uint64_t idx, uint64_t *pa)
{
    if (n->mnt || idx >= ALIGN_UP(n->size, PAGE_SIZE) / PAGE_SIZE)
        return -EAGAIN;
    return page_at_hand(n, idx, false, pa) ? 0 : -EAGAIN;
}

int node_page_dirty(struct node *n, uint64_t idx)
{
    if (n->mnt)
        return mount_page_dirty(n, idx);
    if (idx < n->npages && (n->pages[idx] & NODE_PG_CLEAN))
        return page_dirty(n, idx);
    return 0;
}

bool node_page_writable(const struct node *n, uint64_t idx)
{
    if (n->mnt)
        return mount_page_writable(n, idx);
    return !(idx < n->npages && (n->pages[idx] & NODE_PG_CLEAN));
}

bool node_page_cached(const struct node *n, uint64_t idx)
{
    if (idx >= ALIGN_UP(n->size, PAGE_SIZE) / PAGE_SIZE)
        return false;
    return (idx < n->npages && n->pages[idx]) || image_bytes(n, idx);
}

int node_punch(struct node *n, uint64_t from, uint64_t to)
{
    if (n->mnt)
        return -EOPNOTSUPP; /* as Linux's 9p: no hole punching */
    vm_zap_file(n, from, to, false);
    for (uint64_t i = from; i < to && i * PAGE_SIZE < n->size; i++) {
        if (image_bytes(n, i) || disk_bytes(n, i)) {
            /* The image and the disk stay as they are: a page of zeros
             * hides them. */
            int err = node_table(n, i + 1);
            if (!err && i < n->npages && (n->pages[i] & NODE_PG_CLEAN))
                err = page_dirty(n, i);
            if (!err)
                err = page_for_write(n, i);
            if (err)
                return err;
            memset(phys_to_virt(node_pg_pa(n->pages[i])), 0, PAGE_SIZE);
        } else if (i < n->npages && n->pages[i]) {
            drop_page(n, i);
        }
    }
    return 0;
}

/* Copies out to a user or a kernel address. */
static long put(uint64_t dst, bool user, const void *src, size_t n)
{
    if (user)
        return src ? copy_to_user(dst, src, n) : zero_user(dst, n);
    if (src)
        memcpy((void *)dst, src, n);
    else
        memset((void *)dst, 0, n);
    return 0;
}

long node_read(struct node *n, uint64_t buf, bool user, size_t len,
               uint64_t off)
{
    if (n->mnt)
        return mount_read(n, buf, user, len, off);
    if (off >= n->size)
        return 0;
    len = MIN(len, n->size - off);
    size_t done = 0;
    while (done < len) {
        uint64_t at = off + done, idx = at / PAGE_SIZE, in = at % PAGE_SIZE;
        size_t c = MIN(len - done, PAGE_SIZE - in);
        const void *src = NULL; /* a hole, or past what the image holds */
        if ((idx >= n->npages || !n->pages[idx]) && disk_bytes(n, idx)) {
            int err = diskfile_fill(n, idx);
            if (err)
                return done ? (long)done : err == -ENOMEM ? -ENOMEM : -EIO;
        }
        bool pin = false;
        if (idx < n->npages && n->pages[idx]) {
            src = (char *)phys_to_virt(node_pg_pa(n->pages[idx])) + in;
            pin = n->pages[idx] & NODE_PG_CLEAN;
            n->pages[idx] |= pin ? NODE_PG_REF : 0;
        } else if (in < image_bytes(n, idx)) {
            c = MIN(c, image_bytes(n, idx) - in);
            src = n->image_data + at;
        }
        /* Copying to the user may fault, and the fault reclaim pages. */
        if (pin)
            diskfile_pin(n, idx);
        long r = put(buf + done, user, src, c);
        if (pin)
            diskfile_unpin();
        if (r)
            return done ? (long)done : -EFAULT;
        done += c;
    }
    return len;
}

long node_write(struct node *n, uint64_t buf, bool user, size_t len,
                uint64_t off)
{
    if (n->mnt)
        return mount_write(n, buf, user, len, off);
    if (off + len < off || off + len > (1ULL << 40))
        return -EFBIG;
    int err = node_table(n, ALIGN_UP(off + len, PAGE_SIZE) / PAGE_SIZE);
    if (err)
        return err;
    size_t done = 0;
    while (done < len) {
        uint64_t idx = (off + done) / PAGE_SIZE, in = (off + done) % PAGE_SIZE;
        size_t c = MIN(len - done, PAGE_SIZE - in);
        err = page_for_write(n, idx);
        if (err)
            break;
        void *dst = (char *)phys_to_virt(node_pg_pa(n->pages[idx])) + in;
        if (user ? copy_from_user(dst, buf + done, c) != 0
                 : (memcpy(dst, (const void *)(buf + done), c), false)) {
            err = -EFAULT;
            break;
        }
        done += c;
    }
    if (off + done > n->size)
        n->size = off + done;
    if (done)
        node_touch(n, true);
    return done ? (long)done : err;
}

int node_truncate(struct node *n, uint64_t size)
{
    if (n->mnt)
        return mount_truncate(n, size);
    if (size > (1ULL << 40))
        return -EFBIG;
    uint64_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    /* Mappings lose every page past the end (their private copies too, as
     * Linux's truncate does), and the image's page that holds the new
     * end: from now on it must read zeros past it. */
    if (size < n->size)
        vm_zap_file(n, size / PAGE_SIZE, UINT64_MAX, false);
    if (size < n->size)
        vm_zap_file(n, keep, UINT64_MAX, true);
    if (keep < n->npages)
        free_pages(n, keep);
    /* Zero the tail of the last kept page, so growing again reads zeros
     * (a clean page of the disk's is read again that way too). */
    if (size % PAGE_SIZE && keep <= n->npages && n->pages && n->pages[keep - 1])
        memset((char *)phys_to_virt(node_pg_pa(n->pages[keep - 1])) +
                   size % PAGE_SIZE,
               0, PAGE_SIZE - size % PAGE_SIZE);
    n->image_size = MIN(n->image_size, size);
    n->disk_size = MIN(n->disk_size, size);
    n->size = size;
    node_touch(n, true);
    return 0;
}

/* 512-byte blocks: whole pages of its own, and what the image holds of
 * the others (so a packed file counts its size, rounded up to 512). */
static uint64_t node_blocks(const struct node *n)
{
    uint64_t blocks = 0;
    for (uint64_t i = 0; i < n->npages; i++)
        blocks += n->pages[i] ? PAGE_SIZE / 512 : 0;
    for (uint64_t i = 0; n->image_data && i * PAGE_SIZE < n->image_size; i++)
        if (i >= n->npages || !n->pages[i])
            blocks += ALIGN_UP(image_bytes(n, i), 512) / 512;
    for (uint64_t i = 0; n->on_disk && i * PAGE_SIZE < n->disk_size; i++)
        if (i >= n->npages || !n->pages[i])
            blocks += ALIGN_UP(disk_bytes(n, i), 512) / 512;
    return blocks;
}

void node_stat(struct node *n, struct linux_stat *st)
{
    if (n->mnt)
        mount_refresh(n); /* the host may have changed it */
    memset(st, 0, sizeof(*st));
    st->st_dev = 0x18;
    st->st_ino = n->ino;
    st->st_nlink = n->nlink ? n->nlink : (S_ISDIR(n->mode) ? 2 : 1);
    st->st_mode = n->mode;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_rdev = n->rdev;
    st->st_size = (int64_t)n->size;
    st->st_blksize = PAGE_SIZE;
    st->st_blocks = (int64_t)node_blocks(n);
    st->st_atim = n->atime;
    st->st_mtim = n->mtime;
    st->st_ctim = n->ctime;
    if (n->mnt) {
        st->st_dev = n->mnt->dev;
        st->st_nlink = n->nlink; /* 0 once unlinked on the host */
        st->st_blocks = (int64_t)n->blocks;
    }
}

long node_dir_path(struct node *dir, char *buf, size_t size)
{
    /* Collect the names from dir up to the root, then reverse them. */
    size_t len = 0;
    if (size < 2)
        return -ERANGE;
    for (struct node *d = dir; d != tree.root; d = d->parent) {
        if (len + 2 > size || d->parent == d)
            return -ERANGE; /* too deep, or a loop of parents (a share) */
        if (d->mnt && d == d->mnt->root)
            d = d->mnt->covered; /* a mount's root has its place's name */
        const char *name = d->mnt ? d->bname : d->self ? d->self->name : NULL;
        if (!name || (d->mnt && !d->nlink))
            return -ENOENT; /* removed */
        size_t n = strlen(name);
        if (len + n + 2 > size)
            return -ERANGE;
        memmove(buf + n + 1, buf, len);
        buf[0] = '/';
        memcpy(buf + 1, name, n);
        len += n + 1;
    }
    if (!len)
        buf[len++] = '/';
    buf[len] = '\0';
    return len;
}

struct node *node_mkdirs(const char *path, size_t len)
{
    struct node *dir = tree.root;
    size_t i = 0;
    while (i < len) {
        while (i < len && path[i] == '/')
            i++;
        size_t start = i;
        while (i < len && path[i] != '/')
            i++;
        if (i == start)
            break;
        struct node *c = dir_lookup(dir, path + start, i - start);
        if (c && !S_ISDIR(c->mode)) {
            dir_unlink(dir, path + start, i - start);
            c = NULL;
        }
        if (!c) {
            c = node_new(S_IFDIR | 0755);
            if (!c || dir_link(dir, path + start, i - start, c)) {
                if (c)
                    node_put(c);
                return NULL;
            }
            node_put(c);
        }
        dir = c;
    }
    return dir;
}

int node_place(const char *path, size_t len, struct node *n)
{
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    struct node *dir = node_mkdirs(path, slash);
    if (!dir)
        return -ENOMEM;
    const char *name = path + slash;
    size_t nlen = len - slash;
    struct node *old = dir_lookup(dir, name, nlen);
    if (old && S_ISDIR(old->mode) && S_ISDIR(n->mode)) {
        old->mode = n->mode;
        old->uid = n->uid, old->gid = n->gid;
        old->mtime = n->mtime;
        old->atime = n->atime;
        old->ctime = n->ctime;
        return 0;
    }
    if (old && S_ISDIR(old->mode) && !dir_empty(old))
        return -ENOTEMPTY;
    if (old)
        dir_unlink(dir, name, nlen);
    return dir_link(dir, name, nlen, n);
}
