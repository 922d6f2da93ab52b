// Command volume checks an ext2 volume mounted in the guest (gorump run
// -v FILE:GUESTPATH[:ro], docs/STORAGE.md "Volumes") behaves as a Linux
// file system does and keeps what was synced, natively on a directory
// too:
//
//	volume write DIR [guest]  makes files, directories, links, a big
//	                          file, shared mappings; syncs every way
//	volume read DIR [guest]   checks what write left (a second run)
//	volume ro DIR             every change of a read-only DIR is EROFS
//	volume enospc DIR         fills the volume: ENOSPC, nothing lost
//	volume cache DIR MIB [guest]  the page cache: a file read is
//	                          resident (mincore), one of MIB MiB (more
//	                          than the guest's memory) reads back twice
//	                          intact; /proc/diskstats counts it, in runs
//	                          of blocks a request (guest)
//	volume mapbig DIR MIB     a MAP_SHARED mapping of a MIB MiB file
//	                          (more than the guest's memory) written
//	                          whole, read back through the mapping and
//	                          read(2), stores after each write-back kept
//	volume mapcheck DIR MIB   checks what mapbig left (a second run)
//	volume kill DIR SIG       writes DIR/killed (no sync), then sends
//	                          itself signal SIG
//	volume crash DIR N        checks the records an earlier run synced
//	                          to DIR/log ("found K"), then appends
//	                          records K+1..N, fsync after each, printing
//	                          "synced I" once record I is durable
//
// guest: DIR is a volume (statfs says ext2).  Prints SUCCESS, or FAIL
// lines.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

