// Command threads is a Go program built with cgo (CGO_ENABLED=1, so
// dynamically linked against glibc) that checks what such programs need
// from the kernel beyond a static Go program: threads made by C's
// pthread_create calling back into Go, C thread-local storage, a signal
// raised on a thread Go did not create (its handlers run with
// SA_ONSTACK on a stack Go sets up), runtime.LockOSThread keeping a
// goroutine on one kernel thread, os/user through libc's getpwnam_r and
// getgrgid_r (NSS), and the cgo DNS resolver (getaddrinfo) resolving
// "localhost" and, when given as NAME=ADDR arguments, names from
// /etc/hosts.  Run it with GODEBUG=netdns=cgo+2 to see which resolver
// answered.  Prints SUCCESS when all checks pass.
package main

/*
#cgo LDFLAGS: -pthread
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

extern void goCallback(int id, int tls);

static __thread int c_tls;

static void *c_thread(void *arg)
{
	int id = (int)(intptr_t)arg;
	c_tls = id * 10;
	usleep(1000);
	goCallback(id, c_tls);
	return NULL;
}

// Starts n threads with pthread_create, each calling back into Go, and
// joins them: 0, or the first error.
static int run_c_threads(int n)
{
	pthread_t t[16];
	int err = 0;
	if (n > 16)
		n = 16;
	for (int i = 0; i < n && !err; i++)
		err = pthread_create(&t[i], NULL, c_thread, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return err;
}

static void *raiser(void *arg)
{
	(void)arg;
	raise(SIGUSR1); // to this thread, which Go did not create
	return NULL;
}

static int raise_on_c_thread(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, raiser, NULL);
	if (!err)
		pthread_join(t, NULL);
	return err;
}

static long c_gettid(void) { return syscall(SYS_gettid); }
static void set_tls(int v) { c_tls = v; }
static int get_tls(void) { return c_tls; }
*/
import "C"

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"os/user"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	failed    int
	callbacks sync.Map
)

func check(ok bool, format string, args ...any) {
	if !ok {
		failed++
		fmt.Printf("FAIL "+format+"\n", args...)
	}
}

//export goCallback
func goCallback(id, tls C.int) {
	callbacks.Store(int(id), int(tls))
}

func cThreads() {
	check(C.run_c_threads(8) == 0, "pthread_create failed")
	n := 0
	callbacks.Range(func(k, v any) bool {
		n++
		check(v.(int) == k.(int)*10, "thread %v saw C TLS %v", k, v)
		return true
	})
	check(n == 8, "%d callbacks from C threads, want 8", n)
	fmt.Println("C threads called back into Go: ok")
}

func cTLS() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := C.c_gettid()
	C.set_tls(1234)
	for i := 0; i < 20; i++ {
		runtime.Gosched()
		runtime.GC()
		time.Sleep(time.Millisecond)
		check(C.c_gettid() == tid, "LockOSThread: moved from thread %d to %d", tid, C.c_gettid())
		check(C.get_tls() == 1234, "C TLS changed under LockOSThread: %d", C.get_tls())
	}
	check(int(tid) == syscall.Gettid(), "Go and C see different thread ids")
	fmt.Println("LockOSThread and C thread-local storage: ok")
}

func signalOnCThread() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	defer signal.Stop(ch)
	check(C.raise_on_c_thread() == 0, "pthread_create for the raiser failed")
	select {
	case s := <-ch:
		fmt.Printf("signal raised on a C thread reached Go: %v\n", s)
	case <-time.After(10 * time.Second):
		check(false, "SIGUSR1 raised on a C thread never arrived")
	}
}

func users() {
	u, err := user.Lookup("root")
	check(err == nil && u.Uid == "0" && u.HomeDir == "/root", "Lookup root: %+v %v", u, err)
	u, err = user.LookupId("0")
	check(err == nil && u.Username == "root", "LookupId 0: %+v %v", u, err)
	g, err := user.LookupGroupId("0")
	check(err == nil && g.Name == "root", "LookupGroupId 0: %+v %v", g, err)
	_, err = user.Lookup("no-such-user-here")
	_, unknown := err.(user.UnknownUserError)
	check(unknown, "Lookup of an unknown user: %v", err)
	fmt.Println("os/user through libc: ok")
}

func resolve(name, want string) {
	addrs, err := net.LookupHost(name)
	sort.Strings(addrs)
	check(err == nil && strings.Contains(strings.Join(addrs, " "), want),
		"LookupHost(%s) = %v %v, want %s", name, addrs, err, want)
	fmt.Printf("cgo resolver: %s has %s\n", name, want)
}

func main() {
	cThreads()
	cTLS()
	signalOnCThread()
	users()
	resolve("localhost", "127.0.0.1")
	for _, a := range os.Args[1:] {
		name, addr, _ := strings.Cut(a, "=")
		resolve(name, addr)
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}
