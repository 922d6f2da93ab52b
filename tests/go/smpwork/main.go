// tests/go/smpwork — threads on every CPU.  With an argument N the
// program expects N CPUs (runtime.NumCPU and GOMAXPROCS, untold), then:
// one CPU-bound goroutine per CPU, each locked to its own thread, must
// all finish, and /proc/stat must show at least two CPUs (all of them
// with N <= 2) gaining busy time meanwhile, its procs_running and
// /proc/loadavg's running count at least N threads at once and its ctxt
// switches counted; then goroutine pairs play
// ping-pong over unbuffered channels and a mutex-guarded counter is
// hammered, for a bounded time: a lost wake-up hangs it (the run's
// timeout catches that), a broken lock miscounts.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// busy returns each CPU's user+nice+system ticks from /proc/stat.
func busy() map[string]uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		fail("%v", err)
	}
	m := map[string]uint64{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		var t uint64
		for _, v := range []string{f[1], f[2], f[3]} {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				fail("/proc/stat: %q", l)
			}
			t += n
		}
		m[f[0]] = t
	}
	return m
}

// running reads /proc/stat's procs_running and ctxt, and checks that
// /proc/loadavg's running count is that too (the threads may change
// between the two reads: it may differ by the reader's own thread).
func running() (procs, ctxt uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		fail("%v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "procs_running" {
			procs, _ = strconv.ParseUint(f[1], 10, 64)
		}
		if len(f) == 2 && f[0] == "ctxt" {
			ctxt, _ = strconv.ParseUint(f[1], 10, 64)
		}
	}
	la, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		fail("%v", err)
	}
	var l1, l5, l15 float64
	var r, t, last int
	if k, err := fmt.Sscanf(string(la), "%f %f %f %d/%d %d", &l1, &l5, &l15, &r, &t, &last); k != 6 || r < 1 || r > t {
		fail("/proc/loadavg: %q (%v)", la, err)
	}
	return procs, ctxt
}

func spin(d time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b := make([]byte, 64<<10)
	for end := time.Now().Add(d); time.Now().Before(end); {
		s := sha256.Sum256(b)
		b[0] ^= s[0]
	}
}

func parallel(n int) {
	before := busy()
	_, ctxt0 := running()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); spin(1500 * time.Millisecond) }()
	}
	most := uint64(0)
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		if p, _ := running(); p > most {
			most = p
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	after := busy()
	_, ctxt1 := running()
	fmt.Printf("procs_running: at most %d\n", most)
	if most < uint64(n) {
		fail("/proc/stat: procs_running at most %d with %d threads spinning", most, n)
	}
	if ctxt1 <= ctxt0 {
		fail("/proc/stat: ctxt %d, then %d", ctxt0, ctxt1)
	}
	worked := 0
	for cpu, t := range after {
		if t >= before[cpu]+20 { // 0.2 s
			worked++
		}
	}
	want := 2
	if n < 2 {
		want = 1
	}
	fmt.Printf("parallel: %d goroutines, CPUs that worked: %d of %d\n", n, worked, len(after))
	if worked < want {
		fail("only %d CPUs did work (%v -> %v)", worked, before, after)
	}
}

func pingpong(pairs int, d time.Duration) {
	var wg sync.WaitGroup
	counts := make([]int, pairs)
	end := time.Now().Add(d)
	for p := 0; p < pairs; p++ {
		a, b := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for v := range a {
				b <- v + 1
			}
			close(b)
		}()
		go func(p int) {
			defer wg.Done()
			v := 0
			for time.Now().Before(end) {
				a <- v
				v = <-b
			}
			close(a)
			counts[p] = v
		}(p)
	}
	var mu sync.Mutex
	total := 0
	const hammers, each = 8, 2000
	for h := 0; h < hammers; h++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				mu.Lock()
				total++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for p, c := range counts {
		if c == 0 {
			fail("pair %d never exchanged", p)
		}
	}
	if total != hammers*each {
		fail("counter %d, want %d", total, hammers*each)
	}
	fmt.Printf("pingpong: %d pairs done, counter %d\n", pairs, total)
}

func main() {
	n := runtime.NumCPU()
	if len(os.Args) > 1 {
		want, _ := strconv.Atoi(os.Args[1])
		if n != want || runtime.GOMAXPROCS(0) != want {
			fail("NumCPU %d GOMAXPROCS %d, want %d", n, runtime.GOMAXPROCS(0), want)
		}
	}
	fmt.Printf("cpus: %d\n", n)
	parallel(n)
	pingpong(2*n, 2*time.Second)
	fmt.Println("SUCCESS")
}
