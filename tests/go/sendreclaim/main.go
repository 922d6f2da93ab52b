// Command sendreclaim checks a TCP send while the guest's free memory is
// all in the page cache: the kernel copies a send inside lwIP with
// reclaim paused (kernel/net/tcp.c), so a send that finds no memory there
// must have the page cache give some back and go on, not wait for memory
// a page at a time.  It reads FILE (into the page cache), touches memory
// until /proc/meminfo's MemFree is under 128 KiB, then sends SIZE bytes to
// itself over loopback and checks what /proc/net/lwip counted: sends that
// went on after reclaim (some), sends that waited for memory (none).
//
//	sendreclaim FILE SIZE
//
// Prints SUCCESS, or FAIL lines.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// field gives the number after name in file (lines "name value" or
// "name: value kB").
func field(file, name string) int64 {
	f, err := os.Open(file)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) >= 2 && strings.TrimSuffix(w[0], ":") == name {
			n, err := strconv.ParseInt(w[1], 10, 64)
			if err != nil {
				fail("%s: %s: %v", file, name, err)
			}
			return n
		}
	}
	fail("%s: no %s", file, name)
	return 0
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: sendreclaim FILE SIZE")
	}
	size, err := strconv.Atoi(os.Args[2])
	if err != nil || size <= 0 {
		fail("bad SIZE %q", os.Args[2])
	}
	if _, err := os.ReadFile(os.Args[1]); err != nil {
		fail("%v", err)
	}
	// Touch memory outside Go's heap until the free pages are gone.
	var held [][]byte
	for field("/proc/meminfo", "MemFree") >= 128 {
		m, err := syscall.Mmap(-1, 0, 64<<10, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			fail("mmap: %v", err)
		}
		for i := 0; i < len(m); i += 4096 {
			m[i] = 1
		}
		held = append(held, m)
	}
	cached := field("/proc/meminfo", "Cached")
	reclaimed := field("/proc/net/lwip", "tcp_send_reclaimed")
	waited := field("/proc/net/lwip", "tcp_send_memwait")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	got := make(chan int64, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		fail("dial: %v", err)
	}
	buf := make([]byte, 64<<10)
	start := time.Now()
	for sent := 0; sent < size; sent += len(buf) {
		if _, err := c.Write(buf); err != nil {
			fail("write: %v", err)
		}
	}
	c.Close()
	n := <-got
	took := time.Since(start)
	reclaimed = field("/proc/net/lwip", "tcp_send_reclaimed") - reclaimed
	waited = field("/proc/net/lwip", "tcp_send_memwait") - waited
	fmt.Printf("held %d KiB, cached %d kB; sent %d bytes in %v: %d sends went on after reclaim, %d waited for memory\n",
		len(held)*64, cached, n, took.Round(time.Millisecond), reclaimed, waited)
	if n != int64(size/len(buf)*len(buf)) {
		fail("the reader got %d bytes", n)
	}
	if reclaimed == 0 {
		fail("no send had to reclaim: the free memory was not gone")
	}
	if waited != 0 {
		fail("%d sends waited for memory the page cache held", waited)
	}
	fmt.Println("SUCCESS")
}
