// Command udpcmsg checks UDP control messages as quic-go uses them
// (ip(7), ipv6(7), cmsg(3)): with IP_PKTINFO and IP_RECVTOS, recvmsg
// gives struct in_pktinfo (lo's index, the destination address twice)
// then the TOS byte, in Linux's exact layout; IPV6_RECVPKTINFO and
// IPV6_RECVTCLASS give in6_pktinfo and an int, also for an IPv4 datagram
// on a dual-stack socket (a v4-mapped address, then the IPv4 ones); a
// short control buffer is cut as Linux cuts it, with MSG_CTRUNC; nothing
// enabled, nothing given.  On the send side, IP_TOS and IPV6_TCLASS
// control messages mark one datagram (ECN), and IP_PKTINFO chooses its
// source address (ENETUNREACH for one not ours).  Prints SUCCESS, or FAIL
// lines.
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"syscall"
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func cmsg(level, typ int, data []byte) []byte {
	b := make([]byte, syscall.CmsgSpace(len(data)))
	binary.LittleEndian.PutUint64(b, uint64(syscall.CmsgLen(len(data))))
	binary.LittleEndian.PutUint32(b[8:], uint32(level))
	binary.LittleEndian.PutUint32(b[12:], uint32(typ))
	copy(b[16:], data)
	return b
}

func int32b(v int32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

func udp(network, addr string) *net.UDPConn {
	a, err := net.ResolveUDPAddr(network, addr)
	must(err, "resolve "+addr)
	c, err := net.ListenUDP(network, a)
	must(err, "listen "+addr)
	return c
}

func setopt(c *net.UDPConn, level, name int) {
	rc, err := c.SyscallConn()
	must(err, "SyscallConn")
	var serr error
	rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), level, name, 1) })
	must(serr, fmt.Sprintf("setsockopt %d/%d", level, name))
}

// recv reads one datagram with an oob buffer of oobCap bytes.
func recv(c *net.UDPConn, oobCap int) (oob []byte, flags int, from *net.UDPAddr) {
	b := make([]byte, 100)
	oob = make([]byte, oobCap)
	_, oobn, flags, from, err := c.ReadMsgUDP(b, oob)
	must(err, "ReadMsgUDP")
	return oob[:oobn], flags, from
}

func loIndex() int32 {
	lo, err := net.InterfaceByName("lo")
	must(err, "interface lo")
	return int32(lo.Index)
}

func ipv4() {
	r := udp("udp4", "127.0.0.1:0")
	defer r.Close()
	s := udp("udp4", "127.0.0.1:0")
	defer s.Close()
	to := r.LocalAddr().(*net.UDPAddr)

	// Nothing enabled: no control messages.
	_, err := s.WriteToUDP([]byte("a"), to)
	must(err, "send")
	oob, _, _ := recv(r, 256)
	check(len(oob) == 0, "no options enabled, got %d control bytes", len(oob))

	setopt(r, syscall.IPPROTO_IP, syscall.IP_PKTINFO)
	setopt(r, syscall.IPPROTO_IP, syscall.IP_RECVTOS)
	// ECT(1) on this datagram alone, as a byte (an int works too).
	_, _, err = s.WriteMsgUDP([]byte("b"), cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, []byte{1}), to)
	must(err, "send with IP_TOS")
	oob, flags, _ := recv(r, 256)
	lo := loIndex()
	want := append(cmsg(syscall.IPPROTO_IP, syscall.IP_PKTINFO,
		append(int32b(lo), 127, 0, 0, 1, 127, 0, 0, 1)),
		cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, []byte{1})...)
	check(string(oob) == string(want) && flags&syscall.MSG_CTRUNC == 0,
		"IPv4 control messages\n got % x\nwant % x (flags %#x)", oob, want, flags)

	// 20 bytes: the in_pktinfo message is cut to them, the TOS is lost.
	_, _, err = s.WriteMsgUDP([]byte("c"), cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, int32b(2)), to)
	must(err, "send with an int IP_TOS")
	oob, flags, _ = recv(r, 20)
	check(len(oob) == 20 && flags&syscall.MSG_CTRUNC != 0 &&
		binary.LittleEndian.Uint64(oob) == 20 && string(oob[16:]) == string(int32b(lo)),
		"cut control messages: % x flags %#x", oob, flags)

	// The socket's TOS, without a control message.
	_, err = s.WriteToUDP([]byte("d"), to)
	must(err, "send")
	oob, _, _ = recv(r, 256)
	check(len(oob) == 56 && oob[48] == 0, "TOS without IP_TOS: % x", oob)

	_, _, err = s.WriteMsgUDP([]byte("e"), cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, int32b(256)), to)
	check(err != nil && err.(*net.OpError).Err.(*os.SyscallError).Err == syscall.EINVAL,
		"IP_TOS 256: %v, want EINVAL", err)
}

