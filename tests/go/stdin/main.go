// tests/go/stdin — reads its stdin to the end and prints how many bytes
// came and their SHA-256, then SUCCESS: with `gorump run -i` the tool's
// stdin, without it end of file at once.  With the argument "slow" it
// waits 2 s first, so the input backs up all the way to the host.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "slow" {
		time.Sleep(2 * time.Second)
	}
	h := sha256.New()
	n, err := io.Copy(h, os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: reading stdin: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("stdin: %d bytes, sha256 %x\n", n, h.Sum(nil))
	fmt.Println("SUCCESS")
}
