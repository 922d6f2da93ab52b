// examples/hello — the smallest gorump program: greets, shows its arguments
// and one environment variable, so a run shows argv and env reached it.
//
//	build/gorump run -e GREETING=hi examples/hello one two
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from gorump")
	fmt.Printf("args: %q\n", os.Args[1:])
	fmt.Printf("GREETING=%q\n", os.Getenv("GREETING"))
}
