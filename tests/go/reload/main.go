// tests/go/reload — a daemon that reloads on SIGHUP: it says "ready",
// prints "reload N" on the Nth SIGHUP and "usr1" on SIGUSR1, and on
// SIGTERM says how many reloads it made and exits with status 0.  Through
// gorump SIGHUP and SIGUSR1 are plain signals, not a request to stop.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM)
	fmt.Println("ready")
	reloads := 0
	timeout := time.After(60 * time.Second)
	for {
		select {
		case s := <-c:
			switch s {
			case syscall.SIGHUP:
				reloads++
				fmt.Printf("reload %d\n", reloads)
			case syscall.SIGUSR1:
				fmt.Println("usr1")
			case syscall.SIGTERM:
				fmt.Printf("stopping after %d reloads\n", reloads)
				os.Exit(0)
			}
		case <-timeout:
			fmt.Println("no SIGTERM in 60 s")
			os.Exit(1)
		}
	}
}
