/*
 * tool/sha256.h — SHA-256 (FIPS 180-4 §6.2), the digest that names every
 * blob of an OCI image (containerdisk.c).  Incremental: init, any number
 * of updates, final.
 */
#ifndef GORUMP_TOOL_SHA256_H
#define GORUMP_TOOL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32
#define SHA256_HEX (2 * SHA256_SIZE + 1) /* hex digits and the NUL */

struct sha256 {
    uint32_t h[8];
    uint64_t len;    /* bytes hashed so far */
    uint8_t buf[64]; /* the block being filled */
    size_t nbuf;     /* bytes in buf */
};

void sha256_init(struct sha256 *s);

/* Hashes n more bytes of p (p may be NULL when n is 0). */
void sha256_update(struct sha256 *s, const void *p, size_t n);

/* The digest of everything hashed, as 64 lower-case hex digits and a
 * NUL in hex; s must be initialised again before more use. */
void sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX]);

/* The digest of p[0..n) in hex, in one call. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX]);

#endif
