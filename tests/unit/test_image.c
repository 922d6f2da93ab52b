/*
 * tests/unit/test_image.c — writing images (tool/image_write.c) and checking
 * them (common/image.c): the round trip, every bit flip and every
 * truncation refused, and hand-made headers and sections that break each
 * rule.  File records are tested in test_image_files.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/image.h>

#include "args.h"
#include "capture.h"
#include "check.h"
#include "image_write.h"
#include "util.h"

#define HDR 32
#define SEC 24

static uint8_t fake_program[] = "\x7f"
                                "ELF pretend program bytes";
static char *sample_args[] = {"prog", "-v", "", "last"};
static char *sample_env[] = {"A=1", "PATH=/bin"};

static struct image_input sample(void)
{
    struct image_input in = {.program = fake_program,
                             .program_size = sizeof(fake_program),
                             .nargs = 4,
                             .args = sample_args,
                             .nenv = 2,
                             .env = sample_env,
                             .cwd = "/",
                             .exe_path = "/bin/prog"};
    return in;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
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

/* Recomputes the checksum after a test changed the header or a section. */
static void reseal(uint8_t *img)
{
    put32(img + 28, 0);
    put32(img + 28, gorump_crc32c(0, img, get64(img + 16)));
}

static uint8_t *entry(uint8_t *img, int i)
{
    return img + HDR + i * SEC;
}

static void test_round_trip(void)
{
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img;
    size_t len;

    CHECK_EQ(image_build(&in, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK_EQ(g.program_size, sizeof(fake_program));
    CHECK(memcmp(g.program, fake_program, sizeof(fake_program)) == 0);
    CHECK_EQ((g.program - img) % 4096, 0);
    CHECK_EQ(g.args_size, 5 + 3 + 1 + 5);
    CHECK(memcmp(g.args, "prog\0-v\0\0last\0", 14) == 0);
    CHECK_EQ(g.env_size, 14);
    CHECK(memcmp(g.env, "A=1\0PATH=/bin\0", 14) == 0);
    CHECK(g.cwd != NULL && strcmp(g.cwd, "/") == 0);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, "/bin/prog") == 0);
    CHECK(g.files == NULL && g.files_size == 0);
    CHECK(g.base == img && g.size == len);
    CHECK_EQ(image_size(&in), len);
    /* Bytes after total_size (padding by a loader) are no concern. */
    img = realloc(img, len + 100);
    CHECK_EQ(gorump_image_parse(img, len + 100, &g), 0);
    free(img);
}

