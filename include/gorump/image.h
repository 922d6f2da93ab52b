/*
 * include/gorump/image.h — the gorump image format, shared by the host tool
 * (which writes images) and the kernel (which boots them).
 *
 * An image is one file: a fixed header, a table of sections, then the
 * sections' bytes.  All integers are little-endian.  The whole image is
 * covered by a CRC-32C (Castagnoli) computed with the checksum field set to
 * zero, so a truncated or corrupted image is refused before any of it is
 * used.  docs/IMAGE.md describes the format for people; this header is the
 * contract for code.  C11 and stdint only: it is built into the freestanding
 * kernel, the hosted tool and the fuzz target alike.
 */
#ifndef GORUMP_IMAGE_H
#define GORUMP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define GORUMP_IMAGE_MAGIC "GORUMPIM"
#define GORUMP_IMAGE_VERSION 1 /* images without a DISK section */
/* images with a DISK section (older kernels refuse them) */
#define GORUMP_IMAGE_VERSION_DISK 2
/* images with a VOLUMES section, and a DISK section or none (older tools
 * refuse them rather than run the program without its volumes) */
#define GORUMP_IMAGE_VERSION_VOLUMES 3
#define GORUMP_IMAGE_MAX_SECTIONS 64

struct gorump_image_header {
    char magic[8];        /* GORUMP_IMAGE_MAGIC, not NUL-terminated */
    uint32_t version;     /* GORUMP_IMAGE_VERSION, _VERSION_DISK or
                             _VERSION_VOLUMES */
    uint32_t header_size; /* sizeof(struct gorump_image_header) */
    uint64_t total_size;  /* bytes in the whole image, header included */
    uint32_t nsections;   /* entries in the section table after the header */
    uint32_t checksum;    /* CRC-32C of the image with this field zero */
};

/* Section types. */
enum {
    GORUMP_SECTION_PROGRAM = 1, /* the static ELF executable */
    GORUMP_SECTION_ARGS = 2,    /* argv: NUL-terminated strings, in order */
    GORUMP_SECTION_ENV = 3,     /* envp: NUL-terminated KEY=VALUE strings */
    GORUMP_SECTION_CWD = 4,     /* working directory, one NUL-terminated path */
    GORUMP_SECTION_FILES = 5,   /* the packed file tree: gorump_file_record */
    GORUMP_SECTION_EXEPATH = 6, /* the program's path in the guest (absolute,
                                   one NUL-terminated path) */
    GORUMP_SECTION_FILETIMES = 7, /* per FILES record, in order: its atime
                                     (gorump_file_times) */
    GORUMP_SECTION_DISK = 8,      /* version 2 and 3: the disk image that
                                     holds the data of GORUMP_FILE_ON_DISK
                                     records (gorump_disk) */
    GORUMP_SECTION_VOLUMES = 9,   /* version 3 only: the -v values recorded by
                                     `gorump build` (gorump_volume) */
};

/*
 * A VOLUMES section (version 3, which has exactly one) names the host
 * directories and volume files `gorump run IMAGE` attaches, as `gorump
 * build -v` recorded them (docs/IMAGE.md, "Volumes").  The kernel never
 * reads it: the tool turns it into devices and command-line words.  It
 * holds 1 to GORUMP_VOLUMES_MAX entries back to back, each three
 * NUL-terminated strings: "rw" or "ro", the host path (absolute: it starts
 * with '/', under GORUMP_PATH_MAX bytes) and the guest path (the path rule
 * of a file record, below).
 */
#define GORUMP_VOLUMES_MAX 8
struct gorump_volume {
    int ro;            /* "ro": the guest may not change it */
    const char *host;  /* NUL-terminated, in the image */
    const char *guest; /* NUL-terminated, in the image */
};

/*
 * Large files' data may live in a second file beside the image, a raw
 * disk image the guest reads on demand (docs/IMAGE.md, "The disk"): an
 * image that has one is version 2, holds one DISK section, and its
 * records with GORUMP_FILE_ON_DISK in their flags (regular files only)
 * give data_offset and data_size in that disk, data_offset a multiple of
 * GORUMP_DISK_ALIGN and the data inside disk_size.  The guest sees the
 * disk as the virtio-blk device whose id is GORUMP_DISK_ID; or, when
 * the section is the longer form, as the GPT partition of type
 * GORUMP_GPT_FILES_TYPE (gpt.h) whose unique partition GUID is part_guid
 * (a bootable disk: docs/IMAGE.md, "On a bootable disk").
 */
struct gorump_disk {
    uint64_t disk_size;    /* bytes, a multiple of GORUMP_DISK_ALIGN, not 0 */
    uint64_t reserved;     /* zero */
    uint8_t part_guid[16]; /* only in a section of 32 bytes: not all zero */
};
#define GORUMP_DISK_SEC_SIZE 16      /* the disk beside the image */
#define GORUMP_DISK_PART_SEC_SIZE 32 /* the disk in a partition */
#define GORUMP_DISK_ALIGN 4096
#define GORUMP_DISK_ID "gorump-files"
#define GORUMP_FILE_ON_DISK 1 /* gorump_file_record.flags */

