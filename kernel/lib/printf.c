/*
 * lib/printf.c — vsnprintf for the kernel: %d %i %u %o %x %X %p %s %c %%,
 * with the l, ll, z, h and hh length modifiers, a field width, '0' and '-'
 * flags and a precision for strings.  Output is always NUL-terminated and
 * truncated to the buffer; the return value is the length it would have
 * had.  tests/unit/test_kprintf.c checks it against the C library's.
 */
#include "lib/lib.h"

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
                       bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_num(struct out *o, uint64_t v, bool neg, unsigned base,
                    bool upper, int width, bool left, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = sizeof(tmp);
    do {
        tmp[--n] = digits[v % base];
        v /= base;
    } while (v);
    if (neg) {
        if (pad == '0') {
            put(o, '-');
            width--;
        } else {
            tmp[--n] = '-';
        }
    }
    put_padded(o, tmp + n, sizeof(tmp) - n, width, left, pad);
}

static unsigned num_base(char conv)
{
    return conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        bool left = false;
        char pad = ' ';
        int width = 0, prec = -1, lng = 0; /* 1: l ll z, -1: h, -2: hh */
        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
            if (*fmt == '-')
                left = true;
            else
                pad = '0';
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            prec = 0;
            if (*++fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                prec = prec * 10 + (*fmt++ - '0');
        }
        for (; *fmt == 'l' || *fmt == 'z' || *fmt == 'h'; fmt++)
            lng = *fmt != 'h' ? 1 : lng == -1 ? -2 : -1;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng > 0 ? va_arg(ap, int64_t) : va_arg(ap, int);
            v = lng == -1 ? (short)v : lng == -2 ? (signed char)v : v;
            put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false,
                    width, left, pad);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t v = lng > 0 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            v = lng == -1 ? (uint16_t)v : lng == -2 ? (uint8_t)v : v;
            put_num(&o, v, false, num_base(*fmt), *fmt == 'X', width, left,
                    pad);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, width,
                    left, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            put_padded(&o, s, prec >= 0 ? strnlen(s, prec) : strlen(s), width,
                       left, ' ');
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '%');
            if (!*fmt)
                goto done;
            put(&o, *fmt);
        }
    }
done:
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
