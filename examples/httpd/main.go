// examples/httpd — the seed project's hello-world web server: net/http on
// port 3000, answering GET /fast with a short body.  `make demo` boots it.
//
//	build/gorump run -p 3000:3000 examples/httpd
//	curl http://127.0.0.1:3000/fast
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
)

func fast(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "hello from gorump")
}

func main() {
	addr := flag.String("addr", ":3000", "address to listen on")
	flag.Parse()

	http.HandleFunc("/fast", fast)
	log.Printf("httpd: listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
