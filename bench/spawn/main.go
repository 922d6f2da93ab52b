// Command spawn is bench/spawn's program, run alike in gorump and in the
// Linux guest so that the times compare the kernels' process start:
//
//	spawn N
//
// starts itself N times in a row as a child ("spawn child", which prints
// a line and exits 0: a static hello), reading its output through a pipe
// (its stdin and stderr are the program's) and waiting for it, as os/exec
// does; each spawn is timed from just
// before cmd.Start to cmd.Wait's return, inside the guest.  Prints the
// median and the mean as "result median VALUE us" and "result mean VALUE
// us", and "done".
package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "child" {
		fmt.Println("hello from the child")
		return
	}
	if len(os.Args) != 2 {
		fmt.Println("FAIL usage: spawn N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Printf("FAIL spawn: bad count %q\n", os.Args[1])
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
		cmd := exec.Command(exe, "child")
		// The program's own stdin and stderr, not /dev/null, which the
		// Linux guest's initramfs does not have.
		cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
		out, err := cmd.Output()
		times[i] = time.Since(t0)
		if err != nil || string(out) != "hello from the child\n" {
			fmt.Printf("FAIL spawn %d: %v, output %q\n", i, err, out)
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
