// Command xattr checks the extended-attribute calls (getxattr, setxattr,
// listxattr, removexattr in their path, l- and f- forms) against Linux's
// rules: flags, size queries, ERANGE, E2BIG, ENODATA, the namespaces, user.
// attributes on symbolic links and special files, /proc, bad pointers and
// path errors.  It prints SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unsafe"
)

const (
	sysSetxattr     = 188
	sysLsetxattr    = 189
	sysFsetxattr    = 190
	sysGetxattr     = 191
	sysLgetxattr    = 192
	sysFgetxattr    = 193
	sysListxattr    = 194
	sysLlistxattr   = 195
	sysFlistxattr   = 196
	sysRemovexattr  = 197
	sysLremovexattr = 198
	sysFremovexattr = 199
	xattrCreate     = 1
	xattrReplace    = 2
	tmpfsMagic      = 0x01021994
	badPtr          = 8 // never mapped
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

// pinned keeps every buffer str made reachable: the calls below pass them
// as uintptr, which the garbage collector does not see.
var pinned [][]byte

func str(s string) uintptr {
	b := append([]byte(s), 0)
	pinned = append(pinned, b)
	return uintptr(unsafe.Pointer(&b[0]))
}

func buf(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&b[0]))
}

func call(nr uintptr, a ...uintptr) (int, syscall.Errno) {
	for len(a) < 6 {
		a = append(a, 0)
	}
	r, _, e := syscall.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	return int(r), e
}

// want checks a call's result: a count (err 0) or an errno.
func want(what string, n int, e syscall.Errno, wantN int, wantE syscall.Errno) {
	if wantE != 0 {
		check(e == wantE, "%s: got %d, %v; want %v", what, n, e, wantE)
	} else {
		check(e == 0 && n == wantN, "%s: got %d, %v; want %d", what, n, e, wantN)
	}
}

func set(p, name string, v []byte, flags int) syscall.Errno {
	_, e := call(sysSetxattr, str(p), str(name), buf(v), uintptr(len(v)), uintptr(flags))
	return e
}

func get(p, name string) ([]byte, syscall.Errno) {
	n, e := call(sysGetxattr, str(p), str(name), 0, 0)
	if e != 0 {
		return nil, e
	}
	b := make([]byte, n+1)
	n, e = call(sysGetxattr, str(p), str(name), buf(b), uintptr(len(b)))
	if e != 0 {
		return nil, e
	}
	return b[:n], 0
}

func list(nr uintptr, arg uintptr) ([]string, syscall.Errno) {
	n, e := call(nr, arg, 0, 0)
	if e != 0 || n == 0 {
		return nil, e
	}
	b := make([]byte, n)
	n, e = call(nr, arg, buf(b), uintptr(n))
	if e != 0 {
		return nil, e
	}
	names := strings.Split(strings.TrimSuffix(string(b[:n]), "\x00"), "\x00")
	sort.Strings(names)
	return names, 0
}

