// tests/go/gcchurn — allocate 1.1 GiB in 1 MiB slices while keeping only a
// small window alive, so the guest (run with -m 128M) survives only if the
// GC really frees and the kernel really reuses memory.  Every new slice
// must arrive zeroed, and every slice must still hold its pattern when it
// leaves the window.
//
// A soft memory limit keeps the heap small even when the GC falls behind:
// everything allocated during a slow mark phase survives that cycle, and
// the next heap goal doubles it (seen natively on a busy host: 8 MiB live,
// 100 MiB held).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

const (
	sliceWords = 1 << 17   // 1 MiB of uint64
	slices     = 1100      // 1100 MiB in total
	window     = 8         // slices alive at any time
	memLimit   = 48 << 20  // debug.SetMemoryLimit, a soft target
	maxSys     = 120 << 20 // what the runtime may map in a 128 MiB guest
	minTotal   = 1 << 30
)

// pattern is the word stored at index j of slice i.
func pattern(i, j int) uint64 {
	return uint64(i)<<32 ^ uint64(j)*0x9e3779b97f4a7c15
}

// fill checks that s is zero (fresh memory) and writes slice i's pattern.
func fill(s []uint64, i int) {
	for j := range s {
		if s[j] != 0 {
			fail("slice %d word %d is %#x when fresh, want 0", i, j, s[j])
		}
		s[j] = pattern(i, j)
	}
}

func verify(s []uint64, i int) {
	for j := range s {
		if s[j] != pattern(i, j) {
			fail("slice %d word %d is %#x, want %#x", i, j, s[j], pattern(i, j))
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	debug.SetMemoryLimit(memLimit)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var live [window][]uint64
	for i := 0; i < slices; i++ {
		k := i % window
		if live[k] != nil {
			verify(live[k], i-window)
		}
		live[k] = make([]uint64, sliceWords)
		fill(live[k], i)
	}
	for i := slices - window; i < slices; i++ {
		verify(live[i%window], i)
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	total := ms.TotalAlloc - before.TotalAlloc
	fmt.Printf("allocated %d MiB in %d GCs, runtime holds %d MiB\n",
		total>>20, ms.NumGC-before.NumGC, ms.Sys>>20)
	if total < minTotal {
		fail("TotalAlloc grew by %d bytes, want >= %d", total, minTotal)
	}
	if ms.NumGC == before.NumGC {
		fail("no garbage collection ran")
	}
	if ms.Sys > maxSys {
		fail("runtime holds %d MiB from the OS, want <= %d MiB",
			ms.Sys>>20, maxSys>>20)
	}
	fmt.Println("data intact")
	fmt.Println("SUCCESS")
}
