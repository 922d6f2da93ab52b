// Command fs exercises the file system the way programs use it: reading and
// writing files, directories, renames, deep trees, symlinks and hard links,
// modes, times, temporary files, the working directory, /proc, /etc and
// embedded data.  It prints what it checked and SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

//go:embed testdata/embedded.txt
var embedded embed.FS

var failed int

// inGorump: some answers are gorump's own (hostname, file system type).
var inGorump = func() bool {
	var u syscall.Utsname
	syscall.Uname(&u)
	var b []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return strings.Contains(string(b), "gorump")
}()

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func must(err error, what string) {
	if err != nil {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", what, err)
	}
}

func readWrite(dir string) {
	p := filepath.Join(dir, "a.txt")
	must(os.WriteFile(p, []byte("hello\n"), 0640), "WriteFile")
	b, err := os.ReadFile(p)
	must(err, "ReadFile")
	check(string(b) == "hello\n", "ReadFile got %q", b)
	fi, err := os.Stat(p)
	must(err, "Stat")
	if err == nil {
		check(fi.Size() == 6, "size %d, want 6", fi.Size())
		check(fi.Mode().Perm() == 0640&^umask(), "mode %v", fi.Mode())
		check(fi.Mode().IsRegular(), "not regular: %v", fi.Mode())
		check(time.Since(fi.ModTime()) < time.Hour && time.Since(fi.ModTime()) > -time.Minute,
			"mtime %v is not now", fi.ModTime())
	}
	// Append, seek, pread/pwrite, truncate.
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	must(err, "open append")
	f.WriteString("world\n")
	f.Close()
	f, err = os.OpenFile(p, os.O_RDWR, 0)
	must(err, "open rdwr")
	buf := make([]byte, 5)
	n, err := f.ReadAt(buf, 6)
	check(n == 5 && string(buf) == "world", "ReadAt got %q %v", buf[:n], err)
	_, err = f.WriteAt([]byte("HELLO"), 0)
	must(err, "WriteAt")
	off, err := f.Seek(-6, io.SeekEnd)
	check(off == 6 && err == nil, "Seek end got %d %v", off, err)
	rest, _ := io.ReadAll(f)
	check(string(rest) == "world\n", "read after seek %q", rest)
	must(f.Truncate(3), "Truncate")
	must(f.Truncate(8), "Truncate grow")
	f.Close()
	b, _ = os.ReadFile(p)
	check(bytes.Equal(b, []byte("HEL\x00\x00\x00\x00\x00")), "after truncate %q", b)
	// A large file with a hole.
	big := filepath.Join(dir, "big")
	f, _ = os.Create(big)
	f.WriteAt([]byte("end"), 3<<20)
	f.Close()
	fi, _ = os.Stat(big)
	check(fi != nil && fi.Size() == 3<<20+3, "sparse size %v", fi)
	f, _ = os.Open(big)
	mid := make([]byte, 4096)
	f.ReadAt(mid, 1<<20)
	f.Close()
	check(bytes.Count(mid, []byte{0}) == 4096, "hole does not read as zeros")
	fmt.Println("read/write/append/seek/truncate: ok")
}

func umask() os.FileMode {
	old := syscall.Umask(0)
	syscall.Umask(old)
	return os.FileMode(old)
}

