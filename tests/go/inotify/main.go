// Command inotify watches a directory in /tmp, changes things in it, and
// checks the exact events Linux reports: their order, names and padding,
// move cookies, merging of repeated events, IN_ISDIR, IN_IGNORED, the watch
// flags (IN_ONESHOT, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR,
// IN_DONT_FOLLOW, IN_EXCL_UNLINK), FIONREAD, reads too small for an event,
// readiness through epoll (edge-triggered, as Go's netpoller asks) and
// poll, and IN_Q_OVERFLOW at max_queued_events.  It prints SUCCESS, or
// FAIL lines.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const (
	inAccess       = 0x1
	inModify       = 0x2
	inAttrib       = 0x4
	inCloseWrite   = 0x8
	inCloseNowrite = 0x10
	inOpen         = 0x20
	inMovedFrom    = 0x40
	inMovedTo      = 0x80
	inCreate       = 0x100
	inDelete       = 0x200
	inDeleteSelf   = 0x400
	inMoveSelf     = 0x800
	inAllEvents    = 0xfff
	inQOverflow    = 0x4000
	inIgnored      = 0x8000
	inOnlydir      = 0x1000000
	inDontFollow   = 0x2000000
	inExclUnlink   = 0x4000000
	inMaskCreate   = 0x10000000
	inMaskAdd      = 0x20000000
	inIsdir        = 0x40000000
	inOneshot      = 0x80000000
	fionread       = 0x541b
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

var names = map[uint32]string{inAccess: "ACCESS", inModify: "MODIFY",
	inAttrib: "ATTRIB", inCloseWrite: "CLOSE_WRITE", inCloseNowrite: "CLOSE_NOWRITE",
	inOpen: "OPEN", inMovedFrom: "MOVED_FROM", inMovedTo: "MOVED_TO",
	inCreate: "CREATE", inDelete: "DELETE", inDeleteSelf: "DELETE_SELF",
	inMoveSelf: "MOVE_SELF", inQOverflow: "Q_OVERFLOW", inIgnored: "IGNORED",
	inIsdir: "ISDIR"}

// String is "wd:MASK|BITS:name", the form the expectations use.
func (e event) String() string {
	var bits []string
	for b := uint32(1); b != 0; b <<= 1 {
		if e.mask&b != 0 {
			if n, ok := names[b]; ok {
				bits = append(bits, n)
			} else {
				bits = append(bits, fmt.Sprintf("%#x", b))
			}
		}
	}
	s := fmt.Sprintf("%d:%s", e.wd, strings.Join(bits, "|"))
	if e.name != "" {
		s += ":" + e.name
	}
	return s
}

func parse(b []byte) []event {
	var out []event
	for len(b) >= 16 {
		e := event{wd: int32(binary.LittleEndian.Uint32(b)),
			mask:   binary.LittleEndian.Uint32(b[4:]),
			cookie: binary.LittleEndian.Uint32(b[8:])}
		n := int(binary.LittleEndian.Uint32(b[12:]))
		name := b[16 : 16+n]
		check(n%16 == 0, "name length %d is not padded to 16", n)
		if i := bytes.IndexByte(name, 0); i >= 0 {
			check(n == 0 || (i+1+15)/16*16 == n, "name %q padded to %d", name[:i], n)
			name = name[:i]
		}
		e.name = string(name)
		out = append(out, e)
		b = b[16+n:]
	}
	check(len(b) == 0, "%d stray bytes after the events", len(b))
	return out
}

// drain reads every queued event from the non-blocking instance.
func drain(fd int) []event {
	var all []event
	buf := make([]byte, 65536)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EAGAIN {
			return all
		}
		if err != nil {
			check(false, "read: %v", err)
			return all
		}
		all = append(all, parse(buf[:n])...)
	}
}

// expect compares the drained events with want, one "wd:MASK:name" each;
// MOVED_FROM and MOVED_TO in a row must share a non-zero cookie.
func expect(what string, fd int, want ...string) []event {
	got := drain(fd)
	var gs []string
	for i, e := range got {
		gs = append(gs, e.String())
		if e.mask&inMovedFrom != 0 && i+1 < len(got) {
			check(e.cookie != 0 && got[i+1].cookie == e.cookie,
				"%s: move cookies %d, %d", what, e.cookie, got[i+1].cookie)
		}
	}
	check(strings.Join(gs, " ") == strings.Join(want, " "),
		"%s:\n   got  %s\n   want %s", what, strings.Join(gs, " "), strings.Join(want, " "))
	return got
}

