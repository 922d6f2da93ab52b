// tests/go/tcpsend — writes SIZE bytes of the pattern (byte i is i*7 mod
// 251) to the first connection on PORT, closes it and exits at once, as
// a program that answers and quits does.  On Linux the kernel still
// delivers what the program wrote; the harness' host side
// (tests/go/nethost recv) checks the guest does too.  With "pieces" the
// bytes go out as writev calls of 40 pieces of 1 to 13 bytes each (odd
// lengths at odd offsets, joined into segments whose checksums are
// summed as the kernel copies them), then the rest in one write.
//
//	tcpsend PORT SIZE [pieces]
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 3 && (len(os.Args) != 4 || os.Args[3] != "pieces") {
		fmt.Fprintln(os.Stderr, "FAIL: usage: tcpsend PORT SIZE [pieces]")
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
	if len(os.Args) == 4 {
		data = writePieces(c, data)
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

// writePieces writes the first half of data (at most) in writev calls of
// 40 pieces of 1 to 13 bytes, and returns what is left.
func writePieces(c net.Conn, data []byte) []byte {
	n, off := 0, 0
	for off < len(data)/2 {
		var b net.Buffers
		for i := 0; i < 40 && off < len(data)/2; i++ {
			l := 1 + n%13
			if l > len(data)-off {
				l = len(data) - off
			}
			b = append(b, data[off:off+l])
			off += l
			n++
		}
		if _, err := b.WriteTo(c); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: writev: %v\n", err)
			os.Exit(1)
		}
	}
	return data[off:]
}
