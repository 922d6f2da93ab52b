/*
 * tests/unit/capture.h — capturing what the code under test prints on
 * stderr (its "gorump: ..." reports), so tests can check the message and
 * the test's own output stays clean.  capture_begin(); call; then
 * capture_end() returns the text (valid until the next capture).
 */
#ifndef GORUMP_TESTS_CAPTURE_H
#define GORUMP_TESTS_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

static int capture_saved = -1;
static FILE *capture_file;
static char capture_buf[16384];

static inline void capture_begin(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    capture_saved = dup(2);
    dup2(fileno(capture_file), 2);
}

static inline const char *capture_end(void)
{
    ssize_t n;

    fflush(stderr);
    dup2(capture_saved, 2);
    close(capture_saved);
    n = pread(fileno(capture_file), capture_buf, sizeof(capture_buf) - 1, 0);
    capture_buf[n > 0 ? n : 0] = '\0';
    fclose(capture_file);
    return capture_buf;
}

#endif
