package web

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/testenv"
)

// TestReaches: the public URL's /healthz tells this server from another
// picup, from something else, and from nothing at all.
func TestReaches(t *testing.T) {
	ctx := context.Background()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	self := newInstance()
	mine := httptest.NewServer(self.stamp(ok))
	defer mine.Close()
	other := httptest.NewServer(newInstance().stamp(ok))
	defer other.Close()
	router := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "router login", http.StatusUnauthorized)
	}))
	defer router.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tlsSrv := httptest.NewUnstartedServer(self.stamp(ok))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake the client gives up
	tlsSrv.StartTLS()
	defer tlsSrv.Close()

	for _, c := range []struct {
		name, url string
		want      string // "" for no error
	}{
		{"this server", mine.URL, ""},
		{"this server, trailing slash", mine.URL + "/", ""},
		{"another picup", other.URL, "another picup server answers there"},
		{"a router's page", router.URL, "something else answers there (HTTP 401"},
		{"nothing listening", closed, "port forwarding"},
		{"an untrusted certificate", tlsSrv.URL, "browsers will not trust its certificate"},
		{"not a URL", "http://%zz", "is not a URL"},
	} {
		err := self.reaches(ctx, c.url, &http.Client{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestRunChecksPublicURL: serving, Run logs whether the public URL
// leads to it; with CheckOnly it answers the same as an error and stops.
func TestRunChecksPublicURL(t *testing.T) {
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}

	var logs testenv.Buffer
	ln := listen()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Run(runCtx, lib, RunConfig{Listener: ln, PublicURL: "http://" + ln.Addr().String(),
			Options: Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "reaches this server") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "the links' public URL reaches this server") {
		t.Errorf("serving, no word on the public URL reaching it:\n%s", logs.String())
	}

	ln = listen()
	if err := Run(ctx, lib, RunConfig{Listener: ln, PublicURL: "http://" + ln.Addr().String(), CheckOnly: true}); err != nil {
		t.Errorf("CheckOnly of a public URL that leads here: %v", err)
	}
	other := httptest.NewServer(newInstance().stamp(http.NotFoundHandler()))
	defer other.Close()
	err = Run(ctx, lib, RunConfig{Listener: listen(), PublicURL: other.URL, CheckOnly: true})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "another picup server") {
		t.Errorf("CheckOnly of a public URL that leads elsewhere: %v", err)
	}
}
