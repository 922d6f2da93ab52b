/*
 * proc/proc.h — the program and its threads: creation and exit, the
 * scheduler (preemptive, tickless), sleeping and waking, futexes and
 * signals.  A process (struct proc) is what its threads share; each lower
 * layer owns the type of its part (mm's struct vm_space) and the process
 * holds pointers to them (docs/PROCESSES.md).  The first process is
 * the image's program; the others are made by clone (vfork), run other
 * programs (execve) and are waited for (wait4); the first one's exit is
 * the kernel's.
 *
 * Locking: the kernel runs with interrupts disabled and under the big
 * kernel lock (arch.h, bkl_enter), taken by every SYSCALL, trap and
 * interrupt and held across schedule(), so one CPU at a time runs kernel
 * code and what follows needs no lock of its own; interrupts are enabled
 * only in user mode and in the idle loop (which releases the BKL).
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H

#include "arch/x86_64/arch.h"
#include "lib/linux_abi.h"

#define NSIG 64
#define SIGBIT(s) (1UL << ((s)-1))

enum thread_state {
    THREAD_RUNNABLE,
    THREAD_SLEEPING,
    THREAD_ZOMBIE,
};

struct waitq {
    struct list waiters; /* threads, by run_link */
};

/* A pending signal's details, for the siginfo the handler receives. */
struct ksiginfo {
    int code;
    int pid;
    int status; /* SIGCHLD: the child's exit code or signal */
    uint64_t addr;
};

/* Wait statuses as Linux encodes them (man 2 wait): an exit code, or the
 * signal that killed the process. */
#define W_EXITCODE(code) (((code)&0xff) << 8)
#define W_SIGNALED(ws) (((ws)&0x7f) != 0)

struct vm_space;
struct fd_table;
struct fs_ctx;
struct sig_actions;

/* A process: what its threads share.  The first is made by proc_create,
 * the others by proc_clone; a process that ended is a zombie (its objects
 * dropped) until its parent waits for it. */
struct proc {
    int pid;
    int pgid, sid;               /* its process group and session */
    bool execed;                 /* ran execve: setpgid by its parent EACCES */
    struct list link;            /* every process, zombies too */
    struct proc *parent;         /* NULL for the first */
    struct list children;        /* by sibling, zombies too */
    struct list sibling;         /* in the parent's children */
    struct waitq child_wait;     /* wait4 sleepers: a child ended */
    struct thread *vfork_parent; /* sleeps until this one execs or exits */
    struct thread *exec_thread;  /* in execve: the others are to leave */
    int exit_signal;             /* sent to the parent at the end (SIGCHLD) */
    bool exiting;                /* its threads leave (exit_group) */
    bool zombie;                 /* ended; only pid and wstatus remain */
    int wstatus;                 /* how it ended (W_EXITCODE or signal) */
    struct vm_space *vm;         /* its address space (mm/vm.c) */
    struct fd_table *files;      /* its fds (fs/file.c) */
    struct fs_ctx *fs;           /* cwd and umask (fs/path.c) */
    struct sig_actions *sigact;  /* signal dispositions (signal.c) */
    uint64_t sigpending; /* sent to the process, every thread blocking it */
    struct ksiginfo siginfo[NSIG]; /* the details of those */
    int sigfatal;             /* it is to die by this signal (signal_kill) */
    int nthreads;             /* live threads */
    struct list pidfds;       /* its pidfds (pidfd.c), told of its end */
    uint64_t cpu_ns_gone;     /* CPU time of its threads that left */
    uint64_t cpu_ns_children; /* of its reaped children (and theirs) */
    char comm[16]; /* the program's name, NUL-terminated (/proc/PID/comm) */
};

struct thread {
    int tid;
    struct proc *proc; /* NULL for an idle thread */
    enum thread_state state;
    struct list run_link;   /* run queue or a waitq */
    struct list timer_link; /* sleepers with a deadline */
    struct list all_link;
    bool vfork_done;   /* its vfork child exec'd or ended */
    uint64_t deadline; /* wake-up time (mono ns), 0 for none */
    int wake_reason;   /* 0 woken, -ETIMEDOUT, -EINTR */
    uint64_t ksp;      /* saved kernel stack pointer (arch_switch) */
    uint64_t kstack;   /* lowest address of the kernel stack (kstack.c) */
    struct trapframe *tf;
    bool full_restore; /* leave the next syscall by iretq */
    uint64_t fs_base;
    uint64_t clear_child_tid;
    uint64_t set_child_tid;     /* fork's CLONE_CHILD_SETTID, written at its
                                   first run, in its own space */
    uint64_t cpu_ns, run_start; /* CPU time used; TSC when last scheduled */

