// Command netloop exercises networking inside one guest, over loopback:
// TCP (IPv4 and IPv6) with a byte-exact echo, UDP echo, AF_UNIX stream and
// datagram sockets, TCP and UDP to the machine's own external address,
// ECONNREFUSED on a closed port, many concurrent
// connections, name lookup through /etc/hosts, and net/http through
// httptest.  It prints what it checked and SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// readAfterWrite checks a read that follows a successful write.  Every
// read in this program is bounded: under fault injection (the fail-netloop
// case) a write may fail with ENOMEM or ENOBUFS, and then nothing is read;
// but a read that times out after its write succeeded means the kernel
// lost data, which the fail case rejects by the word LOST.
func readAfterWrite(err error, ok bool, format string, args ...interface{}) {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.EAGAIN) {
		format = "LOST (read timed out after a successful write): " + format
	}
	check(ok, format, args...)
}

// bound gives a socket descriptor a 20 s receive timeout (SO_RCVTIMEO),
// the bound the net.Conn reads get from their deadlines.
func bound(fd int) {
	tv := syscall.Timeval{Sec: 20}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
}

// max0 is n, or 0 for a failed read's -1.
func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

func echoServer(l net.Listener) {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// ENOMEM or ENOBUFS (under fault injection: the fail-netloop
			// case): the listener lives on, as net/http's does.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}

func tcpEcho(network, addr string, size int) {
	l, err := net.Listen(network, addr)
	if err != nil {
		check(false, "listen %s %s: %v", network, addr, err)
		return
	}
	defer l.Close()
	go echoServer(l)
	c, err := net.DialTimeout(network, l.Addr().String(), 10*time.Second)
	if err != nil {
		check(false, "dial %s: %v", l.Addr(), err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	data := make([]byte, size)
	rand.Read(data)
	go func() {
		c.Write(data)
		c.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	check(err == nil && bytes.Equal(got, data), "%s echo of %d bytes: got %d, %v", network, size, len(got), err)
	fmt.Printf("%s echo %d bytes via %s: ok\n", network, size, l.Addr())
}

func udpEcho(addr string) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		check(false, "udp listen: %v", err)
		return
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			// Only closing ends the server: under fault injection
			// (the fail-netloop case) a read may fail with ENOMEM.
			n, a, err := pc.ReadFrom(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				pc.WriteTo(buf[:n], a)
			}
		}
	}()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		check(false, "udp dial: %v", err)
		return
	}
	defer c.Close()
	for i := 0; i < 20; i++ {
		msg := []byte(fmt.Sprintf("datagram %d", i))
		c.Write(msg)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 100)
		n, err := c.Read(buf)
		check(err == nil && bytes.Equal(buf[:n], msg), "udp echo %d via %s: %q %v", i, addr, buf[:n], err)
		if err != nil {
			return // one lost datagram is enough to fail; do not wait 20 times
		}
	}
	fmt.Printf("udp echo via %s: ok\n", addr)
}

// rawICMP pings 127.0.0.1 through a raw ICMP socket (the program is root)
// and waits for the echo reply with its identifier.
func rawICMP() {
	c, err := net.ListenPacket("ip4:icmp", "127.0.0.1")
	if err != nil {
		check(false, "raw ICMP socket: %v", err)
		return
	}
	defer c.Close()
	req := []byte{8, 0, 0, 0, 0x47, 0x52, 0, 1, 'p', 'i', 'n', 'g'}
	sum := 0
	for i := 0; i < len(req); i += 2 {
		sum += int(req[i])<<8 | int(req[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	req[2], req[3] = byte(^sum>>8), byte(^sum)
	if _, err := c.WriteTo(req, &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		check(false, "raw ICMP send: %v", err)
		return
	}
	buf := make([]byte, 1500)
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			check(false, "raw ICMP reply: %v", err)
			return
		}
		// Go strips the IPv4 header; a reply is type 0 with our id.
		if n >= 12 && buf[0] == 0 && buf[4] == 0x47 && buf[5] == 0x52 {
			check(string(buf[8:n]) == "ping" && from.String() == "127.0.0.1",
				"raw ICMP reply %q from %v", buf[8:n], from)
			break
		}
	}
	fmt.Println("raw ICMP echo via 127.0.0.1: ok")
}

// ownAddresses echoes over TCP and UDP to the machine's own external
// addresses (the guest's DHCP address): such traffic stays inside, as
// over loopback, rather than going out of the network device.
func ownAddresses() {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		check(false, "interface addresses: %v", err)
		return
	}
	var v4, v6 net.IP
	for _, a := range addrs {
		ip := a.(*net.IPNet).IP
		if ip.IsLoopback() || ip.IsLinkLocalUnicast() {
			continue
		}
		if ip.To4() != nil && v4 == nil {
			v4 = ip
		} else if ip.To4() == nil && v6 == nil {
			v6 = ip
		}
	}
	if v4 == nil {
		check(false, "no IPv4 address but loopback in %v", addrs)
		return
	}
	tcpEcho("tcp4", net.JoinHostPort(v4.String(), "0"), 256<<10)
	udpEcho(net.JoinHostPort(v4.String(), "0"))
	if v6 != nil { // IPv6 only where the network offers a prefix
		tcpEcho("tcp6", net.JoinHostPort(v6.String(), "0"), 64<<10)
	}
}

