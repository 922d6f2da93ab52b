// tests/go/hello — argv and environment reach the program intact.  Prints
// argc, each argument on its own line and the value of GORUMP_TEST; the
// harness compares the lines with what it passed.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 1 || os.Args[0] == "" {
		fmt.Fprintf(os.Stderr, "FAIL: os.Args[0] is missing: %q\n", os.Args)
		os.Exit(1)
	}
	fmt.Printf("argc: %d\n", len(os.Args))
	for i, a := range os.Args[1:] {
		fmt.Printf("arg[%d]=%s\n", i+1, a)
	}
	if v, ok := os.LookupEnv("GORUMP_TEST"); ok {
		fmt.Printf("GORUMP_TEST=%s\n", v)
	} else {
		fmt.Println("GORUMP_TEST unset")
	}
	fmt.Println("SUCCESS")
}
