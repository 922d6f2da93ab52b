/*
 * tests/fuzz/fuzz_image.c — libFuzzer target for gorump_image_parse().
 * Each input is parsed as it is and again with its checksum made right,
 * so the fuzzer also reaches the section checks behind the CRC.  Whatever
 * is accepted must point inside the input.
 */
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

static void check(const uint8_t *buf, size_t len)
{
    struct gorump_image img;

    if (gorump_image_parse(buf, len, &img) != 0) {
        if (img.program != NULL || img.args != NULL || img.cwd != NULL)
            abort();
        return;
    }
    inside(img.program, img.program_size, buf, len);
    inside(img.args, img.args_size, buf, len);
    inside(img.env, img.env_size, buf, len);
    if (img.cwd != NULL)
        inside(img.cwd, strlen(img.cwd) + 1, buf, len);
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
    check(copy, size);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    check_resealed(data, size);
    return 0;
}
