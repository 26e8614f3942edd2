package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
)

// pebbleVersion is the Pebble that scripts/test installs.
const pebbleVersion = "v2.10.3"

// TestServeDomainPebble runs "picup serve --domain photos.picup.test"
// against Pebble, Let's Encrypt's test CA, validating for real (no
// PEBBLE_VA_ALWAYS_VALID) through picup's own listeners, the name
// resolved to 127.0.0.1 by a DNS server of the test's: a certificate
// is issued and the share page is fetched over HTTPS with Pebble's root
// trusted, with HSTS; plain HTTP redirects; and a restart on the same
// library serves the cached certificate with Pebble gone. autocert
// answers the TLS-ALPN-01 challenge (on the HTTPS port) first.
func TestServeDomainPebble(t *testing.T) { testServeDomainPebble(t, true) }

// TestServeDomainPebbleHTTP01 is TestServeDomainPebble with Pebble's
// TLS-ALPN-01 validation pointed at a port nobody listens on: autocert
// then gets the certificate with a new order, through the HTTP-01
// challenge on the plain HTTP port.
func TestServeDomainPebbleHTTP01(t *testing.T) { testServeDomainPebble(t, false) }

func testServeDomainPebble(t *testing.T, tlsALPN bool) {
	pebble, certs := findPebble(t)
	const domain = "photos.picup.test"
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	pebbleAddr, mgmtAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	directory := "https://" + pebbleAddr + "/dir"
	minica := filepath.Join(certs, "pebble.minica.pem")
	options := func(httpAddr *string) *serveOptions {
		return &serveOptions{
			domain: domain, httpAddr: "127.0.0.1:0", acmeDirectory: directory, acmeCA: minica,
			acmeEmail: "me@example.org", httpReady: func(a string) { *httpAddr = a },
		}
	}
	var httpAddr string
	s := startServe(t, dir, options(&httpAddr))
	_, port, _ := net.SplitHostPort(s.addr)
	_, httpPort, _ := net.SplitHostPort(httpAddr)

	tlsPort := port
	if !tlsALPN {
		_, tlsPort, _ = net.SplitHostPort(testenv.FreeAddr(t))
	}
	p := startPebble(t, pebble, certs, pebbleAddr, mgmtAddr, startDNS(t), httpPort, tlsPort)
	roots := pebbleRoot(t, mgmtAddr, minica)

	link := strings.TrimSpace(run(t, dir, "", "share", "Family"))
	_, token, ok := strings.Cut(link, "/s/")
	if want := "https://" + domain + ":" + port + "/s/"; !ok || !strings.HasPrefix(link, want) {
		t.Fatalf("share printed %q; want a link starting with %s", link, want)
	}
	page := "https://" + domain + ":" + port + "/s/" + token
	client := domainClient(s.addr, domain, roots)
	client.Timeout = 2 * time.Minute // the first handshake waits for the issuance
	resp, err := client.Get(page)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.logs.String())
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" ||
		!strings.Contains(body, "Family") {
		t.Errorf("share page over HTTPS: %d, HTTP/%d, HSTS %q; want 200, HTTP/2, max-age=31536000 and the album\n%.300s",
			resp.StatusCode, resp.ProtoMajor, resp.Header.Get("Strict-Transport-Security"), body)
	}
	if issuer := resp.TLS.PeerCertificates[0].Issuer.CommonName; !strings.Contains(issuer, "Pebble") {
		t.Errorf("certificate issued by %q; want Pebble's", issuer)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 20 * time.Second}
	resp, _ = get(t, noRedirect, "http://"+httpAddr+"/s/"+token)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != page || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("GET over HTTP: %d to %q, HSTS %q; want 301 to %s, no HSTS", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Strict-Transport-Security"), page)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "acme", strings.ReplaceAll(pebbleAddr, ":", "_"), domain)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cached certificate: %v; want a 0600 file", err)
	}

	// Pebble gone (and with it every certificate it knew): a new server
	// on the library can only serve the cached one.
	p.stop()
	s = startServe(t, dir, options(&httpAddr))
	client = domainClient(s.addr, domain, roots)
	_, port, _ = net.SplitHostPort(s.addr)
	resp, _ = get(t, client, "https://"+domain+":"+port+"/healthz")
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("after a restart without the CA: %d, HSTS %q; want 200 with HSTS", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(p.output(), "POST /finalize-order/"); n != 1 {
		t.Errorf("Pebble finalized %d orders; want 1\n%s", n, p.output())
	}
	if viaHTTP := strings.Contains(p.output(), "Attempting to validate w/ HTTP:"); viaHTTP == tlsALPN {
		t.Errorf("Pebble validated over HTTP-01: %v; want %v\n%s", viaHTTP, !tlsALPN, p.output())
	}
}

