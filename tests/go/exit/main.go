// tests/go/exit — os.Exit(N) for the N given as the only argument; the
// harness checks that N comes back as the exit status, for 0 to 255.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: exit N")
		os.Exit(1)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 || n > 255 {
		fmt.Fprintf(os.Stderr, "FAIL: bad status %q\n", os.Args[1])
		os.Exit(1)
	}
	fmt.Printf("exiting with %d\n", n)
	os.Exit(n)
}
