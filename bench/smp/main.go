// Command smp is bench/smp's CPU-bound parallel work, run alike in gorump
// and in the Linux guest so that the times compare the kernels:
//
//	smp BUFFERS MIB ROUNDS
//
// BUFFERS independent buffers of MIB MiB each, filled before the clock
// starts; then one goroutine per buffer hashes it with SHA-256 ROUNDS
// times (each round over the buffer and the previous digest, so no round
// can be skipped).  The work is fixed, whatever the CPU count: with two
// CPUs the goroutines can run two at a time.  The wall time from starting
// the goroutines to the last one's end, measured inside the guest, is
// printed as "result elapsed VALUE ms", with "cpus N" (runtime.NumCPU) and
// each buffer's final digest, so the two guests can be checked to do the
// same work.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func fatal(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

// arg is os.Args[i] as a positive number.
func arg(i int) int {
	if len(os.Args) != 4 {
		fatal("usage: smp BUFFERS MIB ROUNDS")
	}
	n, err := strconv.Atoi(os.Args[i])
	if err != nil || n < 1 {
		fatal("%q: want a positive number", os.Args[i])
	}
	return n
}

// hash is ROUNDS chained SHA-256 digests of buf.
func hash(buf []byte, rounds int) [sha256.Size]byte {
	var sum [sha256.Size]byte
	for r := 0; r < rounds; r++ {
		h := sha256.New()
		h.Write(sum[:])
		h.Write(buf)
		copy(sum[:], h.Sum(nil))
	}
	return sum
}

func main() {
	buffers, size, rounds := arg(1), arg(2)<<20, arg(3)
	bufs := make([][]byte, buffers)
	for i := range bufs {
		bufs[i] = make([]byte, size)
		for j := range bufs[i] {
			bufs[i][j] = byte(i*31 + j*7)
		}
	}
	sums := make([][sha256.Size]byte, buffers)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range bufs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sums[i] = hash(bufs[i], rounds)
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(t0)
	fmt.Printf("cpus %d\n", runtime.NumCPU())
	for i, s := range sums {
		fmt.Printf("digest %d %x\n", i, s[:8])
	}
	fmt.Printf("result elapsed %.1f ms\n", float64(elapsed.Microseconds())/1000)
	fmt.Println("done")
}
