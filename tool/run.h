/*
 * tool/run.h — `gorump run`: boot a program as a unikernel under QEMU.
 */
#ifndef GORUMP_TOOL_RUN_H
#define GORUMP_TOOL_RUN_H

/* argv[0] is "run".  Returns gorump's exit status: the program's, or one of
 * GORUMP_STATUS_* (include/gorump/console.h), or 128+signal. */
int cmd_run(int argc, char **argv);

#endif
