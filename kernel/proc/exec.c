/*
 * proc/exec.c — starting a program, the image's at boot or one of the
 * guest's tree (execve): map its ELF segments as private
 * mappings of its file (the image's pages, copied on first write, so
 * start-up costs the same whatever the program's size), and for a
 * dynamically linked one its interpreter's (PT_INTERP: a file of the
 * guest's tree, packed there by the tool), build the initial stack the
 * System V ABI and Linux define (argc, argv, envp, auxv) and create the
 * main thread, which starts at the interpreter's entry when there is one.
 * Addresses as Linux's binfmt_elf picks them without randomisation: a PIE
 * at ELF_ET_DYN_BASE, the interpreter at the top of the mmap area.
 * execve checks everything it can before its point of no return (the
 * switch to the new address space), so that a failure returns to the
 * caller intact; a failure after it kills the process.
 */
#include "proc/proc.h"
#include "fs/fs.h"
#include "gorump/elf.h"
#include "gorump/image.h"
#include "mm/mm.h"

#define PIE_BASE GORUMP_PIE_BASE
/* The interpreter ends here: vm.c's MMAP_TOP, where mmap's top-down
 * search starts, so later mappings go below it as on Linux. */
#define INTERP_TOP 0x00007f0000000000UL
/* An interpreter spans at most this (ld.so: about 256 KiB), so it stays
 * well above any PIE program. */
#define INTERP_MAX_SPAN (1UL << 40)
#define STACK_TOP 0x7ffffffde000UL
#define STACK_SIZE (8UL << 20)
#define ARGS_MAX (2UL << 20)

enum {
    AT_NULL = 0,
    AT_PHDR = 3,
    AT_PHENT = 4,
    AT_PHNUM = 5,
    AT_PAGESZ = 6,
    AT_BASE = 7,
    AT_FLAGS = 8,
    AT_ENTRY = 9,
    AT_UID = 11,
    AT_EUID = 12,
    AT_GID = 13,
    AT_EGID = 14,
    AT_PLATFORM = 15,
    AT_HWCAP = 16,
    AT_CLKTCK = 17,
    AT_SECURE = 23,
    AT_RANDOM = 25,
    AT_HWCAP2 = 26,
    AT_EXECFN = 31,
    AT_SYSINFO_EHDR = 33,
    AT_MINSIGSTKSZ = 51,
};

/* Where the program and its interpreter went. */
struct exec_layout {
    uint64_t base;        /* the program's load bias (0 for ET_EXEC) */
    uint64_t interp_base; /* AT_BASE: the interpreter's, or 0 */
    uint64_t start;       /* where the main thread starts */
    uint64_t vdso;        /* AT_SYSINFO_EHDR: the vDSO's image, or 0 */
};

static int prot_of(uint32_t pflags)
{
    return ((pflags & 4) ? PROT_READ : 0) | ((pflags & 2) ? PROT_WRITE : 0) |
           ((pflags & 1) ? PROT_EXEC : 0);
}

/* The file a program or interpreter is mapped from: its node, and the
 * path /proc/self/maps names. */
struct exec_file {
    struct node *node;
    const char *path;
};

/*
 * Maps one PT_LOAD as Linux's binfmt_elf does (elf_load): the pages that
 * hold file bytes are a private mapping of the file, read from the image
 * in place and copied on first write; the bytes of the last of them past
 * p_filesz are zeroed, which gives that one page a private copy (Linux
 * leaves them when the segment is not writable: the ELF gABI wants them
 * zero); the rest of p_memsz is anonymous demand-zero memory, readable
 * and writable as Linux's vm_brk_flags makes it.  Mapped over whatever is
 * there (MAP_FIXED), so a page shared with the previous segment gets this
 * one's bytes and protection.
 */
static int load_segment(const struct exec_file *ef, uint64_t base,
                        const struct gorump_elf_load *l)
{
    uint64_t seg = base + l->vaddr;
    uint64_t start = ALIGN_DOWN(seg, PAGE_SIZE);
    uint64_t file_end = ALIGN_UP(seg + l->filesz, PAGE_SIZE);
    uint64_t end = ALIGN_UP(seg + l->memsz, PAGE_SIZE);
    int prot = prot_of(l->flags);
    int err = 0;
    if (l->filesz) {
        err = vm_map_exec(start, file_end, prot, ef->node, ef->path,
                          l->offset - (seg - start));
        if (!err && l->memsz > l->filesz)
            err = vm_zero_tail(seg + l->filesz);
    } else {
        file_end = start;
    }
    if (!err && end > file_end)
        err = vm_map_exec(file_end, end,
                          PROT_READ | PROT_WRITE | (prot & PROT_EXEC), NULL,
                          NULL, 0);
    return err;
}