func dirs(dir string) {
	d := filepath.Join(dir, "d")
	must(os.MkdirAll(filepath.Join(d, "x", "y"), 0755), "MkdirAll")
	for _, n := range []string{"c", "a", "b"} {
		must(os.WriteFile(filepath.Join(d, n), []byte(n), 0644), "write "+n)
	}
	ents, err := os.ReadDir(d)
	must(err, "ReadDir")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	check(strings.Join(names, ",") == "a,b,c,x", "ReadDir names %v", names)
	check(len(ents) == 4 && ents[3].IsDir(), "x is not a dir")
	err = os.Mkdir(d, 0755)
	check(errors.Is(err, fs.ErrExist), "Mkdir existing: %v", err)
	err = os.Remove(d)
	check(err != nil && errors.Is(err, syscall.ENOTEMPTY), "Remove non-empty dir: %v", err)
	_, err = os.ReadDir(filepath.Join(d, "a"))
	check(errors.Is(err, syscall.ENOTDIR), "ReadDir of a file: %v", err)
	_, err = os.Stat(filepath.Join(dir, "nope", "x"))
	check(errors.Is(err, fs.ErrNotExist), "Stat missing: %v", err)
	// Many entries, read in several getdents batches.
	many := filepath.Join(dir, "many")
	os.Mkdir(many, 0755)
	for i := 0; i < 500; i++ {
		os.WriteFile(filepath.Join(many, fmt.Sprintf("file-with-a-long-name-%04d", i)), nil, 0644)
	}
	ents, err = os.ReadDir(many)
	check(err == nil && len(ents) == 500, "500 entries: got %d %v", len(ents), err)
	fmt.Println("directories: ok")
}

func renames(dir string) {
	a, b := filepath.Join(dir, "r1"), filepath.Join(dir, "r2")
	os.WriteFile(a, []byte("one"), 0644)
	os.WriteFile(b, []byte("two"), 0644)
	must(os.Rename(a, b), "Rename over a file")
	got, _ := os.ReadFile(b)
	check(string(got) == "one", "after rename %q", got)
	_, err := os.Stat(a)
	check(errors.Is(err, fs.ErrNotExist), "old name still there: %v", err)
	d1, d2 := filepath.Join(dir, "rd1"), filepath.Join(dir, "rd2")
	os.MkdirAll(filepath.Join(d1, "sub"), 0755)
	must(os.Rename(d1, d2), "Rename dir")
	_, err = os.Stat(filepath.Join(d2, "sub"))
	must(err, "sub after dir rename")
	err = os.Rename(d2, filepath.Join(d2, "sub", "inside"))
	check(errors.Is(err, syscall.EINVAL), "rename into itself: %v", err)
	os.Mkdir(d1, 0755)
	os.WriteFile(filepath.Join(d1, "f"), nil, 0644)
	err = os.Rename(d2, d1)
	check(errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST), "rename over non-empty dir: %v", err)
	fmt.Println("renames: ok")
}

func deepTree(dir string) {
	root := filepath.Join(dir, "deep")
	p := root
	for i := 0; i < 60; i++ {
		p = filepath.Join(p, fmt.Sprintf("level%d", i))
		must(os.MkdirAll(p, 0755), "MkdirAll deep")
		for j := 0; j < 3; j++ {
			os.WriteFile(filepath.Join(p, fmt.Sprintf("f%d", j)), []byte("x"), 0644)
		}
	}
	count := 0
	filepath.WalkDir(root, func(string, fs.DirEntry, error) error { count++; return nil })
	check(count == 1+60*4, "WalkDir saw %d entries", count)
	must(os.RemoveAll(root), "RemoveAll")
	_, err := os.Stat(root)
	check(errors.Is(err, fs.ErrNotExist), "deep tree still there: %v", err)
	fmt.Println("deep tree: ok")
}

func links(dir string) {
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("data"), 0644)
	l := filepath.Join(dir, "link")
	must(os.Symlink("target", l), "Symlink")
	got, err := os.Readlink(l)
	check(got == "target" && err == nil, "Readlink %q %v", got, err)
	b, _ := os.ReadFile(l)
	check(string(b) == "data", "read through link %q", b)
	fi, _ := os.Lstat(l)
	check(fi != nil && fi.Mode()&fs.ModeSymlink != 0, "Lstat mode %v", fi)
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	_, err = os.Stat(loop)
	check(errors.Is(err, syscall.ELOOP), "stat of a loop: %v", err)
	_, err = os.OpenFile(l, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	check(errors.Is(err, syscall.ELOOP), "O_NOFOLLOW: %v", err)
	hard := filepath.Join(dir, "hard")
	must(os.Link(target, hard), "Link")
	fi, _ = os.Stat(target)
	check(fi != nil && fi.Sys().(*syscall.Stat_t).Nlink == 2, "nlink after Link: %v", fi.Sys())
	os.Remove(target)
	b, _ = os.ReadFile(hard)
	check(string(b) == "data", "hard link after unlink %q", b)
	// A dir symlink used as a path component.
	os.MkdirAll(filepath.Join(dir, "realdir"), 0755)
	os.WriteFile(filepath.Join(dir, "realdir", "f"), []byte("via"), 0644)
	os.Symlink(filepath.Join(dir, "realdir"), filepath.Join(dir, "dirlink"))
	b, _ = os.ReadFile(filepath.Join(dir, "dirlink", "f"))
	check(string(b) == "via", "through dir link %q", b)
	openEdges(dir)
	fmt.Println("symlinks and hard links: ok")
}