func addWatch(fd int, path string, mask uint32) (int, error) {
	return syscall.InotifyAddWatch(fd, path, mask)
}

func w(wd int, rest string) string { return strconv.Itoa(wd) + ":" + rest }

func sequence(fd int, dir string) {
	wd, err := addWatch(fd, dir, inAllEvents)
	check(err == nil && wd > 0, "add_watch dir: %d %v", wd, err)
	a, b, c, sub := filepath.Join(dir, "a"), filepath.Join(dir, "b"),
		filepath.Join(dir, "c"), filepath.Join(dir, "sub")

	os.WriteFile(a, []byte("x"), 0644)
	expect("create", fd, w(wd, "CREATE:a"), w(wd, "OPEN:a"), w(wd, "MODIFY:a"), w(wd, "CLOSE_WRITE:a"))
	os.ReadFile(a)
	expect("read", fd, w(wd, "OPEN:a"), w(wd, "ACCESS:a"), w(wd, "CLOSE_NOWRITE:a"))
	// O_TRUNC's MODIFY and the write's merge: they are the same event.
	os.WriteFile(a, []byte("yy"), 0644)
	expect("rewrite", fd, w(wd, "OPEN:a"), w(wd, "MODIFY:a"), w(wd, "CLOSE_WRITE:a"))
	os.Chmod(a, 0600)
	os.Chtimes(a, time.Now(), time.Now())
	expect("chmod+chtimes", fd, w(wd, "ATTRIB:a"))
	os.Mkdir(sub, 0755)
	os.Rename(a, b)
	os.Link(b, c)
	os.Symlink("b", filepath.Join(dir, "s"))
	os.Remove(c)
	os.Truncate(b, 1)
	expect("names", fd, w(wd, "CREATE|ISDIR:sub"), w(wd, "MOVED_FROM:a"), w(wd, "MOVED_TO:b"),
		w(wd, "CREATE:c"), w(wd, "CREATE:s"), w(wd, "DELETE:c"), w(wd, "MODIFY:b"))
	os.ReadDir(sub)
	os.Remove(sub)
	expect("directory", fd, w(wd, "OPEN|ISDIR:sub"), w(wd, "ACCESS|ISDIR:sub"),
		w(wd, "CLOSE_NOWRITE|ISDIR:sub"), w(wd, "DELETE|ISDIR:sub"))

	// A watch on the file itself too: parent's event first, then its own.
	wb, _ := addWatch(fd, b, inAllEvents)
	os.Chmod(b, 0644)
	expect("both watches", fd, w(wd, "ATTRIB:b"), w(wb, "ATTRIB"))
	again, err := addWatch(fd, b, inAttrib|inMaskAdd)
	check(again == wb && err == nil, "same inode, same wd: %d %d %v", again, wb, err)
	_, err = addWatch(fd, b, inAttrib|inMaskCreate)
	check(err == syscall.EEXIST, "IN_MASK_CREATE on a watched inode: %v", err)
	_, err = addWatch(fd, b, inAttrib|inMaskCreate|inMaskAdd)
	check(err == syscall.EINVAL, "IN_MASK_CREATE|IN_MASK_ADD: %v", err)
	os.Rename(b, a)
	expect("move self", fd, w(wd, "MOVED_FROM:b"), w(wd, "MOVED_TO:a"), w(wb, "MOVE_SELF"))
	os.Remove(a)
	expect("delete self", fd, w(wb, "ATTRIB"), w(wb, "DELETE_SELF"), w(wb, "IGNORED"), w(wd, "DELETE:a"))
	os.Remove(filepath.Join(dir, "s"))
	expect("symlink removed", fd, w(wd, "DELETE:s"))

	// Removing the watch: IN_IGNORED, then it is gone.
	_, err = syscall.InotifyRmWatch(fd, uint32(wd))
	check(err == nil, "rm_watch: %v", err)
	expect("rm_watch", fd, w(wd, "IGNORED"))
	_, err = syscall.InotifyRmWatch(fd, uint32(wd))
	check(err == syscall.EINVAL, "rm_watch twice: %v", err)
}