static void test_minimal(void)
{
    char *args[] = {"p"};
    static const uint8_t one[1] = {0x7f};
    struct image_input in = {.program = NULL, .nargs = 1, .args = args};
    struct gorump_image g;
    uint8_t *img;
    size_t len;

    /* An empty PROGRAM is no program (unless it is on the disk). */
    CHECK_EQ(image_build(&in, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ENOPROGRAM);
    free(img);
    in.program = one;
    in.program_size = 1;
    CHECK_EQ(image_build(&in, &img, &len), 0);
    CHECK_EQ(gorump_image_parse(img, len, &g), 0);
    CHECK(g.env == NULL && g.env_size == 0 && g.cwd == NULL);
    CHECK(g.exe_path == NULL && g.files == NULL);
    CHECK(g.program != NULL && g.program_size == 1);
    free(img);
}

static void test_write_file(void)
{
    struct image_input in = sample();
    struct gorump_image g;
    char path[] = "/tmp/gorump-test-image-XXXXXX";
    uint8_t *buf;
    size_t len;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    capture_begin();
    CHECK_EQ(image_write_file(path, &in, -1), -1); /* never overwrites */
    CHECK(strstr(capture_end(), "cannot create the image: File exists"));
    CHECK_EQ(access(path, F_OK), 0); /* nor removes it */
    unlink(path);
    CHECK_EQ(image_write_file(path, &in, -1), 0);
    CHECK_EQ(read_file(path, &buf, &len), 0);
    CHECK_EQ(gorump_image_parse(buf, len, &g), 0);
    CHECK(g.exe_path != NULL && strcmp(g.exe_path, "/bin/prog") == 0);
    free(buf);
    unlink(path);
}

static void test_bit_flips(void)
{
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img;
    size_t len;
    int accepted = 0;

    CHECK_EQ(image_build(&in, &img, &len), 0);
    for (size_t bit = 0; bit < len * 8; bit++) {
        img[bit / 8] ^= (uint8_t)(1u << bit % 8);
        accepted += gorump_image_parse(img, len, &g) == 0;
        img[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    CHECK_EQ(accepted, 0);
    free(img);
}

static void test_truncations(void)
{
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img, *copy;
    size_t len;
    int bad = 0;

    CHECK_EQ(image_build(&in, &img, &len), 0);
    for (size_t n = 0; n < len; n++) {
        copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
        memcpy(copy, img, n);
        bad += gorump_image_parse(copy, n, &g) != GORUMP_IMAGE_ETRUNC;
        free(copy);
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(gorump_image_parse(img, 0, &g), GORUMP_IMAGE_ETRUNC);
    free(img);
}

/* Builds the sample, lets EDIT change it, reseals it and parses it. */
static int parse_edited(void (*edit)(uint8_t *img, size_t len))
{
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img;
    size_t len;
    int err;

    image_build(&in, &img, &len);
    edit(img, len);
    reseal(img);
    err = gorump_image_parse(img, len, &g);
    if (err != 0)
        CHECK(g.program == NULL && g.args == NULL && g.cwd == NULL &&
              g.exe_path == NULL && g.files == NULL && g.base == NULL &&
              g.size == 0);
    free(img);
    return err;
}

/* The sample's table: PROGRAM, ARGS, ENV, CWD, EXEPATH. */
static void edit_magic(uint8_t *img, size_t len)
{
    (void)len;
    img[0] = 'g';
}
static void edit_version(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 8, 4);
}
/* Version 3 is the version of images with a VOLUMES section. */
static void edit_version_3(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 8, 3);
}
/* Version 2 is the version of images with a DISK section: one without
 * it is malformed. */
static void edit_version_2(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 8, 2);
}
static void edit_header_size(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 12, 40);
}
static void edit_nsections_huge(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 24, 0xffffffffu);
}
static void edit_nsections_65(uint8_t *img, size_t len)
{
    (void)len;
    put32(img + 24, GORUMP_IMAGE_MAX_SECTIONS + 1);
}
static void edit_table_past_end(uint8_t *img, size_t len)
{
    /* 64 entries do not fit in a small image's total_size. */
    put64(img + 16, HDR + 10 * SEC);
    (void)len;
    put32(img + 24, 64);
}
static void edit_total_zero(uint8_t *img, size_t len)
{
    (void)len;
    put64(img + 16, 0);
}
static void edit_offset_past_end(uint8_t *img, size_t len)
{
    put64(entry(img, 0) + 8, (len + 8) & ~7ull);
}
static void edit_size_past_end(uint8_t *img, size_t len)
{
    put64(entry(img, 0) + 16, len);
}
static void edit_size_wraps(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 1) + 16, UINT64_MAX - 7);
}
static void edit_offset_huge(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 1) + 8, UINT64_MAX - 7);
}
static void edit_offset_in_table(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 1) + 8, HDR);
}
static void edit_misaligned(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 1) + 8, get64(entry(img, 1) + 8) + 4);
}
static void edit_reserved(uint8_t *img, size_t len)
{
    (void)len;
    put32(entry(img, 2) + 4, 1);
}
static void edit_duplicate(uint8_t *img, size_t len)
{
    (void)len;
    put32(entry(img, 3), 2); /* CWD becomes a second ARGS */
}
static void edit_no_program(uint8_t *img, size_t len)
{
    (void)len;
    put32(entry(img, 0), 99);
}
static void edit_unknown_type(uint8_t *img, size_t len)
{
    (void)len;
    put32(entry(img, 2), 77); /* ENV becomes something from the future */
}
static void edit_args_unterminated(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 1) + 16, get64(entry(img, 1) + 16) - 1);
}
static void edit_env_unterminated(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 2) + 8) + get64(entry(img, 2) + 16) - 1] = 'x';
}
static void edit_cwd_two_strings(uint8_t *img, size_t len)
{
    /* CWD's section now covers "A=1\0PATH=/bin\0". */
    (void)len;
    put64(entry(img, 3) + 8, get64(entry(img, 2) + 8));
    put64(entry(img, 3) + 16, 14);
}
static void edit_cwd_empty(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 3) + 8)] = 0;
    put64(entry(img, 3) + 16, 1);
}
static void edit_cwd_zero_size(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 3) + 16, 0);
}
static void edit_env_empty(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 2) + 16, 0);
}
static void edit_exe_relative(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 4) + 8)] = 'b';
}
static void edit_exe_empty(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 4) + 8)] = 0;
    put64(entry(img, 4) + 16, 1);
}
static void edit_exe_unterminated(uint8_t *img, size_t len)
{
    (void)len;
    put64(entry(img, 4) + 16, get64(entry(img, 4) + 16) - 1);
}
static void edit_exe_two_strings(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 4) + 8) + 4] = 0; /* "/bin\0rog\0" */
}
static void edit_exe_unnormalised(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 4) + 8) + 5] = '/'; /* "/bin//rog" */
}
static void edit_exe_dot(uint8_t *img, size_t len)
{
    (void)len;
    memcpy(img + get64(entry(img, 4) + 8) + 4, "/.", 2); /* "/bin/.rog" ok */
}
static void edit_exe_root(uint8_t *img, size_t len)
{
    (void)len;
    img[get64(entry(img, 4) + 8) + 1] = 0;
    put64(entry(img, 4) + 16, 2); /* "/" */
}
static void edit_exe_duplicate(uint8_t *img, size_t len)
{
    (void)len;
    put32(entry(img, 3), GORUMP_SECTION_EXEPATH); /* CWD becomes a copy */
    put64(entry(img, 3) + 8, get64(entry(img, 4) + 8));
    put64(entry(img, 3) + 16, get64(entry(img, 4) + 16));
}

