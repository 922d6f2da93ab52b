/*
 * tool/build.h — `gorump build`: write a bootable image file holding the
 * program, its arguments, environment, working directory and files.
 */
#ifndef GORUMP_TOOL_BUILD_H
#define GORUMP_TOOL_BUILD_H

/* argv[0] is "build".  Returns 0, GORUMP_STATUS_FAILURE (125), or
 * 128+signal when stopped. */
int cmd_build(int argc, char **argv);

#endif
