// Command bigfile checks a packed file larger than the guest's memory:
// gorump keeps such a file on the image's disk and reads its pages on
// demand, giving clean ones back under memory pressure.  The host makes
// the file sparse, SIZE bytes, with every STRIDE-th page (and the last)
// filled with a pattern that names the page (see want); the rest reads
// zeros.  In order:
//
//   - the whole file through a read-only MAP_PRIVATE mapping, every
//     word of every page checked (the mapping's pages are reclaimed and
//     faulted back as the walk goes on);
//
//   - a MAP_SHARED read-only mapping: the pattern pages checked, twice
//     (the second time after the first walk pushed them out);
//
//   - a write to one pattern page (pwrite) and a copy-on-write store
//     into a MAP_PRIVATE mapping of another: both must survive a second
//     walk of the whole file, the private copy only in the mapping;
//
//   - the whole file again with read(), 1 MiB at a time, checked;
//
//   - pread across page boundaries and past the end; sendfile of 2 MiB
//     into a scratch file; a page appended past the end and read back.
//
//     bigfile FILE SIZE STRIDE
//     bigfile -eio FILE BADPAGE   (gorump only: the disk fails BADPAGE)
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
	"unsafe"
)

const page = 4096

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		if failed > 20 {
			os.Exit(1)
		}
	}
}

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

var (
	size, stride, npages int64
	written              = map[int64]uint64{} // page -> its new first word
)

func marked(p int64) bool { return p%stride == 0 || p == npages-1 }

// want is word w of page p: the host wrote (p<<20 | w) ^ 0x9e3779b97f4a7c15
// into marked pages (tests/guest/run.sh, bigfile_make).
func want(p, w int64) uint64 {
	if w == 0 {
		if v, ok := written[p]; ok {
			return v
		}
	}
	if !marked(p) {
		return 0
	}
	return uint64(p<<20|w) ^ 0x9e3779b97f4a7c15
}

// checkPage compares one page's words (fewer for the last page).
func checkPage(how string, p int64, words []uint64) {
	for w, v := range words {
		if v != want(p, int64(w)) {
			check(false, "%s: page %d word %d: %#x, want %#x", how, p, w, v,
				want(p, int64(w)))
			return
		}
	}
}

func words(b []byte) []uint64 {
	if len(b) < 8 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), len(b)/8)
}

func walkMapping(how string, m []byte) {
	for p := int64(0); p < npages; p++ {
		end := (p + 1) * page
		if end > size {
			end = size
		}
		checkPage(how, p, words(m[p*page:end]))
	}
}

func mapFile(f *os.File, flags int) []byte {
	m, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, flags)
	must(err, "mmap")
	return m
}

func readAll(f *os.File) {
	buf := make([]byte, 1<<20)
	var off int64
	for off < size {
		n, err := f.ReadAt(buf, off)
		if n == 0 {
			must(err, "read")
		}
		check(n%page == 0 || off+int64(n) == size, "read %d at %d", n, off)
		for i := 0; i < n; i += page {
			end := i + page
			if end > n {
				end = n
			}
			checkPage("read", (off+int64(i))/page, words(buf[i:end]))
		}
		off += int64(n)
	}
}

func preadChecks(f *os.File) {
	b := make([]byte, 16)
	p := stride // a marked page; the one before it is zeros
	n, err := f.ReadAt(b, p*page-8)
	check(err == nil && n == 16, "pread across pages: %d %v", n, err)
	check(binary.LittleEndian.Uint64(b) == want(p-1, page/8-1) &&
		binary.LittleEndian.Uint64(b[8:]) == want(p, 0),
		"pread across pages: % x", b)
	n, err = f.ReadAt(b, size-4)
	check(n == 4, "pread at the end: %d %v", n, err)
	n, _ = f.ReadAt(b, size)
	check(n == 0, "pread past the end: %d", n)
}

// sendfile into a scratch file (gorump's sendfile takes regular files
// and sockets as its output), read back and checked.
func sendfileCheck(f *os.File) {
	out, err := os.CreateTemp("", "bigfile")
	must(err, "scratch file")
	defer os.Remove(out.Name())
	defer out.Close()
	off := stride * page
	const n = 2 << 20
	left := n
	for left > 0 {
		k, err := syscall.Sendfile(int(out.Fd()), int(f.Fd()), &off, left)
		if k <= 0 || err != nil {
			must(fmt.Errorf("%d %v", k, err), "sendfile")
		}
		left -= k
	}
	b := make([]byte, n)
	k, err := out.ReadAt(b, 0)
	check(k == n, "sendfile's output: %d bytes (%v)", k, err)
	for i := 0; i+page <= k; i += page {
		checkPage("sendfile", stride+int64(i/page), words(b[i:i+page]))
	}
}

