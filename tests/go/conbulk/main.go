// tests/go/conbulk — N bytes (the first argument) of a pattern holding
// every byte value, the console's escape byte 0x10 among them, written to
// stdout in writes of changing sizes (1 byte to 70,000), with a line on
// stderr after every MiB and "SUCCESS" there at the end.  The harness
// compares stdout with the native run's, byte for byte, read slowly.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "usage: conbulk BYTES")
		os.Exit(2)
	}
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*131 + i>>12)
	}
	mark := 1 << 20
	for at, size := 0, 1; at < n; size = size*7%70001 + 1 {
		k := size
		if k > n-at {
			k = n - at
		}
		if w, err := os.Stdout.Write(data[at : at+k]); err != nil || w != k {
			fmt.Fprintf(os.Stderr, "FAIL: write: %d of %d: %v\n", w, k, err)
			os.Exit(1)
		}
		at += k
		for at >= mark {
			fmt.Fprintf(os.Stderr, "conbulk: %d MiB\n", mark>>20)
			mark += 1 << 20
		}
	}
	fmt.Fprintln(os.Stderr, "SUCCESS")
}