// openEdges: open(2)'s rules for trailing slashes and dangling links, as
// Go's os.Root tests compare them with its own walk.
func openEdges(dir string) {
	file := filepath.Join(dir, "plain")
	must(os.WriteFile(file, []byte("x"), 0644), "WriteFile plain")
	_, err := os.Open(file + "/")
	check(errors.Is(err, syscall.ENOTDIR), "open \"file/\": %v", err)
	_, err = os.Open(filepath.Join(dir, "realdir", "..", "plain") + "/")
	check(errors.Is(err, syscall.ENOTDIR), "open \"d/../file/\": %v", err)
	_, err = os.OpenFile(file+"/", os.O_RDWR|os.O_CREATE, 0644)
	check(errors.Is(err, syscall.EISDIR), "O_CREAT \"file/\": %v", err)
	_, err = os.OpenFile(filepath.Join(dir, "new")+"/", os.O_RDWR|os.O_CREATE, 0644)
	check(errors.Is(err, syscall.EISDIR), "O_CREAT \"new/\": %v", err)
	f, err := os.Open(filepath.Join(dir, "realdir") + "/")
	check(err == nil, "open \"dir/\": %v", err)
	if f != nil {
		f.Close()
	}
	f, err = os.Open(filepath.Join(dir, "dirlink") + "/")
	check(err == nil, "open \"dirlink/\": %v", err)
	if f != nil {
		f.Close()
	}
	must(os.Symlink("plain", filepath.Join(dir, "flink")), "Symlink flink")
	_, err = os.OpenFile(filepath.Join(dir, "flink")+"/", os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	check(errors.Is(err, syscall.ENOTDIR), "O_NOFOLLOW \"filelink/\": %v", err)

	// O_CREAT|O_EXCL never follows a link, dangling or not: EEXIST.
	dangling := filepath.Join(dir, "dangling")
	must(os.Symlink("made/by/link", dangling), "Symlink dangling")
	_, err = os.OpenFile(dangling, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0644)
	check(errors.Is(err, fs.ErrExist), "O_EXCL on a dangling link: %v", err)
	// O_CREAT through a dangling link makes its target, when the
	// target's directory exists (through a second link too).
	_, err = os.OpenFile(dangling, os.O_RDWR|os.O_CREATE, 0644)
	check(errors.Is(err, fs.ErrNotExist), "O_CREAT, target's dir missing: %v", err)
	must(os.Symlink("dangling2", filepath.Join(dir, "chain")), "Symlink chain")
	must(os.Symlink("realdir/made", filepath.Join(dir, "dangling2")), "Symlink dangling2")
	f, err = os.OpenFile(filepath.Join(dir, "chain"), os.O_RDWR|os.O_CREATE, 0600)
	check(err == nil, "O_CREAT through two dangling links: %v", err)
	if f != nil {
		f.WriteString("made")
		f.Close()
	}
	b, err := os.ReadFile(filepath.Join(dir, "realdir", "made"))
	check(string(b) == "made", "the links' target: %q %v", b, err)
	must(os.Symlink("gone/", filepath.Join(dir, "slashlink")), "Symlink slashlink")
	_, err = os.OpenFile(filepath.Join(dir, "slashlink"), os.O_RDWR|os.O_CREATE, 0644)
	check(errors.Is(err, syscall.EISDIR), "O_CREAT through a link to \"gone/\": %v", err)
}

func modesTimes(dir string) {
	p := filepath.Join(dir, "m")
	os.WriteFile(p, nil, 0600)
	must(os.Chmod(p, 0751), "Chmod")
	fi, _ := os.Stat(p)
	check(fi != nil && fi.Mode().Perm() == 0751, "mode after Chmod %v", fi.Mode())
	must(os.Chown(p, 1000, 1001), "Chown")
	fi, _ = os.Stat(p)
	st := fi.Sys().(*syscall.Stat_t)
	check(st.Uid == 1000 && st.Gid == 1001, "owner %d:%d", st.Uid, st.Gid)
	when := time.Date(2001, 2, 3, 4, 5, 6, 7000, time.UTC)
	must(os.Chtimes(p, when, when), "Chtimes")
	fi, _ = os.Stat(p)
	check(fi.ModTime().Equal(when), "mtime %v", fi.ModTime())
	check(syscall.Access(p, 1) == nil, "X_OK on 0751")
	os.Chmod(p, 0644)
	check(syscall.Access(p, 1) == syscall.EACCES, "X_OK on 0644")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0644)
	check(errors.Is(err, fs.ErrExist), "O_EXCL on existing: %v %v", f, err)
	fchmodat2(dir, p)
	var sfs syscall.Statfs_t
	must(syscall.Statfs(dir, &sfs), "Statfs")
	check(!inGorump || sfs.Type == 0x01021994 && sfs.Bsize == 4096, "statfs %+v", sfs)
	fmt.Println("modes, owners, times, access, statfs: ok")
}

