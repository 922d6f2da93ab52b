// Command sendmem checks how a TCP send waits, as Linux's
// sk_stream_wait_memory does, over loopback:
//
//   - a blocking send into a full window with SO_SNDTIMEO ends with EAGAIN
//     once the timeout has passed, and a signal ends it with EINTR (Linux
//     gives EINTR, whatever SA_RESTART says, to a call with a timeout);
//   - in gorump, with /proc/gorump/failnet (the kernel booted with
//     gorump.failnet=0): while every allocation of the network stack
//     fails, a non-blocking send gets EAGAIN and the socket is not
//     writable; once memory is back it becomes writable (POLLOUT, which
//     wakes Go's netpoller) and the bytes arrive whole; a blocking send
//     waits and then completes, or ends with EAGAIN after SO_SNDTIMEO, or
//     with EINTR on a signal.  Before the fix such a send waited for an
//     event that never came.
//
// Prints SUCCESS, or FAIL lines.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

const failnet = "/proc/gorump/failnet"

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

func setFail(percent int) {
	err := os.WriteFile(failnet, []byte(fmt.Sprintf("%d\n", percent)), 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %s: %v\n", failnet, err)
		os.Exit(1)
	}
}

// pair gives a blocking client socket (a raw fd) connected over loopback
// to a server connection the program reads through Go's netpoller.
func pair() (fd int, server net.Conn) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		panic(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	sa := &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	if err := syscall.Connect(fd, sa); err != nil {
		panic(err)
	}
	server, err = l.Accept()
	if err != nil {
		panic(err)
	}
	return fd, server
}

func setSndtimeo(fd int, d time.Duration) {
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv)
	if err != nil {
		panic(err)
	}
}

// fill sends without blocking until the window and send buffer are full.
func fill(fd int) {
	buf := make([]byte, 1<<16)
	for {
		_, err := syscall.SendmsgN(fd, buf, nil, nil, syscall.MSG_DONTWAIT)
		if err != nil {
			return
		}
	}
}

// blockingWrite writes buf on its own locked thread: its result, how long
// it took, and (first) the thread's id for tgkill.
type result struct {
	n   int
	err error
	d   time.Duration
}

func blockingWrite(fd int, buf []byte) (tid chan int, done chan result) {
	tid, done = make(chan int, 1), make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		tid <- syscall.Gettid()
		start := time.Now()
		n, err := syscall.Write(fd, buf)
		done <- result{n, err, time.Since(start)}
	}()
	return tid, done
}

// wait gives the write's result, or fails after limit (a hung send).
func wait(done chan result, limit time.Duration, what string) (result, bool) {
	select {
	case r := <-done:
		return r, true
	case <-time.After(limit):
		check(false, "%s: still blocked after %v", what, limit)
		return result{}, false
	}
}

type pollFd struct {
	fd              int32
	events, revents int16
}

const pollOut = 0x4

func poll(fds []pollFd, ms int) int {
	n, _, e := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])),
		uintptr(len(fds)), uintptr(ms))
	if e != 0 {
		return -1
	}
	return int(n)
}

func writable(fd int, ms int) bool {
	fds := []pollFd{{fd: int32(fd), events: pollOut}}
	return poll(fds, ms) == 1 && fds[0].revents&pollOut != 0
}

// Both natively and in gorump: SO_SNDTIMEO and a signal end a blocking
// send that waits for the window.
func windowWait() {
	fd, server := pair()
	defer server.Close()
	defer syscall.Close(fd)
	fill(fd)
	setSndtimeo(fd, 400*time.Millisecond)
	_, done := blockingWrite(fd, make([]byte, 4096))
	if r, ok := wait(done, 10*time.Second, "full window, SO_SNDTIMEO 400ms"); ok {
		// What was sent before the timeout is counted (socket(7)).
		partial := r.err == nil && r.n > 0 && r.n < 4096
		check((r.err == syscall.EAGAIN || partial) && r.d >= 350*time.Millisecond,
			"full window, SO_SNDTIMEO 400ms: %d %v after %v", r.n, r.err, r.d)
	}
	setSndtimeo(fd, 20*time.Second)
	fill(fd)
	tid, done := blockingWrite(fd, make([]byte, 4096))
	t := <-tid
	time.Sleep(200 * time.Millisecond)
	syscall.Tgkill(os.Getpid(), t, syscall.SIGUSR1)
	if r, ok := wait(done, 10*time.Second, "full window, signal"); ok {
		check(r.err == syscall.EINTR, "full window, SO_SNDTIMEO 20s, signal: %d %v", r.n, r.err)
	}
	fmt.Println("full window: SO_SNDTIMEO gives EAGAIN, a signal EINTR: ok")
}