func unixSockets() {
	dir, _ := os.MkdirTemp("", "unix")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		check(false, "unix listen: %v", err)
		return
	}
	go echoServer(l)
	c, err := net.Dial("unix", path)
	if err != nil {
		check(false, "unix dial: %v", err)
		return
	}
	buf := make([]byte, 64)
	if _, err := c.Write([]byte("over unix")); err != nil {
		check(false, "unix write: %v", err)
	} else {
		c.SetDeadline(time.Now().Add(20 * time.Second))
		n, err := c.Read(buf)
		readAfterWrite(err, err == nil && string(buf[:n]) == "over unix", "unix echo %q %v", buf[:n], err)
	}
	c.Close()
	l.Close()
	fi, err := os.Stat(path)
	check(err != nil || fi.Mode()&os.ModeSocket != 0, "socket file mode %v", fi)

	a := &net.UnixAddr{Name: filepath.Join(dir, "d1"), Net: "unixgram"}
	b := &net.UnixAddr{Name: filepath.Join(dir, "d2"), Net: "unixgram"}
	ca, err := net.ListenUnixgram("unixgram", a)
	check(err == nil, "unixgram listen: %v", err)
	cb, err := net.ListenUnixgram("unixgram", b)
	check(err == nil, "unixgram listen 2: %v", err)
	if ca != nil && cb != nil {
		if _, err := ca.WriteToUnix([]byte("dgram"), b); err != nil {
			check(false, "unixgram send: %v", err)
		} else {
			cb.SetReadDeadline(time.Now().Add(20 * time.Second))
			n, from, err := cb.ReadFromUnix(buf)
			readAfterWrite(err, err == nil && string(buf[:n]) == "dgram" && from.Name == a.Name, "unixgram %q from %v %v", buf[:n], from, err)
		}
		ca.Close()
		cb.Close()
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	check(err == nil, "socketpair: %v", err)
	if err == nil {
		bound(fds[1])
		if _, err := syscall.Write(fds[0], []byte("pair")); err != nil {
			check(false, "socketpair write: %v", err)
		} else {
			n, err := syscall.Read(fds[1], buf)
			readAfterWrite(err, err == nil && string(buf[:n]) == "pair", "socketpair read %q %v", buf[:max0(n)], err)
		}
		syscall.Close(fds[0])
		n, err := syscall.Read(fds[1], buf)
		check(n == 0 && err == nil, "socketpair EOF after close: %d %v", n, err)
		syscall.Close(fds[1])
	}
	// unixpacket keeps message boundaries; an unbound sender has no address.
	pl, err := net.Listen("unixpacket", filepath.Join(dir, "p.sock"))
	check(err == nil, "unixpacket listen: %v", err)
	if err == nil {
		go func() {
			c, err := pl.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("one"))
			c.Write([]byte("two"))
			c.Close()
		}()
		pc, err := net.Dial("unixpacket", filepath.Join(dir, "p.sock"))
		check(err == nil, "unixpacket dial: %v", err)
		if err == nil {
			// The writer's errors are its own; a short read fails below.
			pc.SetDeadline(time.Now().Add(20 * time.Second))
			big := make([]byte, 64)
			n1, _ := pc.Read(big)
			n2, _ := pc.Read(big[n1:])
			check(string(big[:n1]) == "one" && string(big[n1:n1+n2]) == "two", "unixpacket boundaries %q %q", big[:n1], big[n1:n1+n2])
			pc.Close()
		}
		pl.Close()
	}
	auto, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Net: "unixgram"})
	check(err == nil && auto.LocalAddr().String() != "", "autobind: %v", err)
	if auto != nil {
		anon, _ := net.DialUnix("unixgram", nil, auto.LocalAddr().(*net.UnixAddr))
		if anon != nil {
			if _, err := anon.Write([]byte("x")); err != nil {
				check(false, "unbound send: %v", err)
			} else {
				auto.SetReadDeadline(time.Now().Add(20 * time.Second))
				_, from, err := auto.ReadFromUnix(buf)
				readAfterWrite(err, err == nil && from == nil, "unbound sender's address %v %v", from, err)
			}
			anon.Close()
		}
		auto.Close()
	}
	// SCM_RIGHTS: pass an open file over a socket pair.
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		bound(sp[1])
		f, err := os.CreateTemp(dir, "passed")
		if err == nil {
			f.WriteString("passed along")
			err = syscall.Sendmsg(sp[0], []byte("x"), syscall.UnixRights(int(f.Fd())), nil, 0)
		}
		check(err == nil, "sendmsg with SCM_RIGHTS: %v", err)
		oob := make([]byte, 64)
		oobn := 0
		if err == nil {
			_, oobn, _, _, err = syscall.Recvmsg(sp[1], buf, oob, syscall.MSG_CMSG_CLOEXEC)
			readAfterWrite(err, err == nil && oobn > 0, "recvmsg: oobn %d %v", oobn, err)
		}
		scms, _ := syscall.ParseSocketControlMessage(oob[:oobn])
		if len(scms) == 1 {
			fds, _ := syscall.ParseUnixRights(&scms[0])
			if len(fds) == 1 {
				g := os.NewFile(uintptr(fds[0]), "received")
				data := make([]byte, 64)
				n, _ := g.ReadAt(data, 0)
				check(string(data[:n]) == "passed along", "read through the passed fd %q", data[:n])
				g.Close()
			} else {
				check(false, "rights: %v", fds)
			}
		} else {
			check(false, "control messages: %d", len(scms))
		}
		f.Close()
		syscall.Close(sp[0])
		syscall.Close(sp[1])
	}
	fmt.Println("unix stream, datagram, seqpacket, autobind, socketpair and SCM_RIGHTS: ok")
}

