/*
 * tool/util.c — messages and whole-buffer I/O for the tool (see util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void report(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("gorump: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads st_size bytes; a file that changes size meanwhile is read as far
 * as it goes. */
static int read_fd(int fd, uint8_t *buf, size_t size, size_t *len)
{
    size_t got = 0;

    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    *len = got;
    return 0;
}

int read_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat st;
    uint8_t *p = NULL;
    int fd, err;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        err = -errno;
    } else if (!S_ISREG(st.st_mode)) {
        err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    } else {
        p = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
        err = p == NULL ? -ENOMEM : read_fd(fd, p, (size_t)st.st_size, len);
    }
    close(fd);
    if (err != 0) {
        free(p);
        return err;
    }
    *buf = p;
    return 0;
}

int map_file(const char *path, uint8_t **buf, size_t *len)
{
    struct stat st;
    void *p = MAP_FAILED;
    int fd, err = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0)
        err = -errno;
    else if (!S_ISREG(st.st_mode))
        err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    else if ((p = mmap(NULL, st.st_size > 0 ? (size_t)st.st_size : 1, PROT_READ,
                       MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED)
        err = -errno;
    close(fd);
    if (err != 0)
        return err;
    *buf = p;
    *len = (size_t)st.st_size;
    return 0;
}

void unmap_file(uint8_t *buf, size_t len)
{
    if (buf != NULL)
        munmap(buf, len > 0 ? len : 1);
}
