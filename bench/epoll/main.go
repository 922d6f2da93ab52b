// Command epoll measures what idle watched sockets cost a busy one: it
// makes IDLE Unix socket pairs that Go's netpoller watches (every fd is
// registered with epoll when it is made) and never uses, then times
// ROUNDS one-byte round trips between two goroutines over another pair,
// each of which goes through the netpoller's epoll_wait.
//
//	epoll IDLE ROUNDS
//
// It prints "idle N: X ns per round trip".
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

func pair() (net.Conn, net.Conn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "socketpair:", err)
		os.Exit(1)
	}
	var c [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		c[i], err = net.FileConn(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "FileConn:", err)
			os.Exit(1)
		}
		f.Close()
	}
	return c[0], c[1]
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: epoll IDLE ROUNDS")
		os.Exit(2)
	}
	idle, _ := strconv.Atoi(os.Args[1])
	rounds, _ := strconv.Atoi(os.Args[2])
	// Linux's default hard limit is 4096 fds; root may raise it.
	lim := syscall.Rlimit{Cur: uint64(2*idle + 64), Max: uint64(2*idle + 64)}
	if lim.Cur > 4096 {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(1)
		}
	}
	var keep []net.Conn
	for i := 0; i < idle; i++ {
		a, b := pair()
		keep = append(keep, a, b)
	}
	a, b := pair()
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := b.Read(buf); err != nil {
				return
			}
			b.Write(buf)
		}
	}()
	buf := make([]byte, 1)
	run := func(n int) time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			a.Write(buf)
			if _, err := a.Read(buf); err != nil {
				fmt.Fprintln(os.Stderr, "read:", err)
				os.Exit(1)
			}
		}
		return time.Since(start)
	}
	run(rounds / 10) // warm up
	d := run(rounds)
	fmt.Printf("idle %d: %d ns per round trip\n", len(keep), d.Nanoseconds()/int64(rounds))
}