func refused() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		check(false, "listen: %v", err)
		return
	}
	addr := l.Addr().String()
	l.Close()
	_, err = net.DialTimeout("tcp", addr, 5*time.Second)
	check(errors.Is(err, syscall.ECONNREFUSED), "dial closed port: %v", err)
	fmt.Println("ECONNREFUSED on a closed port: ok")
}

func concurrent(n int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		check(false, "listen: %v", err)
		return
	}
	defer l.Close()
	go echoServer(l)
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	var first error
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", l.Addr().String())
			if err == nil {
				c.SetDeadline(time.Now().Add(20 * time.Second))
				msg := []byte(fmt.Sprintf("conn %d", i))
				c.Write(msg)
				buf := make([]byte, 64)
				var k int
				k, err = io.ReadFull(c, buf[:len(msg)])
				if err == nil && !bytes.Equal(buf[:k], msg) {
					err = fmt.Errorf("got %q", buf[:k])
				}
				c.Close()
			}
			if err != nil {
				mu.Lock()
				if bad++; first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	check(bad == 0, "%d of %d concurrent connections failed (first: %v)", bad, n, first)
	fmt.Printf("%d concurrent connections: ok\n", n)
}

func httpAndLookup() {
	addrs, err := net.LookupHost("localhost")
	check(err == nil && len(addrs) > 0, "LookupHost localhost: %v %v", addrs, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 30 * time.Second} // bounded, as every read here
	resp, err := client.Get(srv.URL + "/fast")
	if err != nil {
		check(false, "http.Get: %v", err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check(resp.StatusCode == 200 && string(body) == "hello /fast", "http: %d %q", resp.StatusCode, body)
	fmt.Println("lookup via /etc/hosts and net/http over httptest: ok")
}

func main() {
	tcpEcho("tcp4", "127.0.0.1:0", 1<<20)
	tcpEcho("tcp6", "[::1]:0", 256<<10)
	tcpEcho("tcp", ":0", 64<<10)
	udpEcho("127.0.0.1:0")
	ownAddresses()
	rawICMP()
	unixSockets()
	refused()
	concurrent(200)
	httpAndLookup()
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
