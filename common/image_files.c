/*
 * common/image_files.c — walking the FILES section of a parsed image
 * (gorump_image_next_file in include/gorump/image.h).  Every rule of a
 * record is checked here and only here: gorump_image_parse runs this same
 * iterator over the whole section, so an accepted image never yields a bad
 * record.  Freestanding like image.c: stdint/stddef only, byte loads.
 */
#include <stddef.h>
#include <stdint.h>

#include <gorump/image.h>

#include "image_path.h"
#include "le.h"

/* Field offsets of struct gorump_file_record on disk. */
#define REC_SIZE 48u
#define REC_RECORD_SIZE 0
#define REC_MODE 4
#define REC_DATA_OFFSET 8
#define REC_DATA_SIZE 16
#define REC_MTIME_SEC 24
#define REC_MTIME_NSEC 32
#define REC_UID 36
#define REC_GID 40
#define REC_PATH_LEN 44
#define REC_FLAGS 46

/* struct gorump_file_times on disk. */
#define TIMES_SIZE 16u
#define TIMES_ATIME_SEC 0
#define TIMES_ATIME_NSEC 8
#define TIMES_RESERVED 12

#define NSEC_PER_SEC 1000000000u
#define MODE_PERM 07777u

_Static_assert(sizeof(struct gorump_file_record) == REC_SIZE,
               "file record layout");
_Static_assert(sizeof(struct gorump_file_times) == TIMES_SIZE,
               "file times layout");