func flags(fd int, dir string) {
	f := filepath.Join(dir, "f")
	os.WriteFile(f, nil, 0644)
	wd, _ := addWatch(fd, f, inAttrib|inOneshot)
	os.Chmod(f, 0600)
	os.Chmod(f, 0644)
	expect("oneshot", fd, w(wd, "ATTRIB"), w(wd, "IGNORED"))

	_, err := addWatch(fd, f, inAttrib|inOnlydir)
	check(err == syscall.ENOTDIR, "IN_ONLYDIR on a file: %v", err)
	l := filepath.Join(dir, "l")
	os.Symlink("f", l)
	wl, _ := addWatch(fd, l, inAttrib|inDontFollow)
	wf, _ := addWatch(fd, l, inAttrib)
	check(wl != wf, "IN_DONT_FOLLOW watches the link itself: %d %d", wl, wf)
	os.Chmod(l, 0600) // follows the link: the file changes
	expect("dont follow", fd, w(wf, "ATTRIB"))
	syscall.InotifyRmWatch(fd, uint32(wl))
	syscall.InotifyRmWatch(fd, uint32(wf))
	drain(fd)

	_, err = addWatch(fd, filepath.Join(dir, "none"), inAttrib)
	check(err == syscall.ENOENT, "missing path: %v", err)
	_, err = addWatch(fd, dir, 0)
	check(err == syscall.EINVAL, "empty mask: %v", err)
	_, err = syscall.InotifyAddWatch(0, dir, inAttrib)
	check(err == syscall.EINVAL, "not an inotify fd: %v", err)
	_, err = syscall.InotifyAddWatch(9999, dir, inAttrib)
	check(err == syscall.EBADF, "bad fd: %v", err)
	_, err = syscall.InotifyRmWatch(0, 1)
	check(err == syscall.EINVAL, "rm_watch on a non-inotify fd: %v", err)

	// Events on an open file whose name is gone: to the directory under
	// its old name, unless the watch says IN_EXCL_UNLINK.
	for _, excl := range []bool{false, true} {
		mask := uint32(inModify)
		if excl {
			mask |= inExclUnlink
		}
		wd, _ := addWatch(fd, dir, mask)
		g, _ := os.Create(filepath.Join(dir, "gone"))
		os.Remove(g.Name())
		g.Write([]byte("x"))
		g.Close()
		if excl {
			expect("IN_EXCL_UNLINK", fd)
		} else {
			expect("unlinked open file", fd, w(wd, "MODIFY:gone"))
		}
		syscall.InotifyRmWatch(fd, uint32(wd))
		drain(fd)
	}
}

func reading(fd int, dir string) {
	wd, _ := addWatch(fd, dir, inCreate)
	os.WriteFile(filepath.Join(dir, "0123456789abcdef"), nil, 0644) // 16 bytes: padded to 32
	var n int32
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), fionread, uintptr(unsafe.Pointer(&n)))
	check(e == 0 && n == 16+32, "FIONREAD %d %v, want 48", n, e)
	small := make([]byte, 47)
	_, err := syscall.Read(fd, small)
	check(err == syscall.EINVAL, "read too small for the event: %v", err)
	expect("long name", fd, w(wd, "CREATE:0123456789abcdef"))
	syscall.InotifyRmWatch(fd, uint32(wd))
	drain(fd)
}

