/*
 * tests/unit/test_image_files.c — FILES sections: records written by
 * tool/image_write.c read back by gorump_image_next_file (common/
 * image_files.c) with their data where image_plan.c put it, and records
 * that break each rule of image.h refused by gorump_image_parse with
 * GORUMP_IMAGE_EFILE.  The pack lists here hold their data in memory, so
 * any path or mode can be written and then checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gorump/image.h>

#include "check.h"
#include "image_write.h"
#include "pack.h"

#define HDR 32
#define SEC 24
#define REC 48
#define DIR_MODE (GORUMP_S_IFDIR | 0755)
#define REG_MODE (GORUMP_S_IFREG | 0644)
#define LNK_MODE (GORUMP_S_IFLNK | 0777)

static uint8_t prog[] = "\x7f"
                        "ELF";
static char *args[] = {"p"};
static uint8_t big[5000];

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void reseal(uint8_t *img)
{
    put32(img + 28, 0);
    put32(img + 28, gorump_crc32c(0, img, get64(img + 16)));
}

/* Appends a record whose data is in memory. */
static void add(struct pack_list *l, const char *path, uint32_t mode,
                const void *data, uint64_t size)
{
    struct pack_file f = {.path = strdup(path),
                          .mode = mode,
                          .uid = 1000,
                          .gid = 100,
                          .mtime_sec = 1700000000,
                          .mtime_nsec = 123456789,
                          .atime_sec = -5,
                          .atime_nsec = 999999999,
                          .size = size,
                          .data = data};

    CHECK_EQ(pack_add(l, &f), 0);
}

/* A directory, a small file, a link and a big file. */
static void sample(struct pack_list *l)
{
    pack_init(l, -1);
    add(l, "/d", DIR_MODE, NULL, 0);
    add(l, "/d/f", REG_MODE, "hello", 5);
    add(l, "/d/l", LNK_MODE, "f", 1);
    add(l, "/d/big", REG_MODE | 04000, big, sizeof(big));
    add(l, "/d/empty", REG_MODE, NULL, 0);
}

static uint8_t *build(const struct pack_list *l, size_t *len)
{
    struct image_input in = {.program = prog,
                             .program_size = sizeof(prog),
                             .nargs = 1,
                             .args = args,
                             .files = l};
    uint8_t *img = NULL;

    CHECK_EQ(image_build(&in, &img, len), 0);
    return img;
}

static void test_round_trip(void)
{
    struct pack_list l;
    struct gorump_image g;
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    size_t len, i = 0;
    uint8_t *img;

    for (size_t k = 0; k < sizeof(big); k++)
        big[k] = (uint8_t)(k * 7);
    sample(&l);
    img = build(&l, &len);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.files != NULL && (g.files - img) % 8 == 0);
    while (gorump_image_next_file(&g, &cursor, &f) == 1 && i < l.n) {
        const struct pack_file *p = &l.v[i++];
        CHECK(f.path_len == strlen(p->path) &&
              memcmp(f.path, p->path, f.path_len) == 0);
        CHECK_EQ(f.mode, p->mode);
        CHECK_EQ(f.size, p->size);
        CHECK(p->size == 0 || memcmp(f.data, p->data, p->size) == 0);
        CHECK(f.mtime_sec == 1700000000 && f.mtime_nsec == 123456789);
        CHECK(f.atime_sec == -5 && f.atime_nsec == 999999999);
        CHECK(f.uid == 1000 && f.gid == 100);
        if (f.size > 0)
            CHECK_EQ((f.data - img) % (f.size >= 4096 ? 4096 : 8), 0);
    }
    CHECK_EQ(i, l.n);
    CHECK_EQ(cursor.offset, g.files_size);
    CHECK_EQ(cursor.index, l.n);
    CHECK_EQ(g.file_times_size, 16 * l.n);
    CHECK_EQ(gorump_image_next_file(&g, &cursor, &f), 0); /* stays at end */
    cursor.offset = 4;
    CHECK_EQ(gorump_image_next_file(&g, &cursor, &f), GORUMP_IMAGE_EFILE);
    cursor.offset = g.files_size + 8;
    CHECK_EQ(gorump_image_next_file(&g, &cursor, &f), GORUMP_IMAGE_EFILE);
    free(img);
    pack_free(&l);
}

/* The table entry of the section of TYPE. */
static uint8_t *section_of(uint8_t *img, uint32_t type)
{
    for (uint32_t i = 0; i < get32(img + 24); i++)
        if (get32(img + HDR + SEC * i) == type)
            return img + HDR + SEC * i;
    return NULL;
}

