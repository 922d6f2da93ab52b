// Command mmap checks file mappings as programs use them: the dynamic
// loader's MAP_PRIVATE pattern over a packed file, MAP_SHARED files that
// read and write see at once (bbolt, LMDB), growing and shrinking mapped
// files, SIGBUS past the end, mprotect, madvise, mremap, msync, mincore,
// /proc/self/maps, the zero page (zero.go) and the errors Linux gives.
//
//	mmap PACKED AROUND   PACKED: a file of pattern bytes (see pattern);
//	                     AROUND: one of 20 pages and 123 bytes (around.go)
//	mmap -big FILE SHA   maps FILE read-only and checks its SHA-256
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"
)

const page = 4096

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

// pattern is byte i of the packed file.
func pattern(i int) byte { return byte(i*7 + i/page) }

// fault runs f and returns the address of the memory fault it caused (a
// SIGBUS or SIGSEGV turned into a panic by SetPanicOnFault), or 0.
func fault(f func()) (addr uintptr) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(interface{ Addr() uintptr })
			if !ok {
				panic(r)
			}
			addr = e.Addr()
		}
	}()
	f()
	return 0
}

// sink keeps loads that only test for a fault from being optimized away.
var sink byte

func load(b []byte, i int) func() { return func() { sink = b[i] } }

func munmap(b []byte) error {
	_, _, e := syscall.Syscall(syscall.SYS_MUNMAP, addrOf(b), uintptr(len(b)), 0)
	return errnoErr(e)
}

func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func mmapAt(addr uintptr, n, prot, flags, fd int, off int64) ([]byte, error) {
	p, _, e := syscall.Syscall6(syscall.SYS_MMAP, addr, uintptr(n),
		uintptr(prot), uintptr(flags), uintptr(fd), uintptr(off))
	if e != 0 {
		return nil, e
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n), nil
}

func msync(b []byte, flags int) error {
	_, _, e := syscall.Syscall(syscall.SYS_MSYNC, addrOf(b), uintptr(len(b)),
		uintptr(flags))
	if e != 0 {
		return e
	}
	return nil
}

func mremap(b []byte, n, flags int) ([]byte, error) {
	p, _, e := syscall.Syscall6(syscall.SYS_MREMAP, addrOf(b), uintptr(len(b)),
		uintptr(n), uintptr(flags), 0, 0)
	if e != 0 {
		return nil, e
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n), nil
}

func mincore(b []byte) []byte {
	v := make([]byte, (len(b)+page-1)/page)
	_, _, e := syscall.Syscall(syscall.SYS_MINCORE, addrOf(b),
		uintptr(len(b)), addrOf(v))
	must(errnoErr(e), "mincore")
	return v
}