/*
 * A FILES section is a sequence of records, back to back, each starting
 * 8-byte aligned.  A record describes one directory, regular file or
 * symbolic link by its absolute guest path.  Records may come in any order;
 * missing parent directories are created (mode 0755); when two records name
 * the same path the later one wins.  File contents and link targets live
 * elsewhere in the image (data_offset), so they can be used in place.
 */
struct gorump_file_record {
    uint32_t record_size; /* header + path + zero padding, a multiple of 8 */
    uint32_t mode;        /* S_IFDIR, S_IFREG or S_IFLNK, | bits in 07777 */
    uint64_t data_offset; /* from the image start: contents or link target */
    uint64_t data_size;   /* bytes (0 for a directory) */
    int64_t mtime_sec;
    uint32_t mtime_nsec; /* below 1000000000 */
    uint32_t uid;
    uint32_t gid;
    uint16_t path_len; /* 2..GORUMP_PATH_MAX-1 bytes follow, no NUL */
    uint16_t flags;    /* version 2: GORUMP_FILE_ON_DISK or 0; else zero */
};

/*
 * A FILETIMES section extends the FILES records without changing their
 * layout: entry i holds more times of record i, so an older kernel, which
 * ignores section types it does not know, boots the image with atime =
 * mtime as before.  It has exactly one entry per record.  Without it a
 * record's atime is its mtime.
 */
struct gorump_file_times {
    int64_t atime_sec;
    uint32_t atime_nsec; /* below 1000000000 */
    uint32_t reserved;   /* zero */
};

#define GORUMP_PATH_MAX 4096
#define GORUMP_NAME_MAX 255
#define GORUMP_S_IFMT 0170000
#define GORUMP_S_IFDIR 0040000
#define GORUMP_S_IFREG 0100000
#define GORUMP_S_IFLNK 0120000

/* One file record, checked, with pointers into the image. */
struct gorump_file {
    uint32_t mode;
    const uint8_t *data; /* contents or link target (data_size bytes);
                            NULL for a directory or a file on the disk */
    uint64_t size;
    int on_disk;          /* the contents are in the disk, at disk_offset */
    uint64_t disk_offset; /* a multiple of GORUMP_DISK_ALIGN */
    int64_t mtime_sec;
    uint32_t mtime_nsec;
    int64_t atime_sec; /* from FILETIMES, else the mtime */
    uint32_t atime_nsec;
    uint32_t uid, gid;
    const char *path; /* path_len bytes, not NUL-terminated */
    uint16_t path_len;
};

struct gorump_image_section {
    uint32_t type;     /* GORUMP_SECTION_* */
    uint32_t reserved; /* zero */
    uint64_t offset;   /* from the start of the image, 8-byte aligned */
    uint64_t size;     /* bytes */
};

/* A parsed image: pointers into the caller's buffer, never copies. */
struct gorump_image {
    const uint8_t *base; /* the image itself */
    uint64_t size;       /* total_size */
    const uint8_t *program;
    uint64_t program_size;
    const char *args; /* NUL-separated strings, args_size bytes */
    uint64_t args_size;
    const char *env;
    uint64_t env_size;
    const char *cwd;      /* NUL-terminated, or NULL when absent */
    const uint8_t *files; /* FILES section, or NULL */
    uint64_t files_size;
    const char *exe_path;      /* NUL-terminated, or NULL when absent */
    const uint8_t *file_times; /* FILETIMES section, or NULL */
    uint64_t file_times_size;
    uint64_t disk_size; /* from the DISK section; 0: no disk */
    /* The DISK section's partition GUID, as a GPT stores it, or NULL:
     * the disk is the device GORUMP_DISK_ID. */
    const uint8_t *disk_part;
    const char *volumes; /* VOLUMES section (version 3), or NULL */
    uint64_t volumes_size;
    /* An empty PROGRAM section (version 2): the program is the regular
     * file on the disk that the last record at EXEPATH describes, its
     * bytes at program_disk_offset (program_disk_size of them); else
     * both 0. */
    uint64_t program_disk_offset;
    uint64_t program_disk_size;
};

/* Where gorump_image_next_file is in the FILES section: start at {0}. */
struct gorump_file_cursor {
    uint64_t offset; /* of the next record in the section */
    uint64_t index;  /* records returned so far */
};

