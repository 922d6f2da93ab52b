// Command selectpoll checks select and pselect6 (readiness of pipes,
// regular files, directories and O_PATH descriptors, EBADF, EINVAL, the
// timeout written back, the signal mask of pselect6), poll on files
// without a poll operation of their own (they are always ready, and used
// to crash the kernel), and the process's group, session and priorities:
// getpriority/setpriority, ioprio_get/ioprio_set, getpgid, setpgid,
// getpgrp, getsid and setsid.  It prints SUCCESS, or FAIL lines.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

const (
	sysSelect   = 23
	sysPselect6 = 270
	sysGetprio  = 140
	sysSetprio  = 141
	sysIoprioS  = 251
	sysIoprioG  = 252
	sysGetpgid  = 121
	sysGetsid   = 124
	sysSetpgid  = 109
	sysGetpgrp  = 111
	sysSetsid   = 112
	oPath       = 0x200000
	noPid       = 0x7ffffff0
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func call(nr uintptr, a ...uintptr) (int, syscall.Errno) {
	for len(a) < 6 {
		a = append(a, 0)
	}
	r, _, e := syscall.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	return int(r), e
}

type fdset [16]uint64 // 1024 bits

// What the calls below point the kernel at lives in package variables:
// call passes addresses as uintptr, and a goroutine's stack may move.
var (
	rset, wset, xset fdset
	gtv              syscall.Timeval
	gts              syscall.Timespec
	gmask            uint64
	gsig             [2]uintptr
)

func (s *fdset) set(fd int)         { s[fd/64] |= 1 << (fd % 64) }
func (s *fdset) has(fd int) bool    { return s[fd/64]&(1<<(fd%64)) != 0 }
func ptr(s *fdset) uintptr          { return uintptr(unsafe.Pointer(s)) }
func tv(t *syscall.Timeval) uintptr { return uintptr(unsafe.Pointer(t)) }

// sel selects on r, w and e (each fd in its own set) without waiting.
func sel(nfds int, rfd, wfd, efd int) (n int, e syscall.Errno, r, w, x fdset) {
	rset, wset, xset = fdset{}, fdset{}, fdset{}
	if rfd >= 0 {
		rset.set(rfd)
	}
	if wfd >= 0 {
		wset.set(wfd)
	}
	if efd >= 0 {
		xset.set(efd)
	}
	gtv = syscall.Timeval{}
	n, e = call(sysSelect, uintptr(nfds), ptr(&rset), ptr(&wset), ptr(&xset), tv(&gtv))
	return n, e, rset, wset, xset
}

// tvp points gtv at t.
func tvp(t syscall.Timeval) uintptr {
	gtv = t
	return tv(&gtv)
}

func selects() {
	var p [2]int
	syscall.Pipe(p[:])
	n, e, r, w, _ := sel(p[1]+1, p[0], p[1], -1)
	check(e == 0 && n == 1 && !r.has(p[0]) && w.has(p[1]), "empty pipe %v: %d %v, %v %v", p, n, e, r.has(p[0]), w.has(p[1]))
	syscall.Write(p[1], []byte("x"))
	n, e, r, w, _ = sel(p[1]+1, p[0], p[1], p[0])
	check(e == 0 && n == 2 && r.has(p[0]) && w.has(p[1]), "pipe with data: %d %v", n, e)

	// A regular file and a directory are always ready for reading and
	// writing, never for exceptions; an O_PATH descriptor, which select
	// cannot poll, is in all three sets.
	f, _ := os.Open("/proc/self/exe")
	d, _ := os.Open("/")
	op, _ := syscall.Open("/", oPath, 0)
	for _, fd := range []int{int(f.Fd()), int(d.Fd()), op} {
		n, e, r, w, x := sel(fd+1, fd, fd, fd)
		want := 2
		if fd == op {
			want = 3
		}
		check(e == 0 && n == want && r.has(fd) && w.has(fd) && x.has(fd) == (fd == op),
			"fd %d: %d %v", fd, n, e)
	}

	// A closed descriptor in any set is EBADF; above nfds it is not looked at.
	syscall.Close(p[1])
	n, e, _, _, _ = sel(p[1]+1, -1, -1, p[1])
	check(e == syscall.EBADF, "closed fd: %d %v", n, e)
	n, e, _, _, _ = sel(p[1], -1, -1, p[1])
	check(e == 0 && n == 0, "closed fd beyond nfds: %d %v", n, e)
	// The pipe's writer went: its reader is readable (POLLHUP).
	syscall.Read(p[0], make([]byte, 1))
	n, e, r, _, _ = sel(p[0]+1, p[0], -1, -1)
	check(e == 0 && n == 1 && r.has(p[0]), "hung-up pipe: %d %v", n, e)

	_, e = call(sysSelect, ^uintptr(0), 0, 0, 0, tvp(syscall.Timeval{}))
	check(e == syscall.EINVAL, "nfds -1: %v", e)
	n, e = call(sysSelect, 1<<20, 0, 0, 0, tvp(syscall.Timeval{}))
	check(e == 0 && n == 0, "huge nfds is cut to the table: %d %v", n, e)
	_, e = call(sysSelect, 0, 0, 0, 0, tvp(syscall.Timeval{Sec: -1}))
	check(e == syscall.EINVAL, "negative timeout: %v", e)
	_, e = call(sysSelect, 1, 8, 0, 0, tvp(syscall.Timeval{}))
	check(e == syscall.EFAULT, "bad set: %v", e)

	// The timeout is written back with the time left.
	var q [2]int
	syscall.Pipe(q[:])
	rset = fdset{}
	rset.set(q[0])
	start := time.Now()
	n, e = call(sysSelect, uintptr(q[0]+1), ptr(&rset), 0, 0, tvp(syscall.Timeval{Usec: 50000}))
	check(e == 0 && n == 0 && !rset.has(q[0]), "timeout: %d %v, set %v", n, e, rset.has(q[0]))
	check(time.Since(start) >= 45*time.Millisecond, "returned after %v", time.Since(start))
	check(gtv.Sec == 0 && gtv.Usec == 0, "time left after a timeout: %+v", gtv)
	go func() {
		time.Sleep(20 * time.Millisecond)
		syscall.Write(q[1], []byte("y"))
	}()
	rset = fdset{}
	rset.set(q[0])
	n, e = call(sysSelect, uintptr(q[0]+1), ptr(&rset), 0, 0, tvp(syscall.Timeval{Sec: 10}))
	check(e == 0 && n == 1 && rset.has(q[0]), "woken select: %d %v", n, e)
	check(gtv.Sec >= 8 && gtv.Sec < 10, "time left after waking: %+v", gtv)
	syscall.Close(q[0])
	syscall.Close(q[1])
	syscall.Close(p[0])
	f.Close()
	d.Close()
	syscall.Close(op)
}

func pselects() {
	var p [2]int
	syscall.Pipe(p[:])
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	wset = fdset{}
	wset.set(p[1])
	ts, sig := uintptr(unsafe.Pointer(&gts)), uintptr(unsafe.Pointer(&gsig))
	gts = syscall.Timespec{}
	n, e := call(sysPselect6, uintptr(p[1]+1), 0, ptr(&wset), 0, ts, 0)
	check(e == 0 && n == 1 && wset.has(p[1]), "pselect6: %d %v", n, e)
	gts.Nsec = 1000000000
	_, e = call(sysPselect6, 0, 0, 0, 0, ts, 0)
	check(e == syscall.EINVAL, "pselect6 nsec 1e9: %v", e)
	gsig = [2]uintptr{uintptr(unsafe.Pointer(&gmask)), 4}
	gts.Nsec = 0
	_, e = call(sysPselect6, 0, 0, 0, 0, ts, sig)
	check(e == syscall.EINVAL, "pselect6 sigset size 4: %v", e)
	gsig[1] = 8
	_, e = call(sysPselect6, 0, 0, 0, 0, ts, sig)
	check(e == 0, "pselect6 sigset size 8: %v", e)

	// A signal the mask lets through interrupts the wait: EINTR.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	defer signal.Stop(ch)
	tid := syscall.Gettid()
	go func() {
		time.Sleep(50 * time.Millisecond)
		syscall.Tgkill(syscall.Getpid(), tid, syscall.SIGUSR1)
	}()
	gts = syscall.Timespec{Sec: 10}
	start := time.Now()
	rset = fdset{}
	rset.set(p[0])
	_, e = call(sysPselect6, uintptr(p[0]+1), ptr(&rset), 0, 0, ts, sig)
	check(e == syscall.EINTR && time.Since(start) < 5*time.Second, "pselect6 and a signal: %v after %v", e, time.Since(start))
	<-ch
}

func polls() {
	f, _ := os.Open("/proc/self/exe")
	d, _ := os.Open("/")
	op, _ := syscall.Open("/", oPath, 0)
	defer f.Close()
	defer d.Close()
	defer syscall.Close(op)
	type pollfd struct {
		fd             int32
		events, revent int16
	}
	const pollIn, pollPri, pollOut, pollNval = 1, 2, 4, 0x20
	p := []pollfd{{int32(f.Fd()), pollIn | pollOut | pollPri, 0},
		{int32(d.Fd()), pollIn | pollOut, 0}, {int32(op), pollIn, 0}}
	r, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&p[0])), 3, 0)
	n := int(r)
	check(e == 0 && n == 3, "poll: %d %v", n, e)
	check(p[0].revent == pollIn|pollOut, "regular file: %#x", p[0].revent)
	check(p[1].revent == pollIn|pollOut, "directory: %#x", p[1].revent)
	check(p[2].revent == pollNval, "O_PATH: %#x", p[2].revent)
}