func tempAndCwd() {
	f, err := os.CreateTemp("", "gorump-*.tmp")
	must(err, "CreateTemp")
	if err == nil {
		check(strings.HasPrefix(f.Name(), "/tmp/gorump-"), "temp name %s", f.Name())
		f.Close()
		os.Remove(f.Name())
	}
	d, err := os.MkdirTemp("", "dir")
	must(err, "MkdirTemp")
	must(os.Chdir(d), "Chdir")
	wd, err := os.Getwd()
	check(wd == d && err == nil, "Getwd %q %v, want %q", wd, err, d)
	os.WriteFile("rel.txt", []byte("rel"), 0644)
	b, _ := os.ReadFile(filepath.Join(d, "rel.txt"))
	check(string(b) == "rel", "relative write %q", b)
	os.Mkdir("sub", 0755)
	must(os.Chdir("sub"), "Chdir sub")
	wd, _ = os.Getwd()
	check(wd == d+"/sub", "Getwd in sub %q", wd)
	must(os.Chdir(".."), "Chdir ..")
	link, _ := os.Readlink("/proc/self/cwd")
	check(link == d, "/proc/self/cwd %q", link)
	os.Chdir("/")
	must(os.RemoveAll(d), "RemoveAll temp dir")
	fmt.Println("temp files and working directory: ok")
}

