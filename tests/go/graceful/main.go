// tests/go/graceful — a server's graceful stop: it says "ready", waits for
// SIGTERM, SIGINT or SIGHUP (signal.Notify), says which came, and exits
// with status 3.  The tool passes the first such signal it gets on to the
// program instead of stopping the machine.  With the argument "ignore" it
// ignores SIGTERM instead and sleeps, for the tool's grace period to end.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ignore" {
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(60 * time.Second)
		os.Exit(1)
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	fmt.Println("ready")
	select {
	case s := <-c:
		fmt.Printf("got %v, cleaning up\n", s)
		os.Exit(3)
	case <-time.After(60 * time.Second):
		fmt.Println("no signal in 60 s")
		os.Exit(1)
	}
}