    uint64_t sigmask, sigpending;
    struct ksiginfo siginfo[NSIG];
    uint64_t ss_sp, ss_size;
    int ss_flags;

    uint64_t futex_addr;
    uint32_t futex_bitset;

    struct cpu *oncpu;    /* the CPU running it; NULL when it is not running */
    struct cpu *rq;       /* the CPU whose run queue holds it; NULL: none */
    struct cpu *last_cpu; /* where it last ran (its cache is warm there) */
    bool to_boot_cpu;     /* its next schedule() queues it for CPU 0 only */
    uint64_t affinity;    /* CPUs (bit = id) it may run on; 0: any */

    /* FPU/SSE/AVX state while not running: fpu_area_size() bytes, 64-byte
     * aligned, in the same allocation as the thread (thread.c). */
    uint8_t *fpu;
};

static inline struct thread *current(void)
{
    return this_cpu()->current;
}

/* --- vdso.c */
/* Maps the vDSO and its data page into the current address space; the
 * image's address (AT_SYSINFO_EHDR), or 0 if there was no room (the
 * program then makes system calls for the time, as it must when the
 * auxiliary vector has none). */
uint64_t vdso_map(void);

/* --- exec.c */
struct gorump_image;
/* Maps the image's program and creates its main thread: 0, or a negative
 * errno after a message naming what is wrong. */
int exec_start(const struct gorump_image *img);
/* execveat(dirfd, path, argv, envp, flags) of the current process: on
 * success its thread returns to the new program (0, ignored); else a
 * negative errno with the process as it was. */
long exec_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp,
                 int flags);

/* --- thread.c */
/* Boot only: the empty thread lists. */
void proc_init(void);
/* The first process, with a new, empty address space now loaded on this
 * CPU (exec maps the program there), the boot's fd table and cwd (fs)
 * and every signal action SIG_DFL: NULL when out of memory. */
struct proc *proc_create(void);
/* Undoes proc_create after a failed load (nothing else refers to p). */
void proc_create_undo(struct proc *p);
/* What a new process shares with the current one (clone's CLONE_VM,
 * CLONE_FILES, CLONE_FS, CLONE_SIGHAND; without CLONE_VM a copy of the
 * address space, fork) and how it starts. */
struct proc_clone_args {
    bool copy_vm; /* fork: a copy-on-write copy of the address space */
    bool share_files, share_fs, share_sigact, vfork;
    bool clear_sighand; /* handled signals back to SIG_DFL (clone3) */
    int exit_signal;    /* to the parent at its end */
    uint64_t stack;     /* the child's stack pointer; 0: the caller's */
};
/* A child of the current process with one thread, a copy of the current
 * one returning 0 (runnable: sched_add'ed), in *out: 0, or -ENOMEM when
 * the copy of the address space failed, -EAGAIN when anything else did
 * (out of memory too), with nothing left allocated. */
int proc_clone(const struct proc_clone_args *a, struct thread **out);
/* CLONE_VFORK: the current thread sleeps until its child exec's or ends
 * (only a fatal signal or its process's end cuts it short). */
void proc_vfork_wait(struct proc *child);
/* The current process's vfork parent, if any, goes on (execve). */
void proc_vfork_release(struct proc *p);
/* execve: every other thread of the current process leaves, and the
 * current one takes the pid as its tid (Linux's de_thread): 0, or -EINTR
 * when the process is ending meanwhile. */
int proc_exec_alone(void);
/* The current thread leaves its process without ending it: another
 * thread execs (signal delivery). */
__noreturn void thread_leave_current(void);
/* Which children a wait is for: waitid's idtypes. */
enum { P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3 };
/* What wait learns of a child: how it ended, and the CPU time it and its
 * reaped children used. */