static uint8_t *files_entry(uint8_t *img)
{
    return section_of(img, GORUMP_SECTION_FILES);
}

/* The FILETIMES section holds N entries. */
static void times_count(uint8_t *img, uint64_t n)
{
    put64(section_of(img, GORUMP_SECTION_FILETIMES) + 16, 16 * n);
}

/* Offset of record i of the FILES section. */
static uint64_t record(uint8_t *img, int i)
{
    uint64_t off = get64(files_entry(img) + 8);

    while (i-- > 0)
        off += get32(img + off);
    return off;
}

/* Builds the sample, lets EDIT change record `which`, reseals, parses. */
static int parse_edited(void (*edit)(uint8_t *img, uint8_t *r), int which)
{
    struct pack_list l;
    struct gorump_image g;
    size_t len;
    uint8_t *img;
    int err;

    sample(&l);
    img = build(&l, &len);
    edit(img, img + record(img, which));
    reseal(img);
    err = gorump_image_parse(img, len, &g);
    if (err != 0)
        CHECK(g.files == NULL && g.program == NULL && g.base == NULL);
    free(img);
    pack_free(&l);
    return err;
}

static void edit_size_small(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r, REC); /* "/d/f" no longer fits */
}
static void edit_size_tiny(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r, 8);
}
static void edit_size_odd(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r, get32(r) - 4); /* "/d": 50 bytes in a 52-byte record */
}
static void edit_size_odd_last(uint8_t *img, uint8_t *r)
{
    /* The section ends with the record, so only the rule catches it. */
    put32(r, get32(r) + 4);
    put64(files_entry(img) + 16, get64(files_entry(img) + 16) + 4);
}
static void edit_size_past(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r, get32(r) + 8); /* the last record */
}
static void edit_past_buffer(uint8_t *img, uint8_t *r)
{
    /* The last record alone, moved to the image's end (over the big
     * file's last bytes), claims 8 bytes more: ASan sees any read. */
    uint64_t total = get64(img + 16), size = get32(r);

    memmove(img + total - size, r, size);
    put64(files_entry(img) + 8, total - size);
    put64(files_entry(img) + 16, size);
    put32(img + total - size, (uint32_t)size + 8);
    times_count(img, 1);
}
static void edit_section_short(uint8_t *img, uint8_t *r)
{
    (void)r;
    put64(files_entry(img) + 16, get64(files_entry(img) + 16) - 8);
}
static void edit_section_trailing(uint8_t *img, uint8_t *r)
{
    (void)r; /* 8 zero bytes after the last record: no room for one */
    put64(files_entry(img) + 16, get64(files_entry(img) + 16) + 8);
}
static void edit_section_empty(uint8_t *img, uint8_t *r)
{
    (void)r;
    put64(files_entry(img) + 16, 0);
    times_count(img, 0);
}
static void edit_reserved(uint8_t *img, uint8_t *r)
{
    (void)img;
    r[47] = 1;
}
static void edit_padding(uint8_t *img, uint8_t *r)
{
    (void)img;
    r[REC + 2] = 'x'; /* "/d" then 6 bytes of padding */
}
static void edit_type_fifo(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 4, 0010644);
}
static void edit_type_none(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 4, 0644);
}
static void edit_mode_bits(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 4, get32(r + 4) | 0200000); /* outside type and 07777 */
}
static void edit_dir_data(uint8_t *img, uint8_t *r)
{
    (void)img;
    put64(r + 16, 1);
}
static void edit_data_past(uint8_t *img, uint8_t *r)
{
    put64(r + 8, get64(img + 16) - 2); /* 5 bytes, 2 left */
}
static void edit_data_offset_huge(uint8_t *img, uint8_t *r)
{
    (void)img;
    put64(r + 8, UINT64_MAX - 2);
}
static void edit_data_size_huge(uint8_t *img, uint8_t *r)
{
    (void)img;
    put64(r + 16, UINT64_MAX);
}
static void edit_nsec(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 32, 1000000000);
}
static void edit_nsec_max(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 32, 999999999);
}
static void edit_path_nul(uint8_t *img, uint8_t *r)
{
    (void)img;
    r[REC + 3] = 0; /* "/d/\0" */
}
static void edit_path_len_zero(uint8_t *img, uint8_t *r)
{
    (void)img;
    r[44] = 0; /* an empty path, "/d" zeroed into valid padding */
    memset(r + REC, 0, 2);
}
static void edit_link_empty(uint8_t *img, uint8_t *r)
{
    (void)img;
    put64(r + 16, 0);
}
static void edit_link_nul(uint8_t *img, uint8_t *r)
{
    img[get64(r + 8)] = 0;
}
static void edit_uid_any(uint8_t *img, uint8_t *r)
{
    (void)img;
    put32(r + 36, 0xffffffffu);
    put64(r + 24, (uint64_t)-5); /* before 1970 */
}

