/*
 * common/image.c — checking a gorump image (include/gorump/image.h),
 * finding its sections and walking its file records.  Built into the
 * kernel, the tool and the fuzz target, so it includes only stdint/stddef
 * and gorump headers, and reads every field byte by byte from the
 * untrusted buffer: whatever the bytes, the result is 0 or an error code,
 * never an access outside buf[0..len).
 */
#include <stddef.h>
#include <stdint.h>

#include <gorump/image.h>

#include "image_path.h"
#include "le.h"

/* Field offsets of struct gorump_image_header and _section on disk. */
#define HDR_SIZE 32u
#define HDR_VERSION 8
#define HDR_HEADER_SIZE 12
#define HDR_TOTAL_SIZE 16
#define HDR_NSECTIONS 24
#define HDR_CHECKSUM 28
#define SEC_SIZE 24u
#define SEC_TYPE 0
#define SEC_RESERVED 4
#define SEC_OFFSET 8
#define SEC_LEN 16

_Static_assert(sizeof(struct gorump_image_header) == HDR_SIZE,
               "image header layout");
_Static_assert(sizeof(struct gorump_image_section) == SEC_SIZE,
               "image section layout");

/* The first min(len, 8) bytes agree with the magic. */
static int image_magic_ok(const uint8_t *p, uint64_t len)
{
    static const char magic[] = GORUMP_IMAGE_MAGIC;

    for (unsigned i = 0; i < 8 && i < len; i++)
        if (p[i] != (uint8_t)magic[i])
            return 0;
    return 1;
}

/* CRC-32C of p[0..total) with the checksum field read as zero. */
static uint32_t image_checksum(const uint8_t *p, uint64_t total)
{
    static const uint8_t zero[4];
    uint32_t crc;

    crc = gorump_crc32c(0, p, HDR_CHECKSUM);
    crc = gorump_crc32c(crc, zero, sizeof(zero));
    return gorump_crc32c(crc, p + HDR_SIZE, total - HDR_SIZE);
}

/* ARGS and ENV: NUL-terminated strings back to back, possibly none. */
static int image_strings_ok(const uint8_t *s, uint64_t size)
{
    return size == 0 || s[size - 1] == 0;
}

/* CWD: exactly one non-empty NUL-terminated string. */
static int image_path_ok(const uint8_t *s, uint64_t size)
{
    if (size < 2 || s[size - 1] != 0)
        return 0;
    for (uint64_t i = 0; i + 1 < size; i++)
        if (s[i] == 0)
            return 0;
    return 1;
}

/* EXEPATH: like CWD, and a path a FILES record could have, since the
 * kernel puts the program in the file tree there. */
static int image_abs_path_ok(const uint8_t *s, uint64_t size)
{
    return size >= 1 && s[size - 1] == 0 && image_path_norm_ok(s, size - 1);
}

/* Stores a known section in *img; 0 or GORUMP_IMAGE_ESECTION.  FILES
 * records are checked later, once the whole image is known. */
static int image_take(struct gorump_image *img, uint32_t type, const uint8_t *s,
                      uint64_t size)
{
    switch (type) {
    case GORUMP_SECTION_PROGRAM:
        img->program = s;
        img->program_size = size;
        return 0;
    case GORUMP_SECTION_ARGS:
        if (!image_strings_ok(s, size))
            return GORUMP_IMAGE_ESECTION;
        img->args = (const char *)s;
        img->args_size = size;
        return 0;
    case GORUMP_SECTION_ENV:
        if (!image_strings_ok(s, size))
            return GORUMP_IMAGE_ESECTION;
        img->env = (const char *)s;
        img->env_size = size;
        return 0;
    case GORUMP_SECTION_CWD:
        if (!image_path_ok(s, size))
            return GORUMP_IMAGE_ESECTION;
        img->cwd = (const char *)s;
        return 0;
    case GORUMP_SECTION_FILES:
        img->files = s;
        img->files_size = size;
        return 0;
    case GORUMP_SECTION_EXEPATH:
        if (!image_abs_path_ok(s, size))
            return GORUMP_IMAGE_ESECTION;
        img->exe_path = (const char *)s;
        return 0;
    case GORUMP_SECTION_FILETIMES:
        img->file_times = s;
        img->file_times_size = size;
        return 0;
    case GORUMP_SECTION_VOLUMES:
        /* Known only to version 3; entries checked by image_volumes_ok. */
        img->volumes = (const char *)s;
        img->volumes_size = size;
        return 0;
    case GORUMP_SECTION_DISK:
        /* Known to versions 2 and 3 (image_version_ok). */
        if ((size != GORUMP_DISK_SEC_SIZE &&
             size != GORUMP_DISK_PART_SEC_SIZE) ||
            le64(s + 8) != 0 || le64(s) == 0 ||
            le64(s) % GORUMP_DISK_ALIGN != 0)
            return GORUMP_IMAGE_ESECTION;
        img->disk_size = le64(s);
        img->disk_part = size == GORUMP_DISK_SEC_SIZE ? NULL : s + 16;
        if (img->disk_part && (le64(s + 16) | le64(s + 24)) == 0)
            return GORUMP_IMAGE_ESECTION; /* the nil GUID names nothing */
        return 0;
    }
    return 0;
}

