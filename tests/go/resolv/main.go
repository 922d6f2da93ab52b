// tests/go/resolv — the guest's name-service files: /etc/resolv.conf
// must name the server given (QEMU's 10.0.2.3 under user networking, or
// --dns), and net.LookupHost("localhost") must work through /etc/hosts
// (there is no internet to try a real name against).
//
//	resolv NAMESERVER
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: resolv NAMESERVER")
		os.Exit(2)
	}
	failed := false
	conf, err := os.ReadFile("/etc/resolv.conf")
	fmt.Printf("/etc/resolv.conf: %q\n", conf)
	want := "nameserver " + os.Args[1]
	found := false
	for _, l := range strings.Split(string(conf), "\n") {
		found = found || strings.TrimSpace(l) == want
	}
	if err != nil || !found {
		fmt.Fprintf(os.Stderr, "FAIL: no line %q (%v)\n", want, err)
		failed = true
	}
	addrs, err := net.LookupHost("localhost")
	fmt.Printf("localhost: %v\n", addrs)
	loop := false
	for _, a := range addrs {
		loop = loop || a == "127.0.0.1" || a == "::1"
	}
	if err != nil || !loop {
		fmt.Fprintf(os.Stderr, "FAIL: LookupHost(localhost): %v %v\n", addrs, err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
