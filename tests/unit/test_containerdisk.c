/*
 * tests/unit/test_containerdisk.c — the OCI image archive of
 * tool/containerdisk.c, read back by a ustar reader of the test's own:
 * every header's checksum, the entries in order, each blob named by the
 * SHA-256 of its bytes, the layer's two entries owned by 107:107 with
 * the disk's bytes, the same archive byte for byte from the same disk,
 * disks whose size is and is not a multiple of 512, and the refusals.
 * (tests/guest/ocicheck.py checks a real one with skopeo and umoci.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"
#include "containerdisk.h"
#include "sha256.h"
#include "util.h"

struct entry {
    char name[101];
    char type;
    unsigned long mode, uid, gid;
    const uint8_t *data;
    size_t size;
};

static unsigned long octal(const uint8_t *p, size_t n)
{
    char s[16] = {0};

    memcpy(s, p, n < 15 ? n : 15);
    return strtoul(s, NULL, 8);
}

/* Reads up to max entries of the ustar archive p[0..n); how many, or -1
 * when a header is bad or the archive does not end in two zero blocks. */
static int tar_read(const uint8_t *p, size_t n, struct entry *e, int max)
{
    size_t off = 0;
    int count = 0;

    while (off + 512 <= n && p[off] != 0 && count < max) {
        const uint8_t *h = p + off;
        unsigned long sum = 0;
        for (int i = 0; i < 512; i++)
            sum += i >= 148 && i < 156 ? ' ' : h[i];
        if (sum != octal(h + 148, 8) || memcmp(h + 257, "ustar", 6) != 0 ||
            memcmp(h + 263, "00", 2) != 0)
            return -1;
        struct entry *x = &e[count++];
        memcpy(x->name, h, 100);
        x->name[100] = '\0';
        x->type = (char)h[156];
        x->mode = octal(h + 100, 8);
        x->uid = octal(h + 108, 8);
        x->gid = octal(h + 116, 8);
        x->size = octal(h + 124, 12);
        x->data = h + 512;
        if (octal(h + 136, 12) != 0) /* the time stamp */
            return -1;
        off += 512 + (x->size + 511) / 512 * 512;
    }
    if (off + 1024 != n)
        return -1;
    for (size_t i = off; i < n; i++)
        if (p[i] != 0)
            return -1;
    return count;
}

/* Entry e's bytes hash to the name after blobs/sha256/. */
static int named_by_digest(const struct entry *e)
{
    char hex[SHA256_HEX];

    sha256_hex(e->data, e->size, hex);
    return strncmp(e->name, "blobs/sha256/", 13) == 0 &&
           strcmp(e->name + 13, hex) == 0;
}

static void check_layer(const struct entry *l, const uint8_t *disk, size_t n)
{
    struct entry e[4];

    CHECK_EQ(tar_read(l->data, l->size, e, 4), 2);
    CHECK(strcmp(e[0].name, "disk/") == 0 && e[0].type == '5');
    CHECK(strcmp(e[1].name, "disk/disk.qcow2") == 0 && e[1].type == '0');
    CHECK_EQ(e[0].mode, 0755);
    CHECK_EQ(e[1].mode, 0444);
    for (int i = 0; i < 2; i++)
        CHECK(e[i].uid == 107 && e[i].gid == 107);
    CHECK(e[1].size == n && memcmp(e[1].data, disk, n) == 0);
}

static void check_archive(const uint8_t *p, size_t size, const uint8_t *disk,
                          size_t n)
{
    static const char *names[] = {"oci-layout", "index.json", "blobs/",
                                  "blobs/sha256/"};
    struct entry e[10];
    char hex[SHA256_HEX];

    CHECK_EQ(tar_read(p, size, e, 10), 7);
    for (int i = 0; i < 4; i++)
        CHECK(strcmp(e[i].name, names[i]) == 0);
    for (int i = 4; i < 7; i++)
        CHECK(named_by_digest(&e[i]) && e[i].uid == 0);
    check_layer(&e[6], disk, n);
    /* The manifest (e[5]) is the one the index names, and names the
     * config (e[4]) and the layer, whose digest is the diff_id too. */
    CHECK(strstr((const char *)e[1].data, e[5].name + 13) != NULL);
    CHECK(strstr((const char *)e[5].data, e[4].name + 13) != NULL);
    CHECK(strstr((const char *)e[5].data, e[6].name + 13) != NULL);
    sha256_hex(e[6].data, e[6].size, hex);
    CHECK(strstr((const char *)e[4].data, hex) != NULL);
}

static void test_sizes(const char *dir)
{
    static const size_t sizes[] = {0, 1, 511, 512, 513, 70000};
    char disk[256], a[256], b[256];
    uint8_t *buf = malloc(70000), *pa, *pb;
    size_t na, nb;

    for (size_t i = 0; i < 70000; i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    snprintf(disk, sizeof(disk), "%s/disk.qcow2", dir);
    snprintf(a, sizeof(a), "%s/a.tar", dir);
    snprintf(b, sizeof(b), "%s/b.tar", dir);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        FILE *f = fopen(disk, "w");
        fwrite(buf, 1, sizes[i], f);
        fclose(f);
        fclose(fopen(a, "w"));
        fclose(fopen(b, "w"));
        CHECK_EQ(containerdisk_write(disk, a), 0);
        CHECK_EQ(containerdisk_write(disk, b), 0);
        CHECK(read_file(a, &pa, &na) == 0 && read_file(b, &pb, &nb) == 0);
        CHECK(na == nb && memcmp(pa, pb, na) == 0);
        check_archive(pa, na, buf, sizes[i]);
        free(pa);
        free(pb);
    }
    unlink(disk);
    unlink(a);
    unlink(b);
    free(buf);
}

static void test_refusals(const char *dir)
{
    char disk[256], out[256];

    snprintf(disk, sizeof(disk), "%s/none.qcow2", dir);
    snprintf(out, sizeof(out), "%s/out.tar", dir);
    fclose(fopen(out, "w"));
    capture_begin();
    CHECK_EQ(containerdisk_write(disk, out), -1);
    CHECK(strstr(capture_end(), "none.qcow2: No such file") != NULL);
    snprintf(disk, sizeof(disk), "%s/out.tar", dir);
    snprintf(out, sizeof(out), "%s/no/such/dir/x.tar", dir);
    capture_begin();
    CHECK_EQ(containerdisk_write(disk, out), -1);
    CHECK(strstr(capture_end(), "x.tar: No such file") != NULL);
    unlink(disk);
}

int main(void)
{
    char dir[] = "/tmp/test_containerdisk.XXXXXX";

    if (mkdtemp(dir) == NULL)
        return 1;
    test_sizes(dir);
    test_refusals(dir);
    rmdir(dir);
    return check_done();
}