const ext2Magic = 0xEF53

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
		fmt.Fprintln(os.Stderr, "usage: volume write|read|ro|enospc|crash DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	guest := len(os.Args) > 3 && os.Args[3] == "guest"
	switch os.Args[1] {
	case "write":
		write(dir, guest)
	case "read":
		read(dir, guest)
	case "ro":
		readOnly(dir)
	case "enospc":
		enospc(dir)
	case "crash":
		n, _ := strconv.Atoi(os.Args[3])
		crash(dir, n)
	case "mapbig", "mapcheck":
		n, _ := strconv.Atoi(os.Args[3])
		mapBig(dir, n, os.Args[1] == "mapcheck")
	case "kill":
		n, _ := strconv.Atoi(os.Args[3])
		must(os.WriteFile(filepath.Join(dir, "killed"), []byte("by "+os.Args[3]), 0644), "write killed")
		syscall.Kill(os.Getpid(), syscall.Signal(n))
		select {}
	case "cache":
		n, _ := strconv.Atoi(os.Args[3])
		before := diskstats()
		cache(dir, n)
		requests(before, diskstats(), n, len(os.Args) > 4 && os.Args[4] == "guest")
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}

func syncfs(f *os.File) error {
	_, _, e := syscall.Syscall(sysSyncfs, f.Fd(), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func syncFileRange(f *os.File, off, n int64, flags int) error {
	_, _, e := syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, f.Fd(),
		uintptr(off), uintptr(n), uintptr(flags), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func msync(b []byte, flags int) error {
	_, _, e := syscall.Syscall(syscall.SYS_MSYNC,
		uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(flags))
	if e != 0 {
		return e
	}
	return nil
}

const (
	msAsync   = 1
	msSync    = 4
	sysSyncfs = 306 // not in package syscall
)

// longTarget is a symbolic link's target too long for the inode: a slow
// link, in a block of its own.
var longTarget = strings.Repeat("long/", 40) + "end"

// write makes what read checks in the next run.
func write(dir string, guest bool) {
	at := func(name string) string { return filepath.Join(dir, name) }
	var before syscall.Statfs_t
	must(syscall.Statfs(dir, &before), "statfs")
	if guest {
		check(before.Type == ext2Magic && before.Bsize == 4096 &&
			before.Blocks > 0 && before.Bfree <= before.Blocks &&
			before.Files > 0 && before.Ffree < before.Files &&
			before.Namelen == 255, "statfs of the volume: %+v", before)
	}
	// 6 MiB reaches double indirect blocks with 4 KiB blocks.
	must(os.WriteFile(at("big"), pattern(6<<20+77, 1), 0644), "write big")
	must(os.MkdirAll(at("d1/d2/d3"), 0755), "mkdir d1/d2/d3")
	must(os.WriteFile(at("d1/d2/d3/deep.txt"), []byte("deep\n"), 0600), "write deep")
	must(os.Symlink("d1/d2/d3/deep.txt", at("fast")), "symlink fast")
	must(os.Symlink(longTarget, at("slow")), "symlink slow")
	must(os.WriteFile(at("linked"), []byte("two names\n"), 0644), "write linked")
	must(os.Link(at("linked"), at("d1/linked2")), "link")
	syncEveryWay(at)
	renameOver(dir)
	mapped(at)
	unlinkedOpen(at)
	if guest {
		var after syscall.Statfs_t
		must(syscall.Statfs(dir, &after), "statfs")
		check(before.Bfree-after.Bfree >= (6<<20)/4096,
			"statfs: %d blocks free before 6 MiB were written, %d after",
			before.Bfree, after.Bfree)
	}
}

// syncEveryWay writes files whose data each sync call must make
// durable, and checks the calls' errors.
func syncEveryWay(at func(string) string) {
	for _, c := range []struct {
		name string
		flag int
		sync func(f *os.File) error
	}{
		{"fsync", 0, func(f *os.File) error { return f.Sync() }},
		{"fdatasync", 0, func(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }},
		{"syncfs", 0, syncfs},
		{"sync", 0, func(*os.File) error { syscall.Sync(); return nil }},
		{"range", 0, func(f *os.File) error {
			if err := syncFileRange(f, 0, 0, 7); err != nil {
				return err
			}
			return f.Sync()
		}},
		{"osync", syscall.O_SYNC, nil},
		{"odsync", syscall.O_DSYNC, nil},
	} {
		f, err := os.OpenFile(at("sync-"+c.name), os.O_CREATE|os.O_WRONLY|c.flag, 0644)
		must(err, "create sync-"+c.name)
		if err != nil {
			continue
		}
		_, err = f.Write([]byte("synced by " + c.name + "\n"))
		must(err, "write sync-"+c.name)
		if c.sync != nil {
			must(c.sync(f), c.name)
		}
		if c.flag != 0 {
			fl, err := fcntlGetfl(f)
			check(err == nil && fl&c.flag == c.flag, "F_GETFL of %s: %o %v", c.name, fl, err)
		}
		err = syncFileRange(f, 0, 0, 8)
		check(errors.Is(err, syscall.EINVAL), "sync_file_range flags 8: %v", err)
		err = syncFileRange(f, -1, 0, 0)
		check(errors.Is(err, syscall.EINVAL), "sync_file_range offset -1: %v", err)
		f.Close()
	}
	r, w, err := os.Pipe()
	must(err, "pipe")
	if err == nil {
		err = syncFileRange(r, 0, 0, 2)
		check(errors.Is(err, syscall.ESPIPE), "sync_file_range of a pipe: %v", err)
		must(syncfs(w), "syncfs of a pipe")
		r.Close()
		w.Close()
	}
}

func fcntlGetfl(f *os.File) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFL, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// renameOver replaces cfg atomically: write a temporary file, fsync it,
// rename it over the old one, fsync the directory.
func renameOver(dir string) {
	cfg := filepath.Join(dir, "cfg")
	must(os.WriteFile(cfg, []byte("old\n"), 0644), "write cfg")
	tmp := cfg + ".tmp"
	f, err := os.Create(tmp)
	must(err, "create cfg.tmp")
	if err != nil {
		return
	}
	f.Write([]byte("new\n"))
	must(f.Sync(), "fsync cfg.tmp")
	f.Close()
	must(os.Rename(tmp, cfg), "rename over cfg")
	d, err := os.Open(dir)
	must(err, "open dir")
	if err == nil {
		must(d.Sync(), "fsync the directory")
		d.Close()
	}
}

// mapped writes through MAP_SHARED mappings: msync(MS_SYNC) for one
// page, munmap alone for another, and a mapping still there when the
// program exits for a third file.
func mapped(at func(string) string) {
	for _, name := range []string{"map", "mapexit"} {
		f, err := os.OpenFile(at(name), os.O_CREATE|os.O_RDWR, 0644)
		must(err, "create "+name)
		if err != nil {
			return
		}
		must(f.Truncate(3*4096), "ftruncate "+name)
		m, err := syscall.Mmap(int(f.Fd()), 0, 3*4096, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_SHARED)
		must(err, "mmap "+name)
		if err != nil {
			f.Close()
			return
		}
		copy(m, pattern(3*4096, 9))
		if name == "map" {
			must(msync(m[:4096], msSync), "msync")
			must(f.Sync(), "fsync of a mapped file")
			// What read(2) sees is what the mapping holds.
			b := make([]byte, 3*4096)
			n, err := f.ReadAt(b, 0)
			check(n == len(b) && bytes.Equal(b, m), "read of a mapped file: %d %v", n, err)
			must(syscall.Munmap(m), "munmap")
		}
		f.Close()
	}
}

// unlinkedOpen: a file unlinked while open stays readable and writable,
// and one still open when the program exits is freed then.
func unlinkedOpen(at func(string) string) {
	for _, name := range []string{"gone", "gone-at-exit"} {
		f, err := os.OpenFile(at(name), os.O_CREATE|os.O_RDWR, 0644)
		must(err, "create "+name)
		if err != nil {
			return
		}
		data := pattern(100<<10, 3)
		f.Write(data)
		must(os.Remove(at(name)), "unlink "+name)
		f.Write([]byte("more"))
		var st syscall.Stat_t
		must(syscall.Fstat(int(f.Fd()), &st), "fstat "+name)
		check(st.Nlink == 0 && st.Size == int64(len(data)+4), "fstat of unlinked %s: nlink %d size %d",
			name, st.Nlink, st.Size)
		b := make([]byte, len(data))
		n, err := f.ReadAt(b, 0)
		check(n == len(b) && bytes.Equal(b, data), "read of unlinked %s: %d %v", name, n, err)
		// New files must not take its inode while it is open.
		must(os.WriteFile(at(name+"-other"), []byte("other"), 0644), "write "+name+"-other")
		n, err = f.ReadAt(b, 0)
		check(n == len(b) && bytes.Equal(b, data), "unlinked %s after a create: %d %v", name, n, err)
		if name == "gone" {
			f.Close()
		}
	}
}

func read(dir string, guest bool) {
	at := func(name string) string { return filepath.Join(dir, name) }
	b, err := os.ReadFile(at("big"))
	check(err == nil && bytes.Equal(b, pattern(6<<20+77, 1)), "big: %d bytes, %v", len(b), err)
	b, err = os.ReadFile(at("fast"))
	check(err == nil && string(b) == "deep\n", "through the fast link: %q %v", b, err)
	t, err := os.Readlink(at("slow"))
	check(err == nil && t == longTarget, "slow link: %q %v", t, err)
	a, err1 := os.Stat(at("linked"))
	c, err2 := os.Stat(at("d1/linked2"))
	check(err1 == nil && err2 == nil && os.SameFile(a, c) &&
		a.Sys().(*syscall.Stat_t).Nlink == 2, "hard link: %v %v", err1, err2)
	for _, s := range []string{"fsync", "fdatasync", "syncfs", "sync", "range", "osync", "odsync"} {
		b, err = os.ReadFile(at("sync-" + s))
		check(err == nil && string(b) == "synced by "+s+"\n", "sync-%s: %q %v", s, b, err)
	}
	b, err = os.ReadFile(at("cfg"))
	check(err == nil && string(b) == "new\n", "cfg: %q %v", b, err)
	for _, name := range []string{"map", "mapexit"} {
		b, err = os.ReadFile(at(name))
		check(err == nil && bytes.Equal(b, pattern(3*4096, 9)), "%s: the mapping's stores: %v", name, err)
	}
	ents, err := os.ReadDir(dir)
	must(err, "readdir")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	want := "big cfg d1 fast gone-at-exit-other gone-other linked map mapexit slow " +
		"sync-fdatasync sync-fsync sync-odsync sync-osync sync-range sync-sync sync-syncfs"
	if guest {
		want = strings.Replace(want, "linked ", "linked lost+found ", 1)
	}
	check(strings.Join(names, " ") == want, "listing %v, want %s", names, want)
}

func readOnly(dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	b, err := os.ReadFile(at("cfg"))
	check(err == nil && string(b) == "new\n", "read cfg: %q %v", b, err)
	erofs := func(err error, what string) {
		check(errors.Is(err, syscall.EROFS), "%s: %v, want EROFS", what, err)
	}
	_, err = os.Create(at("new"))
	erofs(err, "create")
	_, err = os.OpenFile(at("cfg"), os.O_WRONLY, 0)
	erofs(err, "open for writing")
	erofs(os.Mkdir(at("newdir"), 0755), "mkdir")
	erofs(os.Remove(at("cfg")), "unlink")
	erofs(os.Rename(at("cfg"), at("cfg2")), "rename")
	erofs(os.Chmod(at("cfg"), 0600), "chmod")
	erofs(os.Truncate(at("cfg"), 0), "truncate")
	erofs(os.Symlink("x", at("lnk")), "symlink")
	erofs(os.Link(at("cfg"), at("cfg3")), "link")
	var sf syscall.Statfs_t
	must(syscall.Statfs(dir, &sf), "statfs")
	check(sf.Flags&1 != 0, "statfs: no ST_RDONLY in %#x", sf.Flags)
}

// enospc fills the volume: the write that finds no room fails with
// ENOSPC, what was written before (in that file and others) stays, and
// the room a removal frees is used again.
func enospc(dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	keep := pattern(200<<10, 5)
	must(os.WriteFile(at("keep"), keep, 0644), "write keep")
	f, err := os.Create(at("fill"))
	must(err, "create fill")
	if err != nil {
		return
	}
	chunk := pattern(1<<20, 6)
	var written int64
	for i := 0; i < 4096; i++ {
		n, err := f.Write(chunk)
		written += int64(n)
		if err != nil {
			check(errors.Is(err, syscall.ENOSPC), "the write that filled it: %v", err)
			break
		}
	}
	must(f.Sync(), "fsync of a full volume")
	var sf syscall.Statfs_t
	must(syscall.Statfs(dir, &sf), "statfs")
	check(sf.Bavail < 16, "statfs of a full volume: %d blocks free", sf.Bavail)
	st, _ := f.Stat()
	check(st != nil && st.Size() == written, "fill's size %v, %d written", st, written)
	b := make([]byte, 1<<20)
	for off := int64(0); off+int64(len(b)) <= written; off += int64(len(b)) {
		if n, err := f.ReadAt(b, off); n != len(b) || !bytes.Equal(b, chunk) {
			check(false, "fill at %d: %d %v", off, n, err)
			break
		}
	}
	f.Close()
	got, err := os.ReadFile(at("keep"))
	check(err == nil && bytes.Equal(got, keep), "keep after ENOSPC: %v", err)
	err = os.WriteFile(at("more"), chunk, 0644)
	check(errors.Is(err, syscall.ENOSPC), "another file on a full volume: %v", err)
	must(os.Remove(at("fill")), "remove fill")
	must(os.Remove(at("more")), "remove more")
	must(os.WriteFile(at("again"), chunk, 0644), "write after freeing room")
	d, _ := os.Open(dir)
	if d != nil {
		must(d.Sync(), "fsync the directory")
		d.Close()
	}
}

// cache: what read(2) read stays in memory (mincore of a mapping says
// so, as of Linux's page cache), and a file larger than memory reads
// back intact twice (the cache gives pages back under pressure).
func cache(dir string, mib int) {
	small := filepath.Join(dir, "small")
	data := pattern(1<<20, 11)
	must(os.WriteFile(small, data, 0644), "write small")
	b, err := os.ReadFile(small)
	check(err == nil && bytes.Equal(b, data), "read small: %v", err)
	f, err := os.Open(small)
	must(err, "open small")
	if err == nil {
		m, err := syscall.Mmap(int(f.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_SHARED)
		must(err, "mmap small")
		if err == nil {
			vec := make([]byte, len(data)/4096)
			_, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])),
				uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0])))
			resident := 0
			for _, v := range vec {
				resident += int(v & 1)
			}
			check(e == 0 && resident == len(vec), "mincore after read: %d of %d pages resident (%v)",
				resident, len(vec), e)
			syscall.Munmap(m)
		}
		f.Close()
	}
	big := filepath.Join(dir, "big")
	f, err = os.Create(big)
	must(err, "create big")
	if err != nil {
		return
	}
	chunk := pattern(1<<20, 12)
	for i := 0; i < mib; i++ {
		chunk[0] = byte(i)
		if _, err := f.Write(chunk); err != nil {
			must(err, "write big")
			break
		}
	}
	must(f.Sync(), "fsync big")
	for pass := 0; pass < 2; pass++ {
		buf := make([]byte, 1<<20)
		for i := 0; i < mib; i++ {
			chunk[0] = byte(i)
			n, err := f.ReadAt(buf, int64(i)<<20)
			if n != len(buf) || !bytes.Equal(buf, chunk) {
				check(false, "pass %d: big at %d MiB: %d %v", pass, i, n, err)
				break
			}
		}
	}
	f.Close()
}