func special() {
	exe, err := os.Executable()
	must(err, "Executable")
	fi, err := os.Stat(exe)
	check(err == nil && fi.Mode().IsRegular() && fi.Size() > 100000, "Executable %q: %v %v", exe, fi, err)
	cmd, _ := os.ReadFile("/proc/self/cmdline")
	check(strings.HasSuffix(strings.Split(string(cmd), "\x00")[0], filepath.Base(os.Args[0])), "cmdline %q", cmd)
	maps, _ := os.ReadFile("/proc/self/maps")
	check(bytes.Contains(maps, []byte("r-xp")) && bytes.Contains(maps, []byte("[stack]")), "maps %q", maps)
	mem, _ := os.ReadFile("/proc/meminfo")
	check(bytes.HasPrefix(mem, []byte("MemTotal:")), "meminfo %q", mem)
	// Umask in octal, four digits, as Linux (gorump's printf once had no %o).
	old := syscall.Umask(0o027)
	status, _ := os.ReadFile("/proc/self/status")
	syscall.Umask(old)
	check(bytes.Contains(status, []byte("\nUmask:\t0027\n")), "status %q", status)
	cpu, _ := os.ReadFile("/proc/cpuinfo")
	check(bytes.Contains(cpu, []byte("processor\t: 0")), "cpuinfo %q", cpu)
	for _, p := range []string{"/proc/self/stat", "/proc/self/statm", "/etc/hosts", "/etc/resolv.conf", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hostname"} {
		b, err := os.ReadFile(p)
		check(err == nil && len(b) > 0, "%s: %q %v", p, b, err)
	}
	f, _ := os.Open("/dev/null")
	link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	check(link == "/dev/null", "/proc/self/fd link %q %v", link, err)
	ents, _ := os.ReadDir("/proc/self/fd")
	check(len(ents) >= 4, "/proc/self/fd has %d entries", len(ents))
	f.Close()
	u, err := user.Current()
	check(err == nil && u.Username == "root" && u.HomeDir == "/root", "user.Current %+v %v", u, err)
	host, _ := os.Hostname()
	check(host != "" && (!inGorump || host == "gorump"), "Hostname %q", host)
	data, err := embedded.ReadFile("testdata/embedded.txt")
	check(err == nil && string(data) == "embedded data v1\n", "embed %q %v", data, err)
	fmt.Println("special files, /proc, /etc, embed: ok")
}

func dirfdRelative(dir string) {
	d, err := os.Open(dir)
	must(err, "open dir")
	defer d.Close()
	fd := int(d.Fd())
	must(syscall.Mkdirat(fd, "at", 0755), "mkdirat")
	nfd, err := syscall.Openat(fd, "at/f", os.O_CREATE|os.O_WRONLY, 0644)
	must(err, "openat relative")
	syscall.Write(nfd, []byte("at"))
	syscall.Close(nfd)
	b, _ := os.ReadFile(filepath.Join(dir, "at", "f"))
	check(string(b) == "at", "openat wrote %q", b)
	must(syscall.Unlinkat(fd, "at/f"), "unlinkat")
	check(syscall.Unlinkat(fd, "at") == syscall.EISDIR, "unlinkat of a dir without AT_REMOVEDIR")
	fmt.Println("dirfd-relative calls: ok")
}

