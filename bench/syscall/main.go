// Command syscall measures the cost of system calls from inside a guest,
// in TSC cycles: getpid (the null call), a futex wake/wait round trip
// between two threads, and a 4 KiB read from /dev/zero.  It prints one
// line per measurement: "NAME CYCLES", the median of several batches.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync/atomic"
	"syscall"
	"unsafe"
)

func rdtsc() uint64

const batches = 9

func median(f func(n int) uint64, n int) uint64 {
	var r []uint64
	for i := 0; i < batches; i++ {
		r = append(r, f(n)/uint64(n))
	}
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return r[batches/2]
}

func getpid(n int) uint64 {
	t := rdtsc()
	for i := 0; i < n; i++ {
		syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	}
	return rdtsc() - t
}

func readZero(n int) uint64 {
	fd, err := syscall.Open("/dev/zero", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	defer syscall.Close(fd)
	buf := make([]byte, 4096)
	t := rdtsc()
	for i := 0; i < n; i++ {
		syscall.Syscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), 4096)
	}
	return rdtsc() - t
}

const (
	futexWait = 0 | 128
	futexWake = 1 | 128
)

func futex(addr *uint32, op, val uintptr) {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), op, val, 0, 0, 0)
}

// Two OS threads hand a token back and forth through a futex word: one
// round trip is two wakes and two waits.
func pingPong(n int) uint64 {
	var word uint32
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		for i := 0; i < n; i++ {
			for atomic.LoadUint32(&word) != 1 {
				futex(&word, futexWait, 0)
			}
			atomic.StoreUint32(&word, 0)
			futex(&word, futexWake, 1)
		}
		close(done)
	}()
	runtime.LockOSThread()
	t := rdtsc()
	for i := 0; i < n; i++ {
		atomic.StoreUint32(&word, 1)
		futex(&word, futexWake, 1)
		for atomic.LoadUint32(&word) != 0 {
			futex(&word, futexWait, 1)
		}
	}
	el := rdtsc() - t
	<-done
	return el
}

func main() {
	n := 20000
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &n)
	}
	fmt.Printf("getpid %d\n", median(getpid, n))
	fmt.Printf("read-4k-dev-zero %d\n", median(readZero, n/4))
	fmt.Printf("futex-round-trip %d\n", median(pingPong, n/20))
}
