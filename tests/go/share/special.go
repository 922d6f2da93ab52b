package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// special: FIFOs and Unix-domain sockets made in DIR work as on any Linux
// file system: a FIFO carries data from a writer goroutine to a reader
// one, under its name, a new name and a hard link alike (one pipe per
// file); a socket bound to a path in DIR takes connections there.  It
// leaves "leftfifo" and "leftsock" for the host to find.
func special(dir string) {
	at := func(name string) string { return filepath.Join(dir, name) }
	fifo := at("fifo")
	must(syscall.Mkfifo(fifo, 0640), "mkfifo")
	st, err := os.Lstat(fifo)
	check(err == nil && st.Mode()&os.ModeType == os.ModeNamedPipe &&
		st.Mode().Perm() == 0640, "lstat fifo: %v %v", st, err)
	check(listType(dir, "fifo") == os.ModeNamedPipe, "readdir: fifo's type")
	check(isErrno(syscall.Mkfifo(fifo, 0640), syscall.EEXIST), "mkfifo again: not EEXIST")
	_, err = os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	check(isErrno(err, syscall.ENXIO), "O_WRONLY|O_NONBLOCK with no reader: %v, want ENXIO", err)
	pipeThrough(fifo, fifo, 200<<10)
	// Another name of the same file is the same pipe.
	must(os.Rename(fifo, at("fifo2")), "rename the fifo")
	must(os.Link(at("fifo2"), at("fifolink")), "link the fifo")
	pipeThrough(at("fifo2"), at("fifolink"), 1000)
	must(os.Remove(at("fifo2")), "remove fifo2")
	must(os.Remove(at("fifolink")), "remove fifolink")
	must(syscall.Mknod(at("leftfifo"), syscall.S_IFIFO|0600, 0), "mknod S_IFIFO")

	sock := at("sock")
	ln, err := net.Listen("unix", sock)
	must(err, "listen on a socket in DIR")
	if err == nil {
		serveOnce(ln, sock)
		st, err = os.Lstat(sock)
		check(err == nil && st.Mode()&os.ModeType == os.ModeSocket, "lstat sock: %v %v", st, err)
		check(listType(dir, "sock") == os.ModeSocket, "readdir: sock's type")
		_, err = net.Listen("unix", sock)
		check(isErrno(err, syscall.EADDRINUSE), "bind again: %v, want EADDRINUSE", err)
		ln.Close() // Go removes the name
		_, err = os.Lstat(sock)
		check(os.IsNotExist(err), "sock after close: %v", err)
	}
	must(os.WriteFile(at("plain"), []byte("x"), 0644), "write plain")
	_, err = net.Dial("unix", at("plain"))
	check(isErrno(err, syscall.ECONNREFUSED), "connect to a regular file: %v, want ECONNREFUSED", err)
	must(os.Remove(at("plain")), "remove plain")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must(err, "socket")
	must(syscall.Bind(fd, &syscall.SockaddrUnix{Name: at("leftsock")}), "bind leftsock")
	syscall.Close(fd) // the name stays
}

// pipeThrough writes n bytes into the FIFO at wpath from one goroutine
// and reads them from rpath in another; each open waits for the other.
func pipeThrough(wpath, rpath string, n int) {
	data := pattern(n, 9)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w, err := os.OpenFile(wpath, os.O_WRONLY, 0)
		if err != nil {
			check(false, "open %s for writing: %v", wpath, err)
			return
		}
		_, err = w.Write(data)
		must(err, "write into the fifo")
		must(w.Close(), "close the fifo's writer")
	}()
	r, err := os.Open(rpath)
	if err != nil {
		check(false, "open %s for reading: %v", rpath, err)
		wg.Wait()
		return
	}
	got, err := io.ReadAll(r)
	r.Close()
	wg.Wait()
	check(err == nil && bytes.Equal(got, data), "read %d of %d bytes from the fifo: %v", len(got), n, err)
}

// serveOnce connects to the listener at path and echoes a message back.
func serveOnce(ln net.Listener, path string) {
	done := make(chan []byte)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			check(false, "accept: %v", err)
			done <- nil
			return
		}
		b := make([]byte, 64)
		k, _ := c.Read(b)
		c.Write(bytes.ToUpper(b[:k]))
		c.Close()
		done <- b[:k]
	}()
	c, err := net.Dial("unix", path)
	if err != nil {
		check(false, "connect to %s: %v", path, err)
		ln.Close()
		<-done
		return
	}
	c.Write([]byte("over the share"))
	reply, _ := io.ReadAll(c)
	c.Close()
	got := <-done
	check(string(got) == "over the share" && string(reply) == "OVER THE SHARE",
		"socket exchange: server got %q, client %q", got, reply)
}

// listType: the type ReadDir gives name in dir (d_type).
func listType(dir, name string) os.FileMode {
	ents, err := os.ReadDir(dir)
	must(err, "readdir")
	for _, e := range ents {
		if e.Name() == name {
			return e.Type()
		}
	}
	return os.ModeIrregular
}
