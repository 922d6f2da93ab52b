// Command execmap checks how exec maps the program, as Linux's binfmt_elf
// does: every PT_LOAD is a private mapping of the program's file, so
// /proc/self/maps names the file (the path /proc/self/exe gives) for its
// code and data at their file offsets, and MADV_DONTNEED on a page of
// them brings back the file's bytes: code still runs, read-only data and
// written (copied) data are what the file holds again.
package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

const page = 4096

// Writable data (.noptrdata), and the same bytes as read-only data.
//
//go:embed data.txt
var data []byte

//go:embed data.txt
var want string

// In .bss: anonymous memory, no file.
var zeros [4 * page]byte

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

type mapping struct {
	start, end, off uint64
	perms, path     string
}

// mappingOf returns the /proc/self/maps line covering addr.
func mappingOf(addr uintptr) (mapping, bool) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		check(false, "open /proc/self/maps: %v", err)
		return mapping{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		r := strings.SplitN(fields[0], "-", 2)
		start, _ := strconv.ParseUint(r[0], 16, 64)
		end, _ := strconv.ParseUint(r[1], 16, 64)
		off, _ := strconv.ParseUint(fields[2], 16, 64)
		if uint64(addr) < start || uint64(addr) >= end {
			continue
		}
		m := mapping{start: start, end: end, off: off, perms: fields[1]}
		if len(fields) > 5 {
			m.path = strings.Join(fields[5:], " ")
		}
		return m, true
	}
	check(false, "no mapping covers %#x", addr)
	return mapping{}, false
}

// fileMapped checks that addr lies in a private mapping of exe with
// perms and that the n bytes there are the file's at the mapped offset.
func fileMapped(what string, addr uintptr, n int, perms, exe string, file []byte) {
	m, ok := mappingOf(addr)
	if !ok {
		return
	}
	check(m.perms == perms, "%s at %#x: %s, want %s", what, addr, m.perms, perms)
	check(m.path == exe, "%s at %#x: mapping names %q, want %q", what, addr, m.path, exe)
	at := m.off + uint64(addr) - m.start
	mem := unsafe.Slice((*byte)(unsafe.Pointer(addr)), n)
	check(at+uint64(n) <= uint64(len(file)) && bytes.Equal(mem, file[at:at+uint64(n)]),
		"%s at %#x: not the file's bytes at offset %#x", what, addr, at)
}

// pageInside returns a page-aligned address whose whole page lies in
// [p, p+n), or 0.
func pageInside(p uintptr, n int) uintptr {
	a := (p + page - 1) &^ (page - 1)
	if a+page > p+uintptr(n) {
		return 0
	}
	return a
}

func dontneed(addr uintptr) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(addr)), page)
	if err := syscall.Madvise(b, syscall.MADV_DONTNEED); err != nil {
		check(false, "madvise(%#x, MADV_DONTNEED): %v", addr, err)
	}
}

//go:noinline
func marker(x int) int { return x*3 + 1 }

func main() {
	exe, err := os.Readlink("/proc/self/exe")
	check(err == nil, "readlink /proc/self/exe: %v", err)
	file, err := os.ReadFile(exe)
	check(err == nil, "read %s: %v", exe, err)
	check(string(data) == want && len(want) > 2*page, "the embedded data differ")

	code := reflect.ValueOf(marker).Pointer()
	fileMapped("code", code, 16, "r-xp", exe, file)
	ro := (*reflect.StringHeader)(unsafe.Pointer(&want)).Data
	fileMapped("read-only data", ro, len(want), "r--p", exe, file)
	rw := uintptr(unsafe.Pointer(&data[0]))
	fileMapped("writable data", rw, len(data), "rw-p", exe, file)
	if m, ok := mappingOf(uintptr(unsafe.Pointer(&zeros[0]))); ok {
		check(m.path == "" && m.off == 0 && m.perms == "rw-p",
			".bss: %s %#x %q, want anonymous rw-p", m.perms, m.off, m.path)
	}

	// A written page of data is a private copy; dropped, it is the
	// file's again.
	pg := pageInside(rw, len(data))
	i := int(pg - rw)
	for k := i; k < i+page; k++ {
		data[k] = 0xff
	}
	check(string(data) != want, "a write to the data did not show")
	if m, ok := mappingOf(pg); ok {
		check(m.path == exe, "written data: mapping names %q, want %q", m.path, exe)
	}
	dontneed(pg)
	check(string(data) == want, "written data after MADV_DONTNEED: not the file's bytes")
	fileMapped("written data after MADV_DONTNEED", rw, len(data), "rw-p", exe, file)

	// Read-only data and code too (not zeros).
	dontneed(pageInside(ro, len(want)))
	check(string(data) == want && want[:9] == "line 0001", "read-only data after MADV_DONTNEED: not the file's bytes")
	dontneed(code &^ (page - 1))
	check(marker(5) == 16, "code after MADV_DONTNEED")
	fileMapped("code after MADV_DONTNEED", code, 16, "r-xp", exe, file)

	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
