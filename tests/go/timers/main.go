// tests/go/timers — sleeping, timers and tickers take about as long as asked
// (upper bounds are loose: the guest may be emulated), the wall clock is
// real (after 2020) and the monotonic clock advances.
package main

import (
	"fmt"
	"os"
	"time"
)

var failed bool

// within checks that what took d, with lo <= d <= hi.
func within(what string, d, lo, hi time.Duration) {
	fmt.Printf("%s: %v (want %v..%v)\n", what, d, lo, hi)
	if d < lo || d > hi {
		fmt.Fprintf(os.Stderr, "FAIL: %s took %v, want %v..%v\n", what, d, lo, hi)
		failed = true
	}
}

func check(ok bool, format string, args ...any) {
	if !ok {
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		failed = true
	}
}

func main() {
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Now()
	fmt.Printf("now: %s\n", now.UTC().Format(time.RFC3339))
	check(now.After(epoch), "time.Now() is %v, before 2020: no real-time clock", now)

	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	within("sleep 50ms", time.Since(start), 50*time.Millisecond, 2*time.Second)

	start = time.Now()
	t := time.NewTimer(30 * time.Millisecond)
	<-t.C
	within("timer 30ms", time.Since(start), 30*time.Millisecond, 2*time.Second)

	// A stopped timer must never fire.
	stopped := time.NewTimer(20 * time.Millisecond)
	check(stopped.Stop(), "Stop on a pending timer returned false")
	select {
	case <-stopped.C:
		check(false, "a stopped timer fired")
	case <-time.After(60 * time.Millisecond):
	}

	start = time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	for i := 0; i < 5; i++ {
		<-tick.C
	}
	tick.Stop()
	within("5 ticks of 20ms", time.Since(start), 100*time.Millisecond, 5*time.Second)

	// The monotonic clock advances across (at most 1000) tiny sleeps.
	a := time.Now()
	for i := 0; i < 1000 && time.Since(a) == 0; i++ {
		time.Sleep(time.Microsecond)
	}
	b := time.Now()
	check(b.Sub(a) > 0, "monotonic time did not advance: %v then %v", a, b)
	check(!b.Before(a), "monotonic time went backwards: %v then %v", a, b)
	fmt.Printf("monotonic: advanced %v\n", b.Sub(a))

	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
