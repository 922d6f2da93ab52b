// Command tz checks time zones: with zone data packed into the guest
// (argument "packed") time.LoadLocation finds Europe/Paris and TZ applies
// to time.Local; without (argument "none") only UTC exists.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	mode := "none"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	loc, err := time.LoadLocation("Europe/Paris")
	switch mode {
	case "packed":
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: LoadLocation:", err)
			os.Exit(1)
		}
		winter := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC).In(loc)
		if _, off := winter.Zone(); off != 3600 {
			fmt.Fprintln(os.Stderr, "FAIL: Paris offset in January:", off)
			os.Exit(1)
		}
		if name, _ := time.Now().In(time.Local).Zone(); name != "CET" && name != "CEST" {
			fmt.Fprintln(os.Stderr, "FAIL: time.Local zone with TZ set:", name)
			os.Exit(1)
		}
		fmt.Println("Europe/Paris loaded, offset +1h in January, time.Local follows TZ")
	default:
		if err == nil {
			fmt.Fprintln(os.Stderr, "FAIL: LoadLocation found zone data that was not packed")
			os.Exit(1)
		}
		if name, _ := time.Now().Zone(); name != "UTC" {
			fmt.Fprintln(os.Stderr, "FAIL: time.Local is", name)
			os.Exit(1)
		}
		fmt.Println("no zone data: LoadLocation fails, time.Local is UTC")
	}
	fmt.Println("SUCCESS")
}