/* Counts the NUL-terminated strings in a section. */
static unsigned count_strings(const char *s, uint64_t size)
{
    unsigned n = 0;
    for (uint64_t i = 0; i < size; i++)
        n += s[i] == '\0';
    return n;
}

/* What the initial stack holds: the path (AT_EXECFN; NULL: argv[0]), and
 * argv and envp as NUL-terminated strings one after the other. */
struct exec_args {
    const char *path;
    const char *args, *env;
    uint64_t args_size, env_size;
};

struct stack_builder {
    uint64_t sp;
    int err;
};

static uint64_t push_bytes(struct stack_builder *b, const void *p, size_t n)
{
    b->sp -= n;
    if (!b->err)
        b->err = (int)copy_to_user(b->sp, p, n);
    return b->sp;
}

/* The process's name as Linux's exec sets it (__set_task_comm): the
 * last component of the path, at most 15 bytes. */
static void exec_name(struct proc *p, const char *path)
{
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    size_t n = MIN(strlen(base), sizeof(p->comm) - 1);
    memset(p->comm, 0, sizeof(p->comm)); /* PR_GET_NAME reads all 16 */
    memcpy(p->comm, base, n);
}

/* What /proc/PID shows of the new program: its path, made absolute as
 * realpath(3) would, and where its arguments and environment lie. */
static void exec_record(const char *path, uint64_t args, uint64_t args_end,
                        uint64_t env, uint64_t env_end)
{
    char *real = path ? kmalloc(PATH_MAX) : NULL;
    bool ok = real && path_real(path, real, PATH_MAX) == 0;
    vm_set_exec(ok ? real : path, args, args_end, env, env_end);
    kfree(real);
}

static uint64_t build_stack(const struct exec_args *img,
                            const struct gorump_elf_info *info,
                            const struct exec_layout *lay)
{
    struct stack_builder b = {STACK_TOP, 0};
    uint64_t base = lay->base;
    uint8_t rnd[16];
    random_bytes(rnd, sizeof(rnd));
    uint64_t execfn =
        img->path ? push_bytes(&b, img->path, strlen(img->path) + 1) : 0;
    uint64_t at_random = push_bytes(&b, rnd, sizeof(rnd));
    uint64_t platform = push_bytes(&b, "x86_64", 7);
    uint64_t args = push_bytes(&b, img->args, img->args_size);
    uint64_t env = img->env_size ? push_bytes(&b, img->env, img->env_size) : 0;
    unsigned argc = count_strings(img->args, img->args_size);
    unsigned envc = count_strings(img->env, img->env_size);
    uint32_t cpu[4];
    cpuid(1, 0, cpu);

    uint64_t auxv[][2] = {
        {AT_PHDR, info->phdr ? base + info->phdr : 0},
        {AT_PHENT, info->phentsize},
        {AT_PHNUM, info->phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_BASE, lay->interp_base},
        {AT_FLAGS, 0},
        {AT_ENTRY, base + info->entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_PLATFORM, platform},
        {AT_HWCAP, cpu[3]},
        {AT_CLKTCK, 100},
        {AT_SECURE, 0},
        {AT_RANDOM, at_random},
        {AT_HWCAP2, 0},
        {AT_EXECFN, execfn ? execfn : args},
        {AT_MINSIGSTKSZ, signal_frame_max()},
        {AT_SYSINFO_EHDR, lay->vdso},
        {AT_NULL, 0},
    };
    /* argc, argv[], NULL, envp[], NULL, auxv: sp must end 16-aligned. */
    uint64_t words = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
    b.sp = ALIGN_DOWN(b.sp - words * 8, 16UL) + words * 8;
    push_bytes(&b, auxv, sizeof(auxv));
    uint64_t zero = 0;
    push_bytes(&b, &zero, 8);
    for (uint64_t i = img->env_size, k = envc; k > 0; k--) {
        uint64_t s = i - 1;
        while (s > 0 && img->env[s - 1])
            s--;
        uint64_t p = env + s;
        push_bytes(&b, &p, 8);
        i = s;
    }
    push_bytes(&b, &zero, 8);
    for (uint64_t i = img->args_size, k = argc; k > 0; k--) {
        uint64_t s = i - 1;
        while (s > 0 && img->args[s - 1])
            s--;
        uint64_t p = args + s;
        push_bytes(&b, &p, 8);
        i = s;
    }
    uint64_t c = argc;
    push_bytes(&b, &c, 8);
    if (!b.err)
        exec_record(img->path, args, args + img->args_size, env,
                    env + img->env_size);
    return b.err ? 0 : b.sp;
}

