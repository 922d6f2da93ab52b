// tests/go/environ — the environment a program starts with: prints how
// many variables it has and each one, sorted, for the harness to compare;
// checks that HOME, if set, is a directory and HOSTNAME, if set, is the
// host name uname gives.  Prints SUCCESS, or FAIL lines.
package main

import (
	"fmt"
	"os"
	"sort"
)

func main() {
	env := os.Environ()
	sort.Strings(env)
	fmt.Printf("%d vars\n", len(env))
	for _, kv := range env {
		fmt.Println(kv)
	}
	failed := false
	if home, ok := os.LookupEnv("HOME"); ok {
		if st, err := os.Stat(home); err != nil || !st.IsDir() {
			fmt.Fprintf(os.Stderr, "FAIL: HOME %s is not a directory: %v\n", home, err)
			failed = true
		}
	}
	if h, ok := os.LookupEnv("HOSTNAME"); ok {
		if name, err := os.Hostname(); err != nil || name != h {
			fmt.Fprintf(os.Stderr, "FAIL: HOSTNAME=%s but the host name is %q (%v)\n", h, name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