/*
 * Checks table entry i.  Every section, known or not, must lie in
 * [data_start, total); unknown types are then ignored so that older kernels
 * boot images with sections added later.  *seen has bit T set once a
 * section of type T has been taken: each type may appear once.
 */
static int image_section(const uint8_t *p, uint64_t total, uint64_t data_start,
                         uint32_t i, struct gorump_image *img, uint32_t *seen)
{
    uint32_t version = le32(p + HDR_VERSION);
    uint32_t last =
        version == GORUMP_IMAGE_VERSION_VOLUMES ? GORUMP_SECTION_VOLUMES
        : version == GORUMP_IMAGE_VERSION_DISK  ? GORUMP_SECTION_DISK
                                                : GORUMP_SECTION_FILETIMES;
    const uint8_t *e = p + HDR_SIZE + (uint64_t)i * SEC_SIZE;
    uint32_t type = le32(e + SEC_TYPE);
    uint64_t off = le64(e + SEC_OFFSET);
    uint64_t size = le64(e + SEC_LEN);

    if (le32(e + SEC_RESERVED) != 0 || off % 8 != 0)
        return GORUMP_IMAGE_ESECTION;
    if (off < data_start || off > total || size > total - off)
        return GORUMP_IMAGE_ESECTION;
    if (type < GORUMP_SECTION_PROGRAM || type > last)
        return 0;
    if (*seen & (1u << type))
        return GORUMP_IMAGE_ESECTION;
    *seen |= 1u << type;
    return image_take(img, type, p + off, size);
}

static void image_clear(struct gorump_image *img)
{
    img->base = NULL;
    img->size = 0;
    img->program = NULL;
    img->program_size = 0;
    img->args = NULL;
    img->args_size = 0;
    img->env = NULL;
    img->env_size = 0;
    img->cwd = NULL;
    img->files = NULL;
    img->files_size = 0;
    img->exe_path = NULL;
    img->file_times = NULL;
    img->file_times_size = 0;
    img->disk_size = 0;
    img->disk_part = NULL;
    img->volumes = NULL;
    img->volumes_size = 0;
    img->program_disk_offset = 0;
    img->program_disk_size = 0;
}

/* The header alone: on success *total and *nsec are safe to use. */
static int image_header(const uint8_t *p, uint64_t len, int verify,
                        uint64_t *total, uint32_t *nsec)
{
    if (!image_magic_ok(p, len))
        return GORUMP_IMAGE_EMAGIC;
    if (len < HDR_SIZE)
        return GORUMP_IMAGE_ETRUNC;
    /* A header of another size is another layout, whatever the version. */
    uint32_t version = le32(p + HDR_VERSION);
    if ((version != GORUMP_IMAGE_VERSION &&
         version != GORUMP_IMAGE_VERSION_DISK &&
         version != GORUMP_IMAGE_VERSION_VOLUMES) ||
        le32(p + HDR_HEADER_SIZE) != HDR_SIZE)
        return GORUMP_IMAGE_EVERSION;
    *total = le64(p + HDR_TOTAL_SIZE);
    *nsec = le32(p + HDR_NSECTIONS);
    if (*total > len)
        return GORUMP_IMAGE_ETRUNC;
    if (*nsec > GORUMP_IMAGE_MAX_SECTIONS ||
        *total < HDR_SIZE + (uint64_t)*nsec * SEC_SIZE)
        return GORUMP_IMAGE_ESECTION;
    if (verify && image_checksum(p, *total) != le32(p + HDR_CHECKSUM))
        return GORUMP_IMAGE_ECHECKSUM;
    return 0;
}

/* Whether F is a record at the image's EXEPATH. */
static int image_is_exe(const struct gorump_image *img,
                        const struct gorump_file *f)
{
    const char *e = img->exe_path;

    if (e == NULL)
        return 0;
    for (uint16_t i = 0; i < f->path_len; i++)
        if (e[i] != f->path[i])
            return 0; /* e's NUL differs from any byte of a path */
    return e[f->path_len] == '\0';
}

/* Every FILES record, through the iterator the image's users call, and
 * exactly one FILETIMES entry each (gorump_file_times: 16 bytes). */
