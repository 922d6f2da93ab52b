// Command hostile attacks the system-call ABI with bad arguments, in the
// spirit of xv6's usertests: bad pointers must give EFAULT, bad fds EBADF,
// bad values EINVAL and so on (sockets.go: the socket calls), and the
// kernel must survive all of them.
// It also checks that loops of open/close, pipe/close and mmap/munmap leak
// neither file descriptors nor memory.
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

var failed int

// Addresses a program must never be able to use: page 0, the kernel half,
// a non-canonical address, and the very top of the user range.
var badPtrs = []uintptr{0x1, 0x800, 0xffff888000000000, 0xffffffff80100000,
	0x0000800000000000, 0x00007ffffffff000}

func expect(name string, errno syscall.Errno, want syscall.Errno) {
	if errno != want {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: %s: got errno %d (%v), want %d (%v)\n",
			name, int(errno), errno, int(want), want)
	}
}

func sys(nr uintptr, a ...uintptr) syscall.Errno {
	var args [6]uintptr
	copy(args[:], a)
	_, _, e := syscall.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	return e
}

func badPointers() {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	devzero, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		panic(err)
	}
	syscall.Write(p[1], []byte("x"))
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, p[0], &ev); err != nil {
		panic(err)
	}
	for _, b := range badPtrs {
		n := fmt.Sprintf("%#x", b)
		expect("read /dev/zero into "+n, sys(syscall.SYS_READ, uintptr(devzero), b, 16), syscall.EFAULT)
		expect("read pipe into "+n, sys(syscall.SYS_READ, uintptr(p[0]), b, 1), syscall.EFAULT)
		expect("fcntl F_SETLK from "+n, sys(syscall.SYS_FCNTL, uintptr(devzero), syscall.F_SETLK, b), syscall.EFAULT)
		expect("fcntl F_GETLK from "+n, sys(syscall.SYS_FCNTL, uintptr(devzero), syscall.F_GETLK, b), syscall.EFAULT)
		expect("write from "+n, sys(syscall.SYS_WRITE, 1, b, 8), syscall.EFAULT)
		expect("clock_gettime "+n, sys(syscall.SYS_CLOCK_GETTIME, 1, b), syscall.EFAULT)
		expect("gettimeofday "+n, sys(syscall.SYS_GETTIMEOFDAY, b, 0), syscall.EFAULT)
		expect("uname "+n, sys(syscall.SYS_UNAME, b), syscall.EFAULT)
		expect("rt_sigaction "+n, sys(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGUSR2), b, 0, 8), syscall.EFAULT)
		expect("rt_sigprocmask "+n, sys(syscall.SYS_RT_SIGPROCMASK, 0, b, 0, 8), syscall.EFAULT)
		expect("sigaltstack "+n, sys(syscall.SYS_SIGALTSTACK, b, 0), syscall.EFAULT)
		expect("futex wait "+n, sys(syscall.SYS_FUTEX, b&^3, 0x80, 0, 0), syscall.EFAULT)
		expect("epoll_ctl "+n, sys(syscall.SYS_EPOLL_CTL, uintptr(ep), syscall.EPOLL_CTL_MOD, uintptr(p[0]), b), syscall.EFAULT)
		expect("epoll_pwait "+n, sys(syscall.SYS_EPOLL_PWAIT, uintptr(ep), b, 4, 0, 0), syscall.EFAULT)
		expect("pipe2 "+n, sys(syscall.SYS_PIPE2, b, 0), syscall.EFAULT)
		expect("openat "+n, sys(syscall.SYS_OPENAT, ^uintptr(99), b, 0), syscall.EFAULT)
		expect("nanosleep "+n, sys(syscall.SYS_NANOSLEEP, b, 0), syscall.EFAULT)
		expect("getrandom "+n, sys(318, b, 16, 0), syscall.EFAULT)
		expect("writev "+n, sys(syscall.SYS_WRITEV, 1, b, 1), syscall.EFAULT)
		expect("sched_getaffinity "+n, sys(syscall.SYS_SCHED_GETAFFINITY, 0, 8, b), syscall.EFAULT)
		expect("prlimit64 "+n, sys(syscall.SYS_PRLIMIT64, 0, 7, 0, b), syscall.EFAULT)
		expect("fstat "+n, sys(syscall.SYS_FSTAT, 1, b), syscall.EFAULT)
		expect("sysinfo "+n, sys(syscall.SYS_SYSINFO, b), syscall.EFAULT)
		expect("mkdirat "+n, sys(syscall.SYS_MKDIRAT, ^uintptr(99), b, 0755), syscall.EFAULT)
		expect("newfstatat path "+n, sys(syscall.SYS_NEWFSTATAT, ^uintptr(99), b, uintptr(unsafe.Pointer(&statBuf)), 0), syscall.EFAULT)
		expect("newfstatat buf "+n, sys(syscall.SYS_NEWFSTATAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/"))), b, 0), syscall.EFAULT)
		expect("getdents64 "+n, sys(syscall.SYS_GETDENTS64, uintptr(rootDir), b, 4096), syscall.EFAULT)
		expect("getcwd "+n, sys(syscall.SYS_GETCWD, b, 4096), syscall.EFAULT)
		expect("readlinkat buf "+n, sys(syscall.SYS_READLINKAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/proc/self/exe"))), b, 64), syscall.EFAULT)
		expect("renameat2 "+n, sys(316, ^uintptr(99), b, ^uintptr(99), b, 0), syscall.EFAULT)
		expect("statx "+n, sys(332, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/"))), 0, 0x7ff, b), syscall.EFAULT)
		expect("utimensat "+n, sys(syscall.SYS_UTIMENSAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/tmp"))), b, 0), syscall.EFAULT)
		expect("execve path "+n, sys(syscall.SYS_EXECVE, b, 0, 0), syscall.EFAULT)
		// This program itself: only the bad pointer stops it.
		expect("execve argv "+n, sys(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(mustPtr("/proc/self/exe"))), b, 0), syscall.EFAULT)
		badArgv := [2]uintptr{b, 0}
		expect("execve envp string "+n, sys(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(mustPtr("/proc/self/exe"))), 0, uintptr(unsafe.Pointer(&badArgv[0]))), syscall.EFAULT)
	}
	// An iovec that itself points at kernel memory.
	iov := [2]uintptr{0xffff888000000000, 16}
	expect("writev of kernel memory", sys(syscall.SYS_WRITEV, 1, uintptr(unsafe.Pointer(&iov[0])), 1), syscall.EFAULT)
	// A buffer that starts valid and runs into unmapped memory.
	mem, err := syscall.Mmap(-1, 0, 8192, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	expect("munmap of the second page", sys(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(&mem[4096])), 4096), 0)
	// Linux returns what it copied before the fault.
	if n, _, e := syscall.Syscall(syscall.SYS_READ, uintptr(devzero), uintptr(unsafe.Pointer(&mem[0])), 8192); n != 4096 || e != 0 {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: read across into unmapped: got %d, errno %d; want 4096\n", n, e)
	}
	ro, _ := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	expect("read into read-only memory", sys(syscall.SYS_READ, uintptr(devzero), uintptr(unsafe.Pointer(&ro[0])), 16), syscall.EFAULT)
	syscall.Close(p[0])
	syscall.Close(p[1])
	syscall.Close(devzero)
	syscall.Close(ep)
}

// processes: clone, execve and wait with arguments that must fail before
// anything starts.
func processes() {
	ptr := func(s string) uintptr { return uintptr(unsafe.Pointer(mustPtr(s))) }
	expect("execve of a directory", sys(syscall.SYS_EXECVE, ptr("/tmp"), 0, 0), syscall.EACCES)
	expect("execve of /dev/null", sys(syscall.SYS_EXECVE, ptr("/dev/null"), 0, 0), syscall.EACCES)
	expect("execve of a missing file", sys(syscall.SYS_EXECVE, ptr("/no/such"), 0, 0), syscall.ENOENT)
	expect("execve through a file", sys(syscall.SYS_EXECVE, ptr("/dev/null/x"), 0, 0), syscall.ENOTDIR)
	expect("execveat bad flags", sys(322, ^uintptr(99), ptr("/no/such"), 0, 0, 1), syscall.EINVAL)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'a'
	}
	big[len(big)-1] = 0
	argv := []uintptr{uintptr(unsafe.Pointer(&big[0])), uintptr(unsafe.Pointer(&big[0])),
		uintptr(unsafe.Pointer(&big[0])), 0}
	expect("execve with 3 MiB of arguments", sys(syscall.SYS_EXECVE, ptr("/proc/self/exe"), uintptr(unsafe.Pointer(&argv[0])), 0), syscall.E2BIG)
	expect("wait4 without children", sys(syscall.SYS_WAIT4, ^uintptr(0), 0, 0, 0), syscall.ECHILD)
	expect("wait4 bad options", sys(syscall.SYS_WAIT4, ^uintptr(0), 0, 0x40, 0), syscall.EINVAL)
	expect("waitid without children", sys(syscall.SYS_WAITID, 0, 0, 0, 4, 0), syscall.ECHILD)
	expect("waitid idtype 7", sys(syscall.SYS_WAITID, 7, 0, 0, 4, 0), syscall.EINVAL)
	expect("waitid idtype -1", sys(syscall.SYS_WAITID, ^uintptr(0), 0, 0, 4, 0), syscall.EINVAL)
	expect("waitid without WEXITED", sys(syscall.SYS_WAITID, 0, 0, 0, 1, 0), syscall.EINVAL)
	expect("waitid P_PIDFD of a file", sys(syscall.SYS_WAITID, 3, 0, 0, 4, 0), syscall.EBADF)
	expect("clone CLONE_SIGHAND without CLONE_VM", sys(syscall.SYS_CLONE, 0x800|17, 0, 0, 0, 0), syscall.EINVAL)
	expect("kill of no process", sys(syscall.SYS_KILL, 99999, 0), syscall.ESRCH)
	expect("kill of no group", sys(syscall.SYS_KILL, ^uintptr(99998), 0), syscall.ESRCH)
	expect("setpgid pgid -1", sys(syscall.SYS_SETPGID, 0, ^uintptr(0)), syscall.EINVAL)
	expect("setpgid of no process", sys(syscall.SYS_SETPGID, 99999, 0), syscall.ESRCH)
	expect("getsid of no process", sys(syscall.SYS_GETSID, 99999), syscall.ESRCH)
	expect("getpgid of no process", sys(syscall.SYS_GETPGID, 99999), syscall.ESRCH)
	pidfds()
}

// pidfds: pidfd_open, pidfd_send_signal, pidfd_getfd, clone and clone3
// with CLONE_PIDFD given bad fds, flags and pointers; no child may start.
func pidfds() {
	const pidfdOpen, pidfdSendSignal, clone3, pidfdGetfd = 434, 424, 435, 438
	expect("pidfd_open pid -1", sys(pidfdOpen, ^uintptr(0), 0), syscall.EINVAL)
	expect("pidfd_open bad flags", sys(pidfdOpen, uintptr(os.Getpid()), 1), syscall.EINVAL)
	expect("pidfd_open of no process", sys(pidfdOpen, 99999, 0), syscall.ESRCH)
	fd, _, e := syscall.Syscall(pidfdOpen, uintptr(os.Getpid()), 0, 0)
	if e != 0 {
		expect("pidfd_open of itself", e, 0)
		return
	}
	expect("pidfd_send_signal to fd 9999", sys(pidfdSendSignal, 9999, 0, 0, 0), syscall.EBADF)
	expect("pidfd_send_signal to a non-pidfd", sys(pidfdSendSignal, 1, 0, 0, 0), syscall.EBADF)
	expect("pidfd_send_signal bad flags", sys(pidfdSendSignal, fd, 0, 0, 8), syscall.EINVAL)
	expect("pidfd_send_signal signal 99", sys(pidfdSendSignal, fd, 99, 0, 0), syscall.EINVAL)
	expect("pidfd_getfd of fd 9999", sys(pidfdGetfd, fd, 9999, 0), syscall.EBADF)
	expect("pidfd_getfd through a non-pidfd", sys(pidfdGetfd, 1, 1, 0), syscall.EBADF)
	expect("pidfd_getfd bad flags", sys(pidfdGetfd, fd, 1, 1), syscall.EINVAL)
	expect("waitid P_PIDFD of itself", sys(syscall.SYS_WAITID, 3, fd, 0, 4, 0), syscall.ECHILD)
	expect("waitid P_PIDFD of fd -1", sys(syscall.SYS_WAITID, 3, ^uintptr(0), 0, 4, 0), syscall.EINVAL)
	var args [11]uint64
	args[0] = 0x100 | 0x4000 | 0x1000 // CLONE_VM|CLONE_VFORK|CLONE_PIDFD
	args[4] = uint64(syscall.SIGCHLD)
	ca := uintptr(unsafe.Pointer(&args[0]))
	expect("clone3 size 8", sys(clone3, ca, 8), syscall.EINVAL)
	expect("clone3 size 8192", sys(clone3, ca, 8192), syscall.E2BIG)
	expect("clone CLONE_PIDFD|CLONE_PARENT_SETTID", sys(syscall.SYS_CLONE, 0x100|0x4000|0x1000|0x100000|17, 0, 0, 0, 0), syscall.EINVAL)
	for _, b := range badPtrs {
		n := fmt.Sprintf("%#x", b)
		expect("pidfd_send_signal siginfo at "+n, sys(pidfdSendSignal, fd, 0, b, 0), syscall.EFAULT)
		expect("clone3 args at "+n, sys(clone3, b, 88), syscall.EFAULT)
		args[1] = uint64(b)
		expect("clone3 pidfd at "+n, sys(clone3, ca, 88), syscall.EFAULT)
		expect("clone pidfd at "+n, sys(syscall.SYS_CLONE, 0x100|0x4000|0x1000|17, 0, b, 0, 0), syscall.EFAULT)
	}
	syscall.Close(int(fd))
}

func badValues() {
	long := "/" + strings.Repeat("a", 5000)
	bp, _ := syscall.BytePtrFromString(long)
	name300 := "/tmp/" + strings.Repeat("n", 300)
	expect("mkdir with a 300-byte name", sys(syscall.SYS_MKDIRAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr(name300))), 0755), syscall.ENAMETOOLONG)
	expect("open through a file", sys(syscall.SYS_OPENAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/dev/null/x"))), 0), syscall.ENOTDIR)
	expect("rmdir of /", sys(syscall.SYS_UNLINKAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/"))), 0x200), syscall.EBUSY)
	expect("getdents64 on a file", sys(syscall.SYS_GETDENTS64, 1, uintptr(unsafe.Pointer(&statBuf)), 64), syscall.ENOTDIR)
	expect("getdents64 with a tiny buffer", sys(syscall.SYS_GETDENTS64, uintptr(rootDir), uintptr(unsafe.Pointer(&statBuf)), 8), syscall.EINVAL)
	expect("readlink of a non-link", sys(syscall.SYS_READLINKAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/tmp"))), uintptr(unsafe.Pointer(&statBuf)), 64), syscall.EINVAL)
	expect("ftruncate of a read-only fd", sys(syscall.SYS_FTRUNCATE, uintptr(rootDir), 0), syscall.EISDIR)
	expect("lseek on a pipe-like console", sys(syscall.SYS_LSEEK, 1, 0, 0), syscall.ESPIPE)
	expect("openat of a 5000-byte path", sys(syscall.SYS_OPENAT, ^uintptr(99), uintptr(unsafe.Pointer(bp)), 0), syscall.ENAMETOOLONG)
	expect("read from fd 9999", sys(syscall.SYS_READ, 9999, 0, 0), syscall.EBADF)
	expect("write to fd -1", sys(syscall.SYS_WRITE, ^uintptr(0), 0, 0), syscall.EBADF)
	expect("close fd -1", sys(syscall.SYS_CLOSE, ^uintptr(0)), syscall.EBADF)
	expect("close fd 1000", sys(syscall.SYS_CLOSE, 1000), syscall.EBADF)
	expect("fcntl on fd 999", sys(syscall.SYS_FCNTL, 999, syscall.F_GETFD), syscall.EBADF)
	expect("fcntl F_SETLK on fd 999", sys(syscall.SYS_FCNTL, 999, syscall.F_SETLK, uintptr(unsafe.Pointer(&statBuf))), syscall.EBADF)
	processes()
	const sysMembarrier = 324
	expect("membarrier command 99", sys(sysMembarrier, 99, 0), syscall.EINVAL)
	expect("membarrier query with flags", sys(sysMembarrier, 0, 1), syscall.EINVAL)
	expect("membarrier private expedited, unregistered", sys(sysMembarrier, 8, 0), syscall.EPERM)
	expect("dup2 to fd 100000", sys(syscall.SYS_DUP2, 1, 100000), syscall.EBADF)
	expect("dup3 to itself", sys(syscall.SYS_DUP3, 1, 1, 0), syscall.EINVAL)
	expect("epoll_ctl on a non-epoll fd", sys(syscall.SYS_EPOLL_CTL, 1, 1, 2, 0), syscall.EINVAL)
	expect("epoll_create1 bad flags", sys(syscall.SYS_EPOLL_CREATE1, 1), syscall.EINVAL)
	expect("mmap of length 0", sys(syscall.SYS_MMAP, 0, 0, 3, 0x22, ^uintptr(0), 0), syscall.EINVAL)
	expect("mmap fixed unaligned", sys(syscall.SYS_MMAP, 0x100001, 4096, 3, 0x32, ^uintptr(0), 0), syscall.EINVAL)
	expect("mmap bad prot", sys(syscall.SYS_MMAP, 0, 4096, 0x100, 0x22, ^uintptr(0), 0), syscall.EINVAL)
	expect("mmap of a bad fd", sys(syscall.SYS_MMAP, 0, 4096, 1, 0x2, 999, 0), syscall.EBADF)
	expect("mmap of the kernel half", sys(syscall.SYS_MMAP, 0xffff888000000000, 4096, 3, 0x32, ^uintptr(0), 0), syscall.ENOMEM)
	expect("munmap unaligned", sys(syscall.SYS_MUNMAP, 0x100001, 4096), syscall.EINVAL)
	expect("mprotect of unmapped memory", sys(syscall.SYS_MPROTECT, 0x10000000, 4096, 1), syscall.ENOMEM)
	expect("sched_getaffinity with 4 bytes", sys(syscall.SYS_SCHED_GETAFFINITY, 0, 4, 0), syscall.EINVAL)
	expect("rt_sigaction SIGKILL", sys(syscall.SYS_RT_SIGACTION, 9, 0x1000, 0, 8), syscall.EINVAL)
	expect("rt_sigaction 65", sys(syscall.SYS_RT_SIGACTION, 65, 0, 0, 8), syscall.EINVAL)
	expect("rt_sigaction bad sigsetsize", sys(syscall.SYS_RT_SIGACTION, 10, 0, 0, 4), syscall.EINVAL)
	expect("rt_sigprocmask bad how", sys(syscall.SYS_RT_SIGPROCMASK, 7, uintptr(unsafe.Pointer(&iovDummy)), 0, 8), syscall.EINVAL)
	expect("tgkill of no thread", sys(syscall.SYS_TGKILL, 1, 99999, 10), syscall.ESRCH)
	expect("tgkill of another process", sys(syscall.SYS_TGKILL, 2, 1, 10), syscall.ESRCH)
	expect("kill of another process", sys(syscall.SYS_KILL, 2, 10), syscall.ESRCH)
	expect("kill with signal 100", sys(syscall.SYS_KILL, 1, 100), syscall.EINVAL)
	expect("clock_gettime of clock 99", sys(syscall.SYS_CLOCK_GETTIME, 99, uintptr(unsafe.Pointer(&iovDummy))), syscall.EINVAL)
	expect("nanosleep negative", sys(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&negTs)), 0), syscall.EINVAL)
	expect("arch_prctl code 999", sys(syscall.SYS_ARCH_PRCTL, 999, 0), syscall.EINVAL)
	expect("futex unaligned", sys(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&iovDummy))+1, 0x80, 0, 0), syscall.EINVAL)
	expect("futex unknown op", sys(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&iovDummy)), 0x8f, 0, 0), syscall.ENOSYS)
	expect("getrandom bad flags", sys(318, uintptr(unsafe.Pointer(&iovDummy)), 8, 0x100), syscall.EINVAL)
	expect("pipe2 bad flags", sys(syscall.SYS_PIPE2, uintptr(unsafe.Pointer(&iovDummy)), 1), syscall.EINVAL)
	expect("openat of a missing file", sys(syscall.SYS_OPENAT, ^uintptr(99), uintptr(unsafe.Pointer(mustPtr("/no/such/file"))), 0), syscall.ENOENT)
	expect("sigaltstack too small", sys(syscall.SYS_SIGALTSTACK, uintptr(unsafe.Pointer(&smallStack)), 0), syscall.ENOMEM)
	forks()
}

// forkExit is clone without CLONE_VM (fork) with the tid pointers given;
// the child exits at once with code, by raw calls only (it has one
// thread of the runtime's several).
//
//go:nosplit
func forkExit(flags, ptid, ctid, code uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, flags, 0, ptid, ctid, 0, 0)
	if e == 0 && r == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, code, 0, 0)
	}
	return r, e
}

