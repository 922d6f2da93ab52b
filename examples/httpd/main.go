// examples/httpd — the seed project's hello-world web server: net/http on
// port 3000, answering GET /fast with a short body.  `make demo` boots it.
// Ctrl-C or SIGTERM to gorump reaches it: it stops accepting, lets the
// requests in progress finish (5 s at most) and exits with status 0.
//
//	build/gorump run -p 3000:3000 examples/httpd
//	curl http://127.0.0.1:3000/fast
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
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
	srv := &http.Server{Addr: *addr}
	stopped := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		log.Printf("httpd: %v: shutting down", <-sig)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Printf("httpd: shutdown: %v", err)
		}
		close(stopped)
	}()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("httpd: listening on %s", *addr)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-stopped
	log.Printf("httpd: stopped")
}
