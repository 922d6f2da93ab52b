/*
 * tool/args_files.h — the options that put files in the guest (--dir,
 * --file) and set its working directory (--cwd).  Internal to args.c and
 * args_files.c; everyone else reads struct run_args.
 */
#ifndef GORUMP_TOOL_ARGS_FILES_H
#define GORUMP_TOOL_ARGS_FILES_H

#include "args.h"

/* Stores "CMD: " and the message in a->err; returns RUN_ARGS_ERROR. */
int args_fail(struct run_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --dir HOSTDIR[:GUESTDIR], --file HOSTFILE:GUESTPATH, --cwd GUESTDIR:
 * each RUN_ARGS_OK or RUN_ARGS_ERROR. */
int args_add_dir(struct run_args *a, const char *v);
int args_add_file(struct run_args *a, const char *v);
int args_set_cwd(struct run_args *a, const char *v);
/* -v HOSTDIR:GUESTPATH[:ro]: the guest path absolute, not / nor inside
 * /proc or /dev, no space in it, not given twice; at most RUN_SHARE_MAX.
 * (The host side is checked when the guest is started: run_shares.c.) */
int args_add_share(struct run_args *a, const char *v);
/* Why normalised guest path G cannot be a -v's ("cannot be /", ...), or
 * NULL when it can (shares_merge checks an image's record with it). */
const char *args_share_guest_why(const char *g);

#endif
