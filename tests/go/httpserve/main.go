// tests/go/httpserve — a net/http server for the harness: /hello answers
// a fixed line, /big 1 MiB of the pattern tests/go/nethost makes (byte i
// is i*7 mod 251), /quit answers and then ends the program with SUCCESS
// (the answer may not get out before the guest stops; the host does not
// need it).  The host fetches them with curl through `gorump run -p`.
//
//	httpserve PORT
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7 % 251)
	}
	return b
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: httpserve PORT")
		os.Exit(2)
	}
	big := pattern(1 << 20)
	quit := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from the guest")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(big)
	})
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "bye")
		close(quit)
	})
	srv := &http.Server{Addr: ":" + os.Args[1], Handler: mux}
	done := make(chan struct{})
	go func() {
		<-quit
		srv.Shutdown(context.Background()) // waits for /quit's answer
		close(done)
	}()
	l, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: listen: %v\n", err)
		os.Exit(1)
	}
	// Only now: the harness connects as soon as it reads this line.
	fmt.Printf("listening on %s\n", srv.Addr)
	if err := srv.Serve(l); err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "FAIL: serve: %v\n", err)
		os.Exit(1)
	}
	<-done
	fmt.Println("SUCCESS")
}
