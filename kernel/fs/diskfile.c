/*
 * fs/diskfile.c — packed files whose data is on the image's disk (see
 * fs.h and docs/FILESYSTEM.md): reading their pages on demand from the
 * virtio-blk device whose id is GORUMP_DISK_ID (or that gorump.filesdisk=
 * names), or from the GPT partition the image names (a bootable disk:
 * the disk is then that partition's sectors, an offset and a length),
 * and giving the clean ones back under memory pressure.  The
 * clean pages of ext2 volumes' files (fs/mount_ops.c) are on the same
 * clock: one page cache.
 *
 * Reading: a missing page is read with up to READAHEAD pages after it
 * that are missing too, in one request straight into fresh pages (one
 * descriptor each).  If that fails the page alone is tried, so one bad
 * sector fails only the pages it holds; a page the disk cannot give is
 * -EIO (read() fails, a mapping's access is SIGBUS), never a panic.
 *
 * Reclaim: a clock over the disk files' page tables.  The hand moves over
 * every page of every disk file in turn; a clean page used since the hand
 * last passed (NODE_PG_REF) loses the bit and stays, one not used is
 * unmapped from every mapping (vm_zap_file: private copies made of it
 * stay) and freed.  Dirty pages (written) are not the cache's and are
 * never touched.  It runs when the cache would grow past a quarter of
 * RAM or free memory runs low, and from pmem_alloc when memory is gone.
 * Pages whose address the kernel is using across an allocation are
 * pinned (a page fault copying one, read() copying one to a user buffer
 * that itself faults) and skipped.
 */
#include "drv/blkdev.h"
#include "fs/fs.h"
#include "gorump/gpt.h"
#include "gorump/image.h"
#include "mm/mm.h"

#define READAHEAD 32 /* pages: 128 KiB per request */
#define PINS 4

static struct {
    struct blkdev *disk; /* NULL: missing, every read is -EIO */
    uint64_t base;       /* the disk's first sector on the device */
    uint64_t sectors;    /* and its length */
    uint64_t disk_size;
    struct list nodes; /* struct node, by disk_link */
    struct node *hand; /* the clock: a node and a page in it */
    uint64_t hand_idx;
    uint64_t cached, reclaimed;
    struct {
        struct node *n;
        uint64_t idx;
    } pin[PINS];
    int npins;
} df = {.nodes = LIST_INIT(df.nodes)};

static uint64_t df_reclaim(uint64_t want);
static void df_make_room(uint64_t n);

/* The disk as a partition of a bootable disk (docs/IMAGE.md, "On a
 * bootable disk"): 0, or -ENOENT when no device's GPT has it (each
 * device's reason said). */
static int df_find_part(const uint8_t *guid)
{
    int err[BLK_MAX];
    char text[37];
    struct gorump_gpt_part part;
    df.disk = blkdev_find_part(gorump_gpt_files_type, guid, &part, err);
    if (df.disk) {
        df.base = part.first;
        df.sectors = part.sectors;
        return 0;
    }
    gorump_gpt_guid_text(guid, text);
    kprintf("gorump: image: its large files are in GPT partition %s, on "
            "none of the %d disks:\n",
            text, blkdev_count());
    for (int i = 0; i < blkdev_count(); i++)
        kprintf("gorump:   %s: %s\n", blkdev_get(i)->name,
                gorump_gpt_strerror(err[i]));
    return -ENOENT;
}

