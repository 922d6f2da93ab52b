// tests/go/stdio — stdout and stderr stay separate and 8-bit clean.  Writes
// interleaved marker lines to both, the console's escape byte 0x10 inside a
// line, all 256 byte values in binary, and 4000 numbered lines in one write.
// The harness compares stdout byte for byte with what it expects.
package main

import (
	"fmt"
	"os"
)

func write(f *os.File, b []byte) {
	n, err := f.Write(b)
	if err != nil || n != len(b) {
		fmt.Fprintf(os.Stderr, "FAIL: write to %s: %d of %d bytes: %v\n",
			f.Name(), n, len(b), err)
		os.Exit(1)
	}
}

func main() {
	for i := 1; i <= 3; i++ {
		write(os.Stdout, []byte(fmt.Sprintf("out %d\n", i)))
		write(os.Stderr, []byte(fmt.Sprintf("err %d\n", i)))
	}
	write(os.Stdout, []byte("dle[\x10]out\n"))
	write(os.Stderr, []byte("dle[\x10]err\n"))

	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	write(os.Stdout, append(all, '\n'))

	var bulk []byte
	for i := 1; i <= 4000; i++ {
		bulk = append(bulk, fmt.Sprintf("bulk %05d\n", i)...)
	}
	write(os.Stdout, bulk)

	write(os.Stderr, []byte("err end\n"))
	write(os.Stdout, []byte("out end\nSUCCESS\n"))
}
