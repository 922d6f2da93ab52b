// tests/go/files — the files and identity calls every program touches:
// ENOENT maps to fs.ErrNotExist, /dev/urandom and crypto/rand give random
// bytes, /dev/null reads EOF and swallows writes, os.Hostname and
// syscall.Uname succeed.
package main

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

var failed bool

func check(ok bool, format string, args ...any) {
	if !ok {
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
		failed = true
	}
}

func missing() {
	_, err := os.Open("/gorump/no/such/file")
	check(errors.Is(err, fs.ErrNotExist), "opening a missing file: %v, want ErrNotExist", err)
	fmt.Printf("missing file: %v\n", err)
}

func urandom() {
	f, err := os.Open("/dev/urandom")
	if err != nil {
		check(false, "open /dev/urandom: %v", err)
		return
	}
	defer f.Close()
	b := make([]byte, 16)
	_, err = io.ReadFull(f, b)
	check(err == nil, "read /dev/urandom: %v", err)
	check(!bytes.Equal(b, make([]byte, 16)), "/dev/urandom gave 16 zero bytes")
	fmt.Printf("/dev/urandom: %x\n", b)

	c := make([]byte, 16)
	_, err = crand.Read(c)
	check(err == nil, "crypto/rand.Read: %v", err)
	check(!bytes.Equal(c, make([]byte, 16)), "crypto/rand gave 16 zero bytes")
	check(!bytes.Equal(b, c), "crypto/rand repeated /dev/urandom's bytes")
	fmt.Printf("crypto/rand: %x\n", c)
}

func devnull() {
	f, err := os.OpenFile("/dev/null", os.O_RDWR, 0)
	if err != nil {
		check(false, "open /dev/null: %v", err)
		return
	}
	defer f.Close()
	n, err := f.Read(make([]byte, 8))
	check(n == 0 && err == io.EOF, "read /dev/null: %d, %v; want 0, EOF", n, err)
	n, err = f.Write([]byte("discard me"))
	check(n == 10 && err == nil, "write /dev/null: %d, %v; want 10, nil", n, err)
	fmt.Println("/dev/null: EOF on read, write accepted")
}

func identity() {
	host, err := os.Hostname()
	check(err == nil, "os.Hostname: %v", err)
	fmt.Printf("hostname: %q\n", host)

	var u syscall.Utsname
	err = syscall.Uname(&u)
	check(err == nil, "uname: %v", err)
	fmt.Printf("uname: %s %s %s\n", cstr(u.Sysname[:]), cstr(u.Release[:]), cstr(u.Machine[:]))
}

// cstr converts a NUL-terminated utsname field to a string.
func cstr(f []int8) string {
	b := make([]byte, 0, len(f))
	for _, c := range f {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

func main() {
	missing()
	urandom()
	devnull()
	identity()
	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
