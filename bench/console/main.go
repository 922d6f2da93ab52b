// bench/console — writes BYTES to a console in 64 KiB writes and prints
// on stderr how long the writes took by its own clock:
//
//	console: BYTES bytes in NS ns
//
// Arguments (or, for the Linux guest, whose /init runs it without any,
// the values linked in with -ldflags "-X main.out=... -X main.size=..."):
// [-o PATH] [BYTES].  PATH is opened for writing (default: stdout); if it
// is missing under /dev, devtmpfs is mounted there first, as a busybox
// initramfs has no device nodes but the two it is given.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	out  = ""
	size = "67108864"
)

// devtmpfs: whether /dev is one already.
func devtmpfs() bool {
	mounts, _ := os.ReadFile("/proc/mounts")
	return strings.Contains(string(mounts), " /dev devtmpfs ")
}

func open(path string) *os.File {
	if path == "" {
		return os.Stdout
	}
	if strings.HasPrefix(path, "/dev/") && !devtmpfs() {
		if err := syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
			fmt.Fprintf(os.Stderr, "console: mount devtmpfs: %v\n", err)
		}
	}
	// Linux adds a port when the device announces it, after its driver
	// is ready: the node may come a little after the program starts.  Its
	// name holds the device's virtio index (/dev/vport1p1 when virtio-net
	// is virtio0), so PATH may be a pattern.
	var f *os.File
	err := os.ErrNotExist
	for i := 0; err != nil && os.IsNotExist(err) && i < 500; i++ {
		if i > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		name := path
		if m, _ := filepath.Glob(path); len(m) == 1 {
			name = m[0]
		}
		f, err = os.OpenFile(name, os.O_WRONLY, 0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "console: %v\n", err)
		os.Exit(1)
	}
	return f
}

func main() {
	args := os.Args[1:]
	if len(args) >= 2 && args[0] == "-o" {
		out, args = args[1], args[2:]
	}
	if len(args) > 0 {
		size = args[0]
	}
	n, err := strconv.Atoi(size)
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "console: bad size %q\n", size)
		os.Exit(2)
	}
	f := open(out)
	buf := make([]byte, 64<<10)
	for i := range buf {
		buf[i] = 'a' + byte(i%26)
		if i%80 == 79 {
			buf[i] = '\n'
		}
	}
	t0 := time.Now()
	for left := n; left > 0; {
		k := len(buf)
		if k > left {
			k = left
		}
		if _, err := f.Write(buf[:k]); err != nil {
			fmt.Fprintf(os.Stderr, "console: write: %v\n", err)
			os.Exit(1)
		}
		left -= k
	}
	fmt.Fprintf(os.Stderr, "console: %d bytes in %d ns\n", n, time.Since(t0).Nanoseconds())
}