static void test_record_rules(void)
{
    CHECK_EQ(parse_edited(edit_size_small, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_size_tiny, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_size_odd, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_size_odd_last, 4), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_size_past, 4), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_past_buffer, 4), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_section_short, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_section_trailing, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_section_empty, 0), 0);
    CHECK_EQ(parse_edited(edit_reserved, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_padding, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_type_fifo, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_type_none, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_mode_bits, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_dir_data, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_data_past, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_data_offset_huge, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_data_size_huge, 3), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_nsec, 2), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_nsec_max, 2), 0);
    CHECK_EQ(parse_edited(edit_path_nul, 1), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_path_len_zero, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_link_empty, 2), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_link_nul, 2), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_edited(edit_uid_any, 3), 0);
}

/* An image with one record: PATH of MODE with DATA; parse's result. */
static int parse_one(const char *path, uint32_t mode, const void *data,
                     uint64_t size)
{
    struct pack_list l;
    struct gorump_image g;
    size_t len;
    uint8_t *img;
    int err;

    pack_init(&l, -1);
    add(&l, path, mode, data, size);
    img = build(&l, &len);
    err = gorump_image_parse(img, len, &g);
    free(img);
    pack_free(&l);
    return err;
}

/* "/" followed by n-1 bytes of components of `name` bytes each. */
static char *long_path(size_t n, size_t name)
{
    char *p = malloc(n + 1);

    for (size_t i = 0; i < n; i++)
        p[i] = i % (name + 1) == 0 ? '/' : 'a';
    if (p[n - 1] == '/')
        p[n - 1] = 'a';
    p[n] = '\0';
    return p;
}

static void test_paths(void)
{
    static const char *bad[] = {"relative", "/",    "//x",    "/a//b",
                                "/a/./b",   "/./a", "/a/..",  "/a/../b",
                                "/..",      "/a/",  "/a/b/.", ""};
    char *p;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_EQ(parse_one(bad[i], REG_MODE, NULL, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_one("/a", REG_MODE, NULL, 0), 0);
    CHECK_EQ(parse_one("/...", REG_MODE, NULL, 0), 0);
    CHECK_EQ(parse_one("/.a/..b/a.", REG_MODE, NULL, 0), 0);
    p = long_path(257, 256); /* one 256-byte component */
    CHECK_EQ(parse_one(p, DIR_MODE, NULL, 0), GORUMP_IMAGE_EFILE);
    free(p);
    p = long_path(256, 255);
    CHECK_EQ(parse_one(p, DIR_MODE, NULL, 0), 0);
    free(p);
    p = long_path(4096, 100);
    CHECK_EQ(parse_one(p, DIR_MODE, NULL, 0), GORUMP_IMAGE_EFILE);
    free(p);
    p = long_path(4095, 100);
    CHECK_EQ(parse_one(p, DIR_MODE, NULL, 0), 0);
    free(p);
}

static void test_links(void)
{
    char target[4096];

    memset(target, 'x', sizeof(target));
    CHECK_EQ(parse_one("/l", LNK_MODE, target, 4095), 0);
    CHECK_EQ(parse_one("/l", LNK_MODE, target, 4096), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_one("/l", LNK_MODE, target, 0), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_one("/l", LNK_MODE, "a\0b", 3), GORUMP_IMAGE_EFILE);
    CHECK_EQ(parse_one("/l", LNK_MODE, "../a b", 6), 0);
    CHECK_EQ(parse_one("/f", REG_MODE, "a\0b", 3), 0); /* contents: any */
    CHECK_EQ(parse_one("/d", DIR_MODE | 01777, NULL, 0), 0);
}

/* An image without FILES has no records. */
static void test_no_files(void)
{
    struct gorump_image g;
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    size_t len;
    uint8_t *img = build(NULL, &len);

    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.files == NULL && g.file_times == NULL);
    CHECK_EQ(gorump_image_next_file(&g, &cursor, &f), 0);
    free(img);
}