func priorities() {
	// Linux's nice belongs to the thread: stay on one.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prio := func(which, who int) (int, syscall.Errno) {
		return call(sysGetprio, uintptr(which), uintptr(who))
	}
	setp := func(which, who, nice int) syscall.Errno {
		_, e := call(sysSetprio, uintptr(which), uintptr(who), uintptr(nice))
		return e
	}
	old, e := prio(0, 0)
	check(e == 0 && old >= 1 && old <= 40, "getpriority: %d %v", old, e)
	check(setp(0, 0, 5) == 0, "setpriority 5")
	v, _ := prio(0, 0)
	check(v == 15, "nice 5 reads back as %d, want 15 (20-nice)", v)
	check(setp(0, 0, 100) == 0, "setpriority 100")
	v, _ = prio(0, 0)
	check(v == 1, "nice clamps to 19: %d", v)
	check(setp(0, 0, -30) == 0, "root lowers nice")
	v, _ = prio(0, 0)
	check(v == 40, "nice clamps to -20: %d", v)
	check(setp(0, 0, 20-old) == 0, "restore nice")
	_, e = prio(3, 0)
	check(e == syscall.EINVAL, "bad which: %v", e)
	_, e = prio(-1, 0)
	check(e == syscall.EINVAL, "which -1: %v", e)
	_, e = prio(0, noPid)
	check(e == syscall.ESRCH, "other pid: %v", e)
	_, e = prio(1, noPid)
	check(e == syscall.ESRCH, "other group: %v", e)
	check(setp(0, noPid, 0) == syscall.ESRCH, "setpriority other pid")

	io, e := call(sysIoprioG, 1, 0)
	check(e == 0 && io == 0, "ioprio_get: %#x %v", io, e)
	_, e = call(sysIoprioS, 1, 0, 2<<13|3)
	check(e == 0, "ioprio_set BE 3: %v", e)
	io, _ = call(sysIoprioG, 1, 0)
	check(io == 2<<13|3, "ioprio reads back %#x", io)
	_, e = call(sysIoprioS, 1, 0, 0<<13|3)
	check(e == syscall.EINVAL, "ioprio NONE with a level: %v", e)
	_, e = call(sysIoprioS, 1, 0, 5<<13)
	check(e == syscall.EINVAL, "ioprio class 5: %v", e)
	_, e = call(sysIoprioG, 4, 0)
	check(e == syscall.EINVAL, "ioprio_get bad which: %v", e)
	_, e = call(sysIoprioG, 1, noPid)
	check(e == syscall.ESRCH, "ioprio_get other pid: %v", e)
	call(sysIoprioS, 1, 0, 0)
}