// A named pipe: a non-blocking reader, a writer, data, then end of file.
func fifo(dir string) {
	p := filepath.Join(dir, "fifo")
	must(syscall.Mkfifo(p, 0600), "Mkfifo")
	fi, err := os.Stat(p)
	check(err == nil && fi.Mode()&fs.ModeNamedPipe != 0, "fifo mode %v %v", fi, err)
	r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	must(err, "open fifo for reading")
	w, err := os.OpenFile(p, os.O_WRONLY, 0)
	must(err, "open fifo for writing")
	if r == nil || w == nil {
		return
	}
	w.WriteString("through the fifo")
	w.Close()
	b, err := io.ReadAll(r)
	check(err == nil && string(b) == "through the fifo", "fifo read %q %v", b, err)
	r.Close()
	_, err = os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	check(errors.Is(err, syscall.ENXIO), "non-blocking writer without reader: %v", err)
	// A blocking reader waits for a writer to open, not to stay open: a
	// writer that writes and closes before the reader runs again still
	// lets it through, to the data and end of file.
	got := make(chan string, 1)
	go func() {
		r, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // the reader is waiting in open
	w, err = os.OpenFile(p, os.O_WRONLY, 0)
	must(err, "open fifo for writing (a reader waiting)")
	if w != nil {
		w.WriteString("brief")
		w.Close()
	}
	select {
	case b := <-got:
		check(b == "brief", "reader after a brief writer: %q", b)
	case <-time.After(10 * time.Second):
		check(false, "a reader waiting in open missed a writer that came and went")
	}
	fmt.Println("named pipes: ok")
}

// Fills the file system until it is full: ENOSPC, and what was written
// before must read back intact.
func enospc(dir string) {
	p := filepath.Join(dir, "fill")
	f, _ := os.Create(p)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	var written int64
	var err error
	for {
		var n int
		n, err = f.Write(chunk)
		written += int64(n)
		if err != nil {
			break
		}
	}
	f.Close()
	check(errors.Is(err, syscall.ENOSPC), "filling: %v after %d bytes", err, written)
	f, _ = os.Open(p)
	buf := make([]byte, len(chunk))
	var read int64
	for {
		n, err := io.ReadFull(f, buf)
		if n > 0 && !bytes.Equal(buf[:n], chunk[:n]) {
			check(false, "data corrupted at %d", read)
			break
		}
		read += int64(n)
		if err != nil {
			break
		}
	}
	f.Close()
	check(read == written, "read back %d of %d bytes", read, written)
	os.Remove(p)
	fmt.Printf("ENOSPC after %d MiB, data intact: ok\n", written>>20)
}

func tmpEntries() string {
	var names []string
	ents, _ := os.ReadDir(os.TempDir())
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// A pipe's size: F_GETPIPE_SZ agrees with /proc/sys/fs/pipe-max-size's
// format and with what a non-blocking writer can put in before EAGAIN;
// F_SETPIPE_SZ grants at least what is asked; neither works on a file.
func pipeSize(dir string) {
	b, err := os.ReadFile("/proc/sys/fs/pipe-max-size")
	max, aerr := strconv.Atoi(strings.TrimSpace(string(b)))
	check(err == nil && aerr == nil && max >= 4096 && strings.HasSuffix(string(b), "\n"),
		"pipe-max-size %q %v", b, err)
	var p [2]int
	must(syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC), "Pipe2")
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	size, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(p[1]), 1032, 0) // F_GETPIPE_SZ
	check(e == 0 && int(size) >= 4096 && int(size) <= max, "F_GETPIPE_SZ: %d %v (max %d)", size, e, max)
	n, err := syscall.Write(p[1], make([]byte, size))
	check(err == nil && n == int(size), "filling a pipe of %d: %d %v", size, n, err)
	_, err = syscall.Write(p[1], []byte{1})
	check(err == syscall.EAGAIN, "writing to a full pipe: %v", err)
	// With 96 bytes free, a write of at most PIPE_BUF (4096) bytes is all
	// or nothing (man 7 pipe): EAGAIN, not 96 bytes written.  (On Linux
	// the 96 bytes are the end of the last page, which a write merges
	// into only when all of it fits.)
	var a [2]int
	must(syscall.Pipe2(a[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC), "Pipe2")
	n1, _ := syscall.Write(a[1], make([]byte, int(size)-4096))
	n2, _ := syscall.Write(a[1], make([]byte, 4000))
	check(n1 == int(size)-4096 && n2 == 4000, "filling: %d %d", n1, n2)
	n, err = syscall.Write(a[1], make([]byte, 200))
	check(err == syscall.EAGAIN, "200 bytes into 96 free: %d %v", n, err)
	n, err = syscall.Write(a[1], make([]byte, 96))
	check(err == nil && n == 96, "96 bytes into 96 free: %d %v", n, err)
	syscall.Close(a[0])
	syscall.Close(a[1])
	var q [2]int // an empty one: Linux refuses to shrink below the contents
	must(syscall.Pipe2(q[:], syscall.O_CLOEXEC), "Pipe2")
	got, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(q[0]), 1031, 4096) // F_SETPIPE_SZ
	check(e == 0 && got >= 4096, "F_SETPIPE_SZ 4096: %d %v", got, e)
	syscall.Close(q[0])
	syscall.Close(q[1])
	f, err := os.Create(filepath.Join(dir, "notapipe"))
	must(err, "create")
	if f != nil {
		_, _, e = syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), 1032, 0)
		check(e == syscall.EBADF, "F_GETPIPE_SZ on a file: %v", e)
		f.Close()
	}
	fmt.Println("pipe size: ok")
}

