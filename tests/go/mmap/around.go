package main

import (
	"bytes"
	"os"
	"syscall"
)

// The fault-around window: a read fault may map the file's neighbouring
// pages in the aligned 16 pages around it (gorump's kernel and Linux's
// fault_around_bytes alike).  None of that may show: the checks below
// fail if it maps a page wholly past the end of the file, past the
// mapping's bounds (or another mapping's file offsets in its place), or
// with more access than the mapping's protection, or if a private
// mapping's neighbour written after it is not a private copy.
const window = 16 * page

// reserve returns window-aligned PROT_NONE memory of n windows.
func reserve(n int) []byte {
	r, err := mmapAt(0, (n+1)*window, syscall.PROT_NONE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS, -1, 0)
	must(err, "reserve")
	skip := int((window - addrOf(r)%window) % window)
	return r[skip : skip+n*window]
}

// fixed maps n pages of fd at offset off over r[at:].
func fixed(r []byte, at, n, prot, flags, fd int, off int64) []byte {
	m, err := mmapAt(addrOf(r)+uintptr(at), n, prot, flags|syscall.MAP_FIXED,
		fd, off)
	must(err, "MAP_FIXED file mapping")
	return m
}

// openAround: the file's bytes and a read-only descriptor of it.
func openAround(path string) ([]byte, int) {
	want, err := os.ReadFile(path)
	must(err, "read around file")
	fd, err := syscall.Open(path, syscall.O_RDONLY, 0)
	must(err, "open around file")
	return want, fd
}

// aroundEOF: a file of 20 pages and 123 bytes; a read in its second
// window leaves the partial last page zero past EOF and the pages after
// it a SIGBUS.
func aroundEOF(path string) {
	want, fd := openAround(path)
	defer syscall.Close(fd)
	r := reserve(2)
	m := fixed(r, 0, 2*window, syscall.PROT_READ, syscall.MAP_PRIVATE, fd, 0)
	check(m[window] == want[window], "read at the second window's start")
	span := (len(want) + page - 1) / page * page
	check(bytes.Equal(m[window:len(want)], want[window:]),
		"the window's pages have the file's bytes")
	check(m[len(want)] == 0 && m[span-1] == 0,
		"the partial last page reads zeros past EOF")
	for _, at := range []int{span, span + page, 2*window - 1} {
		check(fault(load(m, at)) == addrOf(m)+uintptr(at),
			"offset %#x, wholly past EOF, faults (SIGBUS)", at)
	}
	must(munmap(r), "munmap")
}

// aroundBounds: two mappings of one file at other offsets, side by side
// in one window between PROT_NONE memory, each read in turn.
func aroundBounds(path string) {
	want, fd := openAround(path)
	defer syscall.Close(fd)
	r := reserve(1)
	a := fixed(r, 4*page, 4*page, syscall.PROT_READ, syscall.MAP_PRIVATE,
		fd, 0)
	b := fixed(r, 8*page, 4*page, syscall.PROT_READ, syscall.MAP_PRIVATE,
		fd, 12*page)
	check(a[0] == want[0], "first mapping: file page 0")
	check(bytes.Equal(a, want[:4*page]), "first mapping: file pages 0-3")
	check(bytes.Equal(b, want[12*page:16*page]),
		"second mapping: file pages 12-15, not 4-7")
	for _, at := range []int{3 * page, 12 * page, window - 1} {
		check(fault(load(r, at)) == addrOf(r)+uintptr(at),
			"PROT_NONE memory beside the mappings faults at %#x", at)
	}
	must(munmap(r), "munmap")
}

// aroundProt: a read-only mapping's neighbours stay read-only; a private
// writable mapping's neighbours, written, are private copies; a shared
// one's writes reach the file.
func aroundProt(path string) {
	want, fd := openAround(path)
	defer syscall.Close(fd)
	r := reserve(1)
	ro := fixed(r, 0, window, syscall.PROT_READ, syscall.MAP_PRIVATE, fd, 0)
	check(ro[0] == want[0], "read-only mapping: page 0")
	check(fault(func() { ro[page+5] = 1 }) == addrOf(ro)+page+5,
		"a write to a read-only mapping's neighbour faults")
	rw := fixed(r, 0, window, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE, fd, 0)
	check(rw[0] == want[0], "private writable mapping: page 0")
	rw[2*page+9] = ^want[2*page+9]
	again, _ := os.ReadFile(path)
	check(bytes.Equal(again, want), "a neighbour's private write leaves the file alone")
	check(rw[2*page+9] == ^want[2*page+9] && rw[2*page+10] == want[2*page+10],
		"the private write is in the mapping")
	must(munmap(r), "munmap")

	tmp := "/tmp/mmap-around"
	must(os.WriteFile(tmp, want[:window], 0644), "write /tmp file")
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	must(err, "open /tmp file")
	defer f.Close()
	sh, err := syscall.Mmap(int(f.Fd()), 0, window,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	must(err, "mmap shared")
	check(sh[0] == want[0], "shared mapping: page 0")
	copy(sh[3*page:], "through a neighbour")
	got := make([]byte, 19)
	_, err = f.ReadAt(got, 3*page)
	must(err, "pread /tmp file")
	check(string(got) == "through a neighbour", "shared write reaches the file: %q", got)
	must(syscall.Munmap(sh), "munmap shared")
}