// mapPage is what page i of mapbig's file holds after pass: its
// number, the pass and a pattern.
func mapPage(b []byte, i, pass int) {
	for j := range b {
		b[j] = byte(i*7 + j + pass*13)
	}
	b[0], b[1], b[2], b[3] = byte(i), byte(i>>8), byte(i>>16), byte(pass)
}

// mapBig writes a file of mib MiB through one shared mapping, more than
// the guest's memory: the kernel must write its pages back and take them
// back as it goes.  Every page is checked through the mapping (read
// again from the disk where it was taken back), then a second pass
// stores to every third page after an msync (the write-protected pages
// must fault and be written again), and read(2) checks the file after
// munmap.  With check, only the file's bytes are checked (a later run).
func mapBig(dir string, mib int, later bool) {
	name := filepath.Join(dir, "mapbig")
	size := mib << 20
	pages := size / 4096
	page := make([]byte, 4096)
	racePage := pages - 1 // its first word is raceStores after the race
	verify := func(want func(i int) int) {
		f, err := os.Open(name)
		must(err, "open mapbig")
		if err != nil {
			return
		}
		defer f.Close()
		b := make([]byte, 4096)
		for i := 0; i < pages; i++ {
			n, err := f.ReadAt(b, int64(i)*4096)
			mapPage(page, i, want(i))
			if i == racePage {
				binary.LittleEndian.PutUint64(page, raceStores)
			}
			if n != 4096 || !bytes.Equal(b, page) {
				check(false, "read(2) of page %d: %d %v, % x", i, n, err, b[:4])
				return
			}
		}
	}
	second := func(i int) int {
		if i%3 == 0 {
			return 1
		}
		return 0
	}
	if later {
		verify(second)
		return
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0644)
	must(err, "create mapbig")
	if err != nil {
		return
	}
	must(f.Truncate(int64(size)), "ftruncate mapbig")
	m, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_SHARED)
	must(err, "mmap mapbig")
	if err != nil {
		f.Close()
		return
	}
	for i := 0; i < pages; i++ {
		mapPage(m[i*4096:(i+1)*4096], i, 0)
	}
	for i := 0; i < pages; i++ {
		mapPage(page, i, 0)
		if !bytes.Equal(m[i*4096:(i+1)*4096], page) {
			check(false, "mapping's page %d after the first pass: % x", i, m[i*4096:i*4096+4])
			break
		}
	}
	must(msync(m, msAsync), "msync MS_ASYNC")
	for i := 0; i < pages; i += 3 {
		mapPage(m[i*4096:(i+1)*4096], i, 1)
	}
	must(msync(m, msSync), "msync MS_SYNC")
	// Stores racing write-backs (another thread msyncs, on another CPU
	// when there is one): the last store to each word is in the file.
	word := m[racePage*4096 : racePage*4096+8]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; i <= raceStores; i++ {
			binary.LittleEndian.PutUint64(word, uint64(i))
		}
	}()
	for syncs := 0; ; syncs++ {
		select {
		case <-done:
			must(msync(m, msSync), "msync after the race")
			must(syscall.Munmap(m), "munmap mapbig")
			f.Close()
			verify(second)
			fmt.Printf("mapped %d MiB\n", mib)
			return
		default:
			must(msync(m[racePage*4096:], msAsync), "msync in the race")
		}
	}
}