struct proc_waited {
    int wstatus;
    uint64_t cpu_ns;
};
/* wait4/waitid for the current process: a child matching (which, id)
 * (P_ALL any; P_PID that pid; P_PGID in group id) that ended: its pid
 * with *w, reaped unless nowait (its CPU time then added to the
 * caller's children's); 0 when none has ended and nohang; -ECHILD when
 * none matches; -ERESTARTSYS on a signal. */
long proc_wait(int which, int id, bool nohang, bool nowait,
               struct proc_waited *w);
/* The CPU time of p's threads, those that left included (getrusage). */
uint64_t proc_cpu_ns(struct proc *p);
/* Calls fn for every process, zombies included, in the order they were
 * made (/proc lists them so), while fn returns 0: the first non-zero
 * return, or 0. */
int proc_each(int (*fn)(struct proc *, void *), void *arg);
/* How many processes exist, zombies included (gorump.stats). */
int proc_count(void);
/* Every thread of p is to look at its signals now: sleeps are cut short
 * (-EINTR), threads on other CPUs interrupted. */
void proc_interrupt(struct proc *p);
/* The process pid (perhaps a zombie), or NULL. */
struct proc *proc_find(int pid);
/* The process's objects become this CPU's (its address space in CR3):
 * the scheduler's, at a switch to one of its threads. */
void proc_install(struct proc *p);
/* The main thread of p, entering user mode at rip with stack pointer
 * rsp. */
struct thread *thread_create_main(struct proc *p, uint64_t rip, uint64_t rsp);
/* A clone of the current thread into process p (its own or a new one)
 * for clone(2), returning 0 in the child (runnable), or NULL when out of
 * memory. */
struct thread *thread_clone(struct proc *p, uint64_t stack, uint64_t tls,
                            bool set_tls);
/* execve: the current thread starts anew at rip with stack pointer rsp,
 * its alternate stack, TLS and FPU state reset. */
void thread_exec(uint64_t rip, uint64_t rsp);
/* The live thread tid, or NULL. */
struct thread *thread_find(int tid);
/* exit(2) of the current thread: clears and wakes its clear_child_tid,
 * and the last thread's exit is the process's (proc_exit). */
__noreturn void thread_exit(int status);
/* The current process ends with wait status wstatus (W_EXITCODE(code),
 * or a signal): the first one's end is the kernel's (kernel_exit,
 * kernel.h: exit status code, or 128 + signal); another's threads all
 * leave, the last dropping its objects, and it becomes a zombie for its
 * parent.  From a thread's syscall or trap path. */
__noreturn void proc_exit(int wstatus);
/* Kills the current process for a signal it did not handle (the first
 * one's exit status 128+sig, with a message). */
__noreturn void proc_kill(int sig);
/* Out of memory for the current process's page at addr: the process with
 * the most resident pages (the current one on a tie) is killed, with a
 * message, unless it is dying already.  It dies by SIGKILL (the first
 * process: status 137) when its threads next return to user mode, so the
 * exit never runs on top of a half-done fault or syscall (Linux:
 * VM_FAULT_OOM, then SIGKILL on return to user mode); its parent's wait
 * sees the signal. */
void oom_kill(uint64_t addr);
/* Live threads, of every process. */
int proc_nthreads(void);
/* The last thread id (or pid) handed out. */
int proc_last_tid(void);
/* Calls fn for every live thread. */
void proc_each_thread(void (*fn)(struct thread *, void *), void *arg);

/* --- pidfd.c: pidfds, files that name a process (pidfd_open,
 * CLONE_PIDFD); readable once the process ended */
struct file;
/* A pidfd for p (O_NONBLOCK in flags: PIDFD_NONBLOCK), installed
 * close-on-exec: the fd, or -EMFILE / -ENOMEM. */
int pidfd_install(struct proc *p, unsigned flags);
/* The process f names (NULL once reaped) and its pid; -EBADF when f is
 * not a pidfd. */
int pidfd_target(struct file *f, struct proc **p, int *pid);
/* p ended (its pidfds become readable) or was reaped (they forget it). */
void pidfd_proc_ended(struct proc *p);
void pidfd_proc_reaped(struct proc *p);

/* --- crashtest.c: gorump.test-fault=stack|uaccess|iret, run as thread t
 * first enters user mode. */
void crashtest_run(struct thread *t);

/* --- sched.c */
/* A kernel callback at a deadline (mono ns).  It runs from the timer
 * interrupt or the idle loop: never inside other kernel code. */
