package main

// The text route tables (/proc/net/route, /proc/net/ipv6_route: Linux's
// net/ipv4/fib_trie.c and net/ipv6/route.c formats) and the single-route
// RTM_GETROUTE request (no NLM_F_DUMP), checked against the netlink dump.

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

const route4Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"

func ifName(index uint32) string {
	ifc, err := net.InterfaceByIndex(int(index))
	if err != nil {
		check(false, "interface %d: %v", index, err)
		return "?"
	}
	return ifc.Name
}

// hex4 is an IPv4 address as /proc/net/route prints it: the 32-bit word
// in memory order, %08X.
func hex4(ip net.IP) string {
	ip4 := ip.To4()
	if ip4 == nil {
		ip4 = net.IPv4zero.To4()
	}
	return fmt.Sprintf("%08X", binary.LittleEndian.Uint32(ip4))
}

func checkProcRoute(all []route) {
	b, err := os.ReadFile("/proc/net/route")
	if err != nil {
		check(false, "/proc/net/route: %v", err)
		return
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	check(lines[0] == fmt.Sprintf("%-127s", route4Header), "/proc/net/route header %q", lines[0])
	have := map[string]bool{}
	for _, l := range lines[1:] {
		check(len(l) == 127, "/proc/net/route line not 127 wide: %q", l)
		f := strings.Split(strings.TrimRight(l, " "), "\t")
		check(len(f) == 11, "/proc/net/route line has %d fields: %q", len(f), l)
		if len(f) == 11 {
			have[strings.Join([]string{f[0], f[1], f[2], f[3], f[7]}, " ")] = true
		}
	}
	for _, r := range all {
		if r.family != syscall.AF_INET || r.table != syscall.RT_TABLE_MAIN {
			continue
		}
		flags := "0001"
		if r.gw != nil {
			flags = "0003"
		}
		mask := net.IP(net.CIDRMask(int(r.dstLen), 32))
		key := strings.Join([]string{ifName(r.oif), hex4(r.dst), hex4(r.gw), flags, hex4(mask)}, " ")
		check(have[key], "/proc/net/route lacks %q:\n%s", key, b)
	}
}

var ipv6Line = regexp.MustCompile(`^([0-9a-f]{32}) ([0-9a-f]{2}) [0-9a-f]{32} 00 ([0-9a-f]{32}) ([0-9a-f]{8}) [0-9a-f]{8} [0-9a-f]{8} ([0-9a-f]{8}) ([ a-z0-9]{8,})$`)

func hex16(ip net.IP) string {
	if ip == nil {
		ip = net.IPv6zero
	}
	return fmt.Sprintf("%x", []byte(ip.To16()))
}

func checkProcIPv6Route(all []route) {
	b, err := os.ReadFile("/proc/net/ipv6_route")
	if err != nil {
		check(false, "/proc/net/ipv6_route: %v", err)
		return
	}
	have := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := ipv6Line.FindStringSubmatch(l)
		check(m != nil, "/proc/net/ipv6_route line %q", l)
		if m == nil {
			continue
		}
		flags, _ := strconv.ParseUint(m[5], 16, 32)
		dev := strings.TrimLeft(m[6], " ")
		check(len(m[6]) == 8 || len(dev) > 8, "device not right-aligned in 8: %q", l)
		have[strings.Join([]string{m[1], m[2], m[3], dev}, " ")] = true
		check(m[2] != "00" || flags&1 == 0 || flags&3 == 3, "a default route without RTF_UP|RTF_GATEWAY: %q", l)
	}
	for _, r := range all {
		if r.family != syscall.AF_INET6 || r.table != syscall.RT_TABLE_MAIN {
			continue
		}
		key := strings.Join([]string{hex16(r.dst), fmt.Sprintf("%02x", r.dstLen), hex16(r.gw), ifName(r.oif)}, " ")
		check(have[key], "/proc/net/ipv6_route lacks %q:\n%s", key, b)
	}
}

