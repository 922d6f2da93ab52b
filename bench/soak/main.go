// Command soak is examples/httpd's server plus /meminfo, which returns the
// guest's /proc/meminfo so bench/soak-run can compare the kernel's own
// memory (Slab) before and after a long load.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/fast", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Hello from gorump!")
	})
	http.HandleFunc("/meminfo", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile("/proc/meminfo")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(b)
	})
	if err := http.ListenAndServe(":3000", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