/* Maps every PT_LOAD of FILE at BASE; the highest address reached in
 * *top.  0 or a negative errno (reported, WHAT naming the file). */
static int load_elf(const struct exec_file *file,
                    const struct gorump_elf_info *info, uint64_t base,
                    const char *what, uint64_t *top)
{
    *top = 0;
    for (unsigned i = 0; i < info->nload; i++) {
        const struct gorump_elf_load *l = &info->load[i];
        int err = load_segment(file, base, l);
        if (err) {
            kprintf("gorump: %s: cannot map segment %u (error %d)\n", what, i,
                    err);
            return err;
        }
        *top = MAX(*top, base + l->vaddr + l->memsz);
    }
    return 0;
}

/* The interpreter PATH, from the guest's tree (resolved from the working
 * directory when relative, as execve does): loaded, with its base and
 * entry in *lay.  /proc/self/maps names it by its real path, every
 * symbolic link followed, as Linux names the file it opened. */
static int load_interp(const char *path, struct exec_layout *lay)
{
    struct gorump_elf_info info;
    struct exec_file ef = {NULL, NULL};
    uint64_t top;
    int err = path_resolve(AT_FDCWD, path, true, &ef.node);
    if (err) {
        kprintf("gorump: program: its interpreter %s: not in the image "
                "(error %d)\n",
                path, err);
        return -ENOEXEC;
    }
    const struct node *n = ef.node;
    char *real = kmalloc(PATH_MAX);
    int perr;
    err = -ENOEXEC;
    if (!S_ISREG(n->mode) || !n->image_data || n->image_size != n->size)
        kprintf("gorump: program: its interpreter %s is not a packed "
                "regular file\n",
                path);
    else if ((perr = gorump_elf_parse(n->image_data, n->size, &info)))
        kprintf("gorump: program: its interpreter %s: %s\n", path,
                gorump_elf_strerror(perr));
    else if (info.interp_len || (info.is_pie && info.hi > INTERP_MAX_SPAN))
        kprintf("gorump: program: its interpreter %s has an interpreter "
                "or is too big\n",
                path);
    else {
        ef.path = real && !path_real(path, real, PATH_MAX) ? real : path;
        lay->interp_base = info.is_pie ? INTERP_TOP - info.hi : 0;
        lay->start = lay->interp_base + info.entry;
        err = load_elf(&ef, &info, lay->interp_base, path, &top);
    }
    kfree(real);
    node_put(ef.node);
    return err;
}

/* The program's file: the node vfs_load_image put at its path, or (an
 * image without EXEPATH, or one whose path a packed directory took) a
 * node of its own with the image's bytes.  NULL when out of memory. */
static struct node *program_node(const struct gorump_image *img)
{
    struct node *n;
    if (img->exe_path && !path_resolve(AT_FDCWD, img->exe_path, true, &n)) {
        if (n->image_data == img->program)
            return n;
        node_put(n);
    }
    n = node_new(S_IFREG | 0755);
    if (n) {
        n->image_data = img->program;
        n->size = n->image_size = img->program_size;
    }
    return n;
}

/* The program's file and the bytes of it the ELF parser reads: the
 * image's PROGRAM section, or for a program on the image's disk its
 * first HEAD_MAX bytes read from there (the headers and the
 * interpreter's path are at the start of any file a linker writes). */
struct program {
    struct node *node;
    const uint8_t *head;
    uint8_t *owned; /* head when it was read into the heap */
    uint64_t head_len;
};

#define HEAD_MAX (64UL << 10)

static int program_open(const struct gorump_image *img, struct program *p)
{
    if (img->program_size) {
        p->node = program_node(img);
        p->head = img->program;
        p->head_len = img->program_size;
        return p->node ? 0 : -ENOMEM;
    }
    /* The checker found the program's record at exe_path; its node is
     * kept, as a share mounted over the path would hide it. */
    p->node = vfs_disk_program();
    int err = p->node ? 0 : -ENOENT;
    if (!err && (!S_ISREG(p->node->mode) || !p->node->on_disk ||
                 p->node->size != img->program_disk_size))
        err = -ENOEXEC;
    if (err) {
        kprintf("gorump: program: %s is not the image's program file "
                "(error %d)\n",
                img->exe_path, err);
        return -ENOEXEC;
    }
    p->head_len = MIN(p->node->size, HEAD_MAX);
    p->head = p->owned = kmalloc(p->head_len);
    if (!p->owned)
        return -ENOMEM;
    long r = node_read(p->node, (uint64_t)p->owned, false, p->head_len, 0);
    if (r != (long)p->head_len) {
        kprintf("gorump: program: cannot read its headers from the image's "
                "disk (error %ld)\n",
                r);
        return r < 0 ? (int)r : -EIO;
    }
    return 0;
}

