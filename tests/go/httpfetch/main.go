// tests/go/httpfetch — an HTTP client for the harness: fetches URL (from
// a server tests/go/nethost runs on the host, reached as 10.0.2.2 through
// QEMU's user networking) and checks the body's size and SHA-256.  Prints
// the connection's local address, so a case can tell which guest address
// was used, then SUCCESS.
//
//	httpfetch URL SIZE SHA256
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "FAIL: usage: httpfetch URL SIZE SHA256")
		os.Exit(2)
	}
	size, _ := strconv.Atoi(os.Args[2])
	local := "unknown"
	dialer := &net.Dialer{Timeout: 20 * time.Second}
	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
				c, err := dialer.DialContext(ctx, n, a)
				if err == nil {
					local = c.LocalAddr().String()
				}
				return c, err
			},
		},
	}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: get: %v\n", err)
		os.Exit(1)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(body)
	fmt.Printf("fetched %d bytes, status %d, from local address %s\n",
		len(body), resp.StatusCode, local)
	if err != nil || resp.StatusCode != 200 || len(body) != size ||
		hex.EncodeToString(sum[:]) != os.Args[3] {
		fmt.Fprintf(os.Stderr, "FAIL: want %d bytes with SHA-256 %s, got "+
			"%d with %x (%v)\n", size, os.Args[3], len(body), sum, err)
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
