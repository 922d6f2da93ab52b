// tests/go/udpecho — a UDP echo server for the harness: sends every
// datagram back to where it came from until one reads "quit", then
// reports how many it echoed and SUCCESS (the echo of "quit" may not get
// out before the guest stops; the host does not need it).  The host side is
// tests/go/nethost udp.
//
//	udpecho PORT
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: udpecho PORT")
		os.Exit(2)
	}
	pc, err := net.ListenPacket("udp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", pc.LocalAddr())
	buf := make([]byte, 65536)
	n := 0
	for {
		k, from, err := pc.ReadFrom(buf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: read: %v\n", err)
			os.Exit(1)
		}
		if _, err := pc.WriteTo(buf[:k], from); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: write to %v: %v\n", from, err)
			os.Exit(1)
		}
		if string(buf[:k]) == "quit" {
			break
		}
		n++
	}
	fmt.Printf("echoed %d datagrams\n", n)
	fmt.Println("SUCCESS")
}