// forks: bad tid pointers are ignored, as Linux ignores them (the
// child's are written by the child, cleared at its exit): the child runs
// and its status comes back.
func forks() {
	const settids = 0x100000 | 0x200000 | 0x1000000 // PARENT_SETTID, CHILD_CLEARTID, CHILD_SETTID
	for _, b := range badPtrs {
		pid, e := forkExit(settids|uintptr(syscall.SIGCHLD), b, b, 7)
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(int(pid), &ws, 0, nil)
		if e != 0 || err != nil || got != int(pid) || ws.ExitStatus() != 7 {
			failed++
			fmt.Fprintf(os.Stderr, "FAIL: fork with tids at %#x: errno %v, wait4 %d %v, status %v\n",
				b, e, got, err, ws)
		}
	}
	pid, e := forkExit(uintptr(syscall.SIGCHLD), 0, 0, 3)
	var ws syscall.WaitStatus
	if got, err := syscall.Wait4(int(pid), &ws, 0, nil); e != 0 || err != nil || got != int(pid) || ws.ExitStatus() != 3 {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: fork: errno %v, wait4 %d %v, status %v\n", e, got, err, ws)
	}
}

var (
	statBuf    syscall.Stat_t
	rootDir    = func() int { fd, _ := syscall.Open("/", syscall.O_RDONLY|syscall.O_DIRECTORY, 0); return fd }()
	iovDummy   uint64
	negTs      = syscall.Timespec{Sec: -1}
	smallStack = struct {
		sp    uintptr
		flags int32
		_     int32
		size  uintptr
	}{sp: 0x100000, size: 512}
)

