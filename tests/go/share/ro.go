package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"
)

func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }

// readOnly: DIR holds file "f" (text), directory "d" and link "l"; every
// call that would change DIR gives EROFS, reading works.
func readOnly(dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	b, err := os.ReadFile(at("f"))
	check(err == nil && len(b) > 0, "read: %v", err)
	rofs := func(err error, what string) {
		check(isErrno(err, syscall.EROFS), "%s: %v, want EROFS", what, err)
	}
	_, err = os.OpenFile(at("f"), os.O_WRONLY, 0)
	rofs(err, "open for writing")
	_, err = os.OpenFile(at("f"), os.O_RDWR, 0)
	rofs(err, "open for reading and writing")
	_, err = os.OpenFile(at("new"), os.O_CREATE|os.O_RDONLY, 0644)
	rofs(err, "O_CREAT")
	_, err = os.OpenFile(at("f"), os.O_TRUNC|os.O_RDONLY, 0)
	rofs(err, "O_TRUNC")
	rofs(os.Truncate(at("f"), 0), "truncate")
	rofs(os.Chmod(at("f"), 0600), "chmod")
	rofs(os.Chown(at("f"), 0, 0), "chown")
	rofs(syscall.UtimesNano(at("f"), []syscall.Timespec{{Sec: 1}, {Sec: 2}}), "utimes")
	rofs(os.Remove(at("f")), "unlink")
	rofs(syscall.Rmdir(at("d")), "rmdir")
	rofs(os.Mkdir(at("nd"), 0755), "mkdir")
	rofs(os.Rename(at("f"), at("g")), "rename")
	rofs(os.Link(at("f"), at("g")), "link")
	rofs(os.Symlink("f", at("s")), "symlink")
	rofs(syscall.Mkfifo(at("p"), 0644), "mkfifo")
	rofs(syscall.Setxattr(at("f"), "user.x", []byte("1"), 0), "setxattr")
	rofs(syscall.Access(at("f"), 2 /* W_OK */), "access W_OK")
	check(syscall.Access(at("f"), 4 /* R_OK */) == nil, "access R_OK")
	err = os.Mkdir(at("d"), 0755)
	check(isErrno(err, syscall.EEXIST), "mkdir of an existing name: %v, want EEXIST", err)
	t, err := os.Readlink(at("l"))
	check(err == nil && t == "f", "readlink: %q %v", t, err)
	var sf syscall.Statfs_t
	must(syscall.Statfs(dir, &sf), "statfs")
	check(sf.Flags&1 != 0, "statfs: ST_RDONLY not in flags %#x", sf.Flags)
	// A file opened for reading maps privately and writably all the same.
	f, err := os.Open(at("f"))
	must(err, "open")
	m, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	check(err == nil, "private writable mapping: %v", err)
	if err == nil {
		m[0] = 'X'
		syscall.Munmap(m)
	}
	f.Close()
	b2, _ := os.ReadFile(at("f"))
	check(string(b2) == string(b), "a private store stays private")
}

// cross: chdir into DIR and out again with "..", paths through DIR's
// parent, and (guest) DIR listed in /proc/mounts as a 9p mount.
func cross(dir string, guest bool) {
	parent := filepath.Dir(dir)
	must(os.Chdir(dir), "chdir")
	wd, err := os.Getwd()
	check(err == nil && wd == dir, "getwd in the mount: %q %v", wd, err)
	must(os.Mkdir("sub", 0755), "mkdir sub")
	must(os.Chdir("sub"), "chdir sub")
	wd, _ = os.Getwd()
	check(wd == dir+"/sub", "getwd below the mount: %q", wd)
	up, err := os.Stat("../..")
	p, _ := os.Stat(parent)
	check(err == nil && p != nil && os.SameFile(up, p), "../.. is the mount point's parent")
	b, err := os.ReadFile("../../" + filepath.Base(dir) + "/f")
	check(err == nil && string(b) == "f\n", "a path out and back in: %q %v", b, err)
	must(os.Chdir(".."), "chdir ..")
	must(os.Chdir(".."), "chdir ../..")
	wd, _ = os.Getwd()
	check(wd == parent, "getwd after leaving the mount: %q, want %q", wd, parent)
	ents, err := os.ReadDir(".")
	found := false
	for _, e := range ents {
		found = found || (e.Name() == filepath.Base(dir) && e.IsDir())
	}
	check(err == nil && found, "the parent lists the mount point: %v", err)
	must(syscall.Rmdir(dir+"/sub"), "rmdir sub")
	if !guest {
		return
	}
	var in, out syscall.Stat_t
	syscall.Stat(dir, &in)
	syscall.Stat(parent, &out)
	check(in.Dev != out.Dev, "the mount has a device of its own")
	err = syscall.Rmdir(dir)
	check(isErrno(err, syscall.EBUSY), "rmdir of the mount point: %v, want EBUSY", err)
	err = os.Rename(dir, parent+"/elsewhere")
	check(isErrno(err, syscall.EBUSY), "rename of the mount point: %v, want EBUSY", err)
	for _, name := range []string{"/proc/mounts", "/proc/self/mounts"} {
		m, err := os.ReadFile(name)
		check(err == nil && strings.Contains(string(m), " "+dir+" 9p rw,"),
			"%s lists %s as 9p: %q %v", name, dir, m, err)
	}
}
