package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/internal/web"
)

// TestServeCheck: "serve --check" says whether the public URL reaches
// this server and exits without serving or saving anything; a wrong flag
// is a usage error, and a library that does not exist is named.
func TestServeCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg/goexif")
	check := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir, "serve", "--check"}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), err
	}
	addr := testenv.FreeAddr(t)
	out, err := check("--addr", addr, "--public-url", "http://"+addr)
	if err != nil || !strings.Contains(out, "public URL: http://"+addr+" reaches this server") || !strings.Contains(out, "library:    "+dir) {
		t.Errorf("check of a public URL that leads here: %v\n%s", err, out)
	}
	lib, err := library.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := sharelink.BaseURL(ctx, lib)
	lib.Close()
	if err != nil || saved != sharelink.DefaultPublicURL {
		t.Errorf("--check saved the public URL: %q, %v", saved, err)
	}

	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	out, err = check("--addr", "127.0.0.1:0", "--public-url", other.URL)
	var ue *UsageError
	if !errors.Is(err, web.ErrUnreachable) || errors.As(err, &ue) || !strings.Contains(err.Error(), "something else answers there") ||
		!strings.Contains(out, "does not reach this server") {
		t.Errorf("check of a public URL that leads elsewhere: %v\n%s", err, out)
	}

	if _, err := check("--addr", "127.0.0.1:0", "--tls-cert", "x.pem"); !errors.As(err, &ue) {
		t.Errorf("check with --tls-cert alone: %v, want a usage error", err)
	}
	var errb bytes.Buffer
	missing := filepath.Join(t.TempDir(), "nope")
	err = Execute(ctx, []string{"--library", missing, "serve", "--check"}, strings.NewReader(""), &bytes.Buffer{}, &errb)
	if err == nil || !strings.Contains(err.Error(), "no library at "+missing) {
		t.Errorf("check of a library that does not exist: %v", err)
	}
	if library.Exists(filepath.Join(missing, library.CatalogFile)) {
		t.Error("--check made the library it was asked about")
	}
}
