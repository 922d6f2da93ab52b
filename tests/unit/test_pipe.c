/*
 * tests/unit/test_pipe.c — pipes and FIFOs (kernel/fs/pipe.c with
 * fs/file.c, built for the host; the ring comes from a page allocator of
 * the test's own whose unused memory ASan poisons, so a byte written
 * outside the ring is caught): 20000 random non-blocking reads and
 * writes that wrap the ring, checked byte for byte and against a model of
 * what Linux returns, writes of at most PIPE_BUF all or nothing (POSIX),
 * FIONREAD, poll bits, end of file, EPIPE and SIGPIPE, bad buffers, and
 * FIFO opens (ENXIO, a reader waiting for a writer, the 32-end limit);
 * and fd tables copied and shared (fs/file.c), a pipe's ends in them.
 */
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>

#include "fs/epoll.c"
#include "fs/file.c"
#include "fs/pipe.c"

#include "check.h"
#include "files.c"
#include "heap.c"
#include "kshim.c"
#include "uaccess.c"

/* --- pages: 64 KiB blocks with a poisoned 64 KiB between them --------- */

#define BLOCK (PAGE_SIZE << PIPE_ORDER)
#define NBLOCKS 8
static bool block_used[NBLOCKS];

uint64_t pmem_alloc(unsigned order)
{
    CHECK_EQ(order, PIPE_ORDER);
    for (int i = 0; i < NBLOCKS; i++)
        if (!block_used[i]) {
            block_used[i] = true;
            uint64_t pa = (2 * i + 1) * BLOCK;
            ASAN_UNPOISON_MEMORY_REGION(phys_to_virt(pa), BLOCK);
            return pa;
        }
    return 0;
}

void pmem_free(uint64_t pa, unsigned order)
{
    int i = (int)(pa / BLOCK - 1) / 2;
    CHECK(order == PIPE_ORDER && pa % (2 * BLOCK) == BLOCK && block_used[i]);
    block_used[i] = false;
    ASAN_POISON_MEMORY_REGION(phys_to_virt(pa), BLOCK);
}

static int sigpipes;

int signal_send_thread(struct thread *t, int sig, int code)
{
    CHECK_EQ(sig, SIGPIPE);
    sigpipes++;
    return 0;
}

void node_stat(struct node *n, struct linux_stat *st)
{
}

/* --- the model ------------------------------------------------------ */

static uint8_t out[PIPE_SIZE * 2], in[PIPE_SIZE * 2];
static uint64_t written, consumed; /* bytes of the sequence */
static uint8_t seq_byte(uint64_t i)
{
    return (uint8_t)(i * 131 + (i >> 9));
}

static long do_write(struct file *f, uint64_t buf, size_t n)
{
    return f->ops->write(f, buf, n, &f->pos);
}

static long do_read(struct file *f, uint64_t buf, size_t n)
{
    return f->ops->read(f, buf, n, &f->pos);
}

static void random_io(struct file *r, struct file *w, int steps)
{
    for (int step = 0; step < steps; step++) {
        uint64_t held = written - consumed, room = PIPE_SIZE - held;
        /* Small sizes often, some past PIPE_BUF and past the ring. */
        size_t n = kshim_random(4) ? 1 + kshim_random(PIPE_BUF + 2)
                                   : 1 + kshim_random(sizeof(out));
        if (kshim_random(2)) {
            for (size_t i = 0; i < n; i++)
                out[i] = seq_byte(written + i);
            long want = room == 0 || (n <= PIPE_BUF && room < n)
                            ? -EAGAIN
                            : (long)MIN(n, room);
            long got = do_write(w, (uint64_t)out, n);
            CHECK_EQ(got, want);
            if (got > 0)
                written += got;
        } else {
            long want = held ? (long)MIN(n, held) : -EAGAIN;
            long got = do_read(r, (uint64_t)in, n);
            CHECK_EQ(got, want);
            bool same = true;
            for (long i = 0; i < got; i++)
                same &= in[i] == seq_byte(consumed + i);
            CHECK(same);
            if (got > 0)
                consumed += got;
        }
        int nread = -1;
        CHECK_EQ(r->ops->ioctl(r, 0x541b, (uint64_t)&nread), 0);
        CHECK_EQ(nread, written - consumed);
        CHECK_EQ(file_poll(r) & EPOLLIN, written > consumed ? EPOLLIN : 0);
        CHECK_EQ(file_poll(w) & EPOLLOUT,
                 written - consumed < PIPE_SIZE ? EPOLLOUT : 0);
        if (check_failed) {
            fprintf(stderr, "step %d: n %zu held %lu\n", step, n, held);
            return;
        }
    }
}

