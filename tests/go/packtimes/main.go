// Command packtimes checks the times and sizes of files packed with
// --dir and --file, as a listing program (restic, rclone, a file server)
// sees them: each PATH=MTIME,ATIME argument (seconds.nanoseconds since
// 1970) must be what lstat reports, for files, links and directories
// alike, whatever was placed inside the directories; a directory's size
// follows its file system's rule (tmpfs: 40 bytes and 20 per entry; ext4:
// whole 4096-byte blocks); and a listing (os.ReadDir, then Info, as
// `ls -l` does) agrees with lstat.  Prints SUCCESS, or FAIL lines.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	tmpfsMagic = 0x01021994
	ext4Magic  = 0xef53
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

// parseTime reads "SECONDS.NANOSECONDS".
func parseTime(s string) syscall.Timespec {
	sec, nsec, _ := strings.Cut(s, ".")
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt(nsec, 10, 64)
	if err1 != nil || err2 != nil {
		fmt.Fprintf(os.Stderr, "bad time %q\n", s)
		os.Exit(2)
	}
	return syscall.Timespec{Sec: a, Nsec: b}
}

type want struct{ mtime, atime syscall.Timespec }

func checkTimes(path string, w want) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		check(false, "lstat %s: %v", path, err)
		return
	}
	check(st.Mtim == w.mtime, "%s: mtime %d.%09d, want %d.%09d", path,
		st.Mtim.Sec, st.Mtim.Nsec, w.mtime.Sec, w.mtime.Nsec)
	check(st.Atim == w.atime, "%s: atime %d.%09d, want %d.%09d", path,
		st.Atim.Sec, st.Atim.Nsec, w.atime.Sec, w.atime.Nsec)
}

// checkDirSize applies the rule of the file system dir is on.
func checkDirSize(dir string) {
	var sf syscall.Statfs_t
	var st syscall.Stat_t
	ents, err := os.ReadDir(dir)
	if err != nil || syscall.Statfs(dir, &sf) != nil ||
		syscall.Lstat(dir, &st) != nil {
		check(false, "%s: cannot read it: %v", dir, err)
		return
	}
	switch sf.Type {
	case tmpfsMagic:
		n := int64(40 + 20*len(ents))
		check(st.Size == n, "%s: size %d, want %d (tmpfs, %d entries)",
			dir, st.Size, n, len(ents))
	case ext4Magic:
		check(st.Size > 0 && st.Size%4096 == 0,
			"%s: size %d, want whole 4096-byte blocks (ext4)", dir, st.Size)
	default:
		fmt.Printf("%s: file system %#x, size %d not checked\n", dir,
			sf.Type, st.Size)
	}
	fmt.Printf("%s: size %d (%d entries)\n", dir, st.Size, len(ents))
}

// list prints dir as `ls -l` would and checks each entry's Info against
// lstat and, when an argument named it, its mtime.
func list(dir string, wants map[string]want) {
	ents, err := os.ReadDir(dir)
	check(err == nil, "ReadDir %s: %v", dir, err)
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		fi, err := e.Info()
		if err != nil {
			check(false, "%s: Info: %v", p, err)
			continue
		}
		var st syscall.Stat_t
		check(syscall.Lstat(p, &st) == nil, "lstat %s", p)
		check(fi.Size() == st.Size, "%s: listed size %d, lstat %d", p,
			fi.Size(), st.Size)
		if w, ok := wants[p]; ok {
			m := time.Unix(w.mtime.Sec, w.mtime.Nsec)
			check(fi.ModTime().Equal(m), "%s: listed mtime %v, want %v", p,
				fi.ModTime(), m)
		}
		fmt.Printf("%s %8d %s %s\n", fi.Mode(), fi.Size(),
			fi.ModTime().UTC().Format("2006-01-02 15:04:05.000000000"),
			e.Name())
		if e.IsDir() {
			list(p, wants)
		}
	}
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: packtimes DIR PATH=MTIME,ATIME...")
		os.Exit(2)
	}
	root := os.Args[1]
	wants := map[string]want{}
	var paths []string
	for _, a := range os.Args[2:] {
		p, t, _ := strings.Cut(a, "=")
		m, at, _ := strings.Cut(t, ",")
		wants[p] = want{parseTime(m), parseTime(at)}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		checkTimes(p, wants[p])
	}
	list(root, wants)
	for _, p := range paths {
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			checkDirSize(p)
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
