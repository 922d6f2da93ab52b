/*
 * tests/unit/test_sha256.c — SHA-256 (tool/sha256.c): the FIPS 180-4
 * examples (NIST's "SHA256.pdf" worked examples: "abc", the two-block
 * 448-bit message, a million 'a'), the empty message, and every length
 * up to 300 bytes hashed whole and in pieces against sha256sum(1)'s
 * answers for the same bytes, which the test asks it for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sha256.h"

static void check_hex(const void *p, size_t n, const char *want)
{
    char hex[SHA256_HEX];

    sha256_hex(p, n, hex);
    CHECK(strcmp(hex, want) == 0);
    if (strcmp(hex, want) != 0)
        fprintf(stderr, "  %zu bytes: %s, want %s\n", n, hex, want);
}

static void test_known(void)
{
    char *million = malloc(1000000);

    check_hex(
        "", 0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_hex(
        "abc", 3,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_hex(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(million, 'a', 1000000);
    check_hex(
        million, 1000000,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* Lengths around the padding's edges (55, 56, 63, 64 bytes mod 64),
 * hashed whole and in three pieces, must agree with sha256sum. */
static void test_lengths(void)
{
    static unsigned char buf[300];
    char hex[SHA256_HEX], parts[SHA256_HEX], want[SHA256_HEX] = "";
    char path[] = "/tmp/test_sha256.XXXXXX", cmd[96];
    int fd = mkstemp(path);
    FILE *f;

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
    close(fd);
    for (size_t n = 0; n <= sizeof(buf); n += n < 140 ? 1 : 37) {
        struct sha256 s;
        snprintf(cmd, sizeof(cmd), "head -c %zu %s | sha256sum", n, path);
        f = popen(cmd, "r");
        CHECK(f != NULL && fscanf(f, "%64s", want) == 1);
        if (f != NULL)
            pclose(f);
        sha256_hex(buf, n, hex);
        CHECK(strcmp(hex, want) == 0);
        sha256_init(&s);
        sha256_update(&s, buf, n / 3);
        sha256_update(&s, buf + n / 3, n / 2 - n / 3);
        sha256_update(&s, buf + n / 2, n - n / 2);
        sha256_final_hex(&s, parts);
        CHECK(strcmp(parts, hex) == 0);
    }
    unlink(path);
}

int main(void)
{
    test_known();
    test_lengths();
    return check_done();
}