func errnoErr(e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func mapsHas(s string) bool {
	maps, err := os.ReadFile("/proc/self/maps")
	must(err, "read /proc/self/maps")
	return strings.Contains(string(maps), s)
}

// packedPrivate: the dynamic loader's way of mapping a library.
func packedPrivate(path string) {
	want, err := os.ReadFile(path)
	must(err, "read packed file")
	for i := range want {
		if want[i] != pattern(i) {
			must(fmt.Errorf("byte %d", i), "packed file pattern")
		}
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY, 0)
	must(err, "open packed file")
	span := (len(want) + page - 1) / page * page
	const denywrite = 0x800
	m, err := syscall.Mmap(fd, 0, span+page, syscall.PROT_READ,
		syscall.MAP_PRIVATE|denywrite)
	must(err, "mmap packed file")
	check(bytes.Equal(m[:len(want)], want), "private mapping has the file's bytes")
	check(m[len(want)] == 0 && m[span-1] == 0, "last page past EOF reads zeros")
	check(fault(load(m, span)) == addrOf(m)+uintptr(span),
		"page wholly past EOF faults (SIGBUS)")
	check(mapsHas(fmt.Sprintf(" %s\n", path)), "/proc/self/maps names %s", path)

	// Later segments over it: text from offset 2 pages, data from 1 page,
	// bss anonymous.
	text, err := mmapAt(addrOf(m)+page, page, syscall.PROT_READ|syscall.PROT_EXEC,
		syscall.MAP_PRIVATE|syscall.MAP_FIXED, fd, 2*page)
	must(err, "MAP_FIXED text segment")
	check(bytes.Equal(text, want[2*page:3*page]), "text segment has file page 2")
	data, err := mmapAt(addrOf(m)+2*page, page,
		syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_FIXED, fd, page)
	must(err, "MAP_FIXED data segment")
	check(bytes.Equal(data, want[page:2*page]), "data segment has file page 1")
	bss, err := mmapAt(addrOf(m)+3*page, page, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_FIXED|syscall.MAP_ANONYMOUS, -1, 0)
	must(err, "MAP_FIXED bss")
	check(bss[0] == 0 && bss[page-1] == 0, "bss reads zeros")
	check(strings.Contains(mapsLine(addrOf(text)), fmt.Sprintf("r-xp %08x ", 2*page)),
		"maps shows the text at offset 0x2000: %q", mapsLine(addrOf(text)))
	syscall.Close(fd) // the mappings outlive the fd

	// Copy-on-write: the file does not change.
	data[0], data[page-1] = ^want[page], ^want[2*page-1]
	check(data[0] == ^want[page] && data[page-1] == ^want[2*page-1],
		"private write is visible in the mapping")
	again, _ := os.ReadFile(path)
	check(bytes.Equal(again, want), "private writes leave the file alone")
	must(syscall.Mprotect(data, syscall.PROT_NONE), "mprotect PROT_NONE")
	check(fault(load(data, 5)) == addrOf(data)+5,
		"PROT_NONE page faults")
	must(syscall.Mprotect(data, syscall.PROT_READ|syscall.PROT_WRITE),
		"mprotect back")
	check(data[0] == ^want[page], "PROT_NONE and back keeps a private copy")
	must(syscall.Madvise(data, 4), "MADV_DONTNEED file")
	check(bytes.Equal(data, want[page:2*page]),
		"MADV_DONTNEED on a private file mapping reads the file again")
	must(syscall.Mprotect(text, syscall.PROT_READ|syscall.PROT_WRITE),
		"mprotect text writable")
	text[7] = 1
	check(text[7] == 1 && text[8] == want[2*page+8], "write to former text")
	v := mincore(m[:2*page])
	check(v[0]&1 == 1 && v[1]&1 == 1, "mincore: file pages are resident")
	must(syscall.Munmap(m[:span+page]), "munmap")
}

// shared: MAP_SHARED of a /tmp file, one page cache with read and write.
func shared() {
	path := "/tmp/mmap-shared"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0644)
	must(err, "create")
	buf := make([]byte, 3*page)
	for i := range buf {
		buf[i] = pattern(i)
	}
	_, err = f.Write(buf)
	must(err, "write")
	m, err := syscall.Mmap(int(f.Fd()), 0, 3*page,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	must(err, "mmap shared")
	check(bytes.Equal(m, buf), "shared mapping has the file's bytes")
	copy(m[page+10:], "through the mapping")
	got := make([]byte, 19)
	f.ReadAt(got, page+10)
	check(string(got) == "through the mapping", "read sees a shared write: %q", got)
	f.WriteAt([]byte("through pwrite"), 2*page+5)
	check(string(m[2*page+5:2*page+19]) == "through pwrite",
		"the mapping sees pwrite")
	must(msync(m, 4), "msync MS_SYNC")
	must(msync(m, 1|2), "msync MS_ASYNC|MS_INVALIDATE")
	check(msync(m, 1|4) == syscall.EINVAL, "msync MS_ASYNC|MS_SYNC: EINVAL")
	check(msync(m, 8) == syscall.EINVAL, "msync bad flag: EINVAL")
	check(strings.Contains(mapsLine(addrOf(m)), "rw-s 00000000"),
		"maps: shared line %q", mapsLine(addrOf(m)))

	// PROT_NONE and back keeps a shared page.
	must(syscall.Mprotect(m, syscall.PROT_NONE), "mprotect none")
	must(syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_WRITE), "mprotect rw")
	check(string(m[page+10:page+29]) == "through the mapping",
		"shared data survives PROT_NONE")
	must(syscall.Madvise(m, 4), "MADV_DONTNEED shared")
	check(string(m[page+10:page+29]) == "through the mapping",
		"MADV_DONTNEED keeps a shared file's data")
	// MADV_REMOVE punches a hole: zeros in the mapping and the file.
	must(syscall.Madvise(m[2*page:], 9), "MADV_REMOVE")
	got = make([]byte, 4)
	f.ReadAt(got, 2*page+5)
	check(m[2*page+5] == 0 && bytes.Equal(got, make([]byte, 4)),
		"MADV_REMOVE: zeros in the mapping and the file")
	copy(m[2*page:], buf[2*page:])
	f.Close()
	m[0] = 'X' // after close
	must(syscall.Munmap(m), "munmap shared")
	data, _ := os.ReadFile(path)
	check(len(data) == 3*page && data[0] == 'X' &&
		string(data[page+10:page+29]) == "through the mapping",
		"shared writes are in the file after close and munmap")

	// Shrinking: pages past the end are gone (SIGBUS), the partial last
	// page reads zeros past the end.
	f, _ = os.OpenFile(path, os.O_RDWR, 0)
	m, err = syscall.Mmap(int(f.Fd()), 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_SHARED)
	must(err, "mmap again")
	sink = m[2*page]
	must(f.Truncate(page+10), "truncate")
	check(fault(load(m, 2*page+1)) == addrOf(m)+2*page+1,
		"past the end after truncate: SIGBUS")
	check(m[page+9] == pattern(page+9) && m[page+10] == 0 && m[2*page-1] == 0,
		"last page after truncate: %d %d", m[page+9], m[page+10])
	// Growing again makes the page reachable, reading zeros.
	must(f.Truncate(3*page), "grow")
	check(m[2*page+1] == 0, "grown page reads zeros")
	syscall.Munmap(m)
	f.Close()
	os.Remove(path)
}

