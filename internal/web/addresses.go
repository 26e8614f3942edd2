package web

import (
	"net"
	"net/netip"
	"strconv"
)

// ListenURLs are the addresses a listener can be reached at, as base URLs
// of scheme: its own address, or, when it listens on every interface,
// loopback and each address of this machine's interfaces (LAN addresses
// first), so that "picup serve" can say where the family finds it.
func ListenURLs(addr net.Addr, scheme string) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{scheme + "://" + addr.String()}
	}
	ip, _ := netip.AddrFromSlice(tcp.IP)
	ip = ip.Unmap()
	if !ip.IsUnspecified() {
		return []string{scheme + "://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))}
	}
	v4only := tcp.IP.To4() != nil // 0.0.0.0 takes IPv4 only; :: takes both
	var lan, loop []string
	ifAddrs, _ := net.InterfaceAddrs() // without them, loopback is still listed
	for _, a := range ifAddrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		ip := p.Addr()
		if ip.Is6() && !ip.Is4In6() && ip.IsLinkLocalUnicast() {
			continue // needs a zone to be useful in a link
		}
		if v4only && !ip.Is4() {
			continue
		}
		u := scheme + "://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
		if ip.IsLoopback() {
			loop = append(loop, u)
		} else {
			lan = append(lan, u)
		}
	}
	if len(loop) == 0 {
		loop = []string{scheme + "://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))}
	}
	return append(lan, loop...)
}
