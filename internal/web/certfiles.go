package web

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// CertFiles is a certificate and its private key kept in two PEM files,
// read again when either file changes (a renewal), at most once a
// minute. Its GetCertificate goes in RunConfig.TLS.
type CertFiles struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time

	mu       sync.Mutex
	cert     *tls.Certificate
	modified [2]time.Time
	checked  time.Time
}

// CertError is a certificate and key that cannot be loaded: a file that
// cannot be read, or two that are not a certificate and its private key
// in PEM.
type CertError struct {
	File string // the file that cannot be read; "" when both were read
	Key  bool   // File is the key's
	Err  error
}

func (e *CertError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("not a certificate and its private key in PEM: %v", e.Err)
	}
	return fmt.Sprintf("read %s: %v", e.File, e.Err)
}

func (e *CertError) Unwrap() error { return e.Err }

// LoadCertFiles reads a certificate and its key (errors are *CertError),
// and warns on log when the certificate has expired.
func LoadCertFiles(certFile, keyFile string, log *slog.Logger) (*CertFiles, error) {
	c := &CertFiles{certFile: certFile, keyFile: keyFile, log: log, now: time.Now}
	cert, mod, err := c.load()
	if err != nil {
		return nil, err
	}
	c.cert, c.modified, c.checked = cert, mod, c.now()
	if until := cert.Leaf.NotAfter; c.now().After(until) {
		log.Warn("the TLS certificate has expired: browsers will refuse it; renew it", "file", certFile, "not_after", until)
	}
	return c, nil
}

func (c *CertFiles) load() (*tls.Certificate, [2]time.Time, error) {
	var mod [2]time.Time
	var pems [2][]byte
	for i, name := range [2]string{c.certFile, c.keyFile} {
		fi, err := os.Stat(name)
		if err == nil {
			mod[i] = fi.ModTime()
			pems[i], err = os.ReadFile(name)
		}
		if err != nil {
			return nil, mod, &CertError{File: name, Key: i == 1, Err: err}
		}
	}
	cert, err := tls.X509KeyPair(pems[0], pems[1])
	if err != nil {
		return nil, mod, &CertError{Err: err}
	}
	return &cert, mod, nil
}

// GetCertificate is tls.Config.GetCertificate.
func (c *CertFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if now.Sub(c.checked) < time.Minute {
		return c.cert, nil
	}
	c.checked = now
	var mod [2]time.Time
	for i, name := range [2]string{c.certFile, c.keyFile} {
		if fi, err := os.Stat(name); err == nil {
			mod[i] = fi.ModTime()
		}
	}
	if mod == c.modified {
		return c.cert, nil
	}
	cert, mod, err := c.load()
	if err != nil {
		// Halfway through a renewal, perhaps: keep the old pair and
		// look again next minute.
		c.log.Warn("reload the TLS certificate; keeping the current one", "cert", c.certFile, "key", c.keyFile, "err", err)
		return c.cert, nil
	}
	c.cert, c.modified = cert, mod
	c.log.Info("reloaded the TLS certificate", "file", c.certFile, "not_after", cert.Leaf.NotAfter)
	return c.cert, nil
}
