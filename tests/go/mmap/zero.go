package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// residentPages is the second field of /proc/self/statm.
func residentPages() int {
	b, err := os.ReadFile("/proc/self/statm")
	must(err, "read statm")
	f := strings.Fields(string(b))
	n, err := strconv.Atoi(f[1])
	must(err, "statm resident")
	return n
}

// allZero reports whether every byte of b is zero.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// zeroPage: anonymous memory only read takes no RAM (the kernel maps its
// zero page, as Linux maps ZERO_PAGE); the first write to such a page, by
// the program or by the kernel for it (read(2)), or after mprotect made
// it writable, gives the page a copy of its own, and the zero page stays
// zeros for every other mapping.
func zeroPage() {
	const n = 16 << 20
	rw := syscall.PROT_READ | syscall.PROT_WRITE
	anon := syscall.MAP_PRIVATE | syscall.MAP_ANON
	m, err := syscall.Mmap(-1, 0, n, rw, anon)
	must(err, "mmap 16 MiB")
	before := residentPages()
	sum := 0
	for i := 0; i < n; i += page {
		sum += int(m[i])
	}
	grown := residentPages() - before
	check(sum == 0 && grown < 64,
		"16 MiB only read: zeros (sum %d) and no RAM (%d pages more resident)",
		sum, grown)

	m[5*page+7] = 1
	check(m[5*page+7] == 1 && m[5*page] == 0 && m[4*page+7] == 0 &&
		m[6*page+7] == 0, "a write after a read is that page's own")
	check(residentPages()-before < grown+8, "a write takes one page")

	r, w, err := os.Pipe()
	must(err, "pipe")
	_, err = w.Write([]byte("kernel"))
	must(err, "pipe write")
	w.Close()
	k, err := syscall.Read(int(r.Fd()), m[9*page:9*page+6])
	r.Close()
	check(err == nil && k == 6 && string(m[9*page:9*page+6]) == "kernel",
		"read(2) into a page only read: %d %v", k, err)

	ro, err := syscall.Mmap(-1, 0, 4*page, syscall.PROT_READ, anon)
	must(err, "mmap read-only")
	sum = int(ro[page])
	must(syscall.Mprotect(ro, rw), "mprotect read-write")
	ro[page] = 9
	check(sum == 0 && ro[page] == 9 && ro[0] == 0,
		"a page read, then made writable, copies at the write")

	fresh, err := syscall.Mmap(-1, 0, 4*page, syscall.PROT_READ, anon)
	must(err, "mmap fresh")
	check(allZero(fresh[page:2*page]) && allZero(m[10*page:11*page]) &&
		allZero(m[9*page+6:10*page]) && allZero(ro[2*page:3*page]),
		"the zero page is still zeros everywhere")

	must(syscall.Madvise(m[5*page:6*page], 4), "MADV_DONTNEED")
	check(allZero(m[5*page:6*page]), "MADV_DONTNEED: the written page reads zeros again")
	for _, b := range [][]byte{m, ro, fresh} {
		must(syscall.Munmap(b), "munmap")
	}
}
