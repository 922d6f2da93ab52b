// tests/go/tcpsend — writes SIZE bytes of the pattern (byte i is i*7 mod
// 251) to the first connection on PORT, closes it and exits at once, as
// a program that answers and quits does.  On Linux the kernel still
// delivers what the program wrote; the harness' host side
// (tests/go/nethost recv) checks the guest does too.
//
//	tcpsend PORT SIZE
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: tcpsend PORT SIZE")
		os.Exit(2)
	}
	size, err := strconv.Atoi(os.Args[2])
	if err != nil || size < 0 {
		fmt.Fprintf(os.Stderr, "FAIL: bad SIZE %q\n", os.Args[2])
		os.Exit(2)
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	l, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	c, err := l.Accept()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: accept: %v\n", err)
		os.Exit(1)
	}
	if _, err := c.Write(data); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: write: %v\n", err)
		os.Exit(1)
	}
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: close: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d bytes\n", size)
	fmt.Println("SUCCESS")
}
