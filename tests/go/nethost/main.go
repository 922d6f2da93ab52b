// tests/go/nethost — the host's side of the harness' network cases; it
// runs on the host, never in the guest.  Every command is bounded by its
// own deadline and exits non-zero with a FAIL line when a check fails.
//
//	nethost free-port            a random free port of 127.0.0.1 (TCP and
//	                             UDP) in 20000-59999
//	nethost pattern SIZE         SIZE bytes of httpserve's /big pattern
//	nethost serve DIR SECONDS    serve DIR over HTTP on 127.0.0.1 for at
//	                             most SECONDS; prints the port first
//	nethost echo ADDR SIZE       send SIZE random bytes to a TCP echo
//	                             server, compare what comes back
//	nethost concurrent ADDR N    open N connections at once, then echo a
//	                             message on each within 20 s
//	                             (both then connect once more: all done)
//	nethost recv ADDR SIZE       read to EOF, compare with SIZE bytes of
//	                             the pattern
//	nethost udp ADDR             echo datagrams of several sizes, then
//	                             "quit"
package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	mrand "math/rand"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

const deadline = 90 * time.Second

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fail("bad number %q", s)
	}
	return n
}

func isFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	pc.Close()
	return true
}

func freePort() {
	mrand.Seed(time.Now().UnixNano() ^ int64(os.Getpid())<<20)
	for i := 0; i < 100; i++ {
		if p := 20000 + mrand.Intn(40000); isFree(p) {
			fmt.Println(p)
			return
		}
	}
	fail("no free port found")
}

func makePattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7 % 251)
	}
	return b
}

func pattern(n int) {
	os.Stdout.Write(makePattern(n))
}

// allDone tells tcpecho that every echo came back, so it may stop.
func allDone(addr string) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fail("dial %s to say all done: %v", addr, err)
	}
	// The guest program exits after this one: its exit must close the
	// connection (a FIN, so EOF here), also where nothing on the host
	// closes it for the guest (a tap network).
	if _, err := exchangeWithin(c, nil, 20*time.Second); err != nil {
		fail("the all-done connection did not end with EOF: %v", err)
	}
	c.Close()
}

func recv(addr string, size int) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fail("dial %s: %v", addr, err)
	}
	got, err := exchange(c, nil)
	c.Close()
	if err != nil || !bytes.Equal(got, makePattern(size)) {
		fail("received %d of %d bytes, equal %v (%v)", len(got), size,
			bytes.Equal(got, makePattern(size)), err)
	}
	fmt.Printf("received %d bytes: ok\n", size)
}

func serve(dir string, seconds int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	time.AfterFunc(time.Duration(seconds)*time.Second, func() { os.Exit(0) })
	http.Serve(l, http.FileServer(http.Dir(dir)))
}

// exchange writes data on c, half-closes, and returns all it reads back.
func exchange(c net.Conn, data []byte) ([]byte, error) {
	return exchangeWithin(c, data, deadline)
}

// exchangeWithin is exchange bounded by d instead of the whole deadline.
func exchangeWithin(c net.Conn, data []byte, d time.Duration) ([]byte, error) {
	c.SetDeadline(time.Now().Add(d))
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	var got bytes.Buffer
	_, rerr := got.ReadFrom(c)
	if err := <-werr; err != nil {
		return got.Bytes(), err
	}
	return got.Bytes(), rerr
}

func echo(addr string, size int) {
	data := make([]byte, size)
	rand.Read(data)
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fail("dial %s: %v", addr, err)
	}
	got, err := exchange(c, data)
	c.Close()
	secs := time.Since(start).Seconds()
	if err != nil || !bytes.Equal(got, data) {
		fail("echo of %d bytes: got %d back, equal %v (%v)", size, len(got),
			bytes.Equal(got, data), err)
	}
	fmt.Printf("echo of %d bytes: ok, %.1f s, %.1f MB/s each way\n", size,
		secs, float64(size)/secs/1e6)
	allDone(addr)
}

func concurrent(addr string, n int) {
	// All N dials at once, as a load generator or a browser does: QEMU's
	// user networking listens with a backlog of 1 unless gorump widens
	// it, and then some of these are dropped for seconds or reset.
	conns := make([]net.Conn, n)
	errs := make(chan error, n)
	for i := range conns {
		go func(i int) {
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			conns[i] = c
			errs <- err
		}(i)
	}
	for range conns {
		if err := <-errs; err != nil {
			fail("dial (%d at once): %v", n, err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			msg := bytes.Repeat([]byte(fmt.Sprintf("conn %d;", i)), 100)
			got, err := exchangeWithin(c, msg, 20*time.Second)
			c.Close()
			if err != nil || !bytes.Equal(got, msg) {
				mu.Lock()
				bad++
				mu.Unlock()
				fmt.Fprintf(os.Stderr, "conn %d from %v: %d bytes back (%v)\n",
					i, c.LocalAddr(), len(got), err)
			}
		}(i, c)
	}
	wg.Wait()
	if bad > 0 {
		fail("%d of %d concurrent connections failed", bad, n)
	}
	fmt.Printf("%d concurrent connections: ok\n", n)
	allDone(addr)
}

// udpRound sends msg until the same bytes come back (five tries).
func udpRound(c net.Conn, msg []byte) error {
	buf := make([]byte, 65536)
	var err error
	for try := 0; try < 5; try++ {
		if _, err = c.Write(msg); err != nil {
			continue
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		for {
			var n int
			n, err = c.Read(buf)
			if err != nil {
				break
			}
			if bytes.Equal(buf[:n], msg) {
				return nil
			}
		}
	}
	return err
}

func udp(addr string) {
	c, err := net.Dial("udp", addr)
	if err != nil {
		fail("dial %s: %v", addr, err)
	}
	sizes := []int{1, 16, 512, 1000, 1472}
	for i := 0; i < 40; i++ {
		sizes = append(sizes, 1+mrand.Intn(1472))
	}
	for i, size := range sizes {
		msg := make([]byte, size)
		rand.Read(msg)
		msg[0] = byte(i) // never "quit"
		if err := udpRound(c, msg); err != nil {
			fail("datagram %d of %d bytes: no echo (%v)", i, size, err)
		}
	}
	udpRound(c, []byte("quit")) // its echo may be lost as the guest stops
	fmt.Printf("udp: %d datagrams of 1 to 1472 bytes echoed\n", len(sizes))
}

func main() {
	a := os.Args[1:]
	if len(a) > 0 && a[0] != "serve" { // serve has its own limit
		time.AfterFunc(deadline+10*time.Second, func() { fail("took too long") })
	}
	switch {
	case len(a) == 1 && a[0] == "free-port":
		freePort()
	case len(a) == 2 && a[0] == "pattern":
		pattern(atoi(a[1]))
	case len(a) == 3 && a[0] == "serve":
		serve(a[1], atoi(a[2]))
	case len(a) == 3 && a[0] == "echo":
		echo(a[1], atoi(a[2]))
	case len(a) == 3 && a[0] == "concurrent":
		concurrent(a[1], atoi(a[2]))
	case len(a) == 3 && a[0] == "recv":
		recv(a[1], atoi(a[2]))
	case len(a) == 2 && a[0] == "udp":
		udp(a[1])
	default:
		fail("usage: nethost free-port|pattern|serve|echo|concurrent|recv|" +
			"udp ...")
	}
}
