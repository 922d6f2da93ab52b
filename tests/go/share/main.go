// Command share checks a directory shared from the host (gorump run -v
// HOSTDIR:GUESTPATH[:ro], docs/FILESYSTEM.md "Mounts") behaves as a
// Linux file system does, natively on the same directory too:
//
//	share write DIR         makes files, directories, links, renames,
//	                        truncates, maps (tests/guest/run.sh then
//	                        checks DIR on the host)
//	share read DIR          the files the host made in DIR (its
//	                        MANIFEST: name size mode mtime_ns sha256)
//	share ro DIR            every change of a read-only DIR is EROFS
//	share cross DIR [guest] "..", getcwd and /proc/mounts across the
//	                        mount point (guest: DIR is a 9p mount)
//	share special DIR       FIFOs and Unix-domain sockets made in DIR
//
// Prints SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func must(err error, what string) {
	check(err == nil, "%s: %v", what, err)
}

func isErrno(err error, e syscall.Errno) bool {
	return errors.Is(err, e)
}

// pattern is n bytes no two pages of which are alike.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/4096) ^ seed
	}
	return b
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: share write|read|ro|cross|special DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	switch os.Args[1] {
	case "write":
		write(dir)
	case "read":
		read(dir)
	case "ro":
		readOnly(dir)
	case "cross":
		cross(dir, len(os.Args) > 3 && os.Args[3] == "guest")
	case "special":
		special(dir)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}

// read compares what the host listed in DIR/MANIFEST with what stat,
// readlink and read say.
func read(dir string) {
	m, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	must(err, "read MANIFEST")
	for _, line := range strings.Split(strings.TrimSpace(string(m)), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			check(false, "manifest line %q", line)
			continue
		}
		p := filepath.Join(dir, f[0])
		size, _ := strconv.ParseInt(f[1], 10, 64)
		mode, _ := strconv.ParseUint(f[2], 8, 32)
		mtime, _ := strconv.ParseInt(f[3], 10, 64)
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			check(false, "lstat %s: %v", f[0], err)
			continue
		}
		check(st.Mode == uint32(mode), "%s: mode %o, host says %o", f[0], st.Mode, mode)
		if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
			check(st.Size == size, "%s: size %d, host says %d", f[0], st.Size, size)
		}
		check(st.Mtim.Nano() == mtime, "%s: mtime %d, host says %d", f[0], st.Mtim.Nano(), mtime)
		switch st.Mode & syscall.S_IFMT {
		case syscall.S_IFREG:
			b, err := os.ReadFile(p)
			must(err, "read "+f[0])
			check(fmt.Sprintf("%x", sha256.Sum256(b)) == f[4], "%s: contents differ", f[0])
		case syscall.S_IFLNK:
			t, err := os.Readlink(p)
			check(err == nil && t == f[4], "%s: readlink %q %v, host says %q", f[0], t, err, f[4])
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, "sub"))
	check(err == nil && len(ents) == 2 && ents[0].Name() == "a" && ents[1].Name() == "b" &&
		ents[1].IsDir(), "readdir sub: %v %v", ents, err)
	_, err = os.Stat(filepath.Join(dir, "nonexistent"))
	check(isErrno(err, syscall.ENOENT), "stat of a missing file: %v", err)
	_, err = os.Stat(filepath.Join(dir, "plain", "x"))
	check(isErrno(err, syscall.ENOTDIR), "stat through a file: %v", err)
	// The host's changes show at once: a file the test made is seen
	// changed when the host changed it before the run (no stale cache).
	var sf syscall.Statfs_t
	must(syscall.Statfs(dir, &sf), "statfs")
	check(sf.Bsize > 0 && sf.Blocks > 0 && sf.Namelen == 255, "statfs: %+v", sf)
}

