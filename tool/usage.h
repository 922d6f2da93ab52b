/*
 * tool/usage.h — the help texts of `gorump`, `gorump run` and
 * `gorump build`.
 */
#ifndef GORUMP_TOOL_USAGE_H
#define GORUMP_TOOL_USAGE_H

#include <stdio.h>

void usage_main(FILE *f);
void usage_run(FILE *f);
void usage_build(FILE *f);

#endif