/*
 * Checks buf[0..len) as an image and fills *img.  Returns 0, or a negative
 * GORUMP_IMAGE_E* code; gorump_image_strerror() names it for a message.
 * Every offset and size is checked against len before use, so hostile bytes
 * can only produce an error.
 *
 * The rules (common/image.c): header_size must be sizeof the header (else
 * EVERSION: another layout); total_size <= len (bytes after it are
 * ignored); at most GORUMP_IMAGE_MAX_SECTIONS entries, the table inside
 * total_size; the checksum; then each section, of any type, lies after the
 * table and within total_size, 8-byte aligned, reserved zero.  Unknown
 * types are then ignored, a known type may appear once, ARGS and ENV are
 * empty or end in NUL, CWD is one non-empty NUL-terminated path, EXEPATH
 * one NUL-terminated path that follows the path rules of a file record
 * (below: the kernel places the program there), PROGRAM must be there
 * (ENOPROGRAM) and may be empty only in version 2 with an EXEPATH whose
 * last FILES record is a non-empty regular file on the disk, which is then
 * the program (ENOPROGRAM otherwise),
 * every FILES record passes gorump_image_next_file (EFILE), and FILETIMES,
 * if there, has exactly one entry per record (EFILE).  Version 1 has no
 * DISK section (a type it ignores); version 2 has exactly one, 16 bytes,
 * disk_size a non-zero multiple of GORUMP_DISK_ALIGN, reserved zero
 * (ESECTION); version 3 has one VOLUMES section whose entries pass
 * gorump_image_next_volume, and one DISK section or none (ESECTION).
 * Versions 1 and 2 ignore a VOLUMES section.  On error
 * *img is all NULL/0.  The tool places PROGRAM at a 4096-byte boundary of the
 * image, but readers must not rely on that.
 */
int gorump_image_parse(const void *buf, uint64_t len, struct gorump_image *img);
/*
 * The same checks but the checksum: for the kernel, whose image the tool
 * wrote or verified a moment ago.  Reading every byte of a 100 MB image at
 * boot would make start-up grow with the program's size; every bound is
 * still checked, so a corrupt image can give a wrong program or file
 * contents, never an access outside the buffer.
 */
int gorump_image_parse_unverified(const void *buf, uint64_t len,
                                  struct gorump_image *img);
const char *gorump_image_strerror(int err);

/*
 * Iterates over the FILES records of a parsed image: *cursor starts {0}.
 * Returns 1 with *f filled, 0 after the last record, or GORUMP_IMAGE_EFILE.
 * gorump_image_parse has already checked every record with the same code,
 * so on an image it accepted this never fails.  A record is valid when it
 * lies within the section, record_size covers header and path and is a
 * multiple of 8, reserved and padding are zero, the type is DIR, REG or LNK
 * with no mode bits outside 07777, a directory has no data, the data lies
 * within the image, mtime_nsec < 1e9, and the path is absolute and
 * normalised: it starts with '/', is not "/" itself, has no empty, "." or
 * ".." component, no NUL, no trailing '/', components of at most
 * GORUMP_NAME_MAX bytes, and fewer than GORUMP_PATH_MAX bytes in all.  A
 * symlink's target is 1..GORUMP_PATH_MAX-1 bytes with no NUL.  With a
 * FILETIMES section, the record's entry must be there, its atime_nsec
 * below 1e9 and its reserved field zero.  flags is zero, or (version 2)
 * GORUMP_FILE_ON_DISK on a regular file whose data_offset is a multiple
 * of GORUMP_DISK_ALIGN and whose data lies within disk_size.
 */
int gorump_image_next_file(const struct gorump_image *img,
                           struct gorump_file_cursor *cursor,
                           struct gorump_file *f);

/*
 * Iterates over the VOLUMES entries of a parsed image: *offset starts at
 * 0.  Returns 1 with *v filled, 0 after the last entry, or
 * GORUMP_IMAGE_ESECTION (never on an image gorump_image_parse accepted).
 */
int gorump_image_next_volume(const struct gorump_image *img, uint64_t *offset,
                             struct gorump_volume *v);

enum {
    GORUMP_IMAGE_ETRUNC = -1,     /* shorter than its header says */
    GORUMP_IMAGE_EMAGIC = -2,     /* not a gorump image */
    GORUMP_IMAGE_EVERSION = -3,   /* a version this build does not know */
    GORUMP_IMAGE_ECHECKSUM = -4,  /* checksum mismatch: corrupt */
    GORUMP_IMAGE_ESECTION = -5,   /* a section out of bounds or malformed */
    GORUMP_IMAGE_ENOPROGRAM = -6, /* no program section */
    GORUMP_IMAGE_EFILE = -7       /* a malformed file record */
};

/* CRC-32C of buf[0..len), continuing from crc (start with 0). */
uint32_t gorump_crc32c(uint32_t crc, const void *buf, size_t len);
/* The same with the tables only, whatever the CPU (the kernel's way; the
 * unit tests check both). */
uint32_t gorump_crc32c_tables(uint32_t crc, const void *buf, size_t len);

#endif
