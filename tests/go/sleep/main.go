// tests/go/sleep — a helper, not a check: says it started, then sleeps
// forever, for the harness' --timeout case (expected status 124).
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("sleeping")
	for {
		time.Sleep(time.Hour)
	}
}