func groups() {
	pid := syscall.Getpid()
	// Natively the test may not lead a session yet; setsid makes it one,
	// which is how gorump's process starts (pid = pgid = sid).
	if s, e := call(sysSetsid); e == 0 {
		check(s == pid, "setsid returned %d, pid %d", s, pid)
	}
	pg, _ := call(sysGetpgrp)
	pg0, _ := call(sysGetpgid, 0)
	pgs, _ := call(sysGetpgid, uintptr(pid))
	sid, _ := call(sysGetsid, 0)
	check(pg == pid && pg0 == pid && pgs == pid && sid == pid,
		"pid %d: getpgrp %d getpgid %d/%d getsid %d", pid, pg, pg0, pgs, sid)
	_, e := call(sysSetsid)
	check(e == syscall.EPERM, "setsid as a group leader: %v", e)
	_, e = call(sysSetpgid, 0, 0)
	check(e == syscall.EPERM, "setpgid of a session leader: %v", e)
	_, e = call(sysSetpgid, 0, uintptr(pid))
	check(e == syscall.EPERM, "setpgid(0, pid) of a session leader: %v", e)
	_, e = call(sysSetpgid, 0, ^uintptr(0))
	check(e == syscall.EINVAL, "setpgid negative pgid: %v", e)
	_, e = call(sysSetpgid, noPid, 0)
	check(e == syscall.ESRCH, "setpgid other pid: %v", e)
	_, e = call(sysGetpgid, noPid)
	check(e == syscall.ESRCH, "getpgid other pid: %v", e)
	_, e = call(sysGetsid, noPid)
	check(e == syscall.ESRCH, "getsid other pid: %v", e)
}

func main() {
	selects()
	pselects()
	polls()
	priorities()
	groups()
	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
