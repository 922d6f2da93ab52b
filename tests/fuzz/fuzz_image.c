/*
 * tests/fuzz/fuzz_image.c — libFuzzer target for gorump_image_parse(),
 * gorump_image_parse_unverified() (the kernel's) and
 * gorump_image_next_file().  Each input is parsed as it is, without the
 * checksum check, and again with its checksum made right, so the fuzzer
 * also reaches the section and file record checks behind the CRC.  Whatever is
 * accepted must point inside the input, and iterating an accepted image's
 * records must never fail; cursors the iterator never hands out must be
 * refused, not followed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gorump/image.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless [p, p+n) lies within [buf, buf+len); reads every byte so
 * ASan checks it too. */
static void inside(const void *p, uint64_t n, const uint8_t *buf, size_t len)
{
    const uint8_t *q = p;
    volatile uint8_t sink = 0;

    if (q == NULL) {
        if (n != 0)
            abort();
        return;
    }
    if (q < buf || q > buf + len || n > (uint64_t)(buf + len - q))
        abort();
    for (uint64_t i = 0; i < n; i++)
        sink ^= q[i];
    (void)sink;
}

/* Every record of an accepted image: valid, inside, in order. */
static void check_files(const struct gorump_image *img, const uint8_t *buf,
                        size_t len)
{
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    uint64_t before = 0;
    int r;

    while ((r = gorump_image_next_file(img, &cursor, &f)) == 1) {
        if (cursor.offset < before + 48 || cursor.offset % 8 != 0)
            abort();
        before = cursor.offset;
        inside(f.path, f.path_len, buf, len);
        inside(f.data, f.on_disk ? 0 : f.size, buf, len);
        if (f.on_disk && (f.data != NULL || f.disk_offset % 4096 != 0 ||
                          f.disk_offset > img->disk_size ||
                          f.size > img->disk_size - f.disk_offset))
            abort();
        if (f.path_len < 2 || f.path[0] != '/' || f.mtime_nsec >= 1000000000 ||
            f.atime_nsec >= 1000000000)
            abort();
    }
    if (r != 0 || cursor.offset != img->files_size)
        abort();
    if (img->file_times != NULL &&
        (img->file_times_size != cursor.index * 16 || img->file_times < buf ||
         img->file_times + img->file_times_size > buf + len))
        abort();
    /* Cursors it never hands out. */
    for (uint64_t c = 1; c < 8 && c < img->files_size; c++) {
        cursor.offset = c;
        if (gorump_image_next_file(img, &cursor, &f) != GORUMP_IMAGE_EFILE)
            abort();
    }
    cursor.offset = img->files_size + 8;
    if (img->files != NULL &&
        gorump_image_next_file(img, &cursor, &f) != GORUMP_IMAGE_EFILE)
        abort();
}

static void check(const uint8_t *buf, size_t len, bool verify)
{
    struct gorump_image img;
    int err = verify ? gorump_image_parse(buf, len, &img)
                     : gorump_image_parse_unverified(buf, len, &img);

    if (err != 0) {
        if (img.program != NULL || img.args != NULL || img.cwd != NULL ||
            img.files != NULL || img.exe_path != NULL || img.base != NULL)
            abort();
        return;
    }
    if (img.base != buf || img.size > len)
        abort();
    inside(img.program, img.program_size, buf, len);
    /* No program in the image: one on the disk, inside it. */
    if (img.program_size == 0 &&
        (img.program_disk_size == 0 || img.exe_path == NULL ||
         img.program_disk_offset > img.disk_size ||
         img.program_disk_size > img.disk_size - img.program_disk_offset))
        abort();
    inside(img.args, img.args_size, buf, len);
    inside(img.env, img.env_size, buf, len);
    inside(img.files, img.files_size, buf, len);
    if (img.cwd != NULL)
        inside(img.cwd, strlen(img.cwd) + 1, buf, len);
    if (img.exe_path != NULL)
        inside(img.exe_path, strlen(img.exe_path) + 1, buf, len);
    check_files(&img, buf, len);
}

/* The input with a correct checksum over min(total_size, size) bytes. */
static void check_resealed(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    uint64_t total = 0;

    if (size < 32)
        return;
    copy = malloc(size);
    memcpy(copy, data, size);
    for (int i = 7; i >= 0; i--)
        total = total << 8 | copy[16 + i];
    if (total > size || total < 32)
        total = size;
    memset(copy + 28, 0, 4);
    uint32_t crc = gorump_crc32c(0, copy, (size_t)total);
    for (int i = 0; i < 4; i++)
        copy[28 + i] = (uint8_t)(crc >> (8 * i));
    check(copy, size, true);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, true);
    check(data, size, false); /* the kernel's way: no checksum */
    check_resealed(data, size);
    return 0;
}
