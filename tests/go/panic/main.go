// tests/go/panic — an unrecovered panic.  Expected: exit status 2, "panic:
// boom" and the goroutine trace on stderr, and nothing on stdout after the
// marker line.  This program "passes" by crashing the right way.
package main

import "fmt"

func main() {
	fmt.Println("before panic")
	panic("boom")
}