// pktinfoSource: IP_PKTINFO's ipi_spec_dst is the datagram's source.
func pktinfoSource() {
	var mine net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			mine = n.IP.To4()
			break
		}
	}
	r := udp("udp4", "0.0.0.0:0")
	defer r.Close()
	s := udp("udp4", "0.0.0.0:0")
	defer s.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.LocalAddr().(*net.UDPAddr).Port}
	info := func(ip net.IP) []byte {
		return cmsg(syscall.IPPROTO_IP, syscall.IP_PKTINFO, append(int32b(0), append(ip.To4(), 0, 0, 0, 0)...))
	}
	if mine != nil {
		_, _, err := s.WriteMsgUDP([]byte("f"), info(mine), to)
		must(err, "send with IP_PKTINFO")
		_, _, from := recv(r, 0)
		check(from.IP.Equal(mine), "IP_PKTINFO source %v: came from %v", mine, from.IP)
	} else {
		fmt.Println("no non-loopback IPv4 address: source choice not checked")
	}
	_, _, err := s.WriteMsgUDP([]byte("g"), info(net.IPv4(192, 0, 2, 99)), to)
	// No output route from it (IPv6 would say EINVAL).
	check(err != nil && err.(*net.OpError).Err.(*os.SyscallError).Err == syscall.ENETUNREACH,
		"IP_PKTINFO from an address not ours: %v, want ENETUNREACH", err)
}

func ipv6() {
	r := udp("udp6", "[::1]:0")
	defer r.Close()
	s := udp("udp6", "[::1]:0")
	defer s.Close()
	setopt(r, syscall.IPPROTO_IPV6, syscall.IPV6_RECVPKTINFO)
	setopt(r, syscall.IPPROTO_IPV6, syscall.IPV6_RECVTCLASS)
	_, _, err := s.WriteMsgUDP([]byte("h"), cmsg(syscall.IPPROTO_IPV6, syscall.IPV6_TCLASS, int32b(2)),
		r.LocalAddr().(*net.UDPAddr))
	must(err, "send with IPV6_TCLASS")
	oob, _, _ := recv(r, 256)
	want := append(cmsg(syscall.IPPROTO_IPV6, syscall.IPV6_PKTINFO, append([]byte(net.IPv6loopback), int32b(loIndex())...)),
		cmsg(syscall.IPPROTO_IPV6, syscall.IPV6_TCLASS, int32b(2))...)
	check(string(oob) == string(want), "IPv6 control messages\n got % x\nwant % x", oob, want)
}

// dualStack: an IPv4 datagram on an IPv6 socket that asked for both
// families' messages.
func dualStack() {
	r := udp("udp", "[::]:0")
	defer r.Close()
	s := udp("udp4", "127.0.0.1:0")
	defer s.Close()
	for _, o := range [][2]int{{syscall.IPPROTO_IPV6, syscall.IPV6_RECVPKTINFO}, {syscall.IPPROTO_IPV6, syscall.IPV6_RECVTCLASS},
		{syscall.IPPROTO_IP, syscall.IP_PKTINFO}, {syscall.IPPROTO_IP, syscall.IP_RECVTOS}} {
		setopt(r, o[0], o[1])
	}
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.LocalAddr().(*net.UDPAddr).Port}
	_, _, err := s.WriteMsgUDP([]byte("i"), cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, []byte{3}), to)
	must(err, "send to the dual-stack socket")
	oob, _, _ := recv(r, 256)
	lo := loIndex()
	mapped := append(make([]byte, 10), 0xff, 0xff, 127, 0, 0, 1)
	want := append(append(cmsg(syscall.IPPROTO_IPV6, syscall.IPV6_PKTINFO, append(mapped, int32b(lo)...)),
		cmsg(syscall.IPPROTO_IP, syscall.IP_PKTINFO, append(int32b(lo), 127, 0, 0, 1, 127, 0, 0, 1))...),
		cmsg(syscall.IPPROTO_IP, syscall.IP_TOS, []byte{3})...)
	check(string(oob) == string(want), "dual-stack control messages\n got % x\nwant % x", oob, want)
}

func main() {
	ipv4()
	pktinfoSource()
	ipv6()
	dualStack()
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
