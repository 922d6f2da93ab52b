/*
 * fs/procfs_pid.c — /proc/PID for each process, zombies too (as Linux
 * shows them until they are reaped), and /proc/self, a link to the
 * caller's: stat, status, statm, cmdline, comm, environ, maps, mounts,
 * exe, cwd, fd/ and task/TID/.  The directories are nodes of the tree
 * kept in step with the processes by the refresh of /proc (fs.h), which
 * runs before each lookup in /proc and each listing of it from its
 * start: a reaped pid's directory is gone (ENOENT), and one that is
 * still open shows nothing more, its own refresh emptying it.  Each
 * node holds its pid (or, under task/, its tid) in priv; a file's text
 * is made when it is opened, from that process's objects: its address
 * space through mm's view (vmview.c: the argument strings are read
 * through its page tables, never a user pointer of another space), its
 * fd table and fs context.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define NODE_ID(n) ((int)(uintptr_t)(n)->priv)

static struct proc *seq_proc(const struct seq *s)
{
    return proc_find(NODE_ID(s->node));
}

/* The node's process if it has an address space (not a zombie), with
 * what *i says of it; else NULL, *i all zero. */
static struct proc *seq_space(const struct seq *s, struct vm_info *i)
{
    struct proc *p = seq_proc(s);
    *i = (struct vm_info){0};
    if (!p || !p->vm)
        return NULL;
    vm_space_info(p->vm, i);
    return p;
}

/* What the threads of p (or the one thread t) add up to. */
struct tstat {
    struct proc *p;
    struct thread *t;
    uint64_t cpu_ns;
    bool running;
};

static void tstat_add(struct thread *t, void *arg)
{
    struct tstat *ts = arg;
    if (t->proc != ts->p || (ts->t && t != ts->t))
        return;
    ts->cpu_ns += t->cpu_ns;
    ts->running |= t->state == THREAD_RUNNABLE;
}

static char state_of(struct proc *p, struct thread *t, uint64_t *cpu_ns)
{
    struct tstat ts = {p, t, 0, false};
    proc_each_thread(tstat_add, &ts);
    *cpu_ns = ts.cpu_ns;
    return p->zombie ? 'Z' : ts.running ? 'R' : 'S';
}

static const char *state_name(char c)
{
    return c == 'Z' ? "Z (zombie)" : c == 'R' ? "R (running)" : "S (sleeping)";
}

static void space_info(struct proc *p, struct vm_info *i)
{
    if (p->vm)
        vm_space_info(p->vm, i);
    else
        *i = (struct vm_info){0};
}

/* proc(5)'s 52 fields; the process's, or with t one thread's. */
static void stat_line(struct seq *s, struct proc *p, struct thread *t)
{
    uint64_t cpu;
    char st = state_of(p, t, &cpu);
    struct vm_info i;
    space_info(p, &i);
    seq_printf(s, "%d (%s) %c %d 1 1 0 -1 4194560 0 0 0 0 %lu 0 0 0 20 0 %d ",
               t ? t->tid : p->pid, p->comm, st, p->parent ? p->parent->pid : 0,
               cpu / 10000000, p->nthreads);
    seq_printf(s, "0 1 %lu %lu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 ",
               i.mapped, i.resident);
    seq_printf(s, "%d 0 0 0 0 0 0 0 0 0 %lu %lu %lu %lu %d\n", p->exit_signal,
               i.arg_start, i.arg_end, i.env_start, i.env_end,
               p->zombie ? p->wstatus : 0);
}

static void gen_stat(struct seq *s)
{
    struct proc *p = seq_proc(s);
    if (p)
        stat_line(s, p, NULL);
}