// recordLocks: fcntl's POSIX record locks.  One process never conflicts
// with itself, so F_SETLK is granted and F_GETLK answers F_UNLCK (as SQLite
// relies on); the lock type must match how the file was opened.
func recordLocks(dir string) {
	p := filepath.Join(dir, "locked")
	must(os.WriteFile(p, []byte("data"), 0644), "WriteFile locked")
	rf, err := os.Open(p)
	must(err, "open locked read-only")
	defer rf.Close()
	fd := rf.Fd()
	rd := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: 0, Start: 0, Len: 4}
	check(syscall.FcntlFlock(fd, syscall.F_SETLK, &rd) == nil, "F_SETLK read lock")
	check(syscall.FcntlFlock(fd, syscall.F_SETLKW, &rd) == nil, "F_SETLKW read lock again")
	wr := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	err = syscall.FcntlFlock(fd, syscall.F_SETLK, &wr)
	check(errors.Is(err, syscall.EBADF), "write lock on a read-only fd: %v", err)
	check(syscall.FcntlFlock(fd, syscall.F_GETLK, &wr) == nil && wr.Type == syscall.F_UNLCK,
		"F_GETLK: %v", wr)
	un := syscall.Flock_t{Type: syscall.F_UNLCK}
	err = syscall.FcntlFlock(fd, syscall.F_GETLK, &un)
	check(errors.Is(err, syscall.EINVAL), "F_GETLK of F_UNLCK: %v", err)
	bad := syscall.Flock_t{Type: 7}
	err = syscall.FcntlFlock(fd, syscall.F_SETLK, &bad)
	check(errors.Is(err, syscall.EINVAL), "lock type 7: %v", err)
	neg := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: 0, Start: -1}
	err = syscall.FcntlFlock(fd, syscall.F_SETLK, &neg)
	check(errors.Is(err, syscall.EINVAL), "negative start: %v", err)
	check(syscall.FcntlFlock(fd, syscall.F_SETLK, &syscall.Flock_t{Type: syscall.F_UNLCK}) == nil,
		"unlock")
}

func main() {
	before := tmpEntries()
	dir, err := os.MkdirTemp("", "fstest")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: MkdirTemp:", err)
		os.Exit(1)
	}
	readWrite(dir)
	dirs(dir)
	renames(dir)
	deepTree(dir)
	links(dir)
	modesTimes(dir)
	tempAndCwd()
	special()
	dirfdRelative(dir)
	fifo(dir)
	pipeSize(dir)
	recordLocks(dir)
	if len(os.Args) > 1 && os.Args[1] == "-enospc" {
		enospc(dir)
	}
	must(os.RemoveAll(dir), "final RemoveAll")
	after := tmpEntries()
	check(after == before, "temporary files left: before %q, after %q", before, after)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}

// fchmodat2 (452, Linux 6.6; Go 1.27's os.Root.Chmod uses it): a mode
// through a path, EOPNOTSUPP for a link itself, EINVAL for unknown flags.
func fchmodat2(dir, p string) {
	call := func(path string, mode, flags uintptr) syscall.Errno {
		b, _ := syscall.BytePtrFromString(path)
		_, _, e := syscall.Syscall6(452, uintptr(0xffffff9c) /* AT_FDCWD */, uintptr(unsafe.Pointer(b)), mode, flags, 0, 0)
		return e
	}
	check(call(p, 0710, 0) == 0, "fchmodat2")
	fi, _ := os.Stat(p)
	check(fi != nil && fi.Mode().Perm() == 0710, "mode after fchmodat2: %v", fi)
	l := filepath.Join(dir, "m-link")
	must(os.Symlink("m", l), "Symlink m-link")
	check(call(l, 0700, 0x100 /* AT_SYMLINK_NOFOLLOW */) == syscall.EOPNOTSUPP, "fchmodat2 NOFOLLOW on a link")
	check(call(l, 0600, 0) == 0, "fchmodat2 through a link")
	fi, _ = os.Stat(p)
	check(fi != nil && fi.Mode().Perm() == 0600, "mode after fchmodat2 through a link: %v", fi)
	check(call(p, 0600, 0x4) == syscall.EINVAL, "fchmodat2 unknown flag")
	os.Chmod(p, 0644)
}