/* One component of n bytes: not empty, ".", "..", too long, or with NUL. */
static int files_name_ok(const uint8_t *s, uint64_t n)
{
    if (n == 0 || n > GORUMP_NAME_MAX)
        return 0;
    if (s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.')))
        return 0;
    for (uint64_t i = 0; i < n; i++)
        if (s[i] == 0)
            return 0;
    return 1;
}

/*
 * An absolute normalised path of n bytes: '/' then components separated by
 * single '/'.  An empty component catches "/" itself, "//x" and a
 * trailing '/'.
 */
int image_path_norm_ok(const uint8_t *s, uint64_t n)
{
    uint64_t start = 1;

    if (n < 2 || n >= GORUMP_PATH_MAX || s[0] != '/')
        return 0;
    for (uint64_t i = 1; i <= n; i++) {
        if (i < n && s[i] != '/')
            continue;
        if (!files_name_ok(s + start, i - start))
            return 0;
        start = i + 1;
    }
    return 1;
}

static int files_zero(const uint8_t *s, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (s[i] != 0)
            return 0;
    return 1;
}

/* The type is DIR, REG or LNK and no bit lies outside type and 07777. */
static int files_mode_ok(uint32_t mode)
{
    uint32_t type = mode & GORUMP_S_IFMT;

    if ((mode & ~(GORUMP_S_IFMT | MODE_PERM)) != 0)
        return 0;
    return type == GORUMP_S_IFDIR || type == GORUMP_S_IFREG ||
           type == GORUMP_S_IFLNK;
}

/* The data of a record of MODE: inside the image, none for a directory, a
 * symlink's target 1..GORUMP_PATH_MAX-1 bytes without NUL. */
static int files_data_ok(const struct gorump_image *img, uint32_t mode,
                         uint64_t off, uint64_t size)
{
    uint32_t type = mode & GORUMP_S_IFMT;

    if (off > img->size || size > img->size - off)
        return 0;
    if (type == GORUMP_S_IFDIR)
        return size == 0;
    if (type == GORUMP_S_IFLNK) {
        if (size == 0 || size >= GORUMP_PATH_MAX)
            return 0;
        for (uint64_t i = 0; i < size; i++)
            if (img->base[off + i] == 0)
                return 0;
    }
    return 1;
}

/* An on-disk record (flags GORUMP_FILE_ON_DISK): a regular file whose
 * data lies in the disk, page-aligned. */
static int files_disk_ok(const struct gorump_image *img, uint32_t mode,
                         uint64_t off, uint64_t size)
{
    return (mode & GORUMP_S_IFMT) == GORUMP_S_IFREG && img->disk_size != 0 &&
           off % GORUMP_DISK_ALIGN == 0 && off <= img->disk_size &&
           size <= img->disk_size - off;
}

/* The record at r, which has `room` bytes of the section from it on. */
static int files_record_ok(const struct gorump_image *img, const uint8_t *r,
                           uint64_t room)
{
    uint32_t rsize = le32(r + REC_RECORD_SIZE);
    uint32_t mode = le32(r + REC_MODE);
    uint16_t plen = le16(r + REC_PATH_LEN);

    if (rsize < REC_SIZE + plen || rsize % 8 != 0 || rsize > room)
        return 0;
    uint16_t flags = le16(r + REC_FLAGS);
    uint64_t off = le64(r + REC_DATA_OFFSET), size = le64(r + REC_DATA_SIZE);

    if ((flags & ~GORUMP_FILE_ON_DISK) != 0 ||
        !files_zero(r + REC_SIZE + plen, rsize - REC_SIZE - plen))
        return 0;
    if (!files_mode_ok(mode) || le32(r + REC_MTIME_NSEC) >= NSEC_PER_SEC)
        return 0;
    if (flags ? !files_disk_ok(img, mode, off, size)
              : !files_data_ok(img, mode, off, size))
        return 0;
    return image_path_norm_ok(r + REC_SIZE, plen);
}

static void files_fill(const struct gorump_image *img, const uint8_t *r,
                       struct gorump_file *f)
{
    uint64_t off = le64(r + REC_DATA_OFFSET);

    f->mode = le32(r + REC_MODE);
    f->size = le64(r + REC_DATA_SIZE);
    f->on_disk = le16(r + REC_FLAGS) & GORUMP_FILE_ON_DISK;
    f->disk_offset = f->on_disk ? off : 0;
    f->data = (f->mode & GORUMP_S_IFMT) == GORUMP_S_IFDIR || f->on_disk
                  ? NULL
                  : img->base + off;
    f->mtime_sec = (int64_t)le64(r + REC_MTIME_SEC);
    f->mtime_nsec = le32(r + REC_MTIME_NSEC);
    f->atime_sec = f->mtime_sec;
    f->atime_nsec = f->mtime_nsec;
    f->uid = le32(r + REC_UID);
    f->gid = le32(r + REC_GID);
    f->path = (const char *)(r + REC_SIZE);
    f->path_len = le16(r + REC_PATH_LEN);
}

/* Record INDEX's FILETIMES entry, if the image has the section: present,
 * nanoseconds below 1e9, reserved zero.  0 when it is not. */
static int files_times(const struct gorump_image *img, uint64_t index,
                       struct gorump_file *f)
{
    const uint8_t *t;

    if (img->file_times == NULL)
        return 1;
    if (index >= img->file_times_size / TIMES_SIZE)
        return 0;
    t = img->file_times + index * TIMES_SIZE;
    if (le32(t + TIMES_ATIME_NSEC) >= NSEC_PER_SEC ||
        le32(t + TIMES_RESERVED) != 0)
        return 0;
    f->atime_sec = (int64_t)le64(t + TIMES_ATIME_SEC);
    f->atime_nsec = le32(t + TIMES_ATIME_NSEC);
    return 1;
}

int gorump_image_next_file(const struct gorump_image *img,
                           struct gorump_file_cursor *cursor,
                           struct gorump_file *f)
{
    uint64_t at = cursor->offset;
    const uint8_t *r;

    if (img->files == NULL || at == img->files_size)
        return 0;
    /* The section starts 8-byte aligned in the image, so records do too. */
    if (at % 8 != 0 || at > img->files_size || img->files_size - at < REC_SIZE)
        return GORUMP_IMAGE_EFILE;
    r = img->files + at;
    if (!files_record_ok(img, r, img->files_size - at))
        return GORUMP_IMAGE_EFILE;
    files_fill(img, r, f);
    if (!files_times(img, cursor->index, f))
        return GORUMP_IMAGE_EFILE;
    cursor->offset = at + le32(r + REC_RECORD_SIZE);
    cursor->index++;
    return 1;
}