func basics(dir string) {
	p := filepath.Join(dir, "f")
	os.WriteFile(p, nil, 0644)
	names, e := list(sysListxattr, str(p))
	check(e == 0 && len(names) == 0, "fresh file lists %v, %v", names, e)
	// An empty list is 0 even with a bad buffer: nothing is copied.
	n, e := call(sysListxattr, str(p), badPtr, 100)
	want("listxattr none, bad buffer", n, e, 0, 0)

	check(set(p, "user.a", []byte("one"), 0) == 0, "set user.a")
	check(set(p, "user.empty", nil, 0) == 0, "set empty value")
	v, e := get(p, "user.a")
	check(e == 0 && string(v) == "one", "get user.a: %q %v", v, e)
	v, e = get(p, "user.empty")
	check(e == 0 && len(v) == 0, "get user.empty: %q %v", v, e)

	// Size 0 asks for the size; a small buffer is ERANGE.
	n, e = call(sysGetxattr, str(p), str("user.a"), 0, 0)
	want("getxattr size query", n, e, 3, 0)
	small := make([]byte, 2)
	n, e = call(sysGetxattr, str(p), str("user.a"), buf(small), 2)
	want("getxattr small buffer", n, e, 0, syscall.ERANGE)
	n, e = call(sysGetxattr, str(p), str("user.a"), badPtr, 10)
	want("getxattr bad buffer", n, e, 0, syscall.EFAULT)
	n, e = call(sysGetxattr, str(p), str("user.missing"), badPtr, 10)
	want("getxattr missing", n, e, 0, syscall.ENODATA)

	// XATTR_CREATE and XATTR_REPLACE.
	want("create existing", 0, set(p, "user.a", []byte("x"), xattrCreate), 0, syscall.EEXIST)
	want("replace missing", 0, set(p, "user.b", []byte("x"), xattrReplace), 0, syscall.ENODATA)
	want("bad flags", 0, set(p, "user.b", []byte("x"), 4), 0, syscall.EINVAL)
	check(set(p, "user.a", []byte("two!"), xattrReplace) == 0, "replace user.a")
	v, _ = get(p, "user.a")
	check(string(v) == "two!", "replaced value %q", v)
	check(set(p, "user.c", []byte("3"), xattrCreate) == 0, "create user.c")

	names, e = list(sysListxattr, str(p))
	check(e == 0 && strings.Join(names, ",") == "user.a,user.c,user.empty",
		"list: %v %v", names, e)
	n, e = call(sysListxattr, str(p), buf(small), 2)
	want("listxattr small buffer", n, e, 0, syscall.ERANGE)
	n, e = call(sysListxattr, str(p), badPtr, 100)
	want("listxattr bad buffer", n, e, 0, syscall.EFAULT)

	_, e = call(sysRemovexattr, str(p), str("user.c"))
	check(e == 0, "remove user.c: %v", e)
	_, e = call(sysRemovexattr, str(p), str("user.c"))
	want("remove again", 0, e, 0, syscall.ENODATA)
	_, e = get(p, "user.c")
	want("get removed", 0, e, 0, syscall.ENODATA)

	// Attributes belong to the file, whatever name reaches it.
	q := filepath.Join(dir, "hardlink")
	os.Link(p, q)
	v, _ = get(q, "user.a")
	check(string(v) == "two!", "through a hard link: %q", v)
	// Directories hold user. attributes too.
	check(set(dir, "user.dir", []byte("d"), 0) == 0, "set on a directory")
	v, _ = get(dir, "user.dir")
	check(string(v) == "d", "get on a directory: %q", v)
}

func names(dir string) {
	p := filepath.Join(dir, "n")
	os.WriteFile(p, nil, 0644)
	want("empty name", 0, set(p, "", []byte("x"), 0), 0, syscall.ERANGE)
	want("256-byte name", 0, set(p, "user."+strings.Repeat("n", 251), []byte("x"), 0), 0, syscall.ERANGE)
	check(set(p, "user."+strings.Repeat("n", 250), []byte("x"), 0) == 0, "255-byte name")
	want("prefix alone", 0, set(p, "user.", []byte("x"), 0), 0, syscall.EINVAL)
	want("no namespace", 0, set(p, "user", []byte("x"), 0), 0, syscall.EOPNOTSUPP)
	want("unknown namespace", 0, set(p, "other.a", []byte("x"), 0), 0, syscall.EOPNOTSUPP)
	_, e := get(p, "other.a")
	want("get unknown namespace", 0, e, 0, syscall.EOPNOTSUPP)
	want("system.", 0, set(p, "system.whatever", []byte("x"), 0), 0, syscall.EOPNOTSUPP)
	// The program is root: trusted. and security. are stored.
	check(set(p, "trusted.t", []byte("T"), 0) == 0, "set trusted.t")
	check(set(p, "security.s", []byte("S"), 0) == 0, "set security.s")
	v, _ := get(p, "trusted.t")
	check(string(v) == "T", "get trusted.t: %q", v)
	_, e = get(p, "trusted.missing")
	want("get trusted.missing", 0, e, 0, syscall.ENODATA)

	// Values: 64 KiB at most.
	big := bytes.Repeat([]byte("v"), 65537)
	want("65537-byte value", 0, set(p, "user.big", big, 0), 0, syscall.E2BIG)
	var sf syscall.Statfs_t
	syscall.Statfs(dir, &sf)
	if sf.Type == tmpfsMagic { // ext4's block holds less
		check(set(p, "user.big", big[:65536], 0) == 0, "65536-byte value")
		v, _ = get(p, "user.big")
		check(len(v) == 65536, "65536-byte value read back: %d", len(v))
	}
	_, e = call(sysSetxattr, str(p), str("user.f"), badPtr, 4, 0)
	want("set bad value", 0, e, 0, syscall.EFAULT)
	_, e = call(sysSetxattr, str(p), badPtr, str("x"), 1, 0)
	want("set bad name", 0, e, 0, syscall.EFAULT)
	// The name is checked before the path.
	want("bad name, missing file", 0, set(filepath.Join(dir, "none"), "", nil, 0), 0, syscall.ERANGE)
}