func mapsLine(addr uintptr) string {
	maps, _ := os.ReadFile("/proc/self/maps")
	for _, l := range strings.Split(string(maps), "\n") {
		if strings.HasPrefix(l, fmt.Sprintf("%012x-", addr)) ||
			strings.HasPrefix(l, fmt.Sprintf("%08x-", addr)) {
			return l
		}
	}
	return ""
}

// bolt: bbolt's pattern, a read-only shared mapping larger than the file,
// grown with ftruncate and mapped again; writes go through pwrite.
func bolt() {
	f, err := os.OpenFile("/tmp/mmap-bolt.db", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0600)
	must(err, "create db")
	defer os.Remove("/tmp/mmap-bolt.db")
	must(f.Truncate(page), "truncate db")
	m, err := syscall.Mmap(int(f.Fd()), 0, 8*page, syscall.PROT_READ, syscall.MAP_SHARED)
	must(err, "mmap db")
	f.WriteAt([]byte("meta"), 0)
	must(f.Sync(), "fdatasync")
	check(string(m[:4]) == "meta", "db mapping sees pwrite")
	check(fault(load(m, 4*page)) != 0, "db page past the end faults")
	must(f.Truncate(16*page), "grow db")
	must(syscall.Munmap(m), "munmap db")
	m, err = syscall.Mmap(int(f.Fd()), 0, 16*page, syscall.PROT_READ, syscall.MAP_SHARED)
	must(err, "mmap db again")
	f.WriteAt([]byte("leaf"), 12*page)
	check(string(m[:4]) == "meta" && string(m[12*page:12*page+4]) == "leaf",
		"grown db mapping sees both pages")
	check(fault(func() { m[0] = 1 }) != 0, "write to a read-only mapping faults")
	syscall.Munmap(m)
	f.Close()
}

func anonymous() {
	m, err := syscall.Mmap(-1, 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	must(err, "mmap anon")
	m[0], m[3*page] = 42, 43
	must(syscall.Mprotect(m, syscall.PROT_NONE), "mprotect anon none")
	must(syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_WRITE), "mprotect anon rw")
	check(m[0] == 42 && m[3*page] == 43, "anonymous data survives PROT_NONE")
	must(syscall.Madvise(m[:page], 4), "MADV_DONTNEED anon")
	check(m[0] == 0 && m[3*page] == 43, "MADV_DONTNEED anon gives zeros")
	check(syscall.Madvise(m, 7) == syscall.EINVAL, "unknown advice: EINVAL")
	for _, a := range []int{0, 1, 2, 3, 14, 15, 16, 17} {
		check(syscall.Madvise(m, a) == nil, "advice %d accepted", a)
	}
	// mremap: grow (moving if need be) keeps data, shrink in place.
	m[page] = 7
	g, err := mremap(m, 64*page, 1)
	must(err, "mremap grow")
	check(g[page] == 7 && g[3*page] == 43 && g[40*page] == 0, "mremap keeps data")
	g[63*page] = 9
	s, err := mremap(g, 2*page, 0)
	must(err, "mremap shrink")
	check(addrOf(s) == addrOf(g) && s[page] == 7, "mremap shrinks in place")
	_, err = mremap(s, 4*page, 2)
	check(err == syscall.EINVAL, "MREMAP_FIXED without MAYMOVE: %v", err)
	must(munmap(s), "munmap remapped")
	_, _, e := syscall.Syscall(syscall.SYS_MPROTECT, addrOf(s), ^uintptr(0), 1)
	check(e == syscall.ENOMEM, "mprotect with a wrapping length: %v", e)
}