// expect reads len(want) bytes on the server side and compares them.
func expect(server net.Conn, want []byte, what string) {
	server.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	_, err := io.ReadFull(server, got)
	check(err == nil && bytes.Equal(got, want), "%s: read back: %v", what, err)
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed)
	}
	return b
}

// A non-blocking send with no memory: EAGAIN, not writable, then
// writable once memory is back.
func nonblocking() {
	fd, server := pair()
	defer server.Close()
	defer syscall.Close(fd)
	data := pattern(3000, 1)
	setFail(100)
	_, err := syscall.SendmsgN(fd, data, nil, nil, syscall.MSG_DONTWAIT)
	check(err == syscall.EAGAIN, "send with no memory: %v (want EAGAIN)", err)
	check(!writable(fd, 300), "writable while memory stays short")
	setFail(0)
	start := time.Now()
	check(writable(fd, 5000), "not writable within 5 s of memory coming back")
	d := time.Since(start)
	n, err := syscall.SendmsgN(fd, data, nil, nil, syscall.MSG_DONTWAIT)
	check(n == len(data) && err == nil, "send after POLLOUT: %d %v", n, err)
	expect(server, data, "non-blocking")
	fmt.Printf("non-blocking send: EAGAIN, then POLLOUT %v after memory came back: ok\n", d.Round(10*time.Millisecond))
}

// Go's netpoller (edge-triggered epoll) wakes a writer once memory is
// back.
func netpoller() {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	server, err := l.Accept()
	if err != nil {
		panic(err)
	}
	defer server.Close()
	data := pattern(200000, 2)
	setFail(100)
	done := make(chan error, 1)
	go func() {
		c.SetWriteDeadline(time.Now().Add(20 * time.Second))
		_, err := c.Write(data)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	setFail(0)
	expect(server, data, "netpoller")
	werr := <-done
	check(werr == nil, "netpoller write: %v", werr)
	fmt.Println("Go's netpoller write resumes once memory is back: ok")
}

// A blocking send waits for memory: it completes once memory is back,
// ends with EAGAIN after SO_SNDTIMEO, and with EINTR on a signal when it
// has a timeout.
func blocking() {
	fd, server := pair()
	defer server.Close()
	defer syscall.Close(fd)
	data := pattern(5000, 3)
	setFail(100)
	_, done := blockingWrite(fd, data)
	time.Sleep(300 * time.Millisecond)
	setFail(0)
	if r, ok := wait(done, 10*time.Second, "blocking send, no timeout"); ok {
		check(r.n == len(data) && r.err == nil, "blocking send: %d %v", r.n, r.err)
		expect(server, data, "blocking")
	}

	setFail(100)
	setSndtimeo(fd, 400*time.Millisecond)
	_, done = blockingWrite(fd, data)
	if r, ok := wait(done, 10*time.Second, "blocking send, SO_SNDTIMEO 400ms"); ok {
		check(r.err == syscall.EAGAIN && r.d >= 350*time.Millisecond && r.d < 5*time.Second,
			"blocking send with no memory, SO_SNDTIMEO 400ms: %d %v after %v", r.n, r.err, r.d)
	}
	setSndtimeo(fd, 20*time.Second)
	tid, done := blockingWrite(fd, data)
	t := <-tid
	time.Sleep(200 * time.Millisecond)
	syscall.Tgkill(os.Getpid(), t, syscall.SIGUSR1)
	if r, ok := wait(done, 10*time.Second, "blocking send, signal"); ok {
		check(r.err == syscall.EINTR, "blocking send with no memory, signal: %d %v", r.n, r.err)
	}
	setFail(0)
	fmt.Println("blocking send waits for memory; SO_SNDTIMEO and signals end it: ok")
}

func main() {
	signal.Notify(make(chan os.Signal, 4), syscall.SIGUSR1)
	windowWait()
	if _, err := os.Stat(failnet); errors.Is(err, os.ErrNotExist) {
		fmt.Println("no " + failnet + " (not gorump, or no gorump.failnet): memory cases skipped")
	} else {
		nonblocking()
		netpoller()
		blocking()
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d checks failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
