// tests/go/spawnshare — what a parent and the children it starts share,
// and that it behaves as on Linux: a pipe's reader sees EOF only when the
// last writer anywhere has closed (a grandchild still holding the write
// end delays it); a writer whose reader closed dies of SIGPIPE on its
// stdout and gets EPIPE on another fd; an inherited file shares its
// offset with the parent's; a socketpair end, and a listening TCP
// socket, passed to a child work from there.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var self string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// fd3 is the first of a child's ExtraFiles.
func fd3() *os.File { return os.NewFile(3, "fd3") }

// child runs in the processes the test starts.
func child(args []string) {
	switch args[0] {
	case "flood": // stdout until the reader goes away
		for i := 0; ; i++ {
			fmt.Printf("line %d\n", i)
		}
	case "epipe": // waits for a line on stdin, then writes to fd 3
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			os.Exit(10)
		}
		_, err := fd3().Write([]byte("nobody reads this\n"))
		if errors.Is(err, syscall.EPIPE) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "write to a pipe without a reader: %v\n", err)
		os.Exit(11)
	case "hold": // hands fd 3 to a grandchild and exits at once
		cmd := exec.Command(self, "late")
		cmd.ExtraFiles = []*os.File{fd3()}
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(os.Stderr, "start: %v\n", err)
			os.Exit(12)
		}
		fmt.Println(cmd.Process.Pid)
		os.Exit(0)
	case "late": // writes to fd 3 a while later
		time.Sleep(300 * time.Millisecond)
		fmt.Fprintf(fd3(), "late from %d\n", os.Getpid())
		os.Exit(0)
	case "offset": // writes at the shared offset of fd 3
		if _, err := fd3().Write([]byte("B")); err != nil {
			os.Exit(13)
		}
		os.Exit(0)
	case "pair": // answers ping on the socket at fd 3, then waits for EOF
		s := fd3()
		buf := make([]byte, 16)
		n, err := s.Read(buf)
		if err != nil || string(buf[:n]) != "ping" {
			os.Exit(14)
		}
		if _, err := s.Write([]byte("pong")); err != nil {
			os.Exit(15)
		}
		if n, err := s.Read(buf); n != 0 || err != io.EOF {
			os.Exit(16)
		}
		os.Exit(0)
	case "accept": // one connection on the listener at fd 3
		ln, err := net.FileListener(fd3())
		if err != nil {
			fmt.Fprintf(os.Stderr, "FileListener: %v\n", err)
			os.Exit(17)
		}
		c, err := ln.Accept()
		if err != nil {
			os.Exit(18)
		}
		fmt.Fprintf(c, "hello from %d\n", os.Getpid())
		c.Close()
		os.Exit(0)
	}
	os.Exit(2)
}

// sigpipe: a child flooding its stdout dies of SIGPIPE once the parent
// closes the pipe's read end.
func sigpipe() {
	cmd := exec.Command(self, "flood")
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail("StdoutPipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		fail("start flood: %v", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "line 0\n" {
		fail("flood's first line: %q %v", line, err)
	}
	out.Close()
	if err := cmd.Wait(); err == nil || err.Error() != "signal: broken pipe" {
		fail("flood after its reader closed: %v, want signal: broken pipe", err)
	}
	fmt.Println("ok sigpipe")
}

// epipe: the parent holds the only read end and closes it; the child's
// write to its write end fails with EPIPE (Go ignores SIGPIPE there).
func epipe() {
	r, w, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	cmd := exec.Command(self, "epipe")
	cmd.ExtraFiles = []*os.File{w}
	in, err := cmd.StdinPipe()
	if err != nil {
		fail("StdinPipe: %v", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail("start epipe: %v", err)
	}
	w.Close()
	r.Close()
	fmt.Fprintln(in, "go")
	if err := cmd.Wait(); err != nil {
		fail("epipe child: %v", err)
	}
	fmt.Println("ok epipe")
}

// lastWriter: the reader's EOF comes when the grandchild, the last
// holder of the write end, has written and exited, not when the child
// that started it did.
func lastWriter() {
	r, w, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
	}
	cmd := exec.Command(self, "hold")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = os.Stderr
	pidOut, err := cmd.Output()
	if err != nil {
		fail("hold: %v", err)
	}
	w.Close()
	grandchild := strings.TrimSpace(string(pidOut))
	all, err := io.ReadAll(r)
	if err != nil {
		fail("read to EOF: %v", err)
	}
	if string(all) != "late from "+grandchild+"\n" {
		fail("pipe held by the grandchild %s read %q", grandchild, all)
	}
	r.Close()
	// The grandchild was given to the first process: reap it if it is
	// this one (in gorump; natively the host's init has it).
	if pid, err := strconv.Atoi(grandchild); err == nil {
		var ws syscall.WaitStatus
		for i := 0; i < 100; i++ {
			got, err := syscall.Wait4(pid, &ws, 0, nil)
			if err == syscall.ECHILD || got == pid {
				break
			}
		}
	}
	fmt.Println("ok last-writer")
}

// offset: parent and child share one open file, so one offset.
func offset() {
	f, err := os.CreateTemp("", "spawnshare")
	if err != nil {
		fail("CreateTemp: %v", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write([]byte("A")); err != nil {
		fail("write A: %v", err)
	}
	cmd := exec.Command(self, "offset")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Run(); err != nil {
		fail("offset child: %v", err)
	}
	if _, err := f.Write([]byte("C")); err != nil {
		fail("write C: %v", err)
	}
	f.Close()
	got, err := os.ReadFile(f.Name())
	if err != nil || string(got) != "ABC" {
		fail("file written by parent, child, parent: %q %v, want ABC", got, err)
	}
	fmt.Println("ok offset")
}

// pair: a socketpair's end in a child; the child sees EOF when the
// parent closes the other end.
func pair() {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		fail("socketpair: %v", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "mine"), os.NewFile(uintptr(fds[1]), "theirs")
	cmd := exec.Command(self, "pair")
	cmd.ExtraFiles = []*os.File{theirs}
	if err := cmd.Start(); err != nil {
		fail("start pair: %v", err)
	}
	theirs.Close()
	if _, err := mine.Write([]byte("ping")); err != nil {
		fail("write ping: %v", err)
	}
	buf := make([]byte, 16)
	n, err := mine.Read(buf)
	if err != nil || string(buf[:n]) != "pong" {
		fail("read pong: %q %v", buf[:n], err)
	}
	mine.Close()
	if err := cmd.Wait(); err != nil {
		fail("pair child: %v", err)
	}
	fmt.Println("ok socketpair")
}

// listener: a child accepts on the parent's listening socket, which the
// parent has closed meanwhile.
func listener() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		fail("listener's File: %v", err)
	}
	addr := ln.Addr().String()
	cmd := exec.Command(self, "accept")
	cmd.ExtraFiles = []*os.File{lf}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail("start accept: %v", err)
	}
	lf.Close()
	ln.Close()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fail("dial the child's listener: %v", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	want := fmt.Sprintf("hello from %d\n", cmd.Process.Pid)
	if err != nil || line != want {
		fail("answer: %q %v, want %q", line, err, want)
	}
	if err := cmd.Wait(); err != nil {
		fail("accept child: %v", err)
	}
	fmt.Println("ok listener")
}

func main() {
	var err error
	if self, err = os.Executable(); err != nil {
		fail("Executable: %v", err)
	}
	if len(os.Args) > 1 {
		child(os.Args[1:])
	}
	sigpipe()
	epipe()
	lastWriter()
	offset()
	pair()
	listener()
	fmt.Println("SUCCESS")
}
