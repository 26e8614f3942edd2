package web

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestListenURLs(t *testing.T) {
	one := ListenURLs(&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 8080}, "http")
	if !slices.Equal(one, []string{"http://192.168.1.20:8080"}) {
		t.Errorf("a listener on one address: %q", one)
	}
	for _, tc := range []struct {
		ip     net.IP
		v4only bool
	}{{net.IPv4zero, true}, {net.IPv6unspecified, false}} {
		all := ListenURLs(&net.TCPAddr{IP: tc.ip, Port: 8443}, "https")
		if len(all) == 0 || !slices.ContainsFunc(all, func(u string) bool { return strings.HasPrefix(u, "https://127.0.0.1:8443") }) {
			t.Errorf("listening on %s: %q; want loopback among them", tc.ip, all)
		}
		for _, s := range all {
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "https" || u.Port() != "8443" || net.ParseIP(u.Hostname()) == nil {
				t.Errorf("listening on %s: %q is not an https URL of an address with the port", tc.ip, s)
				continue
			}
			if ip := net.ParseIP(u.Hostname()); tc.v4only && ip.To4() == nil {
				t.Errorf("listening on %s: %q is not IPv4", tc.ip, s)
			} else if ip.IsLinkLocalUnicast() && ip.To4() == nil {
				t.Errorf("listening on %s: %q is an IPv6 link-local address, which needs a zone", tc.ip, s)
			}
		}
		if n := len(all); n > 1 && strings.Contains(all[n-1], "127.0.0.1") == false && !strings.Contains(all[n-1], "[::1]") {
			t.Errorf("listening on %s: %q; want the LAN addresses first, loopback last", tc.ip, all)
		}
	}
}
