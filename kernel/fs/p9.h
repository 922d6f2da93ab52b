/*
 * fs/p9.h — the 9P2000.L client's inside (p9_proto.c: messages; p9.c:
 * the backend of fs/mount.h).  9P2000.L is 9P2000 with Linux's calls
 * (the Linux kernel's Documentation/filesystems/9p.rst and QEMU's
 * hw/9pfs describe it; message layouts are cited where they are built).
 * A message is size[4] type[1] tag[2] then its fields, little-endian;
 * a string is len[2] then its bytes; a qid is type[1] version[4]
 * path[8].  Errors come back as Rlerror ecode[4], a Linux errno.
 */
#ifndef FS_P9_H
#define FS_P9_H

#include "drv/v9p.h"
#include "fs/mount.h"

/* Message types (9P2000.L's T-numbers; the R-message is T+1). */
enum {
    P9_RLERROR = 7,
    P9_TSTATFS = 8,
    P9_TLOPEN = 12,
    P9_TLCREATE = 14,
    P9_TSYMLINK = 16,
    P9_TMKNOD = 18,
    P9_TREADLINK = 22,
    P9_TGETATTR = 24,
    P9_TSETATTR = 26,
    P9_TREADDIR = 40,
    P9_TFSYNC = 50,
    P9_TLINK = 70,
    P9_TMKDIR = 72,
    P9_TRENAMEAT = 74,
    P9_TUNLINKAT = 76,
    P9_TVERSION = 100,
    P9_TATTACH = 104,
    P9_TWALK = 110,
    P9_TREAD = 116,
    P9_TWRITE = 118,
    P9_TCLUNK = 120,
};

#define P9_NOFID 0xffffffffu
#define P9_NOTAG 0xffff
#define P9_TAG 1
#define P9_HDR 7 /* size[4] type[1] tag[2] */
#define P9_GETATTR_BASIC 0x7ffULL
#define P9_MSIZE V9P_BUF

struct p9_qid {
    uint8_t type;
    uint32_t version;
    uint64_t path;
};

/* A mount's client: its device, the negotiated msize, and the fids it
 * holds for each inode the mount layer knows. */
struct p9_ino {
    struct list link;
    uint64_t ino;
    uint32_t fid;  /* walked to the file: getattr, setattr, walks */
    uint32_t rfid; /* opened for reading, or NOFID */
    uint32_t wfid; /* opened for reading and writing, or NOFID */
    uint32_t dfid; /* a directory opened for readdir, or NOFID */
};

/* A FIFO or socket made on the share as a regular file (the server
 * refused to make the special file): the guest shows inode ino as type
 * (S_IFIFO, S_IFSOCK) until it is gone.  Its opens, binds and connects
 * never reach the server (fs/pipe.c, net/unix.c use the node). */
struct p9_special {
    struct list link;
    uint64_t ino;
    uint32_t type;
};

struct p9 {
    struct v9p *dev;
    uint32_t msize;
    uint32_t next_fid;
    uint32_t root_fid;
    bool no_mknod;        /* Tmknod of a FIFO or socket gave ENXIO */
    struct list specials; /* struct p9_special */
    struct list inos[64]; /* struct p9_ino by ino's hash */
};

/* Building a T-message in the device's buffer; an overflow marks it
 * failed (the request is then not sent: -ENAMETOOLONG). */
struct p9_out {
    uint8_t *b;
    uint32_t cap, len;
    bool over;
};
/* Reading an R-message: every read is checked against its length; a
 * short message marks it bad (-EIO). */
struct p9_in {
    const uint8_t *b;
    uint32_t len, pos;
    bool bad;
};

void p9_begin(struct p9 *p, struct p9_out *o, uint8_t type);
void p9_put8(struct p9_out *o, uint8_t v);
void p9_put16(struct p9_out *o, uint16_t v);
void p9_put32(struct p9_out *o, uint32_t v);
void p9_put64(struct p9_out *o, uint64_t v);
void p9_putstr(struct p9_out *o, const char *s, size_t len);
/* Sends o and checks the answer's header: 0 with *in set to its fields,
 * or the Rlerror's -errno, or -EIO for a malformed answer. */
int p9_rpc(struct p9 *p, struct p9_out *o, struct p9_in *in);

uint8_t p9_get8(struct p9_in *in);
uint16_t p9_get16(struct p9_in *in);
uint32_t p9_get32(struct p9_in *in);
uint64_t p9_get64(struct p9_in *in);
void p9_getqid(struct p9_in *in, struct p9_qid *q);
/* A string's bytes, in place (not NUL-terminated), and its length. */
const char *p9_getstr(struct p9_in *in, uint16_t *len);
/* Bytes in place: n of them, or NULL. */
const uint8_t *p9_getbytes(struct p9_in *in, uint32_t n);

/* Tversion and Tattach: 0 or a negative errno (with a message). */
int p9_connect(struct p9 *p);
/* Messages on fids. */
uint32_t p9_newfid(struct p9 *p);
int p9_walk(struct p9 *p, uint32_t fid, uint32_t newfid, const char *name,
            size_t len);
int p9_getattr(struct p9 *p, uint32_t fid, struct fs_attr *a);
int p9_clunk(struct p9 *p, uint32_t fid);
int p9_lopen(struct p9 *p, uint32_t fid, uint32_t flags);

#endif
