/*
 * common/le.h — little-endian loads from untrusted byte buffers, for the
 * image and ELF parsers.  Byte loads, so any alignment is fine; compilers
 * turn them into single moves on x86-64.  Internal to common/.
 */
#ifndef GORUMP_COMMON_LE_H
#define GORUMP_COMMON_LE_H

#include <stdint.h>

static inline uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

#endif