static void pipes(void)
{
    struct file *ends[2];
    CHECK_EQ(pipe_create(ends, O_NONBLOCK), 0);
    struct file *r = ends[0], *w = ends[1];
    random_io(r, w, 20000);

    /* Bad buffers: EFAULT, and nothing taken or lost. */
    uint64_t held = written - consumed;
    if (held < PIPE_SIZE)
        CHECK_EQ(do_write(w, 0, 1), -EFAULT);
    if (held)
        CHECK_EQ(do_read(r, USER_TOP - 1, 2), -EFAULT);
    CHECK_EQ(pipe_of(r)->len, held);
    CHECK_EQ(r->ops->ioctl(r, 0x541b, 8), -EFAULT);
    CHECK_EQ(r->ops->ioctl(r, 0x5401, (uint64_t)in), -ENOTTY);

    /* The writer closes: what is held is read, then end of file. */
    file_put(w);
    CHECK(file_poll(r) & EPOLLHUP);
    while (written > consumed) {
        long got = do_read(r, (uint64_t)in, sizeof(in));
        CHECK(got > 0);
        consumed += got > 0 ? got : 0;
        if (got <= 0)
            break;
    }
    CHECK_EQ(do_read(r, (uint64_t)in, 10), 0);
    file_put(r);

    /* The reader closes: EPIPE and SIGPIPE, every time. */
    CHECK_EQ(pipe_create(ends, 0), 0);
    file_put(ends[0]);
    CHECK(file_poll(ends[1]) & EPOLLERR);
    CHECK_EQ(do_write(ends[1], (uint64_t)out, 1), -EPIPE);
    CHECK_EQ(do_write(ends[1], (uint64_t)out, 1), -EPIPE);
    CHECK_EQ(sigpipes, 2);
    file_put(ends[1]);
}

/* A blocking write of at most PIPE_BUF bytes waits for room for all of
 * them (here the wait is interrupted at once: nothing is written). */
static void atomic_blocking(void)
{
    struct file *ends[2];
    CHECK_EQ(pipe_create(ends, 0), 0);
    CHECK_EQ(do_write(ends[1], (uint64_t)out, PIPE_SIZE - 100),
             PIPE_SIZE - 100);
    CHECK_EQ(do_write(ends[1], (uint64_t)out, 200), -ERESTARTSYS);
    CHECK_EQ(pipe_of(ends[0])->len, PIPE_SIZE - 100);
    /* Larger writes may be split: what fits goes now. */
    CHECK_EQ(do_write(ends[1], (uint64_t)out, PIPE_BUF + 1), 100);
    CHECK_EQ(do_write(ends[1], (uint64_t)out, 1), -ERESTARTSYS);
    /* A blocking read of an empty pipe with a writer waits likewise. */
    CHECK_EQ(do_read(ends[0], (uint64_t)in, sizeof(in)), PIPE_SIZE);
    CHECK_EQ(do_read(ends[0], (uint64_t)in, 1), -ERESTARTSYS);
    file_put(ends[0]);
    file_put(ends[1]);
}

