// Command portshare checks who may bind a port another socket holds, as
// on Linux (socket(7)): EADDRINUSE without SO_REUSEADDR/SO_REUSEPORT, for
// equal, wildcard and dual-stack overlaps; SO_REUSEADDR past TIME_WAIT but
// not past a listener; SO_REUSEPORT listeners that share the connections
// and keep accepting when one closes (a server's reload); SO_REUSEPORT for
// UDP.  It prints SUCCESS, or FAIL lines.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
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

// SO_REUSEPORT (socket(7)); package syscall does not name it.
const soReusePort = 15

const (
	reuseAddr = 1 << iota
	reusePort
	v6only
)

// rawSocket is a socket with the given options, bound to addr (IPv4 or
// IPv6 by its length): the fd and bind's error.
func rawSocket(typ int, ip net.IP, port int, opts int) (int, error) {
	family := syscall.AF_INET
	if ip.To4() == nil {
		family = syscall.AF_INET6
	}
	fd, err := syscall.Socket(family, typ|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if opts&reuseAddr != 0 {
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	}
	if opts&reusePort != 0 {
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, soReusePort, 1)
	}
	var sa syscall.Sockaddr
	if family == syscall.AF_INET {
		a := &syscall.SockaddrInet4{Port: port}
		copy(a.Addr[:], ip.To4())
		sa = a
	} else {
		v := 0
		if opts&v6only != 0 {
			v = 1
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, v)
		a := &syscall.SockaddrInet6{Port: port}
		copy(a.Addr[:], ip.To16())
		sa = a
	}
	return fd, syscall.Bind(fd, sa)
}

// expectBind binds a socket and checks bind's result; the fd stays open
// (the caller closes it) when bind succeeded.
func expectBind(what string, want error, typ int, ip net.IP, port, opts int) int {
	fd, err := rawSocket(typ, ip, port, opts)
	if err != want {
		check(false, "%s: bind %v:%d: %v, want %v", what, ip, port, err, want)
	}
	if err != nil && fd >= 0 {
		syscall.Close(fd)
		return -1
	}
	return fd
}

func freePort(network string) int {
	l, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		check(false, "listen: %v", err)
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var lo = net.IPv4(127, 0, 0, 1)

// tcpConflicts: a listener holds its address against others.
func tcpConflicts() {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		check(false, "listen: %v", err)
		return
	}
	p := l.Addr().(*net.TCPAddr).Port
	S := syscall.SOCK_STREAM
	expectBind("same address", syscall.EADDRINUSE, S, lo, p, 0)
	expectBind("same address, SO_REUSEADDR", syscall.EADDRINUSE, S, lo, p, reuseAddr)
	expectBind("wildcard over specific", syscall.EADDRINUSE, S, net.IPv4zero, p, reuseAddr)
	expectBind("SO_REUSEPORT on one side only", syscall.EADDRINUSE, S, lo, p, reusePort)
	l.Close()

	l, err = net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		check(false, "listen: %v", err)
		return
	}
	p = l.Addr().(*net.TCPAddr).Port
	expectBind("specific under wildcard", syscall.EADDRINUSE, S, lo, p, 0)
	expectBind("dual-stack :: over 0.0.0.0", syscall.EADDRINUSE, S, net.IPv6zero, p, 0)
	fd := expectBind("IPV6_V6ONLY :: beside 0.0.0.0", nil, S, net.IPv6zero, p, v6only)
	syscall.Close(fd)
	l.Close()

	// Bound, not listening: both may bind with SO_REUSEADDR, and only one
	// may then listen.
	p = freePort("tcp4")
	x := expectBind("bound without SO_REUSEADDR", nil, S, lo, p, 0)
	expectBind("bound twice without SO_REUSEADDR", syscall.EADDRINUSE, S, lo, p, reuseAddr)
	syscall.Close(x)
	a := expectBind("first, SO_REUSEADDR", nil, S, lo, p, reuseAddr)
	b := expectBind("second, SO_REUSEADDR", nil, S, lo, p, reuseAddr)
	expectBind("third without SO_REUSEADDR", syscall.EADDRINUSE, S, lo, p, 0)
	if a >= 0 && b >= 0 {
		check(syscall.Listen(a, 8) == nil, "first listen failed")
		err := syscall.Listen(b, 8)
		check(err == syscall.EADDRINUSE, "second listen: %v, want EADDRINUSE", err)
	}
	syscall.Close(a)
	syscall.Close(b)
}

func listenReusePort(addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), "tcp", addr)
}

// serve accepts on l and counts, answering each connection with tag.
func serve(l net.Listener, tag byte, count *int, mu *sync.Mutex, done *sync.WaitGroup) {
	defer done.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		*count++
		mu.Unlock()
		c.Write([]byte{tag})
		c.Close()
	}
}

