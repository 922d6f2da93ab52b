// Command spawn is bench/spawn's program, run alike in gorump and in the
// Linux guest so that the times compare the kernels' process start:
//
//	spawn N
//	spawn fork N
//
// starts itself N times in a row as a child ("spawn child", which prints
// a line and exits 0: a static hello), reading its output through a pipe
// (its stdin and stderr are the program's) and waiting for it, as os/exec
// does; each spawn is timed from just
// before cmd.Start to cmd.Wait's return, inside the guest.  With "fork",
// it forks N times instead (clone without CLONE_VM: a copy-on-write copy
// of the Go program's address space), each child exiting at once, and
// times fork, exit and wait4.  Prints the median and the mean as "result
// median VALUE us" and "result mean VALUE us", and "done".
package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// forkExit forks; the child exits at once, by raw calls only (it has
// one thread of the runtime's several, and must not run Go code that
// could need another).
//
//go:nosplit
func forkExit() (uintptr, syscall.Errno) {
	r, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && r == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return r, e
}

// forkOnce is one fork, the child's exit and the wait for it.
func forkOnce() error {
	pid, e := forkExit()
	if e != 0 {
		return e
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(int(pid), &ws, 0, nil); err != nil {
		return err
	}
	if ws.ExitStatus() != 0 {
		return fmt.Errorf("status %v", ws)
	}
	return nil
}

// spawnOnce is one start of the child through os/exec, and the wait.
func spawnOnce(exe string) error {
	cmd := exec.Command(exe, "child")
	// The program's own stdin and stderr, not /dev/null, which the
	// Linux guest's initramfs does not have.
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	out, err := cmd.Output()
	if err == nil && string(out) != "hello from the child\n" {
		err = fmt.Errorf("output %q", out)
	}
	return err
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "child" {
		fmt.Println("hello from the child")
		return
	}
	fork := len(os.Args) == 3 && os.Args[1] == "fork"
	if len(os.Args) != 2 && !fork {
		fmt.Println("FAIL usage: spawn [fork] N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil || n < 1 {
		fmt.Printf("FAIL spawn: bad count %q\n", os.Args[len(os.Args)-1])
		os.Exit(2)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Printf("FAIL os.Executable: %v\n", err)
		os.Exit(1)
	}
	times := make([]time.Duration, n)
	for i := range times {
		t0 := time.Now()
		if fork {
			err = forkOnce()
		} else {
			err = spawnOnce(exe)
		}
		times[i] = time.Since(t0)
		if err != nil {
			fmt.Printf("FAIL spawn %d: %v\n", i, err)
			os.Exit(1)
		}
	}
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	fmt.Printf("result median %d us\n", times[n/2].Microseconds())
	fmt.Printf("result mean %d us\n", (sum / time.Duration(n)).Microseconds())
	fmt.Println("done")
}
