// bench/wakeup — how late a sleeping thread runs while another thread
// keeps the CPU busy: one goroutine spins on a thread of its own, and the
// main goroutine sleeps ROUNDS times for 500 µs, each time measuring how
// much later than asked it woke.  On one vCPU the sleeper's thread, woken
// by the kernel's timer, waits for the spinner to give the CPU up.
// Prints "wakeup: late p50 NS p90 NS p99 NS max NS".
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

var sink atomic.Uint64

func spin() {
	runtime.LockOSThread()
	for i := uint64(0); ; i++ {
		if i%1024 == 0 {
			sink.Store(i)
		}
	}
}

func main() {
	rounds := 300
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(2)
	go spin()
	time.Sleep(20 * time.Millisecond) // the spinner is running
	const want = 500 * time.Microsecond
	late := make([]time.Duration, rounds)
	for i := range late {
		t0 := time.Now()
		time.Sleep(want)
		late[i] = time.Since(t0) - want
	}
	sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
	q := func(p int) int64 { return late[(len(late)-1)*p/100].Nanoseconds() }
	fmt.Printf("wakeup: late p50 %d p90 %d p99 %d max %d\n", q(50), q(90), q(99), q(100))
}
