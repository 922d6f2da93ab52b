// Command selfhash prints the size and SHA-256 of its own file, read
// through os.Executable and /proc/self/exe, so the host can check that
// the guest sees the program's bytes exactly (gorump puts a program of
// 16 MiB or more on the image's disk and maps it from there).  Extra
// bytes appended to the file by the host are part of what it hashes.
//
//	selfhash [WORD...]   (the words are echoed, to tell runs apart)
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"
)

func hash(path string) (int64, string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: reading %s: %v\n", path, err)
		os.Exit(1)
	}
	return n, fmt.Sprintf("%x", h.Sum(nil))
}

func main() {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: os.Executable: %v\n", err)
		os.Exit(1)
	}
	n, sum := hash(exe)
	m, sum2 := hash("/proc/self/exe")
	if n != m || sum != sum2 {
		fmt.Fprintf(os.Stderr, "FAIL: %s and /proc/self/exe differ\n", exe)
		os.Exit(1)
	}
	st, err := os.Stat(exe)
	if err != nil || st.Size() != n || st.Mode()&0111 == 0 {
		fmt.Fprintf(os.Stderr, "FAIL: stat %s: %v %v\n", exe, st, err)
		os.Exit(1)
	}
	fmt.Printf("size %d sha256 %s\n", n, sum)
	fmt.Printf("words %s\n", strings.Join(os.Args[1:], " "))
	fmt.Println("SUCCESS")
}