func fileRemap() {
	path := "/tmp/mmap-remap"
	buf := make([]byte, 8*page)
	for i := range buf {
		buf[i] = pattern(i)
	}
	must(os.WriteFile(path, buf, 0644), "write remap file")
	defer os.Remove(path)
	fd, err := syscall.Open(path, syscall.O_RDONLY, 0)
	must(err, "open")
	defer syscall.Close(fd)
	m, err := syscall.Mmap(fd, 2*page, 2*page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	must(err, "mmap at offset")
	g, err := mremap(m, 6*page, 1)
	must(err, "mremap file grow")
	check(bytes.Equal(g, buf[2*page:]), "grown file mapping reads on in the file")
	must(munmap(g), "munmap file remapped")
}

func errorsLinux(packed string) {
	w, err := syscall.Open("/tmp/mmap-wo", syscall.O_WRONLY|syscall.O_CREAT, 0644)
	must(err, "create wo")
	defer os.Remove("/tmp/mmap-wo")
	syscall.Ftruncate(w, page)
	_, err = syscall.Mmap(w, 0, page, syscall.PROT_READ, syscall.MAP_SHARED)
	check(err == syscall.EACCES, "O_WRONLY fd: %v", err)
	syscall.Close(w)
	r, _ := syscall.Open(packed, syscall.O_RDONLY, 0)
	_, err = syscall.Mmap(r, 0, page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	check(err == syscall.EACCES, "MAP_SHARED|PROT_WRITE on O_RDONLY: %v", err)
	m, err := syscall.Mmap(r, 0, page, syscall.PROT_READ, syscall.MAP_SHARED)
	must(err, "read-only shared")
	check(syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_WRITE) == syscall.EACCES,
		"mprotect PROT_WRITE on a read-only shared mapping: EACCES")
	syscall.Munmap(m)
	_, err = mmapAt(0, page, syscall.PROT_READ, syscall.MAP_PRIVATE, r, 100)
	check(err == syscall.EINVAL, "unaligned offset: %v", err)
	syscall.Close(r)
	var p [2]int
	must(syscall.Pipe(p[:]), "pipe")
	_, err = syscall.Mmap(p[0], 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	check(err == syscall.ENODEV, "pipe: %v", err)
	syscall.Close(p[0])
	syscall.Close(p[1])
	_, err = syscall.Mmap(p[0], 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	check(err == syscall.EBADF, "closed fd: %v", err)
	pf, _ := syscall.Open("/proc/self/maps", syscall.O_RDONLY, 0)
	_, err = syscall.Mmap(pf, 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	check(err == syscall.ENODEV, "/proc file: %v", err)
	syscall.Close(pf)
	so, _ := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	_, err = syscall.Mmap(so, 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	check(err == syscall.ENODEV, "UDP socket: %v", err)
	syscall.Close(so)
	d, _ := syscall.Open("/tmp", syscall.O_RDONLY, 0)
	_, err = syscall.Mmap(d, 0, page, syscall.PROT_READ, syscall.MAP_PRIVATE)
	check(err == syscall.ENODEV, "directory: %v", err)
	syscall.Close(d)
}

func big(path, sum string) {
	f, err := os.Open(path)
	must(err, "open big")
	st, _ := f.Stat()
	m, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ,
		syscall.MAP_PRIVATE)
	must(err, "mmap big")
	h := sha256.Sum256(m)
	check(hex.EncodeToString(h[:]) == sum, "checksum of the mapping")
	fmt.Printf("mapped %d MiB\n", st.Size()>>20)
}

func main() {
	debug.SetPanicOnFault(true)
	if len(os.Args) == 4 && os.Args[1] == "-big" {
		big(os.Args[2], os.Args[3])
	} else if len(os.Args) == 3 {
		packedPrivate(os.Args[1])
		aroundEOF(os.Args[2])
		aroundBounds(os.Args[2])
		aroundProt(os.Args[2])
		shared()
		bolt()
		anonymous()
		zeroPage()
		fileRemap()
		errorsLinux(os.Args[1])
	} else {
		must(fmt.Errorf("usage: mmap PACKED AROUND | mmap -big FILE SHA256"), "arguments")
	}
	if failed > 0 {
		fmt.Printf("FAILED %d checks\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