// write makes what tests/guest/run.sh's c_share_write checks on the host.
func write(dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	big := pattern(1<<20+123, 1) // more than one message: split by msize
	must(os.WriteFile(at("big"), big, 0644), "write big")
	b, err := os.ReadFile(at("big"))
	check(err == nil && bytes.Equal(b, big), "big reads back: %v", err)
	must(os.WriteFile(at("f1"), pattern(100<<10, 2), 0644), "write f1")

	// A hole, then a few bytes past 3 MiB.
	f, err := os.OpenFile(at("sparse"), os.O_CREATE|os.O_RDWR, 0644)
	must(err, "create sparse")
	_, err = f.WriteAt([]byte("tail!"), 3<<20)
	must(err, "pwrite sparse")
	hole := make([]byte, 10)
	_, err = f.ReadAt(hole, 1<<20)
	check(err == nil && bytes.Equal(hole, make([]byte, 10)), "the hole reads zeros: %v", err)
	must(f.Sync(), "fsync")
	f.Close()

	f, err = os.OpenFile(at("app"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
	must(err, "create app")
	f.WriteString("a")
	f.WriteString("b")
	must(f.Truncate(10), "ftruncate up")
	f.Close()
	must(os.Chtimes(at("app"), time.Unix(1500000000, 5), time.Unix(1600000000, 123456789)), "chtimes")

	must(os.MkdirAll(at("d1/d2"), 0755), "mkdir d1/d2")
	must(os.WriteFile(at("d1/d2/inner.txt"), []byte("inner\n"), 0600), "write inner")
	must(os.Symlink("f1", at("lnk")), "symlink")
	t, err := os.Readlink(at("lnk"))
	check(err == nil && t == "f1", "readlink: %q %v", t, err)
	must(os.Link(at("f1"), at("hard")), "link")
	a, _ := os.Stat(at("f1"))
	h, _ := os.Stat(at("hard"))
	check(a != nil && h != nil && os.SameFile(a, h) &&
		h.Sys().(*syscall.Stat_t).Nlink == 2, "a hard link is the same file, nlink 2")

	must(os.Rename(at("f1"), at("d1/f1moved")), "rename a file into a directory")
	must(os.Rename(at("d1/d2"), at("d3")), "rename a directory")
	must(os.WriteFile(at("x"), []byte("xx"), 0644), "write x")
	must(os.WriteFile(at("y"), []byte("yyyy"), 0644), "write y")
	must(os.Rename(at("x"), at("y")), "rename over a file")
	_, err = os.Stat(at("x"))
	check(isErrno(err, syscall.ENOENT), "x is gone: %v", err)
	must(os.Truncate(at("big"), 5000), "truncate")
	must(os.Chmod(at("d1/f1moved"), 0600), "chmod")
	err = syscall.Rmdir(at("d1"))
	check(isErrno(err, syscall.ENOTEMPTY), "rmdir of a full directory: %v", err)
	must(os.Mkdir(at("empty"), 0700), "mkdir empty")
	must(syscall.Rmdir(at("empty")), "rmdir empty")
	err = os.Mkdir(at("d3"), 0755)
	check(isErrno(err, syscall.EEXIST), "mkdir of an existing name: %v", err)

	watched(dir)
	unlinkedStillReads(at("gone"))
	mapped(at)
	many(at("many"))
	// Another file system: /dev/shm is a tmpfs natively, the tree here.
	err = os.Rename(at("y"), "/dev/shm/share-y")
	check(isErrno(err, syscall.EXDEV), "rename to another file system: %v", err)
	err = os.Link(at("y"), "/dev/shm/share-y")
	check(isErrno(err, syscall.EXDEV), "link to another file system: %v", err)
	d, err := os.Open(dir)
	must(err, "open dir")
	must(d.Sync(), "fsync a directory")
	names, err := d.Readdirnames(-1)
	d.Close()
	sort.Strings(names)
	want := "app big d1 d3 hard lnk many shm sparse y"
	check(strings.Join(names, " ") == want, "listing %v, want %s", names, want)
}

// The guest's own changes to a watched directory of the share are
// inotify events, named.
func watched(dir string) {
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK)
	must(err, "inotify_init1")
	_, err = syscall.InotifyAddWatch(fd, dir, syscall.IN_CREATE|syscall.IN_DELETE|syscall.IN_MOVED_TO)
	must(err, "inotify_add_watch")
	must(os.WriteFile(filepath.Join(dir, "w1"), nil, 0644), "create w1")
	must(os.Rename(filepath.Join(dir, "w1"), filepath.Join(dir, "w2")), "rename w1")
	must(os.Remove(filepath.Join(dir, "w2")), "remove w2")
	buf := make([]byte, 4096)
	n, err := syscall.Read(fd, buf)
	var got []string
	for off := 0; err == nil && off+syscall.SizeofInotifyEvent <= n; {
		ev := (*syscall.InotifyEvent)(unsafePointer(buf[off:]))
		name := strings.TrimRight(string(buf[off+syscall.SizeofInotifyEvent:off+syscall.SizeofInotifyEvent+int(ev.Len)]), "\x00")
		got = append(got, fmt.Sprintf("%#x:%s", ev.Mask, name))
		off += syscall.SizeofInotifyEvent + int(ev.Len)
	}
	check(strings.Join(got, " ") == "0x100:w1 0x80:w2 0x200:w2", "inotify events %v %v", got, err)
	syscall.Close(fd)
}

// An open file outlives its name.
func unlinkedStillReads(p string) {
	must(os.WriteFile(p, []byte("still here"), 0644), "write gone")
	f, err := os.Open(p)
	must(err, "open gone")
	must(os.Remove(p), "unlink gone")
	b := make([]byte, 20)
	n, err := f.ReadAt(b, 0)
	check(n == 10 && string(b[:n]) == "still here", "read after unlink: %q %v", b[:n], err)
	var st syscall.Stat_t
	must(syscall.Fstat(int(f.Fd()), &st), "fstat after unlink")
	check(st.Nlink == 0 && st.Size == 10, "fstat after unlink: nlink %d size %d", st.Nlink, st.Size)
	f.Close()
}

// Private and shared mappings of shared files.
func mapped(at func(string) string) {
	f, err := os.Open(at("d1/f1moved"))
	must(err, "open f1moved")
	m, err := syscall.Mmap(int(f.Fd()), 0, 100<<10, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err == nil {
		check(bytes.Equal(m, pattern(100<<10, 2)), "a private mapping shows the file")
		syscall.Munmap(m)
	} else {
		check(false, "mmap private: %v", err)
	}
	f.Close()

	f, err = os.OpenFile(at("shm"), os.O_CREATE|os.O_RDWR, 0644)
	must(err, "create shm")
	must(f.Truncate(8192), "size shm")
	m, err = syscall.Mmap(int(f.Fd()), 0, 8192, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		check(false, "mmap shared: %v", err)
		return
	}
	copy(m[4000:], "stored through the mapping")
	_, err = f.WriteAt([]byte("written"), 100)
	must(err, "pwrite into a mapped file")
	check(string(m[100:107]) == "written", "the mapping sees a write: %q", m[100:107])
	b := make([]byte, 26)
	f.ReadAt(b, 4000)
	check(string(b) == "stored through the mapping", "read sees a store: %q", b)
	_, _, e := syscall.Syscall(syscall.SYS_MSYNC, uintptr(unsafePointer(m)), 8192, 4 /* MS_SYNC */)
	check(e == 0, "msync: %v", e)
	must(syscall.Munmap(m), "munmap")
	f.Close()
}

// A directory of more entries than one readdir answer holds.
func many(d string) {
	must(os.Mkdir(d, 0755), "mkdir many")
	for i := 0; i < 300; i++ {
		must(os.WriteFile(fmt.Sprintf("%s/file-with-a-longish-name-%03d", d, i), nil, 0644), "create")
	}
	ents, err := os.ReadDir(d)
	check(err == nil && len(ents) == 300, "readdir many: %d entries, %v", len(ents), err)
	for i, e := range ents {
		check(e.Name() == fmt.Sprintf("file-with-a-longish-name-%03d", i), "entry %d: %s", i, e.Name())
		must(os.Remove(filepath.Join(d, e.Name())), "remove")
	}
}
