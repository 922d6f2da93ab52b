// tests/go/tcpecho — a TCP echo server for the harness' network cases:
// listens on the port given, echoes CONNS connections (concurrently, each
// until the client half-closes), reports the bytes, and ends with SUCCESS
// once one more connection says the host got everything back: ending at
// once could cut off the last echo (tests/go/tcpsend checks that case on
// its own).  The host side is tests/go/nethost (echo, concurrent).
//
//	tcpecho PORT CONNS
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: tcpecho PORT CONNS")
		os.Exit(2)
	}
	conns, err := strconv.Atoi(os.Args[2])
	if err != nil || conns < 1 {
		fmt.Fprintf(os.Stderr, "FAIL: bad CONNS %q\n", os.Args[2])
		os.Exit(2)
	}
	l, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	var wg sync.WaitGroup
	var total, bad int64
	for i := 0; i < conns; i++ {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: accept: %v\n", err)
			os.Exit(1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := io.Copy(c, c)
			atomic.AddInt64(&total, n)
			if err != nil {
				fmt.Fprintf(os.Stderr, "FAIL: echo: %v\n", err)
				atomic.AddInt64(&bad, 1)
			}
			c.Close()
		}()
	}
	wg.Wait()
	fmt.Printf("echoed %d connections, %d bytes\n", conns, total)
	if bad > 0 {
		os.Exit(1)
	}
	c, err := l.Accept()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: accept the last: %v\n", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, c)
	fmt.Println("SUCCESS")
}
