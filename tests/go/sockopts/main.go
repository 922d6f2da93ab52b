// Command sockopts checks the socket options servers set on Linux (net/http,
// quic-go for HTTP/3): IP_MTU_DISCOVER and IPV6_MTU_DISCOVER, IP_RECVTOS,
// IPV6_RECVTCLASS, IP_PKTINFO, IPV6_RECVPKTINFO, IP_TOS, IPV6_TCLASS,
// IP_TTL, IPV6_UNICAST_HOPS, IP_FREEBIND, IP_BIND_ADDRESS_NO_PORT,
// SO_RCVBUF/SO_SNDBUF (and the FORCE ones as root), TCP_USER_TIMEOUT:
// defaults, values read back, EINVAL and ENOPROTOOPT as Linux gives them
// (ip(7), ipv6(7), socket(7), tcp(7)).  Prints SUCCESS, or FAIL lines.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

// Linux's numbers (package syscall lacks some).
const (
	ipMTUDiscover       = 10
	ipRecvTOS           = 13
	ipFreebind          = 15
	ipBindAddrNoPort    = 24
	ipv6MTUDiscover     = 23
	ipv6RecvPktinfo     = 49
	ipv6RecvTclass      = 66
	ipv6Tclass          = 67
	soSndbufForce       = 32
	soRcvbufForce       = 33
	tcpUserTimeout      = 18
	pmtudiscWant        = 1
	pmtudiscDo          = 2
	pmtudiscProbe       = 3
	defaultTTL          = 64
	defaultRmemMaxBytes = 212992
)

func sock(family, typ int) int {
	fd, err := syscall.Socket(family, typ|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		check(false, "socket: %v", err)
		return -1
	}
	return fd
}

func get(fd, level, name int, want int, what string) {
	v, err := syscall.GetsockoptInt(fd, level, name)
	check(err == nil && v == want, "%s: getsockopt = %d, %v; want %d", what, v, err, want)
}

func set(fd, level, name, v int, want error, what string) {
	err := syscall.SetsockoptInt(fd, level, name, v)
	check(err == want, "%s: setsockopt(%d) = %v, want %v", what, v, err, want)
}

// setGet sets v and expects to read back rv.
func setGet(fd, level, name, v, rv int, what string) {
	set(fd, level, name, v, nil, what)
	get(fd, level, name, rv, what)
}

func ipv4Opts(fd int, what string) {
	P := syscall.IPPROTO_IP
	get(fd, P, ipMTUDiscover, pmtudiscWant, what+" IP_MTU_DISCOVER default")
	setGet(fd, P, ipMTUDiscover, pmtudiscDo, pmtudiscDo, what+" IP_MTU_DISCOVER")
	set(fd, P, ipMTUDiscover, 6, syscall.EINVAL, what+" IP_MTU_DISCOVER 6")
	set(fd, P, ipMTUDiscover, -1, syscall.EINVAL, what+" IP_MTU_DISCOVER -1")
	setGet(fd, P, ipRecvTOS, 1, 1, what+" IP_RECVTOS")
	setGet(fd, P, syscall.IP_PKTINFO, 5, 1, what+" IP_PKTINFO")
	get(fd, P, syscall.IP_TTL, defaultTTL, what+" IP_TTL default")
	set(fd, P, syscall.IP_TTL, 0, syscall.EINVAL, what+" IP_TTL 0")
	set(fd, P, syscall.IP_TTL, 256, syscall.EINVAL, what+" IP_TTL 256")
	setGet(fd, P, syscall.IP_TTL, 10, 10, what+" IP_TTL")
	setGet(fd, P, syscall.IP_TTL, -1, defaultTTL, what+" IP_TTL -1")
	setGet(fd, P, ipFreebind, 1, 1, what+" IP_FREEBIND")
	setGet(fd, P, ipBindAddrNoPort, 1, 1, what+" IP_BIND_ADDRESS_NO_PORT")
}

func ipv6Opts(fd int, what string) {
	P := syscall.IPPROTO_IPV6
	get(fd, P, ipv6MTUDiscover, pmtudiscWant, what+" IPV6_MTU_DISCOVER default")
	setGet(fd, P, ipv6MTUDiscover, pmtudiscProbe, pmtudiscProbe, what+" IPV6_MTU_DISCOVER")
	set(fd, P, ipv6MTUDiscover, 6, syscall.EINVAL, what+" IPV6_MTU_DISCOVER 6")
	setGet(fd, P, ipv6RecvTclass, 1, 1, what+" IPV6_RECVTCLASS")
	setGet(fd, P, ipv6RecvPktinfo, 1, 1, what+" IPV6_RECVPKTINFO")
	get(fd, P, ipv6Tclass, 0, what+" IPV6_TCLASS default")
	setGet(fd, P, ipv6Tclass, 0x20, 0x20, what+" IPV6_TCLASS")
	setGet(fd, P, ipv6Tclass, -1, 0, what+" IPV6_TCLASS -1")
	set(fd, P, ipv6Tclass, 256, syscall.EINVAL, what+" IPV6_TCLASS 256")
	get(fd, P, syscall.IPV6_UNICAST_HOPS, defaultTTL, what+" IPV6_UNICAST_HOPS default")
	set(fd, P, syscall.IPV6_UNICAST_HOPS, 300, syscall.EINVAL, what+" IPV6_UNICAST_HOPS 300")
	setGet(fd, P, syscall.IPV6_UNICAST_HOPS, 7, 7, what+" IPV6_UNICAST_HOPS")
}