// readiness: epoll edge-triggered and poll, as Go's netpoller and others.
func readiness(fd int, dir string) {
	ep, _ := syscall.EpollCreate1(0)
	defer syscall.Close(ep)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | (1 << 31), Fd: int32(fd)}
	check(syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev) == nil, "epoll_ctl")
	out := make([]syscall.EpollEvent, 4)
	n, _ := syscall.EpollWait(ep, out, 0)
	check(n == 0, "empty instance ready: %d", n)
	wd, _ := addWatch(fd, dir, inAttrib|inCreate)
	os.Chmod(dir, 0700)
	n, _ = syscall.EpollWait(ep, out, 1000)
	check(n == 1 && out[0].Events&syscall.EPOLLIN != 0, "epoll after an event: %d", n)
	n, _ = syscall.EpollWait(ep, out, 0)
	check(n == 0, "edge-triggered: reported twice")
	pfd := []struct {
		fd            int32
		events, rvent int16
	}{{int32(fd), 1, 0}}
	r, _, _ := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&pfd[0])), 1, 0)
	check(r == 1 && pfd[0].rvent == 1, "poll: %d %#x", r, pfd[0].rvent)
	// An event merged into the last one queued is no new edge.
	os.Chmod(dir, 0755)
	n, _ = syscall.EpollWait(ep, out, 0)
	check(n == 0, "epoll after a merged event: %d", n)
	os.WriteFile(filepath.Join(dir, "edge"), nil, 0644)
	n, _ = syscall.EpollWait(ep, out, 1000)
	check(n == 1, "epoll after a second event: %d", n)
	syscall.InotifyRmWatch(fd, uint32(wd))
	drain(fd)
	n, _ = syscall.EpollWait(ep, out, 0)
	check(n == 0, "epoll after draining: %d", n)

	// The way fsnotify reads: a blocking Read through Go's netpoller.
	f := os.NewFile(uintptr(fd), "inotify")
	wd, _ = addWatch(fd, dir, inCreate)
	go func() {
		time.Sleep(50 * time.Millisecond)
		os.WriteFile(filepath.Join(dir, "late"), nil, 0644)
	}()
	buf := make([]byte, 4096)
	f.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := f.Read(buf)
	check(err == nil && m > 0, "netpoller read: %d %v", m, err)
	if err == nil {
		got := parse(buf[:m])
		check(len(got) == 1 && got[0].String() == w(wd, "CREATE:late"), "netpoller read got %v", got)
	}
	syscall.InotifyRmWatch(fd, uint32(wd))
	drain(fd)
}

func overflow(dir string) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	max, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	check(err == nil && max > 0, "max_queued_events %q %v", b, err)
	for _, p := range []string{"max_user_instances", "max_user_watches"} {
		b, err := os.ReadFile("/proc/sys/fs/inotify/" + p)
		v, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		check(err == nil && v > 0, "%s %q %v", p, b, err)
	}
	if max <= 0 || max > 1<<20 {
		return
	}
	fd, _ := syscall.InotifyInit1(syscall.IN_NONBLOCK)
	defer syscall.Close(fd)
	x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
	os.WriteFile(x, nil, 0644)
	os.WriteFile(y, nil, 0644)
	addWatch(fd, x, inAttrib)
	addWatch(fd, y, inAttrib)
	// Alternating files: no two events in a row merge.
	for i := 0; i < max+10; i++ {
		p := x
		if i%2 == 1 {
			p = y
		}
		os.Chmod(p, 0600|os.FileMode(i%2))
	}
	got := drain(fd)
	check(len(got) == max+1, "overflowing queue: %d events, want %d", len(got), max+1)
	if len(got) > 0 {
		last := got[len(got)-1]
		check(last.wd == -1 && last.mask == inQOverflow, "last event %v, want -1:Q_OVERFLOW", last)
	}
}

func main() {
	_, err := syscall.InotifyInit1(0x1234)
	check(err == syscall.EINVAL, "inotify_init1 unknown flags: %v", err)
	fd0, err := syscall.InotifyInit()
	check(err == nil, "inotify_init: %v", err)
	syscall.Close(fd0)
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		fmt.Println("FAIL: inotify_init1:", err)
		os.Exit(1)
	}
	fl, _, _ := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	check(fl == syscall.FD_CLOEXEC, "IN_CLOEXEC: F_GETFD %d", fl)
	_, err = syscall.Read(fd, make([]byte, 64))
	check(err == syscall.EAGAIN, "empty non-blocking read: %v", err)

	dir, err := os.MkdirTemp("", "inotify")
	if err != nil {
		fmt.Println("FAIL: MkdirTemp:", err)
		os.Exit(1)
	}
	sequence(fd, dir)
	flags(fd, dir)
	reading(fd, dir)
	readiness(fd, dir) // takes fd over
	overflow(dir)
	os.RemoveAll(dir)
	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
