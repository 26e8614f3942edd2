package web

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// instanceHeader is the header /healthz carries the serving process's
// instance id in, so that a request through the public URL can tell
// this server from another one answering there (an old one, a router's
// page, someone else's).
const instanceHeader = "Picup-Instance"

// reachTimeout bounds the check of the public URL: long enough for a
// first certificate from the CA with --domain.
const reachTimeout = 45 * time.Second

// instance is a random id of this process.
type instance string

func newInstance() instance {
	b := make([]byte, 12)
	rand.Read(b)
	return instance(hex.EncodeToString(b))
}

// stamp makes /healthz answers of h carry the instance id.
func (id instance) stamp(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Header().Set(instanceHeader, string(id))
		}
		h.ServeHTTP(w, r)
	})
}

// reaches asks public's /healthz, as a relative's browser would, whether
// the public URL leads to this very process: nil when it does, else why
// not, in words that suggest the fix.
func (id instance) reaches(ctx context.Context, public string, client *http.Client) error {
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	u := strings.TrimRight(public, "/") + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%s is not a URL: %w", public, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		var cert *tls.CertificateVerificationError
		switch {
		case errors.As(err, &cert):
			return fmt.Errorf("browsers will not trust its certificate (%w); use --domain, or a certificate from a public CA", err)
		case ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("no answer within %s: check the DNS name, the router's port forwarding and the firewall", reachTimeout)
		}
		return fmt.Errorf("%w: check the DNS name, the router's port forwarding and the firewall", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	switch got := resp.Header.Get(instanceHeader); {
	case got == string(id):
		return nil
	case got != "":
		return errors.New("another picup server answers there: stop it, or give this one the address that reaches it")
	}
	return fmt.Errorf("something else answers there (HTTP %d, no picup): point the DNS name or the router's port forwarding at this machine", resp.StatusCode)
}

// checkReach logs whether public leads to this process (see reaches).
func (id instance) checkReach(ctx context.Context, log *slog.Logger, public string, client *http.Client) {
	err := id.reaches(ctx, public, client)
	switch {
	case ctx.Err() != nil:
	case err == nil:
		log.Info("the links' public URL reaches this server", "public_url", public)
	default:
		log.Warn("the links' public URL does not reach this server: "+err.Error(), "public_url", public)
	}
}