static void test_rules(void)
{
    CHECK_EQ(parse_edited(edit_magic), GORUMP_IMAGE_EMAGIC);
    CHECK_EQ(parse_edited(edit_version), GORUMP_IMAGE_EVERSION);
    CHECK_EQ(parse_edited(edit_version_2), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_version_3), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_header_size), GORUMP_IMAGE_EVERSION);
    CHECK_EQ(parse_edited(edit_nsections_huge), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_nsections_65), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_table_past_end), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_total_zero), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_offset_past_end), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_size_past_end), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_size_wraps), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_offset_huge), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_offset_in_table), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_misaligned), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_reserved), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_duplicate), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_no_program), GORUMP_IMAGE_ENOPROGRAM);
    CHECK_EQ(parse_edited(edit_unknown_type), 0);
    CHECK_EQ(parse_edited(edit_args_unterminated), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_env_unterminated), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_cwd_two_strings), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_cwd_empty), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_cwd_zero_size), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_env_empty), 0);
    CHECK_EQ(parse_edited(edit_exe_relative), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_empty), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_unterminated), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_two_strings), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_unnormalised), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_dot), 0);
    CHECK_EQ(parse_edited(edit_exe_root), GORUMP_IMAGE_ESECTION);
    CHECK_EQ(parse_edited(edit_exe_duplicate), GORUMP_IMAGE_ESECTION);
}

/* A total_size beyond the buffer is truncation, whatever the checksum. */
static void test_total_beyond_len(void)
{
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img;
    size_t len;

    image_build(&in, &img, &len);
    put64(img + 16, len + 1);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ETRUNC);
    put64(img + 16, UINT64_MAX);
    CHECK_EQ(gorump_image_parse(img, len, &g), GORUMP_IMAGE_ETRUNC);
    CHECK_EQ(gorump_image_parse("GORUMP", 6, &g), GORUMP_IMAGE_ETRUNC);
    CHECK_EQ(gorump_image_parse("\x7f"
                                "ELF",
                                4, &g),
             GORUMP_IMAGE_EMAGIC);
    free(img);
}

static void test_strerror(void)
{
    for (int e = GORUMP_IMAGE_EFILE; e <= 0; e++)
        CHECK(strlen(gorump_image_strerror(e)) > 5);
    CHECK(strcmp(gorump_image_strerror(-100), "unknown image error") == 0);
    CHECK(strcmp(gorump_image_strerror(GORUMP_IMAGE_EMAGIC),
                 "not a gorump image") == 0);
    CHECK(strstr(gorump_image_strerror(GORUMP_IMAGE_EFILE), "file record"));
}

/* The table entry of TYPE in img, or NULL. */
static uint8_t *find_section(uint8_t *img, uint32_t type)
{
    uint32_t n = (uint32_t)img[24] | (uint32_t)img[25] << 8;

    for (uint32_t i = 0; i < n; i++)
        if (entry(img, (int)i)[0] == type)
            return entry(img, (int)i);
    return NULL;
}

/* Builds IN with two volumes, changes byte AT of its VOLUMES section to
 * C (AT -1: nothing), and parses it. */