const raceStores = 500000

const recordSize = 100

// record is record i: its number and a pattern, a newline at the end.
func record(i int) []byte {
	b := bytes.Repeat([]byte{byte('a' + i%26)}, recordSize)
	copy(b, fmt.Sprintf("%09d ", i))
	b[recordSize-1] = '\n'
	return b
}

// crash checks the records of DIR/log (every one from 1 on intact, and
// nothing after them but a torn tail), cuts the tail, and appends more,
// with churn in the directory on the way so a kill also lands in the
// middle of metadata changes.
func crash(dir string, n int) {
	log := filepath.Join(dir, "log")
	b, err := os.ReadFile(log)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		must(err, "read log")
	}
	k := 0
	for (k+1)*recordSize <= len(b) && bytes.Equal(b[k*recordSize:(k+1)*recordSize], record(k+1)) {
		k++
	}
	fmt.Printf("found %d\n", k)
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY, 0644)
	must(err, "open log")
	if err != nil {
		return
	}
	must(f.Truncate(int64(k*recordSize)), "cut the torn tail")
	for i := k + 1; i <= n; i++ {
		if _, err := f.WriteAt(record(i), int64((i-1)*recordSize)); err != nil {
			must(err, "write record")
			break
		}
		if i%16 == 0 {
			churn(dir, i)
		}
		if err := f.Sync(); err != nil {
			must(err, "fsync record")
			break
		}
		fmt.Printf("synced %d\n", i)
	}
	f.Close()
}

