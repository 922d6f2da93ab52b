/*
 * tool/job.h — what `gorump run` and `gorump build` share: getting the
 * program (an ELF file, a Go package directory built first, or an
 * existing image), its guest path (EXEPATH), the files to pack, and the
 * image's contents with the command line's overrides applied.
 */
#ifndef GORUMP_TOOL_JOB_H
#define GORUMP_TOOL_JOB_H

#include <stddef.h>
#include <stdint.h>

#include <gorump/image.h>

#include "args.h"
#include "image_read.h"
#include "image_write.h"
#include "overlay.h"
#include "pack.h"
#include "workdir.h"

enum job_kind {
    JOB_ELF,     /* PROGRAM is an ELF file */
    JOB_PACKAGE, /* PROGRAM is a Go main package directory */
    JOB_IMAGE,   /* PROGRAM is a gorump image */
};

struct job {
    struct run_args *a;
    int sigfd;
    enum job_kind kind;
    struct workdir wd; /* created by the caller when needed */
    uint8_t *prog;     /* JOB_ELF, JOB_PACKAGE: the program, mapped */
    size_t prog_size;
    char prog_host[4096];    /* and the file it was mapped from */
    struct image_map stored; /* JOB_IMAGE */
    char exe_path[GORUMP_PATH_MAX];
    struct pack_list files;
    struct strv argv, envv;
    char *lib_path;        /* what --lib adds to LD_LIBRARY_PATH (libs.h) */
    char *lib_env;         /* the LD_LIBRARY_PATH=... envv holds for it */
    struct image_input in; /* filled by job_input() */
};

/* Sets up J for A; nothing to free yet. */
void job_init(struct job *j, struct run_args *a, int sigfd);

/* Finds out what PROGRAM is and reads (ELF) or maps (image) it, checking
 * it.  0, or -1 (reported). */
int job_load(struct job *j);

/* For JOB_PACKAGE, runs `go build` into j->wd (which must exist) and
 * loads the result.  0, -1 (reported), or a stopping signal's number. */
int job_build(struct job *j);

/* Packs the files and fills j->in.  0, -1 (reported), or a signal. */
int job_input(struct job *j);

/* Frees what the job holds (not the workdir). */
void job_free(struct job *j);

#endif
