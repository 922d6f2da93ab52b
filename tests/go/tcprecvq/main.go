// Command tcprecvq checks a TCP receive queue past 64 KiB over loopback:
// FIONREAD counts every unread byte (100 KiB here; a 16-bit count would
// wrap), and reading it all gives the bytes sent, in order, after which the
// window has re-opened for more.  It also checks recv(MSG_WAITALL) over
// data that arrives in pieces: each byte exactly once.  Prints
// SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251 + seed)
	}
	return b
}

// pair connects a client to a listener on loopback whose receive buffer
// is large enough on Linux too (SO_RCVBUF before listen).
func pair() (client net.Conn, server *net.TCPConn, fd int) {
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		panic(err)
	}
	syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1<<20)
	sa := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := syscall.Bind(lfd, sa); err != nil {
		panic(err)
	}
	if err := syscall.Listen(lfd, 4); err != nil {
		panic(err)
	}
	name, _ := syscall.Getsockname(lfd)
	port := name.(*syscall.SockaddrInet4).Port
	client, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		panic(err)
	}
	cfd, _, err := syscall.Accept(lfd)
	if err != nil {
		panic(err)
	}
	syscall.Close(lfd)
	c, err := net.FileConn(os.NewFile(uintptr(cfd), "accepted"))
	if err != nil {
		panic(err)
	}
	server = c.(*net.TCPConn)
	raw, _ := server.SyscallConn()
	raw.Control(func(f uintptr) { fd = int(f) })
	return client, server, fd
}

func nread(fd int) int {
	var v int32
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd),
		syscall.TIOCINQ, uintptr(unsafe.Pointer(&v)))
	if e != 0 {
		return -1
	}
	return int(v)
}

// bigQueue: 100 KiB sent, none read; FIONREAD must reach 100 KiB.
func bigQueue() {
	const size = 100 << 10
	client, server, fd := pair()
	defer client.Close()
	defer server.Close()
	data := pattern(size, 1)
	go func() { client.Write(data) }()
	deadline := time.Now().Add(20 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		if n = nread(fd); n >= size {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	check(n == size, "FIONREAD with 100 KiB unread: %d", n)
	got := make([]byte, size)
	server.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := io.ReadFull(server, got)
	check(err == nil && bytes.Equal(got, data), "read 100 KiB: %v, equal %v",
		err, bytes.Equal(got, data))
	check(nread(fd) == 0, "FIONREAD after reading all: %d", nread(fd))
	// The window re-opened: another 300 KiB (more than it) gets through.
	more := pattern(300<<10, 2)
	go func() { client.Write(more) }()
	got = make([]byte, len(more))
	_, err = io.ReadFull(server, got)
	check(err == nil && bytes.Equal(got, more), "read 300 KiB more: %v", err)
}

// waitAll: recv(MSG_WAITALL) of 20000 bytes while they arrive as 10000
// and then 25000: the second pass takes 10000 of the 25000, and the other
// 15000 must still be there for the next read.
func waitAll() {
	client, server, fd := pair()
	defer client.Close()
	defer server.Close()
	data := pattern(35000, 3)
	go func() {
		client.Write(data[:10000])
		time.Sleep(200 * time.Millisecond)
		client.Write(data[10000:])
	}()
	got := make([]byte, 20000)
	var n int
	var err error
	raw, _ := server.SyscallConn()
	raw.Control(func(uintptr) {
		// Blocking: the fd Go keeps is non-blocking.
		syscall.SetNonblock(fd, false)
		n, _, err = syscall.Recvfrom(fd, got, syscall.MSG_WAITALL)
		syscall.SetNonblock(fd, true)
	})
	check(err == nil && n == 20000 && bytes.Equal(got, data[:20000]),
		"recv(MSG_WAITALL) over 2 pieces: %d, %v, equal %v", n, err,
		bytes.Equal(got, data[:20000]))
	rest := make([]byte, 15000)
	server.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.ReadFull(server, rest)
	check(err == nil && bytes.Equal(rest, data[20000:]),
		"the 15000 bytes after MSG_WAITALL: %v, equal %v", err,
		bytes.Equal(rest, data[20000:]))
}

func main() {
	bigQueue()
	waitAll()
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
