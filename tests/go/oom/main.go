// Command oom keeps allocating and touching memory until the guest runs
// out.  The kernel must not hang or corrupt anything: it reports the
// exhaustion and ends the program with status 137, as Linux's OOM killer
// would.  A single mapping larger than RAM must fail with ENOMEM first.
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	_, err := syscall.Mmap(-1, 0, 1<<40, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != syscall.ENOMEM {
		fmt.Fprintf(os.Stderr, "FAIL: 1 TiB mmap: got %v, want ENOMEM\n", err)
		os.Exit(1)
	}
	fmt.Println("1 TiB mmap: ENOMEM")
	var keep [][]byte
	for i := 0; ; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(i)
		}
		keep = append(keep, b)
		if i%16 == 0 {
			fmt.Printf("holding %d MiB\n", len(keep))
		}
	}
}
