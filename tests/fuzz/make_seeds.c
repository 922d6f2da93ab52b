/*
 * tests/fuzz/make_seeds.c — writes the fuzzers' seed corpora:
 * DIR/image/ gets images made by the tool's own writer, DIR/elf/ the
 * hand-built ELF files of the unit tests.  Built and run by
 * `make check-fuzz`, so the seeds always follow the current formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_build.h"
#include "image_write.h"
#include "util.h"

static int save(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write_all(fd, p, n) != 0) {
        fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static int save_image(const char *dir, const char *name,
                      const struct image_input *in)
{
    uint8_t *img;
    size_t len;
    int err;

    if (image_build(in, &img, &len) != 0)
        return -1;
    err = save(dir, name, img, len);
    free(img);
    return err;
}

static int save_elf(const char *dir, const char *name, struct elf_spec s)
{
    size_t len;
    uint8_t *f = elf_build(&s, &len);
    int err = save(dir, name, f, len);

    free(f);
    return err;
}

static int make_dir(const char *top, const char *sub, char *out, size_t size)
{
    mkdir(top, 0755);
    snprintf(out, size, "%s/%s", top, sub);
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_seeds: %s: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const uint8_t tiny_program[] = "\x7f"
                                          "ELF";
    char *args[] = {"prog", "-flag", "arg"}, *env[] = {"K=V", "HOME=/"};
    struct image_input full = {
        tiny_program, sizeof(tiny_program), 3, args, 2, env, "/"};
    struct image_input bare = {NULL, 0, 1, args, 0, NULL, NULL};
    char images[4096], elfs[4096];
    int err = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    if (make_dir(argv[1], "image", images, sizeof(images)) != 0 ||
        make_dir(argv[1], "elf", elfs, sizeof(elfs)) != 0)
        return 1;
    err |= save_image(images, "full", &full);
    err |= save_image(images, "bare", &bare);
    err |= save_elf(elfs, "exec", elf_sample_exec());
    err |= save_elf(elfs, "pie", elf_sample_pie());
    return err != 0;
}
