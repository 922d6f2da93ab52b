// tests/go/enosys — a system call the kernel does not implement returns
// ENOSYS and the program goes on.  afs_syscall (183) is reserved but has
// never been implemented by Linux either (sys_ni_syscall), so it gives
// ENOSYS natively too, and no kernel will ever grow it.
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	for i := 0; i < 2; i++ { // twice: the kernel names it only once
		r, _, errno := syscall.Syscall(syscall.SYS_AFS_SYSCALL, 0, 0, 0)
		fmt.Printf("afs_syscall: r=%d errno=%d (%v)\n", int(r), int(errno), errno)
		if errno != syscall.ENOSYS {
			fmt.Fprintf(os.Stderr, "FAIL: afs_syscall gave errno %d (%v), want ENOSYS\n",
				int(errno), errno)
			os.Exit(1)
		}
	}
	fmt.Println("continued")
	fmt.Println("SUCCESS")
}