func links(dir string) {
	p := filepath.Join(dir, "target")
	l := filepath.Join(dir, "link")
	os.WriteFile(p, nil, 0644)
	os.Symlink("target", l)
	// The path forms follow the link, the l- forms do not.
	check(set(l, "user.via", []byte("1"), 0) == 0, "set through a symlink")
	v, _ := get(p, "user.via")
	check(string(v) == "1", "set through a symlink reached %q", v)
	_, e := call(sysLsetxattr, str(l), str("user.x"), str("1"), 1, 0)
	want("lsetxattr user. on a symlink", 0, e, 0, syscall.EPERM)
	_, e = call(sysLgetxattr, str(l), str("user.via"), 0, 0)
	want("lgetxattr user. on a symlink", 0, e, 0, syscall.ENODATA)
	_, e = call(sysLremovexattr, str(l), str("user.via"))
	want("lremovexattr user. on a symlink", 0, e, 0, syscall.EPERM)
	_, e = call(sysLsetxattr, str(l), str("trusted.x"), str("1"), 1, 0)
	check(e == 0, "lsetxattr trusted. on a symlink: %v", e)
	names, _ := list(sysLlistxattr, str(l))
	check(strings.Join(names, ",") == "trusted.x", "llistxattr: %v", names)
	n, e := call(sysLgetxattr, str(l), str("trusted.x"), 0, 0)
	want("lgetxattr trusted.x", n, e, 1, 0)

	// A FIFO takes no user. attributes either.
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0644)
	want("user. on a FIFO", 0, set(fifo, "user.x", []byte("1"), 0), 0, syscall.EPERM)
	_, e = get(fifo, "user.x")
	want("get user. on a FIFO", 0, e, 0, syscall.ENODATA)

	want("missing file", 0, set(filepath.Join(dir, "none"), "user.x", nil, 0), 0, syscall.ENOENT)
	want("not a directory", 0, set(filepath.Join(p, "x"), "user.x", nil, 0), 0, syscall.ENOTDIR)
	_, e = call(sysListxattr, str(filepath.Join(dir, "none")), 0, 0)
	want("list missing file", 0, e, 0, syscall.ENOENT)
	_, e = call(sysGetxattr, badPtr, str("user.x"), 0, 0)
	want("bad path", 0, e, 0, syscall.EFAULT)
}