struct ktimer {
    struct list link;
    uint64_t deadline;
    bool armed;
    void (*fn)(void *arg);
    void *arg;
};
/* (Re)arms t to fire once at deadline.  The hardware timer is not
 * reprogrammed here but at the next schedule, idle pass, timer interrupt
 * or sched_run_timers: until then a deadline earlier than the one armed
 * may be late. */
void ktimer_arm(struct ktimer *t, uint64_t deadline);
/* Disarms t (armed or not). */
void ktimer_cancel(struct ktimer *t);
/* Runs what is due and re-arms the hardware timer. */
void sched_run_timers(void);
/* Boot only: the boot context becomes the idle thread; the timer vector. */
void sched_init(void);
/* Makes t runnable, at the end of the run queue. */
void sched_add(struct thread *t);
/* Switches to the next runnable thread (or idle), requeueing the current
 * one if it is still runnable; returns when the current one runs again. */
void schedule(void);
/* The end of kmain: runs due timers and threads, halts when there is
 * nothing to do (interrupts on only there). */
__noreturn void sched_idle_loop(void);
/* An empty wait queue. */
void waitq_init(struct waitq *wq);
/* Blocks the current thread until woken, the deadline (mono ns, 0: none)
 * passes or a signal arrives: 0, -ETIMEDOUT or -EINTR. */
int sched_sleep(struct waitq *wq, uint64_t deadline);
/* Wakes up to n threads (n < 0: all); returns how many. */
int waitq_wake(struct waitq *wq, int n);
/* Wakes t if it sleeps: its sched_sleep returns reason (0, -EINTR,
 * -ETIMEDOUT). */
void sched_wake(struct thread *t, int reason);
/* If t runs on another CPU, that CPU enters the kernel (an IPI) and
 * sees t's new signal at its return to user mode. */
void sched_poke(struct thread *t);
/* The current thread moves to the boot CPU (which takes the device
 * interrupts the exit sequence waits for) and returns there. */
void sched_to_boot_cpu(void);
/* The online CPUs as a mask (bit = CPU id). */
uint64_t sched_online_mask(void);
/* sched_setaffinity: t runs only on the online CPUs of mask: queued
 * elsewhere it moves now, running elsewhere its CPU reschedules (the
 * current thread at its return to user mode): 0, or -EINVAL if mask
 * names none. */
int sched_set_affinity(struct thread *t, uint64_t mask);
/* CPU i's time running threads (not idle) since boot, in ns. */
uint64_t sched_cpu_busy_ns(unsigned i);
/* Threads every CPU took from another's run queue since boot. */
uint64_t sched_steals(void);
/* Threads running or queued to run now, on every CPU. */
unsigned sched_nr_running(void);
/* The 1, 5 and 15 minute load averages of that count, in fixed point
 * of 16 bits (sysinfo's loads). */
void sched_loadavg(uint64_t fp16[3]);
/* Switches from one thread to another (idle included) since boot. */
uint64_t sched_switches(void);
/* Runs at return to user mode: preemption and signal delivery. */
void user_return(struct trapframe *tf);

/* --- futex.c: futex(2)'s WAIT_BITSET and WAKE_BITSET (the others map
 * onto them) */
/* Sleeps while the u32 at uaddr is val, until woken with a bitset that
 * meets bitset, the deadline (mono ns, 0: none) or a signal: 0, -EAGAIN
 * (the value differs), -EINVAL, -EFAULT, -ETIMEDOUT, -EINTR. */
long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline,
                uint32_t bitset);
/* Wakes up to n waiters on uaddr whose bitset meets bitset: how many, or
 * -EINVAL. */
long futex_wake(uint64_t uaddr, int n, uint32_t bitset);

/* --- signal.c */
/* Signal actions: new ones (every action SIG_DFL), a copy of from (fork),
 * another reference to a (CLONE_SIGHAND), and dropping one: NULL when out
 * of memory. */
struct sig_actions *signal_actions_new(void);
struct sig_actions *signal_actions_copy(const struct sig_actions *from);
struct sig_actions *signal_actions_share(struct sig_actions *a);
void signal_actions_put(struct sig_actions *a);
/* execve: a's handled signals back to SIG_DFL (ignored ones stay), in a
 * copy of its own if a is shared (the caller's reference to a dropped):
 * NULL when out of memory (a kept). */