/* FILETIMES: one entry per record, nanoseconds below 1e9, reserved zero;
 * an image without it (an older tool's) reads atime = mtime; a kernel
 * that does not know the type skips it (tested in test_image.c for any
 * unknown type). */
static void test_file_times(void)
{
    struct pack_list l;
    struct gorump_image g;
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    size_t len;
    uint8_t *img, *e, *t;

    sample(&l);
    img = build(&l, &len);
    e = section_of(img, GORUMP_SECTION_FILETIMES);
    CHECK(e != NULL);
    t = img + get64(e + 8);
    CHECK_EQ(get64(e + 16), 16 * l.n);
    CHECK_EQ(get64(e + 8),
             get64(section_of(img, GORUMP_SECTION_FILES) + 8) +
                 get64(section_of(img, GORUMP_SECTION_FILES) + 16));
    put32(t + 16 + 8, 1000000000); /* second record's nanoseconds */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put32(t + 16 + 8, 0);
    put32(t + 16 + 12, 1); /* reserved */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put32(t + 16 + 12, 0);
    put64(e + 16, 16 * (l.n - 1)); /* an entry short */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put64(e + 16, 16 * l.n + 8); /* not whole entries */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put64(e + 16, 16 * l.n);
    put32(e, 1000); /* an unknown type: atime = mtime, as before */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.file_times == NULL);
    CHECK_EQ(gorump_image_next_file(&g, &cursor, &f), 1);
    CHECK(f.atime_sec == f.mtime_sec && f.atime_nsec == f.mtime_nsec);
    free(img);
    pack_free(&l);
}

/* The disk (docs/IMAGE.md): files of 16 MiB or more get their data
 * there, page-aligned in record order; the image is version 2 with a
 * DISK section, and each rule of an on-disk record is enforced. */
static void test_disk(void)
{
    struct pack_list l;
    struct gorump_image g;
    struct gorump_file f[4];
    struct gorump_file_cursor cursor = {0, 0};
    uint64_t mib16 = 16u << 20;
    uint8_t *data = calloc(1, mib16 + 100), *img;
    size_t len, n = 0;
    struct image_input in = {.program = prog,
                             .program_size = sizeof(prog),
                             .nargs = 1,
                             .args = args,
                             .files = &l};

    pack_init(&l, -1);
    add(&l, "/a", REG_MODE, data, mib16 - 1); /* in the image */
    add(&l, "/b", REG_MODE, data, mib16 + 100);
    add(&l, "/c", REG_MODE, data, mib16);
    CHECK_EQ(image_disk_size(&in), 2 * mib16 + 4096);
    img = build(&l, &len);
    CHECK(len < 17u << 20 && len > mib16 - 1);
    CHECK_EQ(get32(img + 8), GORUMP_IMAGE_VERSION_DISK);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK_EQ(g.disk_size, 2 * mib16 + 4096);
    while (n < 4 && gorump_image_next_file(&g, &cursor, &f[n]) == 1)
        n++;
    CHECK_EQ(n, 3);
    CHECK(!f[0].on_disk && f[0].data != NULL);
    CHECK(f[1].on_disk && f[1].data == NULL && f[1].disk_offset == 0 &&
          f[1].size == mib16 + 100);
    CHECK(f[2].on_disk && f[2].disk_offset == mib16 + 4096);

    /* The second record's data_offset and flags, then the DISK size. */
    uint8_t *rec = (uint8_t *)g.files + get32(g.files);
    const uint8_t *disk = (const uint8_t *)g.file_times + g.file_times_size;
    size_t disk_off = (size_t)(disk - img);
    put64(rec + 8, 512); /* not page-aligned */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put64(rec + 8, 2 * mib16); /* data past the disk's end */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put64(rec + 8, 0);
    put32(rec + 4, DIR_MODE); /* only regular files */
    put64(rec + 16, 0);
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    put32(rec + 4, REG_MODE);
    put64(rec + 16, mib16 + 100);
    rec[47] = 1; /* an unknown flag */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    rec[47] = 0;
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    put64(img + disk_off, 4095); /* not whole pages */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ESECTION);
    put64(img + disk_off, 2 * mib16 + 4096);
    put64(img + disk_off + 8, 1); /* reserved */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ESECTION);
    put64(img + disk_off + 8, 0);
    put32(img + 8, GORUMP_IMAGE_VERSION); /* version 1 ignores DISK... */
    reseal(img);
    /* ...so its on-disk records are malformed */
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_EFILE);
    free(img);
    pack_free(&l);
    free(data);
}

