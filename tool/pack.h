/*
 * tool/pack.h — the list of files that go into an image's FILES section
 * (include/gorump/image.h), gathered from --dir trees, --file files and
 * the records of an image being rewritten.  Only metadata is kept: a
 * regular file from the host is read when the image is written
 * (image_write.c), so packing a large tree does not hold it in memory.
 */
#ifndef GORUMP_TOOL_PACK_H
#define GORUMP_TOOL_PACK_H

#include <stddef.h>
#include <stdint.h>

struct gorump_image;
struct stat;

struct pack_file {
    char *path;    /* guest path, normalised and checked; owned */
    uint32_t mode; /* GORUMP_S_IF* | permission bits */
    uint32_t uid, gid;
    int64_t mtime_sec, atime_sec;
    uint32_t mtime_nsec, atime_nsec;
    uint64_t size; /* bytes of contents or link target */
    char *host;    /* regular file to copy from when writing; owned */
    int from_disk; /* host is an image's disk, the contents at
                      host_off (its size is then not checked) */
    uint64_t host_off;
    int to_disk; /* goes on the image's disk whatever its size (a program
                    too big for the guest's RAM: tool/job.c) */
    const uint8_t *data; /* otherwise: the bytes themselves, or NULL */
    uint8_t *owned;      /* what data points at when the list owns it */
};

struct pack_list {
    struct pack_file *v;
    size_t n, cap;
    int sigfd; /* checked between directories; -1: none */
    int stop;  /* the stopping signal seen there, or 0 */
};

/* An empty list watching SIGFD (-1 for none). */
void pack_init(struct pack_list *l, int sigfd);
void pack_free(struct pack_list *l);

/* Removes the records of files and links at PATH (a record added after
 * them would replace them in the guest anyway). */
void pack_drop(struct pack_list *l, const char *path);

/* A record at GUESTPATH (copied; NULL when out of memory, which pack_add
 * reports) of TYPE (GORUMP_S_IF*) with ST's permissions, owner and mtime. */
struct pack_file pack_record(const char *guestpath, const struct stat *st,
                             uint32_t type);

/* Appends a copy of *f and takes over f->path, f->host and f->owned
 * (freeing them if it fails).  0, or -1 (reported) when out of memory. */
int pack_add(struct pack_list *l, struct pack_file *f);

/*
 * HOSTDIR and everything under it, at GUESTDIR (NULL: HOSTDIR made
 * absolute).  HOSTDIR itself may be a symbolic link to a directory;
 * below it links are packed as links, never followed, and sockets, fifos
 * and devices are skipped with a warning.  Directories are read in name
 * order, each before its contents.  0, or -1 (reported); -1 with l->stop
 * set when a stopping signal arrived.
 */
int pack_dir(struct pack_list *l, const char *hostdir, const char *guestdir);

/* The regular file HOSTFILE (a symbolic link to one is followed) at the
 * normalised GUESTPATH.  0, or -1 (reported). */
int pack_regular(struct pack_list *l, const char *hostfile,
                 const char *guestpath);

/* The symbolic link HOSTLINK (not followed) at GUESTPATH, its target as
 * readlink gives it.  0, or -1 (reported). */
int pack_link(struct pack_list *l, const char *hostlink, const char *guestpath);

/* Whether the list already holds a record at GUESTPATH. */
int pack_has(const struct pack_list *l, const char *guestpath);

/*
 * The host file ROOT+PATH at guest path PATH (absolute, normalised), the
 * way the guest will resolve PATH: every symbolic link met on the way,
 * in a directory or at the end, is packed as a link at its own path (as
 * /lib64 -> usr/lib64), its target followed inside ROOT, and the regular
 * file it leads to is packed at its real path.  Records the list already
 * has are not added again.  ROOT is "" for the host itself (tests use a
 * directory).  REAL (GORUMP_PATH_MAX bytes, or NULL) gets the file's
 * path with no links, relative to ROOT.  0; -1 (reported) on an error; 1,
 * silently, when PATH does not lead to a readable regular file (for
 * searches that go on).
 */
int pack_host_path(struct pack_list *l, const char *root, const char *path,
                   char *real);

/* The FILES records of a parsed image, their data left in place (the
 * image must outlive the list); the data of records on the image's disk
 * is read from DISK (its path) when the new image is written.  0, or -1
 * (reported). */
int pack_image(struct pack_list *l, const struct gorump_image *img,
               const char *disk);

#endif
