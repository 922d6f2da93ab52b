// tests/go/smpmm — page-table changes seen by threads on other CPUs at
// once.  One goroutine maps a window of pages (at ever higher addresses
// inside a reservation, so no address is used twice), fills it with the
// window's number, then takes it away in turn by MADV_DONTNEED (the
// pages must read as zero), mprotect(PROT_NONE) and munmap (a read must
// fault), and records each step after its call returned.  Readers on the
// other threads keep reading the current window (their TLBs hold it)
// and check every value against what the steps recorded before the read
// began: a stale TLB entry on another CPU would show the old number, or
// whatever the freed page holds now, where a zero or a fault is due.
// Faults are recovered (debug.SetPanicOnFault).  Runs for a bounded time
// (argument: seconds, default 3) and needs no particular CPU count.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	pages  = 16
	window = pages * 4096
	slots  = 4096 // windows in the reservation
)

var (
	base      uintptr
	cur       atomic.Int64 // the window being read (its number, from 1)
	zeroed    atomic.Int64 // last window whose MADV_DONTNEED returned
	refilling atomic.Int64 // last window being written again after that
	going     atomic.Int64 // last window about to be made PROT_NONE or unmapped
	gone      atomic.Int64 // last window made PROT_NONE or unmapped
	faults    atomic.Int64
	reads     atomic.Int64
	stop      atomic.Bool
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func addr(k int64) uintptr { return base + uintptr(k%slots)*window }

func word(k int64, page int) *int64 {
	return (*int64)(unsafe.Pointer(addr(k) + uintptr(page)*4096))
}

func fill(k int64) {
	for p := 0; p < pages; p++ {
		*word(k, p) = k
	}
}

// readOnce reads every page of window k once; a fault ends it early.
func readOnce(k int64) {
	defer func() {
		if r := recover(); r != nil {
			if going.Load() < k {
				fail("window %d faulted while mapped: %v", k, r)
			}
			faults.Add(1)
		}
	}()
	for p := 0; p < pages; p++ {
		g, z := gone.Load(), zeroed.Load()
		v := atomic.LoadInt64(word(k, p))
		rf := refilling.Load() // after the read: no refill began before it
		reads.Add(1)
		switch {
		case g >= k:
			fail("window %d page %d read %d after it was taken away", k, p, v)
		case z >= k && rf < k && v != 0:
			fail("window %d page %d read %d after MADV_DONTNEED", k, p, v)
		case v != 0 && v != k:
			fail("window %d page %d read %d", k, p, v)
		}
	}
}

func reader(wg *sync.WaitGroup) {
	defer wg.Done()
	debug.SetPanicOnFault(true)
	for !stop.Load() {
		readOnce(cur.Load())
	}
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func mmapFixed(a uintptr, prot int) {
	_, _, e := syscall.Syscall6(syscall.SYS_MMAP, a, window, uintptr(prot),
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_FIXED, ^uintptr(0), 0)
	if e != 0 {
		fail("mmap: %v", e)
	}
}

func syscall3(nr, a, b, c uintptr, what string) {
	if _, _, e := syscall.Syscall(nr, a, b, c); e != 0 {
		fail("%s: %v", what, e)
	}
}

func main() {
	secs := 3
	if len(os.Args) > 1 {
		secs, _ = strconv.Atoi(os.Args[1])
	}
	r, _, e := syscall.Syscall6(syscall.SYS_MMAP, 0, window*slots, syscall.PROT_NONE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE, ^uintptr(0), 0)
	if e != 0 {
		fail("reserve: %v", e)
	}
	base = r
	k := int64(1)
	mmapFixed(addr(k), syscall.PROT_READ|syscall.PROT_WRITE)
	fill(k)
	cur.Store(k)
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0) - 1
	if n < 2 {
		n = 2
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go reader(&wg)
	}
	end := time.Now().Add(time.Duration(secs) * time.Second)
	for ; time.Now().Before(end); k++ {
		time.Sleep(time.Millisecond) // the readers cache window k
		syscall3(syscall.SYS_MADVISE, addr(k), window, 4 /* MADV_DONTNEED */, "madvise")
		zeroed.Store(k)
		time.Sleep(time.Millisecond)
		refilling.Store(k)
		fill(k)
		time.Sleep(time.Millisecond)
		// The next window first, so the readers move on.
		mmapFixed(addr(k+1), syscall.PROT_READ|syscall.PROT_WRITE)
		fill(k + 1)
		going.Store(k)
		if k%2 == 0 {
			syscall3(syscall.SYS_MPROTECT, addr(k), window, syscall.PROT_NONE, "mprotect")
		} else {
			syscall3(syscall.SYS_MUNMAP, addr(k), window, 0, "munmap")
		}
		gone.Store(k)
		cur.Store(k + 1)
	}
	stop.Store(true)
	wg.Wait()
	fmt.Printf("windows %d readers %d reads %d faults %d\n", k, n, reads.Load(), faults.Load())
	if reads.Load() == 0 {
		fail("no reads")
	}
	fmt.Println("SUCCESS")
}
