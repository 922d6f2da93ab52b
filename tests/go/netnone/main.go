// tests/go/netnone — the guest of `gorump run --net none`: it must see
// only the loopback interface, and no name server.
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	failed := false
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: net.Interfaces: %v\n", err)
		failed = true
	}
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		fmt.Printf("interface %s %v %v\n", i.Name, i.Flags, addrs)
	}
	if err == nil && (len(ifs) != 1 || ifs[0].Flags&net.FlagLoopback == 0) {
		fmt.Fprintf(os.Stderr, "FAIL: want only loopback, got %d interfaces\n", len(ifs))
		failed = true
	}
	conf, _ := os.ReadFile("/etc/resolv.conf")
	if strings.Contains(string(conf), "nameserver") {
		fmt.Fprintf(os.Stderr, "FAIL: /etc/resolv.conf names a server: %q\n", conf)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