// rmemMax is net.core.rmem_max where /proc says it, else Linux's default.
func sysctl(name string) int {
	b, err := os.ReadFile("/proc/sys/net/core/" + name)
	if err != nil {
		return defaultRmemMaxBytes
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return defaultRmemMaxBytes
	}
	return n
}

func bufOpts(fd int) {
	S := syscall.SOL_SOCKET
	big := 7 << 20 // what quic-go asks for
	setGet(fd, S, syscall.SO_RCVBUF, big, 2*sysctl("rmem_max"), "SO_RCVBUF 7 MiB")
	setGet(fd, S, syscall.SO_SNDBUF, big, 2*sysctl("wmem_max"), "SO_SNDBUF 7 MiB")
	if os.Geteuid() == 0 {
		// Set only: getsockopt does not know the FORCE names.
		set(fd, S, soRcvbufForce, big, nil, "SO_RCVBUFFORCE 7 MiB")
		get(fd, S, syscall.SO_RCVBUF, 2*big, "SO_RCVBUF after FORCE")
		set(fd, S, soSndbufForce, big, nil, "SO_SNDBUFFORCE 7 MiB")
		get(fd, S, syscall.SO_SNDBUF, 2*big, "SO_SNDBUF after FORCE")
	}
}

func udp() {
	fd := sock(syscall.AF_INET, syscall.SOCK_DGRAM)
	if fd < 0 {
		return
	}
	ipv4Opts(fd, "udp4")
	setGet(fd, syscall.IPPROTO_IP, syscall.IP_TOS, 0x13, 0x13, "udp4 IP_TOS keeps ECN bits")
	set(fd, syscall.IPPROTO_IPV6, ipv6RecvTclass, 1, syscall.ENOPROTOOPT, "udp4 IPV6_RECVTCLASS")
	set(fd, syscall.IPPROTO_IPV6, ipv6MTUDiscover, pmtudiscDo, syscall.ENOPROTOOPT, "udp4 IPV6_MTU_DISCOVER")
	bufOpts(fd)
	syscall.Close(fd)

	fd = sock(syscall.AF_INET6, syscall.SOCK_DGRAM)
	if fd < 0 {
		return
	}
	ipv6Opts(fd, "udp6")
	ipv4Opts(fd, "udp6") // an IPv6 socket takes the IPv4 ones too
	syscall.Close(fd)
}

func tcp() {
	fd := sock(syscall.AF_INET, syscall.SOCK_STREAM)
	if fd < 0 {
		return
	}
	ipv4Opts(fd, "tcp4")
	setGet(fd, syscall.IPPROTO_IP, syscall.IP_TOS, 0x13, 0x10, "tcp4 IP_TOS leaves ECN bits to TCP")
	get(fd, syscall.IPPROTO_TCP, tcpUserTimeout, 0, "TCP_USER_TIMEOUT default")
	setGet(fd, syscall.IPPROTO_TCP, tcpUserTimeout, 5000, 5000, "TCP_USER_TIMEOUT")
	set(fd, syscall.IPPROTO_TCP, tcpUserTimeout, -1, syscall.EINVAL, "TCP_USER_TIMEOUT -1")
	syscall.Close(fd)
	fd = sock(syscall.AF_INET6, syscall.SOCK_STREAM)
	if fd >= 0 {
		ipv6Opts(fd, "tcp6")
		syscall.Close(fd)
	}
}

// quic-go's set-up on a dual-stack UDP socket, then a datagram through it
// read with room for control messages.
func quicSetup() {
	c, err := net.ListenUDP("udp", &net.UDPAddr{})
	if err != nil {
		check(false, "listen udp: %v", err)
		return
	}
	defer c.Close()
	rc, _ := c.SyscallConn()
	rc.Control(func(fd uintptr) {
		f := int(fd)
		set(f, syscall.IPPROTO_IP, ipMTUDiscover, pmtudiscDo, nil, "quic IP_MTU_DISCOVER")
		set(f, syscall.IPPROTO_IPV6, ipv6MTUDiscover, pmtudiscDo, nil, "quic IPV6_MTU_DISCOVER")
		set(f, syscall.IPPROTO_IP, ipRecvTOS, 1, nil, "quic IP_RECVTOS")
		set(f, syscall.IPPROTO_IPV6, ipv6RecvTclass, 1, nil, "quic IPV6_RECVTCLASS")
		set(f, syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1, nil, "quic IP_PKTINFO")
		set(f, syscall.IPPROTO_IPV6, ipv6RecvPktinfo, 1, nil, "quic IPV6_RECVPKTINFO")
	})
	port := c.LocalAddr().(*net.UDPAddr).Port
	s, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		check(false, "dial: %v", err)
		return
	}
	defer s.Close()
	s.Write([]byte("hello"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf, oob := make([]byte, 64), make([]byte, 128)
	n, _, _, _, err := c.ReadMsgUDP(buf, oob)
	check(err == nil && string(buf[:n]) == "hello", "quic-style read: %q, %v", buf[:n], err)
}

func main() {
	udp()
	tcp()
	quicSetup()
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