// churn changes the directory the ways whose every crash point e2fsck
// -p repairs by itself: files made, linked, unlinked, directories made
// and removed (not renames over a name, docs/STORAGE.md).
func churn(dir string, i int) {
	name := filepath.Join(dir, fmt.Sprintf("churn-%d", i/16%4))
	os.Remove(name)
	os.WriteFile(name, pattern(4096+i%8192, byte(i)), 0644)
	os.Remove(name + ".link")
	os.Link(name, name+".link")
	os.MkdirAll(filepath.Join(dir, "cd", strconv.Itoa(i%5)), 0755)
	os.Remove(filepath.Join(dir, "cd", strconv.Itoa((i+2)%5)))
}

// diskstats is /proc/diskstats summed over the disks: reads, sectors
// read, writes, sectors written, flushes (Linux 6.1's fields 4, 6, 8,
// 10 and 20; Documentation/admin-guide/iostats.rst).
func diskstats() [5]int64 {
	var sum [5]int64
	b, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		check(false, "read /proc/diskstats: %v", err)
		return sum
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) < 20 {
			check(false, "/proc/diskstats: %q: want 20 fields", line)
			continue
		}
		for i, at := range []int{3, 5, 7, 9, 19} {
			v, err := strconv.ParseInt(f[at], 10, 64)
			check(err == nil && v >= 0, "/proc/diskstats: %q: field %d", line, at+1)
			sum[i] += v
		}
	}
	return sum
}

// requests checks what the disks were asked while cache wrote, fsync'd
// and read mib MiB twice (in the guest, whose only disk traffic that
// is): the sectors, a flush, and whole runs of blocks per request, at
// least 64 KiB of them on average (one per 4 KiB block: 256 a MiB).
func requests(before, after [5]int64, mib int, guest bool) {
	if !guest {
		return
	}
	reads, rsect := after[0]-before[0], after[1]-before[1]
	writes, wsect := after[2]-before[2], after[3]-before[3]
	check(wsect >= int64(mib)<<11 && rsect >= int64(mib)<<11,
		"sectors: %d written, %d read, want %d MiB each at least", wsect, rsect, mib)
	check(after[4] > before[4], "no flush counted for the fsync")
	check(writes > 0 && writes <= int64(mib)*16,
		"%d write requests for %d MiB: want 16 a MiB at most", writes, mib)
	check(reads > 0 && reads <= int64(mib)*2*16,
		"%d read requests for %d MiB read twice: want 16 a MiB at most", reads, mib)
}
