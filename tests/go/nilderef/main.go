// tests/go/nilderef — faults the runtime turns into recoverable panics: a
// nil pointer dereference (needs page 0 unmapped and SIGSEGV delivered with
// si_addr < 0x1000), an integer divide by zero (SIGFPE) and a write to a nil
// map.  Each must surface as a runtime.Error with the usual message.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

var failed bool

type point struct{ x, y int }

//go:noinline
func deref(p *point) int { return p.y }

//go:noinline
func divide(a, b int) int { return a / b }

//go:noinline
func store(m map[string]int) { m["k"] = 1 }

// expectPanic runs f and checks it panics with a runtime.Error whose
// message contains want.
func expectPanic(name, want string, f func()) {
	defer func() {
		r := recover()
		var rerr runtime.Error
		err, _ := r.(error)
		switch {
		case r == nil:
			fmt.Fprintf(os.Stderr, "FAIL: %s: no panic\n", name)
			failed = true
		case !errors.As(err, &rerr):
			fmt.Fprintf(os.Stderr, "FAIL: %s: panic %T %v is not a runtime.Error\n", name, r, r)
			failed = true
		case !strings.Contains(rerr.Error(), want):
			fmt.Fprintf(os.Stderr, "FAIL: %s: %q does not mention %q\n", name, rerr, want)
			failed = true
		default:
			fmt.Printf("%s: recovered %q\n", name, rerr)
		}
	}()
	f()
}

func main() {
	expectPanic("nil dereference", "nil pointer dereference", func() { deref(nil) })
	expectPanic("divide by zero", "integer divide by zero", func() { divide(1, 0) })
	expectPanic("nil map write", "assignment to entry in nil map", func() { store(nil) })
	if failed {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
