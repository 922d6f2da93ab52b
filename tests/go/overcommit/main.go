// Command overcommit maps far more memory than the guest has and uses a
// few pages of it, as the Go runtime does with its heap reservations and
// its 32 MiB arena index: memory is committed when it is touched, not when
// it is mapped (docs/ARCHITECTURE.md, "Memory").  Run in a 16 MiB guest;
// natively it maps 1 GiB, which Linux's default heuristic allows on any
// host with more than 1 GiB of RAM plus swap.
package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

const (
	page = 4096
	gib  = 1 << 30
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func sys(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.Syscall6(trap, a1, a2, a3, a4, a5, a6)
	return r, e
}

func mmap(addr, length uintptr, prot, flags int) (uintptr, syscall.Errno) {
	return sys(syscall.SYS_MMAP, addr, length, uintptr(prot), uintptr(flags),
		^uintptr(0), 0)
}

const anon = syscall.MAP_PRIVATE | syscall.MAP_ANONYMOUS
const rw = syscall.PROT_READ | syscall.PROT_WRITE

// touch writes a distinct byte into the page at each offset and reads all
// back; the pages were never used, so each must have read as zero first.
func touch(what string, base uintptr, offs []uintptr) {
	for i, o := range offs {
		p := (*byte)(unsafe.Pointer(base + o))
		check(*p == 0, "%s: page at +%#x not zero before the first write", what, o)
		*p = byte(i + 1)
	}
	for i, o := range offs {
		p := (*byte)(unsafe.Pointer(base + o))
		check(*p == byte(i+1), "%s: page at +%#x lost its byte", what, o)
	}
}

// spread: one page in every 64 MiB of a GiB, and the last page.
func spread() []uintptr {
	var offs []uintptr
	for o := uintptr(0); o < gib; o += 64 << 20 {
		offs = append(offs, o)
	}
	return append(offs, gib-page)
}

// The policy as /proc/sys/vm/overcommit_memory states it: 0, 1 or 2 on
// any Linux; gorump's kernel commits on touch, which is mode 1.
func policy() {
	b, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	s := string(b)
	check(err == nil && (s == "0\n" || s == "1\n" || s == "2\n"),
		"/proc/sys/vm/overcommit_memory: %q %v", s, err)
	v, _ := os.ReadFile("/proc/version")
	if strings.Contains(string(v), "gorump") {
		check(s == "1\n", "overcommit_memory in gorump is %q, want 1", s)
	}
}

func main() {
	policy()
	// Go's heap: a PROT_NONE reservation, parts made writable later.
	base, e := mmap(0, gib, syscall.PROT_NONE, anon)
	check(e == 0, "1 GiB PROT_NONE reserve: %v", e)
	if e == 0 {
		_, e = sys(syscall.SYS_MPROTECT, base, gib, rw, 0, 0, 0)
		check(e == 0, "mprotect of the whole 1 GiB to read-write: %v", e)
		if e == 0 {
			touch("reserve made writable", base, spread())
		}
		_, e = sys(syscall.SYS_MUNMAP, base, gib, 0, 0, 0, 0)
		check(e == 0, "munmap: %v", e)
	}
	// Go's arena index: one writable mapping, touched where the heap is.
	base, e = mmap(0, gib, rw, anon)
	check(e == 0, "1 GiB read-write private mapping: %v", e)
	if e == 0 {
		touch("writable mapping", base, spread())
		sys(syscall.SYS_MUNMAP, base, gib, 0, 0, 0, 0)
	}
	// Growing a small writable mapping to a GiB with mremap.
	base, e = mmap(0, 16*page, rw, anon)
	check(e == 0, "16-page mapping: %v", e)
	if e == 0 {
		nb, e := sys(syscall.SYS_MREMAP, base, 16*page, gib, 1 /* MREMAP_MAYMOVE */, 0, 0)
		check(e == 0, "mremap to 1 GiB: %v", e)
		if e == 0 {
			touch("mremap'd mapping", nb, spread())
			sys(syscall.SYS_MUNMAP, nb, gib, 0, 0, 0, 0)
		}
	}
	// More than the address space can hold is refused, as on Linux.
	_, e = mmap(0, 1<<47, rw, anon)
	check(e == syscall.ENOMEM, "128 TiB mapping: got %v, want ENOMEM", e)
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
