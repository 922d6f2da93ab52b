// Command oom keeps allocating and touching memory until the guest runs
// out.  The kernel must not hang or corrupt anything: it reports the
// exhaustion and ends the program with status 137, as Linux's OOM killer
// would.  Memory is committed when touched, not when mapped: a 1 TiB
// mapping succeeds, one larger than the address space fails with ENOMEM.
//
//	oom          the Go heap grows until the guest has no page left
//	oom -sparse  one page in every 64 KiB of a 1 TiB mapping is touched
//	             (page tables and pages both run out)
//	oom -child   runs itself as a child that does the first, twice: each
//	             child is killed (its parent's Wait says "signal: killed")
//	             while this process goes on and then allocates 16 MiB
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"unsafe"
)

// children: two greedy children in turn, each killed for the memory it
// took; then this parent allocates and touches 16 MiB.
func children() {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: Executable: %v\n", err)
		os.Exit(1)
	}
	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		cmd := exec.Command(self)
		cmd.Stdout = &out
		err := cmd.Run()
		if err == nil || err.Error() != "signal: killed" ||
			!strings.Contains(out.String(), "holding 17 MiB") {
			fmt.Fprintf(os.Stderr, "FAIL: child %d: %v, said %q\n", i, err,
				out.String())
			os.Exit(1)
		}
		fmt.Printf("child %d: %v\n", i, err)
	}
	b := make([]byte, 16<<20)
	for j := range b {
		b[j] = byte(j)
	}
	fmt.Printf("parent: allocated %d MiB\n", len(b)>>20)
	fmt.Println("SUCCESS")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		children()
		return
	}
	_, err := syscall.Mmap(-1, 0, 1<<47, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != syscall.ENOMEM {
		fmt.Fprintf(os.Stderr, "FAIL: 128 TiB mmap: got %v, want ENOMEM\n", err)
		os.Exit(1)
	}
	fmt.Println("128 TiB mmap: ENOMEM")
	big, err := syscall.Mmap(-1, 0, 1<<40, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: 1 TiB mmap: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("1 TiB mmap: mapped")
	if len(os.Args) > 1 && os.Args[1] == "-sparse" {
		base := uintptr(unsafe.Pointer(&big[0]))
		for off := uintptr(0); off < 1<<40; off += 64 << 10 {
			*(*byte)(unsafe.Pointer(base + off)) = 1
			if off%(64<<20) == 0 {
				fmt.Printf("touched %d MiB of it\n", off>>20)
			}
		}
		fmt.Fprintln(os.Stderr, "FAIL: touched 1 TiB")
		os.Exit(1)
	}
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
