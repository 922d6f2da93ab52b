// tests/go/signals — a signal the program sends itself reaches os/signal:
// signal.Notify(SIGUSR1), kill(getpid(), SIGUSR1), received within 5s.
// Also getpid and gettid return positive ids.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	pid, tid := syscall.Getpid(), syscall.Gettid()
	fmt.Printf("pid %d, tid %d\n", pid, tid)
	if pid <= 0 || tid <= 0 {
		fail("getpid %d, gettid %d: want > 0", pid, tid)
	}

	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		fail("kill(%d, SIGUSR1): %v", pid, err)
	}
	select {
	case s := <-c:
		if s != syscall.SIGUSR1 {
			fail("received %v, want SIGUSR1", s)
		}
		fmt.Printf("received %v\n", s)
	case <-time.After(5 * time.Second):
		fail("SIGUSR1 not received within 5s")
	}
	signal.Stop(c)
	fmt.Println("SUCCESS")
}
