// tests/go/goroutines — 10,000 goroutines at once: a fan-out/fan-in over
// shared channels and a 10,000-long relay chain, each result checked.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

const n = 10000

// fanOut starts n workers that each take one number from jobs and send its
// square to results; the sum of squares 0..n-1 is known in closed form.
func fanOut() {
	jobs := make(chan int)
	results := make(chan int, 64)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := <-jobs
			results <- j * j
		}()
	}
	go func() {
		for i := 0; i < n; i++ {
			jobs <- i
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	sum, count := 0, 0
	for r := range results {
		sum += r
		count++
	}
	want := (n - 1) * n * (2*n - 1) / 6
	if count != n || sum != want {
		fail("fan-out: %d results summing to %d, want %d summing to %d",
			count, sum, n, want)
	}
	fmt.Printf("fan-out: %d goroutines, sum of squares %d\n", n, sum)
}

// chain links n goroutines by unbuffered channels; each adds its index
// plus one to the value it relays, while all n are blocked at once.
func chain() {
	first := make(chan int)
	in := first
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		out := make(chan int)
		wg.Add(1)
		go func(i int, in <-chan int, out chan<- int) {
			defer wg.Done()
			out <- <-in + i + 1
		}(i, in, out)
		in = out
	}
	if g := runtime.NumGoroutine(); g < n {
		fail("chain: only %d goroutines alive, want >= %d", g, n)
	}
	first <- 0
	got := <-in
	wg.Wait()
	if want := n * (n + 1) / 2; got != want {
		fail("chain: relayed %d, want %d", got, want)
	}
	fmt.Printf("chain: %d goroutines relayed %d\n", n, got)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	fanOut()
	chain()
	fmt.Println("SUCCESS")
}