int diskfile_init(const struct gorump_image *img)
{
    pmem_set_reclaim(df_reclaim);
    df.disk_size = img->disk_size;
    if (!img->disk_size)
        return 0;
    if (img->disk_part && df_find_part(img->disk_part))
        return -ENOENT;
    /* gorump.filesdisk=vda names it where the VMM cannot give a disk an
     * id (Firecracker: docs/DEPLOY.md). */
    const char *name = cmdline_value("gorump.filesdisk=");
    if (!img->disk_part) {
        df.disk = name ? blkdev_by_name(name) : blkdev_find(GORUMP_DISK_ID);
        df.sectors = df.disk ? df.disk->sectors : 0;
    }
    if (!df.disk)
        kprintf("gorump: image: its disk of large files (%s %.*s) is not "
                "attached: reading them fails with EIO\n",
                name ? "named" : "id",
                (int)(name ? strcspn(name, " ") : strlen(GORUMP_DISK_ID)),
                name ? name : GORUMP_DISK_ID);
    else if (df.sectors < img->disk_size / BLK_SECTOR)
        kprintf("gorump: image: its disk of large files has %lu bytes, "
                "not %lu: reading past them fails with EIO\n",
                (unsigned long)(df.sectors * BLK_SECTOR),
                (unsigned long)img->disk_size);
    return 0;
}

int diskfile_attach(struct node *n, uint64_t off, uint64_t size)
{
    uint64_t npages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    if (npages) {
        n->pages = kzalloc(npages * sizeof(*n->pages));
        if (!n->pages)
            return -ENOMEM;
        n->npages = npages;
    }
    n->on_disk = true;
    n->disk_off = off;
    n->disk_size = n->size = size;
    list_add_tail(&df.nodes, &n->disk_link);
    return 0;
}

void diskfile_detach(struct node *n)
{
    if (!n->on_disk)
        return;
    if (df.hand == n)
        df.hand = NULL;
    list_del(&n->disk_link);
    n->on_disk = false;
}

void diskfile_cache_page(struct node *n, uint64_t idx, uint64_t pa)
{
    if (!n->on_disk) {
        n->on_disk = true; /* disk_size 0: nothing is read from the disk */
        n->disk_off = n->disk_size = 0;
        list_add_tail(&df.nodes, &n->disk_link);
    }
    n->pages[idx] = pa | NODE_PG_CLEAN | NODE_PG_REF;
    df.cached++;
}

void diskfile_room(uint64_t n)
{
    df_make_room(n);
}

void diskfile_uncount(void)
{
    assert(df.cached > 0);
    df.cached--;
}

uint64_t diskfile_cached(void)
{
    return df.cached;
}

uint64_t diskfile_reclaimed(void)
{
    return df.reclaimed;
}

void diskfile_pin(struct node *n, uint64_t idx)
{
    assert(df.npins < PINS);
    df.pin[df.npins].n = n;
    df.pin[df.npins++].idx = idx;
}

void diskfile_unpin(void)
{
    assert(df.npins > 0);
    df.npins--;
}

static bool pinned(const struct node *n, uint64_t idx)
{
    for (int i = 0; i < df.npins; i++)
        if (df.pin[i].n == n && df.pin[i].idx == idx)
            return true;
    return false;
}

/* --- the clock */

/* Looks at the page under the hand, then moves it on: whether it was
 * freed. */
static bool df_tick(void)
{
    struct node *n = df.hand;
    uint64_t idx = df.hand_idx++;
    if (df.hand_idx >= n->npages) {
        struct list *next = n->disk_link.next;
        df.hand = next == &df.nodes
                      ? NULL
                      : container_of(next, struct node, disk_link);
        df.hand_idx = 0;
    }
    uint64_t e = idx < n->npages ? n->pages[idx] : 0;
    if (!(e & NODE_PG_CLEAN) || pinned(n, idx))
        return false;
    if (e & NODE_PG_REF) {
        n->pages[idx] = e & ~(uint64_t)NODE_PG_REF;
        return false;
    }
    vm_zap_file(n, idx, idx + 1, false);
    n->pages[idx] = 0;
    pmem_free(node_pg_pa(e), 0);
    df.cached--;
    df.reclaimed++;
    return true;
}

/* Frees up to want clean pages: the pages freed.  Two turns of the
 * clock at most (the first may only clear the bits). */
