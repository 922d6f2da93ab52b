/*
 * tool/containerdisk.c — the OCI image archive of containerdisk.h.
 *
 * The image (OCI image spec v1.0: image-layout.md, manifest.md,
 * config.md, layer.md) is a config, one layer and a manifest naming both,
 * each a blob named by the SHA-256 of its bytes, and an index.json naming
 * the manifest; the archive is a tar of that layout:
 *
 *   oci-layout                 {"imageLayoutVersion":"1.0.0"}
 *   index.json                 the manifest, tagged "latest"
 *   blobs/sha256/<config>      amd64, linux, the layer's diff_id
 *   blobs/sha256/<manifest>
 *   blobs/sha256/<layer>       an uncompressed tar (so its digest is its
 *                              diff_id too): disk/ and disk/disk.qcow2
 *
 * KubeVirt's containerDisk contract (its user guide, "containerDisk"):
 * the disk is one raw or qcow2 file under /disk in an image that needs
 * nothing else (FROM scratch), readable by uid 107, the qemu user its
 * launcher runs QEMU as; so the layer's entries are owned by 107:107, the
 * directory 0755 and the disk 0444.  The layer's digest must be known
 * before its bytes go into the archive (its file name comes first), so
 * the layer is made twice from the mapped disk: hashed, then written and
 * hashed again, and the two digests must agree.
 *
 * Both tars are POSIX ustar (IEEE Std 1003.1, pax(1) "ustar Interchange
 * Format"): a 512-byte header per entry, the data padded to 512 bytes,
 * two zero blocks at the end.  Sizes are 11 octal digits: 8 GiB at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containerdisk.h"
#include "sha256.h"
#include "util.h"

#define TAR_BLOCK 512u
#define TAR_MAX_SIZE 077777777777ull /* 11 octal digits */
#define QEMU_ID 107                  /* KubeVirt's qemu uid and gid */
#define DISK_PATH "disk/disk.qcow2"
#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar"

/* Where the bytes of a tar go: into a hash, into a file, or both. */
struct cd_sink {
    int fd;             /* -1: no file */
    struct sha256 *sha; /* NULL: no hash */
    const char *path;   /* for messages */
    int err;
};

static void sink_put(struct cd_sink *k, const void *p, size_t n)
{
    if (k->err != 0)
        return;
    if (k->sha != NULL)
        sha256_update(k->sha, p, n);
    if (k->fd >= 0 && write_all(k->fd, p, n) != 0) {
        report("%s: cannot write: %s", k->path, strerror(errno));
        k->err = -1;
    }
}

static void sink_zeros(struct cd_sink *k, size_t n)
{
    static const char zeros[TAR_BLOCK];

    for (size_t step; n > 0; n -= step) {
        step = n < sizeof(zeros) ? n : sizeof(zeros);
        sink_put(k, zeros, step);
    }
}

/* One ustar header: a regular file ('0') or a directory ('5'), with the
 * time stamp 0 and no user or group name (the numbers are what count). */
static void tar_header(struct cd_sink *k, const char *name, char type,
                       unsigned mode, unsigned id, unsigned long long size)
{
    unsigned char h[TAR_BLOCK] = {0};
    unsigned sum = 0;

    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", mode);
    snprintf((char *)h + 108, 8, "%07o", id);
    snprintf((char *)h + 116, 8, "%07o", id);
    snprintf((char *)h + 124, 12, "%011llo", size);
    snprintf((char *)h + 136, 12, "%011o", 0u);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6); /* the magic, with its NUL */
    memcpy(h + 263, "00", 2);    /* the version */
    /* The checksum counts its own field as eight spaces. */
    memset(h + 148, ' ', 8);
    for (size_t i = 0; i < sizeof(h); i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    sink_put(k, h, sizeof(h));
}