static int image_files_ok(struct gorump_image *img, const uint8_t *p,
                          uint64_t total)
{
    struct gorump_file f;
    struct gorump_file_cursor cursor = {0, 0};
    int r;

    img->base = p;
    img->size = total;
    while ((r = gorump_image_next_file(img, &cursor, &f)) == 1)
        if (img->program_size == 0 && image_is_exe(img, &f)) {
            int ok = f.on_disk && f.size > 0 &&
                     (f.mode & GORUMP_S_IFMT) == GORUMP_S_IFREG;
            img->program_disk_offset = ok ? f.disk_offset : 0;
            img->program_disk_size = ok ? f.size : 0;
        }
    if (r == 0 && img->file_times != NULL &&
        img->file_times_size != cursor.index * 16)
        r = GORUMP_IMAGE_EFILE;
    if (r == 0 && img->program_size == 0 && img->program_disk_size == 0)
        r = GORUMP_IMAGE_ENOPROGRAM;
    return r;
}

/* A string of the VOLUMES section at *off: its length, *off moved past
 * its NUL; -1 when it does not end inside the section. */
static int64_t image_volume_string(const struct gorump_image *img,
                                   uint64_t *off, const char **s)
{
    uint64_t start = *off;

    *s = img->volumes + start;
    while (*off < img->volumes_size && img->volumes[*off] != '\0')
        (*off)++;
    if (*off >= img->volumes_size)
        return -1;
    (*off)++;
    return (int64_t)(*off - start - 1);
}

int gorump_image_next_volume(const struct gorump_image *img, uint64_t *offset,
                             struct gorump_volume *v)
{
    const char *mode;
    int64_t n;

    if (img->volumes == NULL || *offset >= img->volumes_size)
        return 0;
    n = image_volume_string(img, offset, &mode);
    if (n != 2 || mode[0] != 'r' || (mode[1] != 'o' && mode[1] != 'w'))
        return GORUMP_IMAGE_ESECTION;
    v->ro = mode[1] == 'o';
    n = image_volume_string(img, offset, &v->host);
    if (n < 1 || n >= GORUMP_PATH_MAX || v->host[0] != '/')
        return GORUMP_IMAGE_ESECTION;
    n = image_volume_string(img, offset, &v->guest);
    if (n < 0 || !image_path_norm_ok((const uint8_t *)v->guest, (uint64_t)n))
        return GORUMP_IMAGE_ESECTION;
    return 1;
}

/* Version 2 is the version of images with a disk, 3 of images with
 * volumes (1 to GORUMP_VOLUMES_MAX entries, each valid) and a disk or
 * none. */
static int image_version_ok(const struct gorump_image *img, uint32_t version)
{
    struct gorump_volume v;
    uint64_t off = 0;
    int n = 0, r;

    if (version != GORUMP_IMAGE_VERSION_VOLUMES)
        return (version == GORUMP_IMAGE_VERSION_DISK) == (img->disk_size != 0)
                   ? 0
                   : GORUMP_IMAGE_ESECTION;
    while ((r = gorump_image_next_volume(img, &off, &v)) == 1)
        n++;
    return r == 0 && n >= 1 && n <= GORUMP_VOLUMES_MAX ? 0
                                                       : GORUMP_IMAGE_ESECTION;
}

static int image_parse(const void *buf, uint64_t len, int verify,
                       struct gorump_image *img)
{
    const uint8_t *p = buf;
    uint64_t total = 0;
    uint32_t nsec = 0, seen = 0;
    int err;

    image_clear(img);
    err = image_header(p, len, verify, &total, &nsec);
    for (uint32_t i = 0; err == 0 && i < nsec; i++)
        err = image_section(p, total, HDR_SIZE + (uint64_t)nsec * SEC_SIZE, i,
                            img, &seen);
    if (err == 0 && !(seen & (1u << GORUMP_SECTION_PROGRAM)))
        err = GORUMP_IMAGE_ENOPROGRAM;
    if (err == 0)
        err = image_version_ok(img, le32(p + HDR_VERSION));
    if (err == 0)
        err = image_files_ok(img, p, total);
    if (err != 0)
        image_clear(img);
    return err;
}

int gorump_image_parse(const void *buf, uint64_t len, struct gorump_image *img)
{
    return image_parse(buf, len, 1, img);
}

int gorump_image_parse_unverified(const void *buf, uint64_t len,
                                  struct gorump_image *img)
{
    return image_parse(buf, len, 0, img);
}

const char *gorump_image_strerror(int err)
{
    switch (err) {
    case 0:
        return "no error";
    case GORUMP_IMAGE_ETRUNC:
        return "the image is truncated (shorter than its header says)";
    case GORUMP_IMAGE_EMAGIC:
        return "not a gorump image";
    case GORUMP_IMAGE_EVERSION:
        return "an image format version this gorump does not know "
               "(made by another gorump release?)";
    case GORUMP_IMAGE_ECHECKSUM:
        return "the image is corrupt (checksum mismatch)";
    case GORUMP_IMAGE_ESECTION:
        return "the image has a malformed or out-of-bounds section";
    case GORUMP_IMAGE_ENOPROGRAM:
        return "the image holds no program";
    case GORUMP_IMAGE_EFILE:
        return "the image has a malformed file record";
    }
    return "unknown image error";
}
