/*
 * common/image_path.h — the path rule of include/gorump/image.h (absolute,
 * normalised, within GORUMP_PATH_MAX and GORUMP_NAME_MAX), shared by the
 * FILES records (image_files.c) and EXEPATH (image.c).  Internal to
 * common/.
 */
#ifndef GORUMP_COMMON_IMAGE_PATH_H
#define GORUMP_COMMON_IMAGE_PATH_H

#include <stdint.h>

/* Whether s[0..n) is such a path (no NUL in it). */
int image_path_norm_ok(const uint8_t *s, uint64_t n);

#endif
