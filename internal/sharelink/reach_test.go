package sharelink

import (
	"strings"
	"testing"
)

func TestReachOf(t *testing.T) {
	for _, tc := range []struct {
		base string
		want Reach
	}{
		{DefaultPublicURL, ReachThisComputer},
		{"http://localhost:8080", ReachThisComputer},
		{"http://[::1]:8080", ReachThisComputer},
		{"http://0.0.0.0:8080", ReachThisComputer},
		{"http://192.168.1.20:8080", ReachHomeNetwork},
		{"http://10.0.0.5", ReachHomeNetwork},
		{"http://172.20.1.1:8080", ReachHomeNetwork},
		{"http://100.101.102.103:8080", ReachHomeNetwork},
		{"http://[fd00::1]:8080", ReachHomeNetwork},
		{"http://[fe80::1]:8080", ReachHomeNetwork},
		{"http://nas.local:8080", ReachHomeNetwork},
		{"http://photos.lan", ReachHomeNetwork},
		{"http://nas:8080", ReachHomeNetwork},
		{"https://photos.example.org", ReachAnywhere},
		{"https://photos.example.org:8443", ReachAnywhere},
		{"http://203.0.113.7:8080", ReachAnywhere},
		{"http://[2001:db8::7]:8080", ReachAnywhere},
		{"http://172.32.0.1", ReachAnywhere},
	} {
		if got := ReachOf(tc.base); got != tc.want {
			t.Errorf("ReachOf(%q) = %d; want %d", tc.base, got, tc.want)
		}
	}
}

func TestReachWarning(t *testing.T) {
	if w := ReachWarning(DefaultPublicURL); !strings.Contains(w, "only on this computer") || !strings.Contains(w, "picup serve --domain") {
		t.Errorf("warning for %s = %q", DefaultPublicURL, w)
	}
	if w := ReachWarning("http://192.168.1.20:8080"); !strings.Contains(w, "only on your home network") {
		t.Errorf("warning for a LAN address = %q", w)
	}
	if w := ReachWarning("https://photos.example.org"); w != "" {
		t.Errorf("warning for a public name = %q; want none", w)
	}
}
