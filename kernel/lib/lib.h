/*
 * lib/lib.h — the kernel's small C library: memory and string functions,
 * formatted printing to the registered message sinks, panic and assert,
 * the machine's end, and a few helpers.  lib/ calls nothing above arch/.
 */
#ifndef LIB_LIB_H
#define LIB_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/errno.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define container_of(p, type, member)                                          \
    ((type *)((char *)(p)-offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Big-endian fields of on-disk and on-wire formats (jbd2, SCSI). */
static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static inline void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

/* The C library's (C11 §7.24), lib/string.c; gcc also emits calls to
 * memcpy, memmove, memset and memcmp itself. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);
size_t strcspn(const char *s, const char *reject);

/* C11's, for the conversions lib/printf.c lists (no floating point):
 * writes at most size-1 bytes and a NUL, returns the full length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Where kernel messages go: each console device adds one sink
 * (drv/console.c: the serial port).  Sinks are called from any context,
 * panics and interrupt handlers included, with interrupts off: they must
 * not sleep, allocate or print. */
struct kmsg_sink {
    /* Writes n bytes of kernel messages (no NUL). */
    void (*write)(const char *buf, size_t n);
    /* The machine is about to stop: sends the sink's last record (a panic,
     * or the program's exit status 0-255) and drains what it has queued,
     * so the host sees every byte.  May be NULL. */
    void (*stop)(int status, bool panicked);
    struct kmsg_sink *next; /* lib/kmsg.c's list */
};
/* Adds s (which lives forever) to the sinks kprintf and panic write to;
 * boot code, before the first message it should carry. */
void kmsg_sink_add(struct kmsg_sink *s);
/* Makes halt the machine's last step instead of arch_poweroff (for one
 * that must first stop other CPUs, say); halt gets the status 0-255.
 * NULL: arch_poweroff again. */
void kmsg_set_halt(__noreturn void (*halt)(int status));

/* Formats as vsnprintf (at most 511 bytes) and writes the text to every
 * sink.  Any context. */
void kprintf(const char *fmt, ...) __printf(1, 2);
/* Stops the machine with status (0-255, masked): every sink's exit record,
 * then the halt hook.  Any context; kernel/exit.c's kernel_exit is the
 * program's orderly way here. */
__noreturn void kernel_stop(int status);
/* A kernel bug: prints the message and a backtrace, then panic_halt. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* After a panic's own messages (trap.c prints registers first): every
 * sink's panic record, then the halt hook with GORUMP_STATUS_PANIC. */
__noreturn void panic_halt(void);
/* Whether a panic has begun: its messages take the plainest path (the
 * console goes back to its serial port).  Any context. */
bool kmsg_panicking(void);

#define assert(c)                                                              \
    do {                                                                       \
        if (unlikely(!(c)))                                                    \
            panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__);     \
    } while (0)

/* Doubly linked circular list, embedded in the structures it links. */
struct list {
    struct list *next, *prev;
};
#define LIST_INIT(l)                                                           \
    {                                                                          \
        &(l), &(l)                                                             \
    }
/* An empty list (or a node linked nowhere). */
void list_init(struct list *l);
/* Links n (not on a list) in before head, at the tail. */
void list_add_tail(struct list *head, struct list *n);
/* Unlinks n from its list and links it to itself, so a second list_del
 * does no harm. */
void list_del(struct list *n);
bool list_empty(const struct list *l);
#define list_for_each(pos, head)                                               \
    for (struct list *pos = (head)->next, *pos##_next = pos->next;             \
         pos != (head); pos = pos##_next, pos##_next = pos->next)

/* Random bytes from the kernel's ChaCha20 generator (lib/random.c).
 * random_init keys it (RDRAND and the TSC): boot only, after cpu_init;
 * random_bytes never fails, any context. */
void random_init(void);
void random_bytes(void *buf, size_t n);

/* The function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* Kernel command-line options (main.c): whether a space-separated word
 * is exactly word; the whole line (at most 1023 bytes). */
bool cmdline_has(const char *word);
const char *cmdline_get(void);
/* What follows "key" (which ends in '=') in the word that starts with it,
 * up to the end of the command line (stop at ' '), or NULL. */
const char *cmdline_value(const char *key);

/* Boot steps' times (main.c): boot_mark records the TSC as a step ends;
 * boot_marks_print prints each step's share in microseconds (the
 * gorump.stats boot-us line, docs/DEBUGGING.md). */
void boot_mark(const char *step);
void boot_marks_print(void);

#endif
