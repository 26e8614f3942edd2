package sharelink

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Reach says who can open links that start with a base URL, from its
// address alone (nothing is looked up).
type Reach int

const (
	// ReachAnywhere is a public address or a name: the link can work
	// from anywhere (whether it does depends on DNS, the router and the
	// server, which "picup serve" checks).
	ReachAnywhere Reach = iota
	// ReachHomeNetwork is a private, link-local or shared address, or a
	// .local/.lan/.home name: only devices on the same network open it.
	ReachHomeNetwork
	// ReachThisComputer is a loopback address or localhost: only this
	// computer opens it.
	ReachThisComputer
)

// ReachOf says who can open links that start with base, an absolute URL.
func ReachOf(base string) Reach {
	u, err := url.Parse(base)
	if err != nil {
		return ReachAnywhere
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ReachThisComputer
	}
	for _, suffix := range []string{".local", ".lan", ".home", ".home.arpa", ".internal"} {
		if strings.HasSuffix(host, suffix) || host == strings.TrimPrefix(suffix, ".") {
			return ReachHomeNetwork
		}
	}
	if !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return ReachHomeNetwork // a bare name ("nas") resolves only on the home network
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ReachAnywhere
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback() || ip.IsUnspecified():
		return ReachThisComputer
	case ip.IsPrivate() || ip.IsLinkLocalUnicast() || sharedAddressSpace.Contains(ip):
		return ReachHomeNetwork
	}
	return ReachAnywhere
}

// sharedAddressSpace is 100.64.0.0/10, the addresses carriers give homes
// behind their own NAT (and Tailscale its devices): not reachable from the
// internet.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// ReachWarning is the sentence "picup share" says when a link starting
// with base cannot be opened from another town, with the command that
// fixes it; "" when it can.
func ReachWarning(base string) string {
	const fix = `serve it with automatic HTTPS on a domain of yours that points at this machine, ports 80 and 443 forwarded to it: "picup serve --domain photos.example.org" (see "picup serve --help")`
	switch ReachOf(base) {
	case ReachThisComputer:
		return "This link opens only on this computer (" + base + " is this computer's own address); to send it to family, " + fix + "."
	case ReachHomeNetwork:
		return "This link opens only on your home network (" + base + " is a local address); for family elsewhere, " + fix + "."
	}
	return ""
}