static int parse_volumes(ptrdiff_t at, uint8_t c, struct gorump_image *g,
                         uint8_t **out)
{
    static struct run_share v[2] = {
        {.host = "/srv/data.img", .guest = "/data", .ro = 0},
        {.host = "/srv/www", .guest = "/var/www", .ro = 1}};
    struct image_input in = sample();
    size_t len;
    uint8_t *img, *e;

    in.nvolumes = 2;
    in.volumes = v;
    CHECK_EQ(image_build(&in, &img, &len), 0);
    e = find_section(img, GORUMP_SECTION_VOLUMES);
    CHECK(e != NULL);
    if (at >= 0 && e != NULL) {
        img[get64(e + 8) + (uint64_t)at] = c;
        reseal(img);
    }
    *out = img;
    return gorump_image_parse(img, len, g);
}

/* VOLUMES: version 3, the entries as written, each rule broken once. */
static void test_volumes(void)
{
    struct gorump_image g;
    struct gorump_volume v;
    uint64_t off = 0;
    uint8_t *img;
    /* "rw\0/srv/data.img\0/data\0ro\0/srv/www\0/var/www\0" */
    static const struct {
        ptrdiff_t at;
        uint8_t c;
    } bad[] = {
        {1, 'x'},  /* mode "rx" */
        {2, 'o'},  /* mode "rwo..." */
        {3, 's'},  /* a relative host path */
        {3, 0},    /* an empty host path */
        {17, 'd'}, /* guest "d/data" */
        {19, '/'}, /* guest "/d/ta": fine, then "/d//a"... */
        {22, 'x'}, /* guest "/datax" runs into the next entry's mode */
        {43, 'x'}, /* the last string unterminated */
    };

    CHECK_EQ(parse_volumes(-1, 0, &g, &img), 0);
    CHECK_EQ(get64(img + 8) & 0xffffffff, GORUMP_IMAGE_VERSION_VOLUMES);
    CHECK_EQ(gorump_image_next_volume(&g, &off, &v), 1);
    CHECK(!v.ro && strcmp(v.host, "/srv/data.img") == 0 &&
          strcmp(v.guest, "/data") == 0);
    CHECK_EQ(gorump_image_next_volume(&g, &off, &v), 1);
    CHECK(v.ro && strcmp(v.host, "/srv/www") == 0 &&
          strcmp(v.guest, "/var/www") == 0);
    CHECK_EQ(gorump_image_next_volume(&g, &off, &v), 0);
    /* Version 1 ignores the section; version 3 needs it. */
    put32(img + 8, GORUMP_IMAGE_VERSION);
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, get64(img + 16), &g), 0);
    CHECK(g.volumes == NULL);
    put32(img + 8, GORUMP_IMAGE_VERSION_VOLUMES);
    put32(find_section(img, GORUMP_SECTION_VOLUMES), 99);
    reseal(img);
    CHECK_EQ(gorump_image_parse(img, get64(img + 16), &g),
             GORUMP_IMAGE_ESECTION);
    free(img);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int r = parse_volumes(bad[i].at, bad[i].c, &g, &img);
        if (bad[i].at == 19)
            CHECK_EQ(r, 0); /* "/d/ta" is a path */
        else
            CHECK_EQ(r, GORUMP_IMAGE_ESECTION);
        free(img);
    }
}

/* More than GORUMP_VOLUMES_MAX entries is refused. */
static void test_volumes_max(void)
{
    struct run_share v[GORUMP_VOLUMES_MAX + 1];
    struct image_input in = sample();
    struct gorump_image g;
    uint8_t *img;
    size_t len;

    for (int i = 0; i <= GORUMP_VOLUMES_MAX; i++)
        v[i] = (struct run_share){.host = "/v", .guest = "/g"};
    in.volumes = v;
    for (int n = GORUMP_VOLUMES_MAX; n <= GORUMP_VOLUMES_MAX + 1; n++) {
        in.nvolumes = n;
        CHECK_EQ(image_build(&in, &img, &len), 0);
        CHECK_EQ(gorump_image_parse(img, len, &g),
                 n > GORUMP_VOLUMES_MAX ? GORUMP_IMAGE_ESECTION : 0);
        free(img);
    }
}

int main(void)
{
    test_volumes();
    test_volumes_max();
    test_round_trip();
    test_minimal();
    test_write_file();
    test_bit_flips();
    test_truncations();
    test_rules();
    test_total_beyond_len();
    test_strerror();
    return check_done();
}
