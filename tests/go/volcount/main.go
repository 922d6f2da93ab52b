// tests/go/volcount counts its runs in each directory it is given: it
// reads DIR/count (absent: 0), requires every directory to hold the same
// count, writes count+1 with an fsync, and prints "count N" and SUCCESS.
// With -mounts it also requires each directory to be a mount point of
// the file system type named after a colon (DIR:ext2, DIR:9p), as
// /proc/mounts shows it.  `gorump build -v` records a volume and a share
// (tests/guest/volbuild.sh) and two runs of the image must count 1 and 2.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

// mountType is the type /proc/mounts gives the mount point dir, or "".
func mountType(dir string) string {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	typ := ""
	s := bufio.NewScanner(f)
	for s.Scan() {
		w := strings.Fields(s.Text())
		if len(w) >= 3 && w[1] == dir {
			typ = w[2] // the last mount there is the one seen
		}
	}
	return typ
}

func readCount(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "count"))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		fail("%v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		fail("%s/count: %q", dir, b)
	}
	return n
}

func writeCount(dir string, n int) {
	f, err := os.Create(filepath.Join(dir, "count"))
	if err != nil {
		fail("%v", err)
	}
	if _, err := fmt.Fprintf(f, "%d\n", n); err != nil {
		fail("%v", err)
	}
	if err := f.Sync(); err != nil {
		fail("fsync %s: %v", dir, err)
	}
	if err := f.Close(); err != nil {
		fail("%v", err)
	}
}

func main() {
	args := os.Args[1:]
	mounts := len(args) > 0 && args[0] == "-mounts"
	if mounts {
		args = args[1:]
	}
	if len(args) == 0 {
		fail("usage: volcount [-mounts] DIR[:TYPE]...")
	}
	count := -1
	var dirs []string
	for _, a := range args {
		dir, typ := a, ""
		if i := strings.LastIndex(a, ":"); i > 0 {
			dir, typ = a[:i], a[i+1:]
		}
		if mounts && mountType(dir) != typ {
			fail("%s is mounted as %q, not %q", dir, mountType(dir), typ)
		}
		n := readCount(dir)
		if count >= 0 && n != count {
			fail("%s/count is %d, the others %d", dir, n, count)
		}
		count = n
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		writeCount(dir, count+1)
	}
	fmt.Printf("count %d\n", count+1)
	fmt.Println("SUCCESS")
}