struct sig_actions *signal_actions_exec(struct sig_actions *a);
/* Sends sig (0: nothing) to one thread (tkill) or to process p (kill: a
 * thread not blocking it, else pending for the process), with si_code
 * code; SIGKILL ends the program at once.  Returns 0.  Any context. */
int signal_send_thread(struct thread *t, int sig, int code);
int signal_send_process(struct proc *p, int sig, int code);
/* kill(2) of many: to process group pgid, or (0) to every process but
 * the first and the caller's (the caller's own last: SIGKILL to it does
 * not return): 0, or -ESRCH when there was none. */
int signal_send_many(int pgid, int sig);
/* A child of parent ended (CLD_EXITED or CLD_KILLED, its exit code or
 * signal): signal sig with the child's pid, the sender, in si_pid, unless
 * it is SIGCHLD and the parent ignores it.  True when the child is to be
 * reaped at once: sig is SIGCHLD and the parent set SIG_IGN or
 * SA_NOCLDWAIT for it (man 2 wait, NOTES). */
bool signal_send_child(struct proc *parent, int sig, int code, int status);
/* True also when t's process is marked to die (signal_kill) or ends
 * (proc_exit): sleeps end with -EINTR and the next return to user mode
 * exits. */
bool signal_pending(struct thread *t);
/* Marks p to die by signal sig (exit status 128+sig) on its threads'
 * next return to user mode, without further message (proc_interrupt). */
void signal_kill(struct proc *p, int sig);
/* Delivers what is pending to the current thread, editing tf. */
void signal_deliver(struct trapframe *tf);
/* Turns a user fault into a forced signal. */
void signal_fault(struct trapframe *tf, int vm_err, uint64_t addr);
/* A CPU exception in user mode (divide error, breakpoint, #UD, x87/SIMD,
 * alignment, stack) becomes the signal Linux forces for it. */
void signal_trap(struct trapframe *tf);
/* "SIGSEGV" for 1..31, "real-time signal" otherwise. */
const char *signal_name(int sig);
struct linux_sigaction;
/* The current process's action of signal sig (1..NSIG), for
 * rt_sigaction. */
struct linux_sigaction *signal_action(int sig);
/* rt_sigreturn: restores the context saved by delivery; returns rax. */
long signal_return(struct trapframe *tf);
/* The most stack a signal frame takes on the alternate stack, alignment
 * included: AT_MINSIGSTKSZ (it grows with the CPU's XSAVE state). */
size_t signal_frame_max(void);
struct linux_stack;
/* sigaltstack's new stack for t, checked as Linux does (not while t runs
 * on its current one: the caller checks): 0, -EINVAL for bad flags, or
 * -ENOMEM for a stack smaller than MINSIGSTKSZ; t is unchanged on error. */
int signal_altstack_set(struct thread *t, const struct linux_stack *ss);

/* --- time.c: program times to nanoseconds, checked and saturating */
struct linux_timespec;
struct linux_timeval;
/* Longer than any sleep: the saturated value of a huge timeout. */
#define TIME_FOREVER (UINT64_MAX / 2)
#define NSEC 1000000000ULL /* nanoseconds in a second */
/* A timespec as nanoseconds: 0, or -EINVAL (negative seconds, nanoseconds
 * outside [0, 1e9)); huge values saturate to TIME_FOREVER. */
long time_ts_to_ns(const struct linux_timespec *ts, uint64_t *ns);
/* The same from user memory: also -EFAULT. */
long time_ts_from_user(uint64_t uts, uint64_t *ns);
/* A timeval likewise (microseconds outside [0, 1e6): -EINVAL). */
long time_tv_to_ns(const struct linux_timeval *tv, uint64_t *ns);
/* Milliseconds as nanoseconds, saturating to TIME_FOREVER. */
uint64_t time_ms_to_ns(uint64_t ms);
/* The monotonic time ns from now, saturating. */
uint64_t time_deadline(uint64_t ns);
/* Nanoseconds as a timespec or a timeval (microseconds truncated). */
struct linux_timespec time_ns_to_ts(uint64_t ns);
struct linux_timeval time_ns_to_tv(uint64_t ns);

#endif