// findPebble finds the pebble binary ($PICUP_PEBBLE, else where
// scripts/test installs it) and the directory of its test certificates
// in the module cache.
func findPebble(t *testing.T) (bin, certs string) {
	t.Helper()
	bin = os.Getenv("PICUP_PEBBLE")
	if bin == "" {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, ".cache", "picup-test", "bin", "pebble")
	}
	if _, err := os.Stat(bin); err != nil {
		testenv.Missing(t, "no Pebble at %s (set PICUP_PEBBLE, or run scripts/test, which installs it)", bin)
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		testenv.Missing(t, "go env GOMODCACHE: %v (the go command finds Pebble's test certificates)", err)
	}
	certs = filepath.Join(strings.TrimSpace(string(out)), "github.com", "letsencrypt", "pebble", "v2@"+pebbleVersion, "test", "certs")
	if _, err := os.Stat(filepath.Join(certs, "localhost", "cert.pem")); err != nil {
		testenv.Missing(t, "Pebble's test certificates are not in the module cache (%v): go install github.com/letsencrypt/pebble/v2/cmd/pebble@%s", err, pebbleVersion)
	}
	return bin, certs
}

// startDNS serves DNS over TCP (what Pebble asks with) on 127.0.0.1,
// answering every A question with 127.0.0.1 and any other with no
// record, and returns its address.
func startDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
				for {
					var size [2]byte
					if _, err := io.ReadFull(conn, size[:]); err != nil {
						return
					}
					query := make([]byte, binary.BigEndian.Uint16(size[:]))
					if _, err := io.ReadFull(conn, query); err != nil {
						return
					}
					answer := dnsAnswer(query)
					if answer == nil {
						return
					}
					if _, err := conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(answer))), answer...)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// dnsAnswer answers a DNS query of one question (RFC 1035 section 4):
// 127.0.0.1 for type A, no record for the rest; nil when query is not one.
func dnsAnswer(query []byte) []byte {
	if len(query) < 12 || binary.BigEndian.Uint16(query[4:]) != 1 {
		return nil
	}
	end := 12 // the question: a name of labels, then its type and class
	for end < len(query) && query[end] != 0 {
		end += 1 + int(query[end])
	}
	end += 5
	if end > len(query) {
		return nil
	}
	isA := binary.BigEndian.Uint16(query[end-4:]) == 1
	msg := append([]byte(nil), query[:2]...)    // the id
	msg = append(msg, 0x84|query[2]&0x01, 0x00) // a response, authoritative, RD as asked, no error
	msg = append(msg, 0, 1, 0, 0, 0, 0, 0, 0)   // one question, the answers below, nothing else
	msg = append(msg, query[12:end]...)         // the question
	if isA {
		msg[7] = 1
		msg = append(msg, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1) // the name of the question, A, IN, TTL 60, 127.0.0.1
	}
	return msg
}

type pebbleProcess struct {
	cmd  *exec.Cmd
	out  *testenv.Buffer
	once sync.Once
}

func (p *pebbleProcess) output() string { return p.out.String() }

func (p *pebbleProcess) stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Kill() // Wait says what became of it
		_ = p.cmd.Wait()
	})
}

// startPebble starts Pebble on addr (ACME) and mgmtAddr (its management
// API), resolving names with the DNS server at dnsAddr and validating
// challenges at the ports given, and waits until it listens.
func startPebble(t *testing.T, bin, certs, addr, mgmtAddr, dnsAddr, httpPort, tlsPort string) *pebbleProcess {
	t.Helper()
	config := filepath.Join(t.TempDir(), "pebble.json")
	err := os.WriteFile(config, fmt.Appendf(nil, `{"pebble": {
  "listenAddress": %q, "managementListenAddress": %q,
  "certificate": %q, "privateKey": %q,
  "httpPort": %s, "tlsPort": %s,
  "ocspResponderURL": "", "externalAccountBindingRequired": false, "keyAlgorithm": "ecdsa"
}}`, addr, mgmtAddr, filepath.Join(certs, "localhost", "cert.pem"), filepath.Join(certs, "localhost", "key.pem"), httpPort, tlsPort), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	p := &pebbleProcess{cmd: exec.Command(bin, "-config", config, "-dnsserver", dnsAddr), out: &testenv.Buffer{}}
	p.cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_VA_ALWAYS_VALID=0", "PEBBLE_WFE_NONCEREJECT=0")
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("pebble:\n%s", p.output())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pebble did not listen on %s: %v\n%s", addr, err, p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pebbleRoot is a pool of the root Pebble issues under (made anew at each
// start), from its management API.
func pebbleRoot(t *testing.T, mgmtAddr, minica string) *x509.CertPool {
	t.Helper()
	mini, err := os.ReadFile(minica)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(mini)
	client := domainClient(mgmtAddr, "localhost", pool)
	var root []byte
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("https://localhost/roots/0")
		if err == nil {
			root, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pebble's root: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(bytes.TrimSpace(root)) {
		t.Fatalf("Pebble's /roots/0 is not PEM:\n%s", root)
	}
	return roots
}
