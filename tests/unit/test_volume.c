/*
 * tests/unit/test_volume.c — `gorump volume`'s own logic (tool/volume.c):
 * the sizes it takes and refuses, and the superblock check that names the
 * features the kernel lacks.  tests/guest/run.sh's tool/volume-* cases run
 * the command itself with mke2fs and e2fsck.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gorump/ext2.h>

#include "check.h"
#include "volume.h"

static bool size_is(const char *s, uint64_t want)
{
    uint64_t got = 0;
    return volume_parse_size(s, &got) == 0 && got == want;
}

static void test_sizes(void)
{
    CHECK(size_is("64M", 64ULL << 20));
    CHECK(size_is("1G", 1ULL << 30));
    CHECK(size_is("1024K", 1ULL << 20));
    CHECK(size_is("2T", 2ULL << 40));
    CHECK(size_is("1048576", 1ULL << 20));
    CHECK(size_is("17592186040320", VOLUME_MAX));
    uint64_t b;
    static const char *const bad[] = {"",
                                      "M",
                                      "-1M",
                                      "+1M",
                                      "1.5G",
                                      "64MB",
                                      "64m",
                                      "64 M",
                                      "1023K",
                                      "0",
                                      "1000000",
                                      "1048577",
                                      "16T",
                                      "99999999999999T",
                                      "18446744073709551616",
                                      "1E",
                                      " 64M"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bool refused = volume_parse_size(bad[i], &b) == -1;
        if (!refused)
            fprintf(stderr, "size '%s' taken\n", bad[i]);
        CHECK(refused);
    }
}

static void sb_set(uint8_t *sb, int off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        sb[off + i] = (uint8_t)(v >> (8 * i));
}

static void test_features(void)
{
    uint8_t sb[GORUMP_EXT2_SB_SIZE] = {0};
    char why[256];
    CHECK(strstr(volume_sb_check(sb, why, sizeof(why)), "not an ext2"));
    sb[GORUMP_EXT2_SB_MAGIC] = 0x53;
    sb[GORUMP_EXT2_SB_MAGIC + 1] = 0xef;
    CHECK(volume_sb_check(sb, why, sizeof(why)) == NULL); /* revision 0 */
    sb_set(sb, GORUMP_EXT2_SB_REV, 1);
    sb_set(sb, GORUMP_EXT2_SB_COMPAT, 0x38 | 0x4); /* has_journal is fine */
    sb_set(sb, GORUMP_EXT2_SB_RO_COMPAT, GORUMP_EXT2_RO_COMPAT_OK);
    sb_set(sb, GORUMP_EXT2_SB_INCOMPAT, GORUMP_EXT2_INCOMPAT_OK);
    CHECK(volume_sb_check(sb, why, sizeof(why)) == NULL);
    /* needs_recovery: e2fsck -p replays the journal before a read-write
     * attach; read-only it is refused, and without a journal it is
     * nothing the kernel knows. */
    sb_set(sb, GORUMP_EXT2_SB_INCOMPAT, 0x2 | 0x4);
    CHECK(volume_sb_check(sb, why, sizeof(why)) == NULL);
    CHECK(strstr(volume_sb_check_for(sb, 1, why, sizeof(why)),
                 "journal needs recovery"));
    sb_set(sb, GORUMP_EXT2_SB_COMPAT, 0x38);
    CHECK(!strcmp(volume_sb_check(sb, why, sizeof(why)),
                  "features the kernel cannot read: needs_recovery"));
    sb_set(sb, GORUMP_EXT2_SB_INCOMPAT, 0x2c2 | 0x80000000u);
    CHECK(!strcmp(volume_sb_check(sb, why, sizeof(why)),
                  "features the kernel cannot read: extent 64bit flex_bg "
                  "0x80000000"));
    sb_set(sb, GORUMP_EXT2_SB_INCOMPAT, 0x2);
    sb_set(sb, GORUMP_EXT2_SB_RO_COMPAT, 0x3 | 0x8 | 0x400);
    CHECK(strstr(volume_sb_check(sb, why, sizeof(why)),
                 "cannot write (it would mount the volume read-only): "
                 "huge_file metadata_csum"));
    sb_set(sb, GORUMP_EXT2_SB_RO_COMPAT, 0x3);
    sb_set(sb, GORUMP_EXT2_SB_LOG_BSIZE, 3);
    CHECK(strstr(volume_sb_check(sb, why, sizeof(why)), "4096"));
    /* A short buffer: cut, terminated. */
    sb_set(sb, GORUMP_EXT2_SB_LOG_BSIZE, 2);
    sb_set(sb, GORUMP_EXT2_SB_INCOMPAT, 0xfffffffd);
    char tiny[16];
    CHECK(strlen(volume_sb_check(sb, tiny, sizeof(tiny))) == 15);
}

int main(void)
{
    test_sizes();
    test_features();
    return check_done();
}