static void status_text(struct seq *s, struct proc *p, struct thread *t)
{
    uint64_t cpu;
    char st = state_of(p, t, &cpu);
    seq_printf(s, "Name:\t%s\n", p->comm);
    if (p->fs)
        seq_printf(s, "Umask:\t%04o\n", fs_ctx_mask(p->fs));
    seq_printf(s,
               "State:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
               "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
               state_name(st), p->pid, t ? t->tid : p->pid,
               p->parent ? p->parent->pid : 0);
    if (p->vm) {
        struct vm_info i;
        vm_space_info(p->vm, &i);
        seq_printf(s,
                   "VmSize:\t%lu kB\nVmRSS:\t%lu kB\nRssAnon:\t%lu kB\n"
                   "RssFile:\t%lu kB\n",
                   i.mapped / 1024, i.resident * 4,
                   (i.resident - i.resident_file) * 4, i.resident_file * 4);
    }
    seq_printf(s, "Threads:\t%d\nCpus_allowed:\t%lx\nCpus_allowed_list:\t0",
               p->nthreads, sched_online_mask());
    if (smp_cpus_up() > 1)
        seq_printf(s, "-%u", smp_cpus_up() - 1);
    seq_printf(s, "\n");
}

static void gen_status(struct seq *s)
{
    struct proc *p = seq_proc(s);
    if (p)
        status_text(s, p, NULL);
}

static void gen_statm(struct seq *s)
{
    struct vm_info i;
    if (!seq_proc(s))
        return;
    seq_space(s, &i);
    seq_printf(s, "%lu %lu %lu 0 0 %lu 0\n", i.mapped / PAGE_SIZE, i.resident,
               i.resident_file, i.resident - i.resident_file);
}

static void gen_comm(struct seq *s)
{
    struct proc *p = seq_proc(s);
    if (p)
        seq_printf(s, "%s\n", p->comm);
}

/* The bytes [from, to) of p's space, a page at a time; what is not
 * present ends it (a zombie has no space: nothing). */
static void space_bytes(struct seq *s, struct proc *p, uint64_t from,
                        uint64_t to)
{
    char *buf = p && p->vm && from < to ? kmalloc(PAGE_SIZE) : NULL;
    while (buf && from < to) {
        size_t want = MIN(to - from, (uint64_t)PAGE_SIZE);
        size_t got = vm_space_read(p->vm, from, buf, want);
        seq_write(s, buf, got);
        if (got < want)
            break;
        from += got;
    }
    kfree(buf);
}

/* The argument strings exec left (or, with env, the environment's). */
static void exec_strings(struct seq *s, bool env)
{
    struct vm_info i;
    struct proc *p = seq_space(s, &i);
    space_bytes(s, p, env ? i.env_start : i.arg_start,
                env ? i.env_end : i.arg_end);
}

static void gen_cmdline(struct seq *s)
{
    exec_strings(s, false);
}

static void gen_environ(struct seq *s)
{
    exec_strings(s, true);
}

struct maps_ctx {
    struct seq *s;
    uint64_t brk_start;
};

/* One line as Linux's show_map_vma: the name starts at column 74. */
static void map_line(const struct vm_area *a, void *arg)
{
    struct maps_ctx *m = arg;
    struct seq *s = m->s;
    const char *name = "";
    if (a->path)
        name = a->path;
    else if (a->start == m->brk_start)
        name = "[heap]";
    else if (a->end == 0x7ffffffde000UL)
        name = "[stack]";
    size_t before = s->len;
    seq_printf(s, "%012lx-%012lx %c%c%c%c %08lx %s %lu ", a->start, a->end,
               a->prot & PROT_READ ? 'r' : '-',
               a->prot & PROT_WRITE ? 'w' : '-',
               a->prot & PROT_EXEC ? 'x' : '-', a->shared ? 's' : 'p', a->off,
               a->ino ? "00:18" : "00:00", a->ino);
    if (*name) {
        for (size_t col = s->len - before; col < 73; col++)
            seq_write(s, " ", 1);
        seq_write(s, name, strlen(name));
        if (a->deleted)
            seq_printf(s, " (deleted)");
    }
    seq_write(s, "\n", 1);
}

static void gen_maps(struct seq *s)
{
    struct vm_info i;
    struct proc *p = seq_space(s, &i);
    struct maps_ctx m = {s, i.brk_start};
    if (p)
        vm_space_each(p->vm, map_line, &m);
}

