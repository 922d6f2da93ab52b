/*
 * net/port/arch/cc.h — lwIP's compiler and platform definitions for the
 * gorump kernel: freestanding C11, little-endian x86-64, diagnostics to the
 * kernel console.  A failed assertion is counted and reported once per
 * site, and lwIP goes on as when built with LWIP_NOASSERT (the reasons are
 * in net/netstat.c): nothing a peer sends may panic the kernel.
 */
#ifndef GORUMP_LWIP_CC_H
#define GORUMP_LWIP_CC_H

#include <stddef.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_UNISTD_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_LIMITS_H 1
#define INT_MAX 2147483647
#define SSIZE_MAX 9223372036854775807L
typedef long ssize_t;
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *msg, const char *file, int line);
uint32_t lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x)                                                  \
    do {                                                                       \
        kprintf x;                                                             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() lwip_port_rand()

#endif
