// tests/go/smp — what a program sees of the machine's CPUs.  The CPUs it
// may run on agree everywhere: /sys/devices/system/cpu/online (glibc's
// get_nprocs), the processors of /proc/cpuinfo, and runtime.NumCPU
// (sched_getaffinity), which GOMAXPROCS follows; present and possible
// list at least those.  With an argument N, N CPUs are present: every CPU
// of the machine started (under gorump, `--cpus N`, all of them online).
// Some goroutines then work, so the output shows the program runs.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// count returns how many CPUs a sysfs CPU list ("0", "0-3", "0,2-5") names.
func count(name string) int {
	b, err := os.ReadFile("/sys/devices/system/cpu/" + name)
	if err != nil {
		fail("%v", err)
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, found := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		z, err2 := a, error(nil)
		if found {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || z < a {
			fail("%s: bad CPU list %q", name, b)
		}
		n += z - a + 1
	}
	return n
}

func cpuinfo() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		fail("%v", err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "processor\t") {
			n++
		}
	}
	return n
}

func work() uint64 {
	var wg sync.WaitGroup
	sums := make([]uint64, 8)
	for g := range sums {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200000; i++ {
				sums[g] += uint64(i*g) % 7
			}
		}(g)
	}
	wg.Wait()
	var t uint64
	for _, s := range sums {
		t += s
	}
	return t
}

func main() {
	online, present, possible := count("online"), count("present"), count("possible")
	ncpu, procs := runtime.NumCPU(), runtime.GOMAXPROCS(0)
	fmt.Printf("online %d present %d possible %d cpuinfo %d NumCPU %d GOMAXPROCS %d\n",
		online, present, possible, cpuinfo(), ncpu, procs)
	if online != ncpu || cpuinfo() != ncpu || procs != ncpu {
		fail("the CPUs a program may use disagree")
	}
	if present < online || possible < present {
		fail("fewer CPUs present or possible than online")
	}
	if len(os.Args) > 1 {
		want, err := strconv.Atoi(os.Args[1])
		if err != nil || present != want || possible != want {
			fail("want %s CPUs present and possible", os.Args[1])
		}
	}
	fmt.Printf("work: %d\n", work())
	fmt.Println("SUCCESS")
}