func mustPtr(s string) *byte {
	p, err := syscall.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}

func freeRAM() uint64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		panic(err)
	}
	return si.Freeram * uint64(si.Unit)
}

func noLeaks() {
	first, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	syscall.Close(first)
	before := freeRAM()
	for i := 0; i < 1000; i++ {
		fd, err := syscall.Open("/dev/null", syscall.O_RDWR, 0)
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "FAIL: open #%d: %v\n", i, err)
			return
		}
		syscall.Close(fd)
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "FAIL: pipe #%d: %v\n", i, err)
			return
		}
		syscall.Write(p[1], []byte("leak?"))
		syscall.Close(p[0])
		syscall.Close(p[1])
		name := fmt.Sprintf("/tmp/leak-%d", i%7)
		if err := os.WriteFile(name, make([]byte, 20000), 0644); err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "FAIL: write file #%d: %v\n", i, err)
			return
		}
		os.Mkdir(name+".d", 0755)
		os.Rename(name, name+".d/x")
		os.RemoveAll(name + ".d")
		if i%5 != 0 {
			continue
		}
		m, err := syscall.Mmap(-1, 0, 1<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "FAIL: mmap #%d: %v\n", i, err)
			return
		}
		for j := 0; j < len(m); j += 4096 {
			m[j] = 1
		}
		syscall.Munmap(m)
	}
	after := freeRAM()
	fd, _ := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
	syscall.Close(fd)
	if fd != first {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: fd leak: first free fd was %d, now %d\n", first, fd)
	}
	// Go's own heap may grow a little; the loop touched 200 MiB in total.
	if before > after && before-after > 2<<20 {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: memory leak: free RAM fell by %d KiB\n", (before-after)>>10)
	}
	fmt.Printf("1000 open/close, pipe/close and file create/rename/delete, 200 1 MiB mmap/munmap: free RAM %d -> %d KiB, next fd %d\n",
		before>>10, after>>10, fd)
}

func main() {
	badPointers()
	badValues()
	badSockets()
	partialSends()
	noLeaks()
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