static void program_close(struct program *p)
{
    if (p->node)
        node_put(p->node);
    kfree(p->owned);
}

/* Checks the program's headers: *info, or -ENOEXEC. */
static int exec_parse(const struct program *p, struct gorump_elf_info *info)
{
    return gorump_elf_parse_head(p->head, p->head_len, p->node->size, info)
               ? -ENOEXEC
               : 0;
}

/* Maps the program (named path in /proc/self/maps) and its interpreter
 * in the current address space, and sets the break after the program's
 * highest segment: *lay filled, or a negative errno (reported). */
static int exec_map(const struct program *p, const char *path,
                    const struct gorump_elf_info *info, struct exec_layout *lay)
{
    struct exec_file ef = {p->node, path};
    uint64_t top;
    *lay = (struct exec_layout){.base = info->is_pie ? PIE_BASE : 0};
    lay->start = lay->base + info->entry;
    int err = load_elf(&ef, info, lay->base, "program", &top);
    if (!err)
        vm_set_brk(top);
    if (!err && info->interp_len) /* NUL-terminated in the head */
        err = load_interp((const char *)p->head + info->interp_off, lay);
    return err;
}

/* The stack, the vDSO, and the initial stack's contents: its pointer,
 * or 0. */
static uint64_t exec_stack(const struct exec_args *a,
                           const struct gorump_elf_info *info,
                           struct exec_layout *lay)
{
    int err =
        vm_map_fixed(STACK_TOP - STACK_SIZE, STACK_TOP, PROT_READ | PROT_WRITE);
    lay->vdso = err ? 0 : vdso_map();
    return err ? 0 : build_stack(a, info, lay);
}

int exec_start(const struct gorump_image *img)
{
    struct gorump_elf_info info;
    struct exec_layout lay;
    struct program prog = {0};
    int err;
    if (!img->args_size || img->args_size + img->env_size > ARGS_MAX) {
        kprintf("gorump: image: arguments missing or larger than 2 MiB\n");
        return -E2BIG;
    }
    struct proc *p = proc_create();
    if (!p) {
        kprintf("gorump: out of memory for the program's process\n");
        return -ENOMEM;
    }
    err = program_open(img, &prog);
    int perr = err ? 0
                   : gorump_elf_parse_head(prog.head, prog.head_len,
                                           prog.node->size, &info);
    if (perr) {
        kprintf("gorump: program: %s\n", gorump_elf_strerror(perr));
        err = -ENOEXEC;
    }
    if (!err)
        err = exec_map(&prog, img->exe_path, &info, &lay);
    program_close(&prog);
    struct exec_args a = {img->exe_path, img->args, img->env, img->args_size,
                          img->env_size};
    uint64_t sp = err ? 0 : exec_stack(&a, &info, &lay);
    if (!err && !sp) {
        kprintf("gorump: cannot build the initial stack\n");
        err = -ENOMEM;
    }
    if (err) {
        proc_create_undo(p);
        return err;
    }
    exec_name(p, img->exe_path ? img->exe_path : img->args);
    thread_create_main(p, lay.start, sp);
    return 0;
}

/* --- execve */

/* Appends the strings of the user vector uvec (NULL-terminated; NULL
 * itself: none) to *buf, of *len bytes in *cap: 0, -EFAULT, -E2BIG (more
 * than ARGS_MAX in all) or -ENOMEM. */
static long copy_strings(uint64_t uvec, char **buf, uint64_t *len,
                         uint64_t *cap, uint64_t total)
{
    for (uint64_t i = 0; uvec; i++) {
        uint64_t up;
        if (copy_from_user(&up, uvec + 8 * i, 8))
            return -EFAULT;
        if (!up)
            return 0;
        long n;
        while ((n = *cap > *len
                        ? strncpy_from_user(*buf + *len, up, *cap - *len)
                        : -ENAMETOOLONG) == -ENAMETOOLONG) {
            if (total + *cap >= ARGS_MAX)
                return -E2BIG;
            uint64_t ncap = *cap ? *cap * 2 : PAGE_SIZE;
            char *n2 = kmalloc(ncap);
            if (!n2)
                return -ENOMEM;
            memcpy(n2, *buf, *len);
            kfree(*buf);
            *buf = n2, *cap = ncap;
        }
        if (n < 0)
            return n;
        *len += (uint64_t)n + 1;
    }
    return 0;
}