func fds(dir string) {
	p := filepath.Join(dir, "fd")
	f, _ := os.Create(p)
	defer f.Close()
	fd := f.Fd()
	_, e := call(sysFsetxattr, fd, str("user.fd"), str("v"), 1, 0)
	check(e == 0, "fsetxattr: %v", e)
	n, e := call(sysFgetxattr, fd, str("user.fd"), 0, 0)
	want("fgetxattr", n, e, 1, 0)
	names, _ := list(sysFlistxattr, fd)
	check(strings.Join(names, ",") == "user.fd", "flistxattr: %v", names)
	_, e = call(sysFremovexattr, fd, str("user.fd"))
	check(e == 0, "fremovexattr: %v", e)
	n, e = call(sysFlistxattr, fd, 0, 0)
	want("flistxattr after remove", n, e, 0, 0)

	_, e = call(sysFgetxattr, 9999, str("user.fd"), 0, 0)
	want("fgetxattr bad fd", 0, e, 0, syscall.EBADF)
	// An O_PATH descriptor is not enough.
	op, err := syscall.Open(p, 0x200000, 0) // O_PATH
	if err == nil {
		_, e = call(sysFgetxattr, uintptr(op), str("user.fd"), 0, 0)
		want("fgetxattr O_PATH", 0, e, 0, syscall.EBADF)
		syscall.Close(op)
	}
	// A pipe is not in the file tree.
	var pp [2]int
	syscall.Pipe(pp[:])
	_, e = call(sysFsetxattr, uintptr(pp[0]), str("user.x"), str("v"), 1, 0)
	want("fsetxattr user. on a pipe", 0, e, 0, syscall.EPERM)
	n, e = call(sysFlistxattr, uintptr(pp[0]), 0, 0)
	want("flistxattr on a pipe", n, e, 0, 0)
	syscall.Close(pp[0])
	syscall.Close(pp[1])
}

func proc() {
	for _, p := range []string{"/proc/self/status", "/proc", "/proc/sys/fs/inotify/max_queued_events"} {
		want(p+" set", 0, set(p, "user.x", []byte("1"), 0), 0, syscall.EOPNOTSUPP)
		_, e := get(p, "user.x")
		want(p+" get", 0, e, 0, syscall.EOPNOTSUPP)
		n, e := call(sysListxattr, str(p), 0, 0)
		want(p+" list", n, e, 0, 0)
		_, e = call(sysRemovexattr, str(p), str("user.x"))
		want(p+" remove", 0, e, 0, syscall.EOPNOTSUPP)
	}
	// Character devices: user. does not apply (EPERM, ENODATA).
	want("/dev/null set", 0, set("/dev/null", "user.x", []byte("1"), 0), 0, syscall.EPERM)
	_, e := get("/dev/null", "user.x")
	want("/dev/null get", 0, e, 0, syscall.ENODATA)
}

// The kernel's memory for attributes is bounded: filling one file's worth
// of 64 KiB values eventually fails with ENOSPC (or E2BIG natively, where
// ext4 keeps them in one block), and removing them frees the room again.
func bound(dir string) {
	var sf syscall.Statfs_t
	syscall.Statfs(dir, &sf)
	if sf.Type != tmpfsMagic {
		return
	}
	p := filepath.Join(dir, "bound")
	os.WriteFile(p, nil, 0644)
	v := bytes.Repeat([]byte("b"), 65536)
	i, e := 0, syscall.Errno(0)
	for ; i < 1024; i++ {
		if e = set(p, fmt.Sprintf("user.b%d", i), v, 0); e != 0 {
			break
		}
	}
	check(e == syscall.ENOSPC, "filling attributes: %d set, then %v", i, e)
	os.Remove(p)
	os.WriteFile(p, nil, 0644)
	check(set(p, "user.again", v, 0) == 0, "attributes freed with their file")
	fmt.Printf("attribute bound: %d values of 64 KiB\n", i)
}

func main() {
	dir, err := os.MkdirTemp("", "xattr")
	if err != nil {
		fmt.Println("FAIL: MkdirTemp:", err)
		os.Exit(1)
	}
	basics(dir)
	names(dir)
	links(dir)
	fds(dir)
	proc()
	bound(dir)
	os.RemoveAll(dir)
	if failed > 0 {
		fmt.Printf("%d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