static uint64_t df_reclaim(uint64_t want)
{
    uint64_t freed = 0, budget = 0;
    list_for_each(l, &df.nodes)
    {
        budget += container_of(l, struct node, disk_link)->npages;
    }
    budget *= 2;
    while (freed < want && budget-- > 0 && df.cached > 0) {
        if (!df.hand) {
            if (list_empty(&df.nodes))
                break;
            df.hand = container_of(df.nodes.next, struct node, disk_link);
            df.hand_idx = 0;
        }
        freed += df_tick();
    }
    return freed;
}

/* Room for n more pages: the cache stays within a quarter of RAM and
 * leaves a sixteenth of it free for everything else. */
static void df_make_room(uint64_t n)
{
    uint64_t total = pmem_total_pages();
    uint64_t over = 0;
    if (df.cached + n > total / 4)
        over = df.cached + n - total / 4;
    if (pmem_free_pages() < total / 16 + n)
        over = MAX(over, total / 16 + n - pmem_free_pages());
    if (over)
        df_reclaim(over);
}

/* --- reading */

/* Reads pages [idx, idx + n) of node nd into the fresh pages pa[]: 0 or
 * -EIO.  Bytes past disk_size read zeros (the disk holds whole pages;
 * a truncated file's tail must not come back). */
static int df_read(struct node *nd, uint64_t idx, const uint64_t *pa, int n)
{
    struct blk_seg segs[READAHEAD];
    if (!df.disk)
        return -EIO;
    for (int i = 0; i < n; i++)
        segs[i] = (struct blk_seg){pa[i], PAGE_SIZE};
    /* Inside the disk's sectors: a partition's neighbours are not ours. */
    uint64_t at = (nd->disk_off + idx * PAGE_SIZE) / BLK_SECTOR;
    uint64_t count = (uint64_t)n * (PAGE_SIZE / BLK_SECTOR);
    if (at >= df.sectors || count > df.sectors - at ||
        blkdev_read(df.disk, df.base + at, segs, n))
        return -EIO;
    for (int i = 0; i < n; i++) {
        uint64_t start = (idx + i) * PAGE_SIZE;
        uint64_t keep = nd->disk_size > start ? nd->disk_size - start : 0;
        if (keep < PAGE_SIZE)
            memset((char *)phys_to_virt(pa[i]) + keep, 0, PAGE_SIZE - keep);
    }
    return 0;
}

/* How many pages from idx on to read at once: missing and on the disk. */
static int df_span(const struct node *n, uint64_t idx)
{
    int max = df.disk ? MIN(READAHEAD, df.disk->segs_max) : 1;
    uint64_t end = ALIGN_UP(n->disk_size, PAGE_SIZE) / PAGE_SIZE;
    int k = 0;
    while (k < max && idx + k < end && idx + k < n->npages &&
           !n->pages[idx + k])
        k++;
    return k;
}

static int df_fill_span(struct node *n, uint64_t idx, int k)
{
    uint64_t pa[READAHEAD];
    df_make_room((uint64_t)k);
    for (int i = 0; i < k; i++) {
        pa[i] = pmem_alloc(0);
        if (!pa[i]) {
            while (i-- > 0)
                pmem_free(pa[i], 0);
            return -ENOMEM;
        }
    }
    int err = df_read(n, idx, pa, k);
    for (int i = 0; i < k; i++) {
        if (err || n->pages[idx + i]) {
            pmem_free(pa[i], 0);
            continue;
        }
        n->pages[idx + i] = pa[i] | NODE_PG_CLEAN | (i ? 0 : NODE_PG_REF);
        df.cached++;
    }
    return err;
}

int diskfile_fill(struct node *n, uint64_t idx)
{
    if (idx < n->npages && n->pages[idx])
        return 0;
    int k = df_span(n, idx);
    if (k == 0)
        return -EIO;
    int err = df_fill_span(n, idx, k);
    if (err == -EIO && k > 1)
        err = df_fill_span(n, idx, 1);
    return err;
}
