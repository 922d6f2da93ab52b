// bench/loopback — TCP through the guest's own loopback: one connection
// to 127.0.0.1, BYTES written in writes of each size in turn and read on
// the other side by io.Copy, timed by the program's own clock from the
// first write to the reader's end of file.  For each size it prints on
// stderr
//
//	loopback: WRITE-byte writes: BYTES bytes in NS ns
//
// Arguments (or, for the Linux guest, whose /init runs it without any,
// the value linked in with -ldflags "-X main.size=..."): [BYTES].
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

var size = "67108864"

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "loopback: %s: %v\n", what, err)
	os.Exit(1)
}

// transfer writes total bytes in writes of chunk bytes through a new
// connection: the time until the reader has them all.
func transfer(l net.Listener, total, chunk int) time.Duration {
	got := make(chan int64, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			fail("accept", err)
		}
		n, err := io.Copy(io.Discard, c)
		if err != nil {
			fail("read", err)
		}
		got <- n
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		fail("connect", err)
	}
	buf := make([]byte, chunk)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	for sent := 0; sent < total; sent += chunk {
		n := chunk
		if n > total-sent {
			n = total - sent
		}
		if _, err := c.Write(buf[:n]); err != nil {
			fail("write", err)
		}
	}
	c.Close()
	if n := <-got; n != int64(total) {
		fail("read", fmt.Errorf("got %d bytes of %d", n, total))
	}
	return time.Since(t0)
}

func main() {
	if len(os.Args) > 1 {
		size = os.Args[1]
	}
	total, err := strconv.Atoi(size)
	if err != nil || total <= 0 {
		fail("size", fmt.Errorf("bad %q", size))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen", err)
	}
	for _, chunk := range []int{65536, 1024} {
		n := total
		if chunk < 4096 {
			n = total / 8 // small writes: a smaller share, for time
		}
		d := transfer(l, n, chunk)
		fmt.Fprintf(os.Stderr, "loopback: %d-byte writes: %d bytes in %d ns\n",
			chunk, n, d.Nanoseconds())
	}
}
