// Command routes reads the routing table through netlink (RTM_GETROUTE
// dumps, rtnetlink(7)) as etcd's default-host lookup does: the main
// table's IPv4 default route names an interface (RTA_OIF) and a gateway,
// that interface's address lies in a connected route of the same
// interface, and the host etcd would pick is one of its addresses; a dump
// for one family holds only that family.  /proc/net/route and
// /proc/net/ipv6_route show the same routes in Linux's text format, and
// a request for one address's route (no NLM_F_DUMP) answers with the
// route a send would take.  Every interface is in the all-nodes IPv6
// multicast group, which /proc/net/igmp6 lists and Go's MulticastAddrs
// reads.  Prints SUCCESS, or FAIL lines.
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

var failed int

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed++
		fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	}
}

type route struct {
	family, dstLen, table, scope, rtype uint8
	dst, gw, prefsrc                    net.IP
	oif                                 uint32
}

func dump(family int) []route {
	dat, err := syscall.NetlinkRIB(syscall.RTM_GETROUTE, family)
	if err != nil {
		check(false, "NetlinkRIB(RTM_GETROUTE, %d): %v", family, err)
		return nil
	}
	msgs, err := syscall.ParseNetlinkMessage(dat)
	if err != nil {
		check(false, "ParseNetlinkMessage: %v", err)
		return nil
	}
	return parseRoutes(msgs)
}

func parseRoutes(msgs []syscall.NetlinkMessage) []route {
	var rs []route
	for i := range msgs {
		m := &msgs[i]
		if m.Header.Type != syscall.RTM_NEWROUTE {
			continue
		}
		if len(m.Data) < syscall.SizeofRtMsg {
			check(false, "short rtmsg")
			continue
		}
		r := route{family: m.Data[0], dstLen: m.Data[1], table: m.Data[4], scope: m.Data[6]}
		attrs, err := syscall.ParseNetlinkRouteAttr(m)
		if err != nil {
			check(false, "ParseNetlinkRouteAttr: %v", err)
			continue
		}
		for _, a := range attrs {
			switch a.Attr.Type {
			case syscall.RTA_DST:
				r.dst = net.IP(a.Value)
			case syscall.RTA_GATEWAY:
				r.gw = net.IP(a.Value)
			case syscall.RTA_PREFSRC:
				r.prefsrc = net.IP(a.Value)
			case syscall.RTA_OIF:
				r.oif = binary.LittleEndian.Uint32(a.Value)
			case syscall.RTA_TABLE:
				r.table = uint8(binary.LittleEndian.Uint32(a.Value))
			}
		}
		rs = append(rs, r)
	}
	return rs
}

func main() {
	all := dump(syscall.AF_UNSPEC)
	var def *route
	for i := range all {
		r := &all[i]
		if r.family == syscall.AF_INET && r.dstLen == 0 && r.table == syscall.RT_TABLE_MAIN {
			def = r
			break
		}
	}
	check(def != nil, "no IPv4 default route in the main table: %+v", all)
	if def != nil {
		check(len(def.gw) == 4, "default route without an IPv4 gateway: %+v", *def)
		ifc, err := net.InterfaceByIndex(int(def.oif))
		check(err == nil && ifc.Flags&net.FlagLoopback == 0, "default route's interface %d: %v %v", def.oif, ifc, err)
		if err == nil {
			checkConnected(all, ifc, def)
		}
		checkGet(def)
	}
	checkProcRoute(all)
	checkProcIPv6Route(all)
	checkMulticast()
	checkIgmp6()
	for _, fam := range []int{syscall.AF_INET, syscall.AF_INET6} {
		rs := dump(fam)
		for _, r := range rs {
			check(int(r.family) == fam, "dump for family %d holds a route of family %d", fam, r.family)
		}
		check(len(rs) > 0, "no routes of family %d", fam)
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("SUCCESS")
}

// checkIgmp6: every interface that is up is in ff02::1, by
// Interface.MulticastAddrs and in /proc/net/igmp6's own line format.
func checkIgmp6() {
	ift, err := net.Interfaces()
	check(err == nil, "Interfaces: %v", err)
	for _, ifc := range ift {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		maddrs, err := ifc.MulticastAddrs()
		found := false
		for _, a := range maddrs {
			found = found || a.(*net.IPAddr).IP.Equal(net.IPv6linklocalallnodes)
		}
		check(err == nil && found, "%s: multicast groups %v %v", ifc.Name, maddrs, err)
	}
	b, err := os.ReadFile("/proc/net/igmp6")
	want := "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
	check(err == nil && strings.Contains(string(b), want), "/proc/net/igmp6: %q %v", b, err)
}

// checkConnected: the interface's IPv4 address is in a connected route of
// that interface, and etcd's choice of host (the default route's
// RTA_PREFSRC, else the interface's address) is one of its addresses.
func checkConnected(all []route, ifc *net.Interface, def *route) {
	addrs, err := ifc.Addrs()
	check(err == nil, "%s: addresses: %v", ifc.Name, err)
	var mine []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			mine = append(mine, n.IP.To4())
		}
	}
	check(len(mine) > 0, "%s has no IPv4 address", ifc.Name)
	covered := false
	for _, r := range all {
		if r.family != syscall.AF_INET || r.oif != uint32(ifc.Index) || r.dstLen == 0 || r.dst == nil {
			continue
		}
		n := net.IPNet{IP: r.dst, Mask: net.CIDRMask(int(r.dstLen), 32)}
		for _, ip := range mine {
			if n.Contains(ip) && r.scope == syscall.RT_SCOPE_LINK {
				covered = true
			}
		}
	}
	check(covered, "no connected route of %s covers %v: %+v", ifc.Name, mine, all)
	host := def.prefsrc
	if host == nil && len(mine) > 0 {
		host = mine[0]
	}
	ok := false
	for _, ip := range mine {
		ok = ok || ip.Equal(host)
	}
	check(ok, "default host %v is not an address of %s %v", host, ifc.Name, mine)
}
