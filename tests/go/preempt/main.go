// tests/go/preempt — asynchronous preemption works: a goroutine spinning in
// a loop without function calls (so without cooperative preemption points)
// must not stop runtime.GC() or the main goroutine, first with the default
// GOMAXPROCS and then with GOMAXPROCS=1.  The kernel must deliver SIGURG
// (tgkill) for this; a hang is caught by the harness' timeout.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// spin never returns and makes no calls inside its loop.  It counts its
// iterations in *spins so main can see it really runs: atomic.AddUint64 is
// a compiler intrinsic on amd64 (one LOCK XADDQ, no call, so no preemption
// point), and unlike a plain counter++ it is not deleted as a dead store.
//
//go:noinline
func spin(started *int32, spins *uint64) {
	atomic.StoreInt32(started, 1)
	for {
		atomic.AddUint64(spins, 1)
	}
}

func phase(name string) {
	var started int32
	var spins uint64
	go spin(&started, &spins)
	// With GOMAXPROCS=1 the main goroutine only gets the CPU back from the
	// spinner by preempting it.
	for atomic.LoadInt32(&started) == 0 {
		runtime.Gosched()
	}
	before := atomic.LoadUint64(&spins)
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	runtime.GC()
	after := atomic.LoadUint64(&spins)
	fmt.Printf("%s: GOMAXPROCS=%d, GC returned after %v with a spinner running\n",
		name, runtime.GOMAXPROCS(0), time.Since(start))
	if after == before {
		fmt.Fprintf(os.Stderr, "FAIL: %s: the spinner made no progress\n", name)
		os.Exit(1)
	}
}

func main() {
	phase("default")
	runtime.GOMAXPROCS(1)
	phase("gomaxprocs1")
	fmt.Println("SUCCESS")
}