// dialTag connects and reads the one byte the listener answered with.
func dialTag(addr string) byte {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		check(false, "dial %s: %v", addr, err)
		return 0
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil {
		check(false, "read from %s: %v", addr, err)
		return 0
	}
	return b[0]
}

func tcpReusePort() {
	a, err := listenReusePort("127.0.0.1:0")
	if err != nil {
		check(false, "listen with SO_REUSEPORT: %v", err)
		return
	}
	addr := a.Addr().String()
	b, err := listenReusePort(addr)
	if err != nil {
		check(false, "second listen with SO_REUSEPORT on %s: %v", addr, err)
		a.Close()
		return
	}
	var mu sync.Mutex
	var na, nb int
	var done sync.WaitGroup
	done.Add(2)
	go serve(a, 'a', &na, &mu, &done)
	go serve(b, 'b', &nb, &mu, &done)
	got := map[byte]int{}
	for i := 0; i < 32; i++ {
		got[dialTag(addr)]++
	}
	check(got['a']+got['b'] == 32, "SO_REUSEPORT: answers %v, want 32", got)
	check(got['a'] > 0 && got['b'] > 0, "SO_REUSEPORT: connections not spread: %v", got)
	a.Close()
	for i := 0; i < 8; i++ {
		check(dialTag(addr) == 'b', "after the first listener closed, a connection was not accepted by the second")
	}
	b.Close()
	done.Wait()
	mu.Lock()
	check(na+nb == 40, "accepted %d+%d, want 40", na, nb)
	mu.Unlock()
}

// TIME_WAIT: a server that closed first may listen again at once with
// SO_REUSEADDR (Go sets it), not without.
func tcpTimeWait() {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		check(false, "listen: %v", err)
		return
	}
	addr := l.Addr().String()
	p := l.Addr().(*net.TCPAddr).Port
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Close() // the server closes first: its side goes to TIME_WAIT
		}
	}()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		check(false, "dial: %v", err)
		return
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	check(err == io.EOF, "read: %v, want EOF", err)
	c.Close()
	time.Sleep(200 * time.Millisecond)
	l.Close()
	expectBind("TIME_WAIT without SO_REUSEADDR", syscall.EADDRINUSE, syscall.SOCK_STREAM, lo, p, 0)
	l2, err := net.Listen("tcp4", addr)
	check(err == nil, "listen again past TIME_WAIT with SO_REUSEADDR: %v", err)
	if l2 != nil {
		l2.Close()
	}
}

// recvOne reads one datagram from the first of fds that has one.
func recvOne(fds []int) int {
	for _, fd := range fds {
		syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Usec: 300000})
	}
	for i, fd := range fds {
		buf := make([]byte, 16)
		if n, _, err := syscall.Recvfrom(fd, buf, 0); err == nil && n == 4 {
			return i
		}
	}
	return -1
}

func udpReusePort() {
	D := syscall.SOCK_DGRAM
	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		check(false, "listen udp: %v", err)
		return
	}
	p := u.LocalAddr().(*net.UDPAddr).Port
	expectBind("UDP same address", syscall.EADDRINUSE, D, lo, p, 0)
	expectBind("UDP wildcard over specific", syscall.EADDRINUSE, D, net.IPv4zero, p, reusePort)
	u.Close()

	a := expectBind("UDP first SO_REUSEPORT", nil, D, lo, p, reusePort)
	b := expectBind("UDP second SO_REUSEPORT", nil, D, lo, p, reusePort)
	expectBind("UDP third without", syscall.EADDRINUSE, D, lo, p, reuseAddr)
	if a < 0 || b < 0 {
		return
	}
	send := func() {
		c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			check(false, "dial udp: %v", err)
			return
		}
		c.Write([]byte("ping"))
		c.Close()
	}
	fds := []int{a, b}
	send()
	first := recvOne(fds)
	check(first >= 0, "UDP SO_REUSEPORT: the datagram reached neither socket")
	if first < 0 {
		return
	}
	syscall.Close(fds[first])
	other := fds[1-first]
	send()
	check(recvOne([]int{other}) == 0, "UDP SO_REUSEPORT: the remaining socket got nothing")
	syscall.Close(other)

	a = expectBind("UDP first SO_REUSEADDR", nil, D, lo, p, reuseAddr)
	b = expectBind("UDP second SO_REUSEADDR", nil, D, lo, p, reuseAddr)
	syscall.Close(a)
	syscall.Close(b)
}

func main() {
	tcpConflicts()
	tcpReusePort()
	tcpTimeWait()
	udpReusePort()
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
