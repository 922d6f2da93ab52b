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
#define GORUMP_IMAGE_VERSION 1
#define GORUMP_IMAGE_MAX_SECTIONS 64

struct gorump_image_header {
    char magic[8];        /* GORUMP_IMAGE_MAGIC, not NUL-terminated */
    uint32_t version;     /* GORUMP_IMAGE_VERSION */
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
};

struct gorump_image_section {
    uint32_t type;     /* GORUMP_SECTION_* */
    uint32_t reserved; /* zero */
    uint64_t offset;   /* from the start of the image, 8-byte aligned */
    uint64_t size;     /* bytes */
};

/* A parsed image: pointers into the caller's buffer, never copies. */
struct gorump_image {
    const uint8_t *program;
    uint64_t program_size;
    const char *args; /* NUL-separated strings, args_size bytes */
    uint64_t args_size;
    const char *env;
    uint64_t env_size;
    const char *cwd; /* NUL-terminated, or NULL when absent */
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
 * empty or end in NUL, CWD is one non-empty NUL-terminated path, and
 * PROGRAM must be there.  On error *img is all NULL/0.  The tool places
 * PROGRAM at a 4096-byte boundary of the image, but readers must not rely
 * on that.
 */
int gorump_image_parse(const void *buf, uint64_t len, struct gorump_image *img);
const char *gorump_image_strerror(int err);

enum {
    GORUMP_IMAGE_ETRUNC = -1,    /* shorter than its header says */
    GORUMP_IMAGE_EMAGIC = -2,    /* not a gorump image */
    GORUMP_IMAGE_EVERSION = -3,  /* a version this build does not know */
    GORUMP_IMAGE_ECHECKSUM = -4, /* checksum mismatch: corrupt */
    GORUMP_IMAGE_ESECTION = -5,  /* a section out of bounds or malformed */
    GORUMP_IMAGE_ENOPROGRAM = -6 /* no program section */
};

/* CRC-32C of buf[0..len), continuing from crc (start with 0). */
uint32_t gorump_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