static void link_exe(struct seq *s)
{
    struct vm_info i;
    if (seq_space(s, &i) && i.exe)
        seq_write(s, i.exe, strlen(i.exe));
}

static void link_cwd(struct seq *s)
{
    struct proc *p = seq_proc(s);
    char *path = p && p->fs ? kmalloc(PATH_MAX) : NULL;
    if (path && node_dir_path(fs_ctx_cwd(p->fs), path, PATH_MAX) > 0)
        seq_printf(s, "%s", path);
    kfree(path);
}

static void link_self(struct seq *s)
{
    struct thread *t = current();
    seq_printf(s, "%d", t->proc ? t->proc->pid : 1);
}

static void task_stat(struct seq *s)
{
    struct thread *t = thread_find(NODE_ID(s->node));
    if (t && t->proc)
        stat_line(s, t->proc, t);
}

static void task_status(struct seq *s)
{
    struct thread *t = thread_find(NODE_ID(s->node));
    if (t && t->proc)
        status_text(s, t->proc, t);
}

/* A thread's name is its process's (prctl PR_SET_NAME names both). */
static void task_comm(struct seq *s)
{
    struct thread *t = thread_find(NODE_ID(s->node));
    if (t && t->proc)
        seq_printf(s, "%s\n", t->proc->comm);
}

/* --- the nodes */

/* A node named name in dir, holding id: the node (the entry's reference
 * keeps it), or NULL when out of memory. */
static struct node *add_node(struct node *dir, const char *name, uint32_t mode,
                             int id)
{
    struct node *n = node_new(mode);
    if (!n)
        return NULL;
    n->pseudo = true;
    n->priv = (void *)(uintptr_t)id;
    int err = dir_link(dir, name, strlen(name), n);
    node_put(n);
    return err ? NULL : n;
}

static void add_gen(struct node *dir, const char *name,
                    void (*gen)(struct seq *), int id)
{
    struct node *n = add_node(dir, name, S_IFREG | 0444, id);
    if (n)
        n->gen = gen;
}

static struct node *add_dir(struct node *dir, const char *name, int id,
                            void (*refresh)(struct node *))
{
    struct node *n = add_node(dir, name, S_IFDIR | 0555, id);
    if (n)
        n->refresh = refresh;
    return n;
}

/* Empties dir, and every directory below it. */
static void prune(struct node *dir)
{
    while (!list_empty(&dir->children)) {
        struct dirent *d =
            container_of(dir->children.next, struct dirent, link);
        if (S_ISDIR(d->node->mode))
            prune(d->node);
        dir_unlink(dir, d->name, d->len);
    }
}

/* The number a name of digits spells, or -1. */
static int name_id(const struct dirent *d)
{
    int v = 0;
    for (unsigned i = 0; i < d->len; i++) {
        if (d->name[i] < '0' || d->name[i] > '9' || v > 100000000)
            return -1;
        v = v * 10 + (d->name[i] - '0');
    }
    return d->len ? v : -1;
}

/* --- fd/: an entry per open fd, a link to what it names */

static void fd_target(struct file *f, char *buf, size_t size)
{
    /* "pipe:[inode]", but "anon_inode:[eventfd]" as it is (Linux). */
    if (f->path)
        snprintf(buf, size, "%s", f->path);
    else if (f->anon && !strncmp(f->anon, "anon_inode:", 11))
        snprintf(buf, size, "%s", f->anon);
    else
        snprintf(buf, size, "%s:[%lu]", f->anon ? f->anon : "anon_inode",
                 (uint64_t)f >> 4);
}

struct fd_ctx {
    struct node *dir;
    char *target; /* PATH_MAX bytes */
};