static void fifos(void)
{
    struct node n = {.mode = S_IFIFO | 0644};
    struct file *f[40];
    /* A writer that cannot wait and has no reader: ENXIO, nothing kept. */
    CHECK_EQ(fifo_open(&n, O_WRONLY | O_NONBLOCK, &f[0]), -ENXIO);
    CHECK(n.priv == NULL);
    /* A blocking reader waits for a writer (interrupted here). */
    CHECK_EQ(fifo_open(&n, O_RDONLY, &f[0]), -ERESTARTSYS);
    CHECK(n.priv == NULL);
    CHECK_EQ(fifo_open(&n, O_RDONLY | O_NONBLOCK, &f[0]), 0);
    CHECK_EQ(fifo_open(&n, O_WRONLY | O_NONBLOCK, &f[1]), 0);
    CHECK_EQ(do_write(f[1], (uint64_t) "fifo", 4), 4);
    CHECK_EQ(do_read(f[0], (uint64_t)in, 10), 4);
    /* 32 ends at most. */
    int k = 2;
    while (k < 40 && fifo_open(&n, O_RDWR, &f[k]) == 0)
        k++;
    CHECK_EQ(k, PIPE_FILES);
    CHECK_EQ(fifo_open(&n, O_RDWR, &f[k]), -ENFILE);
    for (int i = 0; i < k; i++)
        file_put(f[i]);
    CHECK(n.priv == NULL); /* the last end freed the pipe */
}

/* A copy of a table holds the same files at the same fds, FD_CLOEXEC
 * and the limit with them, a reference each; closing in one leaves the
 * other; the last reference to a table closes what it holds. */
static void fd_tables(void)
{
    struct fd_table *boot = fd_table_current();
    struct file *ends[2];
    CHECK_EQ(pipe_create(ends, 0), 0);
    CHECK_EQ(fd_install(ends[0], false), 0);
    CHECK_EQ(fd_install_at(1000, ends[1], true), 1000); /* a second chunk */
    fd_set_limit(2000);
    struct fd_table *copy = fd_table_copy(boot);
    CHECK(copy && copy != boot);
    CHECK_EQ(ends[0]->refs, 2);
    CHECK_EQ(ends[1]->refs, 2);
    fd_table_install(copy);
    CHECK(fd_table_current() == copy);
    CHECK_EQ(fd_count(), 2);
    CHECK_EQ(fd_limit(), 2000);
    CHECK(!fd_cloexec(0) && fd_cloexec(1000));
    CHECK_EQ(fd_install(ends[0], false), 1); /* the copy's own fd 1 */
    ends[0]->refs++;
    CHECK_EQ(fd_close(0), 0);
    CHECK_EQ(fd_close(1), 0);
    fd_table_install(boot);
    CHECK_EQ(fd_count(), 2);
    CHECK_EQ(ends[0]->refs, 1);
    CHECK(fd_table_share(copy) == copy);
    fd_table_put(copy);
    CHECK_EQ(ends[1]->refs, 2);
    fd_table_put(copy); /* the last: fd 1000's file closed */
    CHECK_EQ(ends[1]->refs, 1);
    CHECK_EQ(fd_close(0), 0);
    CHECK_EQ(fd_close(1000), 0);
    CHECK_EQ(fd_count(), 0);
    fd_set_limit(1024);
    /* A table keeps its chunks while it lives: the boot's lives on. */
    kfree(fdt0.chunk[1000 / FD_CHUNK]);
    fdt0.chunk[1000 / FD_CHUNK] = NULL;
}

int main(void)
{
    kshim_ram = aligned_alloc(BLOCK, 2 * NBLOCKS * BLOCK + BLOCK);
    ASAN_POISON_MEMORY_REGION(kshim_ram, 2 * NBLOCKS * BLOCK + BLOCK);
    pipes();
    atomic_blocking();
    fifos();
    fd_tables();
    for (int i = 0; i < NBLOCKS; i++)
        CHECK(!block_used[i]);
    CHECK_EQ(kshim_live, 0);
    ASAN_UNPOISON_MEMORY_REGION(kshim_ram, 2 * NBLOCKS * BLOCK + BLOCK);
    free(kshim_ram);
    return check_done();
}
