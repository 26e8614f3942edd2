package web

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/web/certtest"
)

// A renewed certificate is picked up without a restart; a half-written
// renewal keeps the old one.
func TestCertReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := certtest.Write(t, dir, "live", 1)
	var logs bytes.Buffer
	c, err := LoadCertFiles(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	c.now = func() time.Time { return clock }
	serial := func() int64 {
		t.Helper()
		cert, err := c.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		return cert.Leaf.SerialNumber.Int64()
	}
	renew := func(serial int64) {
		t.Helper()
		newCert, newKey := certtest.Write(t, t.TempDir(), "new", serial)
		for _, f := range [][2]string{{newCert, certFile}, {newKey, keyFile}} {
			b, err := os.ReadFile(f[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f[1], b, 0o600); err != nil {
				t.Fatal(err)
			}
			// Some file systems keep modification times coarse.
			if err := os.Chtimes(f[1], clock.Add(time.Duration(serial)*time.Second), clock.Add(time.Duration(serial)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
	}
	renew(2)
	if got := serial(); got != 1 {
		t.Errorf("within a minute of the last look: serial %d; want the loaded 1", got)
	}
	clock = clock.Add(time.Minute)
	if got := serial(); got != 2 {
		t.Errorf("a minute after the renewal: serial %d; want 2", got)
	}
	// Half a renewal: a new certificate next to the old key.
	newCert, _ := certtest.Write(t, t.TempDir(), "half", 3)
	b, _ := os.ReadFile(newCert)
	if err := os.WriteFile(certFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(certFile, clock.Add(time.Hour), clock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	if got := serial(); got != 2 || !strings.Contains(logs.String(), "keeping the current one") {
		t.Errorf("after half a renewal: serial %d, log %q; want 2 kept and a warning", got, logs.String())
	}
}