static void fd_entry(int fd, struct file *f, void *arg)
{
    struct fd_ctx *c = arg;
    char name[12];
    int len = snprintf(name, sizeof(name), "%d", fd);
    fd_target(f, c->target, PATH_MAX);
    struct node *old = dir_lookup(c->dir, name, (size_t)len);
    if (old && old->link && !strcmp(old->link, c->target))
        return;
    dir_unlink(c->dir, name, (size_t)len);
    struct node *n = add_node(c->dir, name, S_IFLNK | 0700, NODE_ID(c->dir));
    size_t tl = strlen(c->target);
    if (n && (n->link = kmalloc(tl + 1))) {
        memcpy(n->link, c->target, tl + 1);
        n->size = tl;
    }
}

static void refresh_fd(struct node *dir)
{
    struct proc *p = proc_find(NODE_ID(dir));
    if (!p || !p->files) {
        prune(dir);
        return;
    }
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        if (!fd_table_file(p->files, name_id(d)))
            dir_unlink(dir, d->name, d->len);
    }
    struct fd_ctx c = {dir, kmalloc(PATH_MAX)};
    if (c.target)
        fd_table_each(p->files, fd_entry, &c);
    kfree(c.target);
}

/* --- task/: a directory per thread */

struct task_ctx {
    struct node *dir;
    struct proc *p;
};

static void task_entry(struct thread *t, void *arg)
{
    struct task_ctx *c = arg;
    char name[12];
    int len = snprintf(name, sizeof(name), "%d", t->tid);
    if (t->proc != c->p || dir_lookup(c->dir, name, (size_t)len))
        return;
    struct node *d = add_dir(c->dir, name, t->tid, NULL);
    if (!d)
        return;
    add_gen(d, "stat", task_stat, t->tid);
    add_gen(d, "status", task_status, t->tid);
    add_gen(d, "comm", task_comm, t->tid);
}

static void refresh_task(struct node *dir)
{
    struct proc *p = proc_find(NODE_ID(dir));
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        struct thread *t = thread_find(name_id(d));
        if (!p || !t || t->proc != p) {
            prune(d->node);
            dir_unlink(dir, d->name, d->len);
        }
    }
    struct task_ctx c = {dir, p};
    if (p)
        proc_each_thread(task_entry, &c);
}

/* --- /proc/PID */

static void refresh_pid(struct node *dir)
{
    if (!proc_find(NODE_ID(dir)))
        prune(dir);
}

static void pid_dir(struct node *root, const char *name, int pid)
{
    static const struct {
        const char *name;
        void (*gen)(struct seq *);
    } files[] = {
        {"stat", gen_stat},   {"status", gen_status},
        {"statm", gen_statm}, {"cmdline", gen_cmdline},
        {"comm", gen_comm},   {"environ", gen_environ},
        {"maps", gen_maps},   {"mounts", procfs_gen_mounts},
    };
    struct node *d = add_dir(root, name, pid, refresh_pid);
    if (!d)
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(files); i++)
        add_gen(d, files[i].name, files[i].gen, pid);
    struct node *n = add_node(d, "exe", S_IFLNK | 0777, pid);
    if (n)
        n->dyn_link = link_exe;
    n = add_node(d, "cwd", S_IFLNK | 0777, pid);
    if (n)
        n->dyn_link = link_cwd;
    n = add_dir(d, "fd", pid, refresh_fd);
    if (n)
        n->mode = S_IFDIR | 0500;
    add_dir(d, "task", pid, refresh_task);
}

static int proc_entry(struct proc *p, void *arg)
{
    struct node *root = arg;
    char name[12];
    int len = snprintf(name, sizeof(name), "%d", p->pid);
    if (!dir_lookup(root, name, (size_t)len))
        pid_dir(root, name, p->pid);
    return 0;
}

static void refresh_root(struct node *root)
{
    list_for_each(l, &root->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        int pid = name_id(d);
        if (pid >= 0 && !proc_find(pid)) {
            prune(d->node);
            dir_unlink(root, d->name, d->len);
        }
    }
    proc_each(proc_entry, root);
}

void procfs_pid_init(struct node *proc_dir)
{
    struct node *self = add_node(proc_dir, "self", S_IFLNK | 0777, 0);
    if (!self)
        panic("procfs: out of memory");
    self->dyn_link = link_self;
    proc_dir->refresh = refresh_root;
}
