// tests/go/procs — the runtime sees at least one CPU, and GOMAXPROCS is
// the value of $GOMAXPROCS when set, else runtime.NumCPU().
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

func main() {
	ncpu, procs := runtime.NumCPU(), runtime.GOMAXPROCS(0)
	fmt.Printf("NumCPU: %d\nGOMAXPROCS: %d\n", ncpu, procs)
	want := ncpu
	if env := os.Getenv("GOMAXPROCS"); env != "" {
		var err error
		if want, err = strconv.Atoi(env); err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: bad $GOMAXPROCS %q\n", env)
			os.Exit(1)
		}
	}
	if ncpu < 1 || procs != want {
		fmt.Fprintf(os.Stderr, "FAIL: NumCPU %d, GOMAXPROCS %d (want %d)\n",
			ncpu, procs, want)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