/* The node execveat names, and its path for AT_EXECFN (NULL for
 * fexecve's empty path). */
static int exec_node(int dirfd, uint64_t upath, int flags, char **path,
                     struct node **out)
{
    long err = path_resolve_user(dirfd, upath, flags, out);
    if (!err)
        *path = path_from_user(upath, &(long){0});
    return (int)err;
}

/* Opens the program execve runs and checks it (man 2 execve, ERRORS):
 * EACCES for what is not an executable regular file, ENOEXEC for what is
 * not an ELF program for this machine (no "#!" scripts), ENOENT for a
 * missing interpreter. */
static int exec_open(struct program *p, struct gorump_elf_info *info)
{
    const struct node *n = p->node;
    if (!S_ISREG(n->mode) || !(n->mode & 0111))
        return -EACCES;
    p->head_len = MIN(n->size, HEAD_MAX);
    p->head = p->owned = kmalloc(p->head_len ? p->head_len : 1);
    if (!p->owned)
        return -ENOMEM;
    long r = node_read(p->node, (uint64_t)p->owned, false, p->head_len, 0);
    if (r < 0)
        return (int)r;
    p->head_len = (uint64_t)r;
    int err = exec_parse(p, info);
    struct node *interp;
    if (!err && info->interp_len &&
        !(err = path_resolve(AT_FDCWD, (const char *)p->head + info->interp_off,
                             true, &interp)))
        node_put(interp);
    return err;
}

/* Past the point of no return: the new program in a new address space,
 * the old one dropped (a vfork parent still holds it), the fds marked
 * close-on-exec closed, the thread started anew.  An error here kills
 * the process (SIGSEGV, as Linux's exec does). */
static void exec_commit(struct proc *proc, struct vm_space *vm,
                        const struct program *prog,
                        const struct gorump_elf_info *info,
                        const struct exec_args *a)
{
    struct vm_space *old = proc->vm;
    struct exec_layout lay;
    proc->vm = vm;
    vm_space_switch(vm);
    vm_space_put(old);
    int err = exec_map(prog, a->path, info, &lay);
    uint64_t sp = err ? 0 : exec_stack(a, info, &lay);
    fd_close_cloexec();
    proc->execed = true;
    proc_vfork_release(proc);
    if (!sp) {
        kprintf("gorump: execve %s: cannot map it (error %d)\n", a->path,
                err ? err : -ENOMEM);
        signal_kill(proc, SIGSEGV);
        return;
    }
    exec_name(proc, a->path);
    thread_exec(lay.start, sp);
}

long exec_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
                 int flags)
{
    struct proc *proc = current()->proc;
    struct program prog = {0};
    struct gorump_elf_info info;
    struct exec_args a = {0};
    char *path = NULL, *args = NULL, *env = NULL;
    uint64_t cap = 0, ecap = 0;
    long err = -EINVAL;
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
        goto out;
    /* Linux's order: the file, then the arguments. */
    err = exec_node(dirfd, upath, flags, &path, &prog.node);
    if (!err)
        err = exec_open(&prog, &info);
    if (!err)
        err = copy_strings(uargv, &args, &a.args_size, &cap, 0);
    if (!err)
        err = copy_strings(uenvp, &env, &a.env_size, &ecap, cap);
    struct fd_table *files = err ? NULL : fd_table_unshare(proc->files);
    if (files) {
        proc->files = files;
        fd_table_install(files);
    }
    struct sig_actions *sa = files ? signal_actions_exec(proc->sigact) : NULL;
    if (sa)
        proc->sigact = sa;
    struct vm_space *vm = sa ? vm_space_create() : NULL;
    if (!err && !vm)
        err = -ENOMEM;
    /* The other threads leave; only the process's end stops that. */
    if (!err && (err = proc_exec_alone()))
        vm_space_put(vm);
    if (!err) {
        a.path = path ? path : (args ? args : "");
        a.args = args ? args : "", a.env = env;
        exec_commit(proc, vm, &prog, &info, &a);
    }
out:
    program_close(&prog);
    kfree(path);
    kfree(args);
    kfree(env);
    return err;
}