/* On a bootable disk the DISK section is 32 bytes, the partition's
 * unique GUID after the size: found by the parser, the nil GUID and
 * other section sizes refused. */
static void test_disk_part(void)
{
    static const uint8_t guid[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
                                     5,    6,    7,    8,    9, 10, 11, 12};
    struct pack_list l;
    struct gorump_image g;
    uint64_t mib16 = 16u << 20;
    uint8_t *data = calloc(1, mib16), *img;
    size_t len;
    struct image_input in = {.program = prog,
                             .program_size = sizeof(prog),
                             .nargs = 1,
                             .args = args,
                             .files = &l,
                             .disk_part = guid};

    pack_init(&l, -1);
    add(&l, "/big", REG_MODE, data, mib16);
    CHECK_EQ(image_build(&in, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK_EQ(g.disk_size, mib16);
    CHECK(g.disk_part != NULL && memcmp(g.disk_part, guid, 16) == 0);
    uint8_t *sec = img + 32;
    while (get32(sec) != GORUMP_SECTION_DISK)
        sec += 24;
    CHECK_EQ(get64(sec + 16), GORUMP_DISK_PART_SEC_SIZE);
    uint8_t *part = img + get64(sec + 8) + 16;
    memset(part, 0, 16); /* the nil GUID */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ESECTION);
    memcpy(part, guid, 16);
    put64(sec + 16, 24); /* neither form */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ESECTION);
    put64(sec + 16, GORUMP_DISK_SEC_SIZE); /* the disk beside the image */
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.disk_part == NULL);
    free(img);
    pack_free(&l);
    free(data);
}

/* Builds IN and parses it; the parser's result, the image in *img. */
static int parse_built(const struct image_input *in, uint8_t **img,
                       struct gorump_image *g)
{
    size_t len;

    CHECK_EQ(image_build(in, img, &len), 0);
    return gorump_image_parse(*img, len, g);
}

/* A program of 16 MiB or more is the last record at EXEPATH, on the
 * disk, with an empty PROGRAM section; the parser finds it there and
 * refuses an empty PROGRAM any other way. */
static void test_disk_program(void)
{
    struct pack_list l;
    struct gorump_image g;
    uint64_t size = (16u << 20) + 5;
    uint8_t *data = calloc(1, size), *img;
    struct image_input in = {.program = data,
                             .program_size = size,
                             .nargs = 1,
                             .args = args,
                             .exe_path = "/bin/p",
                             .files = &l,
                             .program_in_files = 1};

    pack_init(&l, -1);
    add(&l, "/bin", DIR_MODE, NULL, 0);
    add(&l, "/bin/big", REG_MODE, data, 16u << 20);
    add(&l, "/bin/p", REG_MODE | 0111, data, size);
    CHECK_EQ(parse_built(&in, &img, &g), 0);
    CHECK(g.size < 4096 * 4); /* neither file is in the image */
    CHECK(g.program == NULL || g.program_size == 0);
    CHECK_EQ(g.program_size, 0);
    CHECK_EQ(g.program_disk_size, size);
    CHECK_EQ(g.program_disk_offset, 16u << 20);
    free(img);

    in.exe_path = "/bin/big"; /* any on-disk record will do */
    CHECK_EQ(parse_built(&in, &img, &g), 0);
    CHECK_EQ(g.program_disk_offset, 0);
    CHECK_EQ(g.program_disk_size, 16u << 20);
    free(img);
    in.exe_path = "/bin/bi"; /* a prefix of a path is not the path */
    CHECK_EQ(parse_built(&in, &img, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);
    in.exe_path = "/bin"; /* a directory */
    CHECK_EQ(parse_built(&in, &img, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);
    in.exe_path = NULL;
    CHECK_EQ(parse_built(&in, &img, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);

    /* The last record at the path counts: one in the image after it... */
    in.exe_path = "/bin/p";
    add(&l, "/bin/p", REG_MODE, prog, sizeof(prog));
    CHECK_EQ(parse_built(&in, &img, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);
    pack_free(&l);
    /* ...and without a disk (version 1) there is nothing to find. */
    pack_init(&l, -1);
    add(&l, "/bin/p", REG_MODE, prog, sizeof(prog));
    CHECK_EQ(parse_built(&in, &img, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);
    pack_free(&l);
    free(data);
}

int main(void)
{
    test_round_trip();
    test_record_rules();
    test_paths();
    test_links();
    test_no_files();
    test_file_times();
    test_disk();
    test_disk_part();
    test_disk_program();
    return check_done();
}