// appendCheck grows the file by one page past its end and reads it back.
func appendCheck(f *os.File) {
	b := make([]byte, page)
	for i := range b {
		b[i] = byte(i * 7)
	}
	_, err := f.WriteAt(b, size)
	must(err, "append")
	st, err := f.Stat()
	must(err, "stat")
	check(st.Size() == size+page, "size after append: %d", st.Size())
	got := make([]byte, page)
	n, err := f.ReadAt(got, size)
	check(n == page && string(got) == string(b), "appended page: %d %v", n,
		err)
}

func writes(f *os.File, m []byte) (int64, []byte) {
	// A written page of the disk's is the file's own from now on.
	p := 2 * stride
	v := uint64(0x5157e11e)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	_, err := f.WriteAt(b[:], p*page)
	must(err, "pwrite")
	written[p] = v
	// A private mapping's store copies the page; the file is unchanged.
	q := 3 * stride
	priv, err := syscall.Mmap(int(f.Fd()), q*page, page,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	must(err, "mmap private")
	binary.LittleEndian.PutUint64(priv, 0xc0ffee)
	_ = m
	return q, priv
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-eio" {
		eio(os.Args[2], os.Args[3])
		return
	}
	if len(os.Args) != 4 {
		must(fmt.Errorf("usage: bigfile FILE SIZE STRIDE"), "arguments")
	}
	path := os.Args[1]
	var err error
	size, err = strconv.ParseInt(os.Args[2], 10, 64)
	must(err, "SIZE")
	stride, err = strconv.ParseInt(os.Args[3], 10, 64)
	must(err, "STRIDE")
	npages = (size + page - 1) / page
	st, err := os.Stat(path)
	must(err, "stat")
	check(st.Size() == size, "size %d, want %d", st.Size(), size)

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(err, "open")
	m := mapFile(f, syscall.MAP_PRIVATE)
	walkMapping("private mapping", m)
	fmt.Printf("mapped and read %d MiB\n", size>>20)

	s := mapFile(f, syscall.MAP_SHARED)
	for pass := 0; pass < 2; pass++ {
		for p := int64(0); p < npages; p += stride {
			checkPage("shared mapping", p, words(s[p*page:(p+1)*page]))
		}
	}

	q, priv := writes(f, m)
	walkMapping("private mapping after writes", m)
	check(binary.LittleEndian.Uint64(priv) == 0xc0ffee,
		"the private copy of page %d was lost", q)
	pw := words(priv)
	for w := 1; w < len(pw); w++ {
		check(pw[w] == want(q, int64(w)), "private copy: word %d: %#x", w,
			pw[w])
	}
	readAll(f)
	fmt.Printf("read %d MiB\n", size>>20)
	preadChecks(f)
	sendfileCheck(f)
	must(syscall.Munmap(m), "munmap")
	must(syscall.Munmap(s), "munmap")
	appendCheck(f)
	if failed == 0 {
		fmt.Println("SUCCESS")
	}
	exitStatus()
}

// eio: the disk fails page BAD of FILE: read() and pread give EIO, a
// mapping's access faults (SIGBUS, recovered here as a panic), and the
// pages around it still read.
func eio(path, badArg string) {
	bad, err := strconv.ParseInt(badArg, 10, 64)
	must(err, "BADPAGE")
	f, err := os.Open(path)
	must(err, "open")
	b := make([]byte, page)
	_, err = f.ReadAt(b, bad*page)
	check(err != nil && err.(*os.PathError).Err == syscall.EIO,
		"pread of the bad page: %v, want EIO", err)
	n, err := f.ReadAt(b, (bad+1)*page)
	check(err == nil && n == page, "pread after the bad page: %d %v", n, err)
	n, err = f.ReadAt(b, (bad-1)*page)
	check(err == nil && n == page, "pread before the bad page: %d %v", n, err)
	st, _ := f.Stat()
	m, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ,
		syscall.MAP_SHARED)
	must(err, "mmap")
	check(faults(m, bad*page), "reading the bad page through a mapping did not fault")
	check(!faults(m, (bad+1)*page), "the page after the bad one faulted")
	if failed == 0 {
		fmt.Println("SUCCESS")
	}
	exitStatus()
}

func faults(m []byte, off int64) (faulted bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if recover() != nil {
			faulted = true
		}
	}()
	sink += m[off] // a load the compiler cannot drop
	return false
}

var sink byte

func exitStatus() {
	if failed > 0 {
		os.Exit(1)
	}
	os.Exit(0)
}
