package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func hex(b uintptr) string { return fmt.Sprintf("%#x", b) }

// A TCP connection over loopback (client, server, listener) and a bound
// UDP socket, for badSockets.
type sockets struct {
	l, c, s, u int
	uaddr      syscall.RawSockaddrInet4
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func loopbackSockets() sockets {
	var k sockets
	var err error
	lo := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	k.l, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	must(err)
	must(syscall.Bind(k.l, lo))
	must(syscall.Listen(k.l, 8))
	sa, err := syscall.Getsockname(k.l)
	must(err)
	k.c, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	must(err)
	must(syscall.Connect(k.c, sa))
	k.s, _, err = syscall.Accept(k.l)
	must(err)
	k.u, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM, 0)
	must(err)
	must(syscall.Bind(k.u, lo))
	usa, err := syscall.Getsockname(k.u)
	must(err)
	k.uaddr = syscall.RawSockaddrInet4{Family: syscall.AF_INET,
		Port: htons(uint16(usa.(*syscall.SockaddrInet4).Port)), Addr: [4]byte{127, 0, 0, 1}}
	return k
}

func htons(p uint16) uint16 { return p<<8 | p>>8 }

func ptr[T any](v *T) uintptr { return uintptr(unsafe.Pointer(v)) }

// badSockets: the socket calls with bad pointers get EFAULT and with bad
// values the errno Linux gives; data is not lost to a failed copy.
func badSockets() {
	k := loopbackSockets()
	var sa syscall.RawSockaddrInet4
	var v int32 = 1
	var n uint32 = 16
	buf := make([]byte, 64)
	b0 := ptr(&buf[0])
	const dontwait = syscall.MSG_DONTWAIT
	syscall.Write(k.c, []byte("kept"))
	for _, b := range badPtrs {
		n = 16
		fresh, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		must(err)
		name := func(s string) string { return s + " " + hex(b) }
		expect(name("bind"), sys(syscall.SYS_BIND, uintptr(fresh), b, 16), syscall.EFAULT)
		expect(name("connect"), sys(syscall.SYS_CONNECT, uintptr(fresh), b, 16), syscall.EFAULT)
		syscall.Close(fresh)
		expect(name("getsockname addr"), sys(syscall.SYS_GETSOCKNAME, uintptr(k.s), b, ptr(&n)), syscall.EFAULT)
		expect(name("getsockname len"), sys(syscall.SYS_GETSOCKNAME, uintptr(k.s), ptr(&sa), b), syscall.EFAULT)
		n = 16
		expect(name("getpeername addr"), sys(syscall.SYS_GETPEERNAME, uintptr(k.s), b, ptr(&n)), syscall.EFAULT)
		expect(name("getpeername len"), sys(syscall.SYS_GETPEERNAME, uintptr(k.s), ptr(&sa), b), syscall.EFAULT)
		expect(name("setsockopt"), sys(syscall.SYS_SETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, b, 4), syscall.EFAULT)
		n = 4
		expect(name("getsockopt value"), sys(syscall.SYS_GETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, syscall.SO_ERROR, b, ptr(&n)), syscall.EFAULT)
		expect(name("getsockopt len"), sys(syscall.SYS_GETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, syscall.SO_ERROR, ptr(&v), b), syscall.EFAULT)
		expect(name("send from"), sys(syscall.SYS_SENDTO, uintptr(k.c), b, 8, syscall.MSG_NOSIGNAL, 0, 0), syscall.EFAULT)
		expect(name("recv into"), sys(syscall.SYS_RECVFROM, uintptr(k.s), b, 8, dontwait, 0, 0), syscall.EFAULT)
		expect(name("sendto address"), sys(syscall.SYS_SENDTO, uintptr(k.u), b0, 4, 0, b, 16), syscall.EFAULT)
		expect(name("sendmsg header"), sys(syscall.SYS_SENDMSG, uintptr(k.u), b, 0), syscall.EFAULT)
		expect(name("recvmsg header"), sys(syscall.SYS_RECVMSG, uintptr(k.u), b, dontwait), syscall.EFAULT)
		iov := syscall.Iovec{Base: (*byte)(unsafe.Pointer(b)), Len: 8}
		msg := syscall.Msghdr{Name: (*byte)(unsafe.Pointer(&k.uaddr)), Namelen: 16, Iov: &iov, Iovlen: 1}
		expect(name("sendmsg buffer"), sys(syscall.SYS_SENDMSG, uintptr(k.u), ptr(&msg)), syscall.EFAULT)
		expect(name("socketpair"), sys(syscall.SYS_SOCKETPAIR, syscall.AF_UNIX, syscall.SOCK_STREAM, 0, b), syscall.EFAULT)
		expect(name("ioctl FIONREAD"), sys(syscall.SYS_IOCTL, uintptr(k.s), 0x541b /* FIONREAD */, b), syscall.EFAULT)
	}
	// The bytes the failed receives could not copy are still there.
	got, _, e := syscall.Syscall6(syscall.SYS_RECVFROM, uintptr(k.s), b0, 64, dontwait, 0, 0)
	expect("receive after failed copies", e, 0)
	if e == 0 && string(buf[:got]) != "kept" {
		expect("receive after failed copies got "+string(buf[:got]), syscall.EIO, 0)
	}

	in4 := syscall.RawSockaddrInet4{Family: syscall.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	in6 := syscall.RawSockaddrInet6{Family: syscall.AF_INET6}
	fresh, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	must(err)
	expect("socket of family 999", sys(syscall.SYS_SOCKET, 999, syscall.SOCK_STREAM, 0), syscall.EAFNOSUPPORT)
	expect("socket of type 99", sys(syscall.SYS_SOCKET, syscall.AF_INET, 99, 0), syscall.EINVAL)
	expect("TCP socket with UDP protocol", sys(syscall.SYS_SOCKET, syscall.AF_INET, syscall.SOCK_STREAM, syscall.IPPROTO_UDP), syscall.EPROTONOSUPPORT)
	expect("bind with a 3-byte address", sys(syscall.SYS_BIND, uintptr(fresh), ptr(&in4), 3), syscall.EINVAL)
	expect("bind of an IPv6 address to IPv4", sys(syscall.SYS_BIND, uintptr(fresh), ptr(&in6), unsafe.Sizeof(in6)), syscall.EAFNOSUPPORT)
	expect("connect on stdout", sys(syscall.SYS_CONNECT, 1, ptr(&in4), 16), syscall.ENOTSOCK)
	expect("listen on UDP", sys(syscall.SYS_LISTEN, uintptr(k.u), 5), syscall.EOPNOTSUPP)
	expect("accept on a socket not listening", sys(syscall.SYS_ACCEPT4, uintptr(fresh), 0, 0, 0), syscall.EINVAL)
	expect("setsockopt with 1 byte", sys(syscall.SYS_SETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, ptr(&v), 1), syscall.EINVAL)
	expect("setsockopt unknown option", sys(syscall.SYS_SETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, 9999, ptr(&v), 4), syscall.ENOPROTOOPT)
	neg := int32(-1)
	expect("getsockopt negative length", sys(syscall.SYS_GETSOCKOPT, uintptr(k.s), syscall.SOL_SOCKET, syscall.SO_ERROR, ptr(&v), ptr(&neg)), syscall.EINVAL)
	expect("shutdown how 5", sys(syscall.SYS_SHUTDOWN, uintptr(k.s), 5), syscall.EINVAL)
	expect("send on an unconnected TCP socket", sys(syscall.SYS_SENDTO, uintptr(fresh), b0, 4, syscall.MSG_NOSIGNAL, 0, 0), syscall.EPIPE)
	expect("recv on an unconnected TCP socket", sys(syscall.SYS_RECVFROM, uintptr(fresh), b0, 4, dontwait, 0, 0), syscall.ENOTCONN)
	n = 16
	expect("getpeername unconnected", sys(syscall.SYS_GETPEERNAME, uintptr(fresh), ptr(&sa), ptr(&n)), syscall.ENOTCONN)
	expect("UDP connect with no address", sys(syscall.SYS_CONNECT, uintptr(k.u), ptr(&in4), 0), syscall.EINVAL)
	syscall.Close(fresh)
	for _, fd := range []int{k.l, k.c, k.s, k.u} {
		syscall.Close(fd)
	}
}

// partialSends: a TCP send whose buffer runs into a page the program
// cannot read sends the bytes before it and says how many, as Linux does;
// one that starts there gets EFAULT; the connection goes on and the
// receiver gets exactly the bytes counted.
func partialSends() {
	k := loopbackSockets()
	const page = 4096
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	must(err)
	for i := range mem {
		mem[i] = byte(i*7 + 3)
	}
	must(syscall.Mprotect(mem[page:2*page], syscall.PROT_NONE))
	base := ptr(&mem[0])
	var want []byte
	send := func(name string, at, n uintptr, wantN int) {
		r, _, e := syscall.Syscall6(syscall.SYS_SENDTO, uintptr(k.c), base+at, n,
			syscall.MSG_NOSIGNAL, 0, 0)
		if wantN < 0 {
			expect(name, e, syscall.EFAULT)
			return
		}
		expect(name, e, 0)
		if e == 0 && int(r) != wantN {
			fmt.Fprintf(os.Stderr, "FAIL: %s: sent %d, want %d\n", name, r, wantN)
			failed++
		}
		if e == 0 {
			want = append(want, mem[at:at+r]...)
		}
	}
	send("send into an unreadable page", page-301, 1000, 301)
	send("send from an unreadable page", page, 10, -1)
	send("send whole", 3, page-10, page-10)
	// The readable page after the hole, and sendmsg with the second
	// iovec unreadable: the first is sent.
	send("send after the hole", 2*page+1, page-1, page-1)
	iov := []syscall.Iovec{
		{Base: &mem[2*page+5], Len: 77},
		{Base: (*byte)(unsafe.Pointer(base + page + 8)), Len: 50},
	}
	msg := syscall.Msghdr{Iov: &iov[0], Iovlen: 2}
	r, _, e := syscall.Syscall(syscall.SYS_SENDMSG, uintptr(k.c), ptr(&msg), syscall.MSG_NOSIGNAL)
	expect("sendmsg with an unreadable second iovec", e, 0)
	if e == 0 && r != 77 {
		fmt.Fprintf(os.Stderr, "FAIL: sendmsg: sent %d, want 77\n", r)
		failed++
	}
	want = append(want, mem[2*page+5:2*page+5+77]...)
	got := make([]byte, 0, len(want))
	buf := make([]byte, 8192)
	for len(got) < len(want) {
		n, err := syscall.Read(k.s, buf)
		if err != nil || n == 0 {
			fmt.Fprintf(os.Stderr, "FAIL: partial sends: read after %d of %d bytes: %v\n",
				len(got), len(want), err)
			failed++
			break
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != string(want) {
		fmt.Fprintf(os.Stderr, "FAIL: partial sends: the receiver got other bytes than were sent\n")
		failed++
	}
	syscall.Munmap(mem)
	for _, fd := range []int{k.l, k.c, k.s, k.u} {
		syscall.Close(fd)
	}
}
