package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/picup/picup/internal/archive"
)

// TestConfig: settings are listed with their defaults, set (checked and
// normalised), read back where they apply, and unset; a wrong key or
// value is a usage error that changes nothing.
func TestConfig(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	call := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir, "config"}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), err
	}
	settings := func() map[string]archive.Setting {
		t.Helper()
		out, err := call("ls", "--json")
		var list []archive.Setting
		if err != nil || json.Unmarshal([]byte(out), &list) != nil {
			t.Fatalf("config ls --json: %v %q", err, out)
		}
		m := map[string]archive.Setting{}
		for _, s := range list {
			m[s.Key] = s
		}
		return m
	}
	if s := settings()["serve.public_url"]; s.Saved || s.Value != "http://127.0.0.1:8080" || s.Default != s.Value {
		t.Errorf("fresh library's public URL: %+v", s)
	}

	for _, c := range []struct {
		args []string
		want string // stdout; "" when refused with a usage error naming want
		bad  string
	}{
		{args: []string{"set", "serve.public_url", "https://photos.example.org/"}, want: "serve.public_url = https://photos.example.org\n"},
		{args: []string{"get", "serve.public_url"}, want: "https://photos.example.org\n"},
		{args: []string{"set", "trash.retention", "1344h"}, want: "trash.retention = 8w\n"},
		{args: []string{"set", "trash.retention", "2h"}, bad: "under one day"},
		{args: []string{"set", "trash.retention", "soon"}, bad: "trash.retention"},
		{args: []string{"set", "serve.public_url", "photos.example.org"}, bad: "want an absolute http:// or https:// URL"},
		{args: []string{"set", "serve.public_url", " "}, bad: "serve.public_url"},
		{args: []string{"get", "web.signing_key"}, bad: `no setting "web.signing_key"; the settings are serve.public_url, trash.retention`},
		{args: []string{"unset", "nope"}, bad: `no setting "nope"`},
	} {
		out, err := call(c.args...)
		var ue *UsageError
		switch {
		case c.bad != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("config %v: %v; want a usage error saying %q", c.args, err, c.bad)
		case c.bad == "" && (err != nil || out != c.want):
			t.Errorf("config %v: %q, %v; want %q", c.args, out, err, c.want)
		}
	}
	// What was set applies where it is used: the links share prints.
	if link := run(t, dir, "", "share", "--year", "2024", "--no-qr"); !strings.HasPrefix(link, "https://photos.example.org/s/") {
		t.Errorf("share after config set: %q", link)
	}
	if r := settings()["trash.retention"]; !r.Saved || r.Value != "8w" {
		t.Errorf("retention after the refused values: %+v; want 8w kept", r)
	}
	if out, err := call("unset", "serve.public_url"); err != nil || !strings.Contains(out, "back to its default, http://127.0.0.1:8080") {
		t.Errorf("config unset: %q, %v", out, err)
	}
	if out, err := call("unset", "serve.public_url"); err != nil || !strings.Contains(out, "was not set") {
		t.Errorf("config unset again: %q, %v", out, err)
	}
	if out, err := call("ls"); err != nil || !strings.Contains(out, "serve.public_url  -") || !strings.Contains(out, "trash.retention   8w") {
		t.Errorf("config ls:\n%s%v", out, err)
	}
}