static size_t tar_pad(unsigned long long n)
{
    return (size_t)((TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK);
}

/* A regular file entry holding p[0..n). */
static void tar_file(struct cd_sink *k, const char *name, unsigned mode,
                     unsigned id, const void *p, size_t n)
{
    tar_header(k, name, '0', mode, id, n);
    sink_put(k, p, n);
    sink_zeros(k, tar_pad(n));
}

/* The layer's bytes: its size is known before they are made. */
static unsigned long long layer_size(size_t disk)
{
    return 2ull * TAR_BLOCK + disk + tar_pad(disk) + 2 * TAR_BLOCK;
}

static void layer_emit(struct cd_sink *k, const void *disk, size_t n)
{
    tar_header(k, "disk/", '5', 0755, QEMU_ID, 0);
    tar_file(k, DISK_PATH, 0444, QEMU_ID, disk, n);
    sink_zeros(k, 2 * TAR_BLOCK);
}

/* A blob: the JSON text, and its digest. */
struct cd_blob {
    char text[1024];
    size_t len;
    char hex[SHA256_HEX];
};

static void blob_seal(struct cd_blob *b)
{
    b->len = strlen(b->text);
    sha256_hex(b->text, b->len, b->hex);
}

static void blob_put(struct cd_sink *k, const struct cd_blob *b)
{
    char name[100];

    snprintf(name, sizeof(name), "blobs/sha256/%s", b->hex);
    tar_file(k, name, 0644, 0, b->text, b->len);
}

/* config.md: the platform and the one layer's diff_id; "created" is the
 * epoch, as for every other time stamp, so a rebuild is identical. */
static void make_config(struct cd_blob *b, const char *layer)
{
    snprintf(b->text, sizeof(b->text),
             "{\"created\":\"1970-01-01T00:00:00Z\",\"architecture\":"
             "\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":"
             "\"layers\",\"diff_ids\":[\"sha256:%s\"]},\"history\":[{"
             "\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"gorump "
             "build --format containerdisk\"}]}",
             layer);
    blob_seal(b);
}

static void make_manifest(struct cd_blob *b, const struct cd_blob *config,
                          const char *layer, unsigned long long size)
{
    snprintf(b->text, sizeof(b->text),
             "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST "\","
             "\"config\":{\"mediaType\":\"" MT_CONFIG "\",\"digest\":"
             "\"sha256:%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
             "\"" MT_LAYER "\",\"digest\":\"sha256:%s\",\"size\":%llu}]}",
             config->hex, config->len, layer, size);
    blob_seal(b);
}

/* image-layout.md: the index names the manifest; the ref.name annotation
 * is the tag (oci-archive:FILE:latest). */
static void make_index(struct cd_blob *b, const struct cd_blob *manifest)
{
    snprintf(b->text, sizeof(b->text),
             "{\"schemaVersion\":2,\"mediaType\":\"" MT_INDEX "\","
             "\"manifests\":[{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":"
             "\"sha256:%s\",\"size\":%zu,\"annotations\":{"
             "\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
             manifest->hex, manifest->len);
    blob_seal(b);
}

/* The archive, the layer last, hashed again into layer_sha as it is
 * written. */
static void archive_emit(struct cd_sink *k, const struct cd_blob *blobs,
                         const char *layer, const void *disk, size_t n,
                         struct sha256 *layer_sha)
{
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    char name[100];

    tar_file(k, "oci-layout", 0644, 0, layout, strlen(layout));
    tar_file(k, "index.json", 0644, 0, blobs[2].text, blobs[2].len);
    tar_header(k, "blobs/", '5', 0755, 0, 0);
    tar_header(k, "blobs/sha256/", '5', 0755, 0, 0);
    blob_put(k, &blobs[0]);
    blob_put(k, &blobs[1]);
    snprintf(name, sizeof(name), "blobs/sha256/%s", layer);
    tar_header(k, name, '0', 0644, 0, layer_size(n));
    k->sha = layer_sha;
    layer_emit(k, disk, n);
    k->sha = NULL;
    sink_zeros(k, tar_pad(layer_size(n)));
    sink_zeros(k, 2 * TAR_BLOCK);
}

/* The blobs (config, manifest, index) for the disk; the layer's digest
 * in layer. */
static void make_blobs(struct cd_blob blobs[3], const void *disk, size_t n,
                       char layer[SHA256_HEX])
{
    struct sha256 sha;
    struct cd_sink k = {.fd = -1, .sha = &sha};

    sha256_init(&sha);
    layer_emit(&k, disk, n);
    sha256_final_hex(&sha, layer);
    make_config(&blobs[0], layer);
    make_manifest(&blobs[1], &blobs[0], layer, layer_size(n));
    make_index(&blobs[2], &blobs[1]);
}

static int write_archive(const char *qcow2, const char *out, const void *disk,
                         size_t n)
{
    struct cd_blob blobs[3];
    char layer[SHA256_HEX], again[SHA256_HEX];
    struct sha256 sha;
    struct cd_sink k = {.path = out};

    make_blobs(blobs, disk, n, layer);
    k.fd = open(out, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (k.fd < 0) {
        report("%s: %s", out, strerror(errno));
        return -1;
    }
    sha256_init(&sha);
    archive_emit(&k, blobs, layer, disk, n, &sha);
    sha256_final_hex(&sha, again);
    if (close(k.fd) != 0 && k.err == 0) {
        report("%s: cannot write: %s", out, strerror(errno));
        k.err = -1;
    }
    if (k.err == 0 && strcmp(layer, again) != 0) {
        report("%s: changed while %s was written", qcow2, out);
        k.err = -1;
    }
    return k.err;
}

int containerdisk_write(const char *qcow2, const char *out)
{
    uint8_t *disk;
    size_t n;
    int err = map_file(qcow2, &disk, &n);

    if (err != 0) {
        report("%s: %s", qcow2, strerror(-err));
        return -1;
    }
    if (layer_size(n) > TAR_MAX_SIZE) {
        report("%s: %zu bytes: too large for the image's tar (8 GiB)", qcow2,
               n);
        err = -1;
    } else {
        err = write_archive(qcow2, out, disk, n);
    }
    unmap_file(disk, n);
    return err;
}