// getRoute asks for the route to ip alone (rtnetlink(7) RTM_GETROUTE with
// NLM_F_REQUEST only): one RTM_NEWROUTE answer, no NLMSG_DONE.
func getRoute(ip net.IP) (route, error) {
	fam, a := syscall.AF_INET6, ip.To16()
	if ip.To4() != nil {
		fam, a = syscall.AF_INET, ip.To4()
	}
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW, syscall.NETLINK_ROUTE)
	if err != nil {
		return route{}, err
	}
	defer syscall.Close(fd)
	req := make([]byte, 16+12+4+len(a))
	binary.LittleEndian.PutUint32(req[0:], uint32(len(req)))
	binary.LittleEndian.PutUint16(req[4:], syscall.RTM_GETROUTE)
	binary.LittleEndian.PutUint16(req[6:], syscall.NLM_F_REQUEST)
	binary.LittleEndian.PutUint32(req[8:], 7)
	req[16] = byte(fam)
	req[17] = byte(8 * len(a))
	binary.LittleEndian.PutUint16(req[28:], uint16(4+len(a)))
	binary.LittleEndian.PutUint16(req[30:], syscall.RTA_DST)
	copy(req[32:], a)
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return route{}, err
	}
	buf := make([]byte, 8192)
	n, _, err := syscall.Recvfrom(fd, buf, 0)
	if err != nil {
		return route{}, err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil || len(msgs) != 1 {
		return route{}, fmt.Errorf("%d messages (%v), want 1", len(msgs), err)
	}
	if msgs[0].Header.Type == syscall.NLMSG_ERROR {
		return route{}, syscall.Errno(-int32(binary.LittleEndian.Uint32(msgs[0].Data)))
	}
	check(msgs[0].Header.Seq == 7 && msgs[0].Header.Flags&syscall.NLM_F_MULTI == 0,
		"route to %v: header %+v", ip, msgs[0].Header)
	rs := parseRoutes(msgs)
	if len(rs) != 1 {
		return route{}, fmt.Errorf("no RTM_NEWROUTE: %+v", msgs[0].Header)
	}
	rs[0].rtype = msgs[0].Data[7]
	return rs[0], nil
}

// checkGet: an address beyond the default gateway goes through it from
// the interface's address; the gateway itself is on the link; 127.0.0.1
// and ::1 are local, on lo.
func checkGet(def *route) {
	far := net.IPv4(203, 0, 113, 77) // TEST-NET-3: not on a link here
	r, err := getRoute(far)
	check(err == nil && r.gw.Equal(def.gw) && r.oif == def.oif && r.dst.Equal(far) &&
		r.dstLen == 32 && r.prefsrc != nil, "route to %v: %+v %v (default %+v)", far, r, err, *def)
	r, err = getRoute(def.gw)
	check(err == nil && r.gw == nil && r.oif == def.oif && r.prefsrc != nil,
		"route to the gateway %v: %+v %v", def.gw, r, err)
	lo, _ := net.InterfaceByName("lo")
	// IPv4's answer is from table main: without policy rules Linux merges
	// its local table into main; IPv6 keeps them apart.
	tables := []uint8{syscall.RT_TABLE_MAIN, syscall.RT_TABLE_LOCAL}
	for i, ip := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback} {
		r, err = getRoute(ip)
		check(err == nil && r.table == tables[i] && r.rtype == syscall.RTN_LOCAL &&
			lo != nil && r.oif == uint32(lo.Index) && r.prefsrc.Equal(ip),
			"route to %v: %+v %v", ip, r, err)
	}
}

// checkMulticast: net.Interface.MulticastAddrs (/proc/net/igmp and igmp6)
// puts every interface with an IPv6 address in ff02::1 and ff01::1, and
// one with an IPv4 address in 224.0.0.1; the default interface is also in
// the solicited-node group of each of its IPv6 addresses (RFC 4291 2.7.1).
func checkMulticast() {
	ifs, err := net.Interfaces()
	check(err == nil && len(ifs) > 0, "Interfaces: %v", err)
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		maddrs, err := ifc.MulticastAddrs()
		check(err == nil, "%s: MulticastAddrs: %v", ifc.Name, err)
		in := map[string]bool{}
		for _, m := range maddrs {
			in[m.(*net.IPAddr).IP.String()] = true
		}
		var v4, v6 bool
		for _, a := range addrs {
			ip := a.(*net.IPNet).IP
			if ip.To4() != nil {
				v4 = true
				continue
			}
			v6 = true
			if ifc.Flags&net.FlagLoopback == 0 && ip.IsLinkLocalUnicast() {
				sn := net.ParseIP("ff02::1:ff00:0")
				copy(sn[13:], ip[13:])
				check(in[sn.String()], "%s: not in %v for %v: %v", ifc.Name, sn, ip, maddrs)
			}
		}
		check(!v6 || in["ff02::1"] && in["ff01::1"], "%s: not in ff02::1 and ff01::1: %v", ifc.Name, maddrs)
		check(!v4 || in["224.0.0.1"], "%s: not in 224.0.0.1: %v", ifc.Name, maddrs)
	}
}
