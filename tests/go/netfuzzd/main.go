// Command netfuzzd is the guest side of tests/netfuzz: a TCP and UDP
// server on port 7000 that must keep answering through a storm of hostile
// frames.  UDP datagrams are echoed.  A TCP connection takes one command
// line: "ECHO text" (echoed), "STAT" (/proc/net/lwip and MemFree, then
// END), "SMALL n" (n writes of 7 bytes each, then END) or "QUIT" (BYE,
// then the program prints SUCCESS and exits).
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

func stat() string {
	var b strings.Builder
	b.WriteString("\n")
	if data, err := os.ReadFile("/proc/net/lwip"); err == nil {
		b.Write(data)
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "MemFree:") {
				b.WriteString(l + "\n")
			}
		}
	}
	b.WriteString("END\n")
	return b.String()
}

func serve(c net.Conn, quit chan<- bool) {
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	line = strings.TrimSuffix(line, "\n")
	cmd, arg, _ := strings.Cut(line, " ")
	switch cmd {
	case "ECHO":
		c.Write([]byte(line + "\n"))
	case "STAT":
		c.Write([]byte(stat()))
	case "SMALL":
		n, _ := strconv.Atoi(arg)
		for i := 0; i < n; i++ {
			c.Write([]byte(fmt.Sprintf("%06d\n", i)))
		}
		c.Write([]byte("END\n"))
	case "QUIT":
		c.Write([]byte("BYE\n"))
		quit <- true
	}
}

// answerable: a datagram's source the echo may answer.  Not 0.0.0.0,
// which the wire may carry to 255.255.255.255 as a DHCP client does:
// a reply to it goes to this host (as on Linux), from 127.0.0.1 to
// 127.0.0.1, and the echo answers itself for ever.  Nor a loopback
// source, which only this host can have sent.
func answerable(a net.Addr) bool {
	u, ok := a.(*net.UDPAddr)
	return ok && !u.IP.IsUnspecified() && !u.IP.IsLoopback()
}

func main() {
	l, err := net.Listen("tcp4", ":7000")
	if err != nil {
		fmt.Println("FAIL: listen:", err)
		os.Exit(1)
	}
	u, err := net.ListenPacket("udp4", ":7000")
	if err != nil {
		fmt.Println("FAIL: listen udp:", err)
		os.Exit(1)
	}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, a, err := u.ReadFrom(buf)
			if err != nil || !answerable(a) {
				continue
			}
			u.WriteTo(buf[:n], a)
		}
	}()
	quit := make(chan bool)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				continue
			}
			go serve(c, quit)
		}
	}()
	fmt.Println("listening on 7000")
	<-quit
	fmt.Println("SUCCESS")
}
