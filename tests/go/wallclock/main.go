// Command wallclock sleeps 1.5 s by the guest's clock.  The harness checks
// that at least that much host time passed, which a guest clock running
// fast (a mis-calibrated TSC) would fail.
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(1500 * time.Millisecond)
	fmt.Printf("slept %v\n", time.Since(start).Round(time.Millisecond))
	fmt.Println("SUCCESS")
}
