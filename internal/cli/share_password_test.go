package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
)

// TestSharePassword: a locked link (as a restore leaves it) shows as
// such, takes a new password, and loses it with --remove; bad calls are
// refused without a change.
func TestSharePassword(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	run(t, dir, "old\n", "share", "Family", "--password", "--no-qr")
	hash := func() string {
		t.Helper()
		lib, err := library.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		s, err := lib.Catalog.ShareByID(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return s.PasswordHash
	}
	lib, err := library.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSharePassword(ctx, 1, catalog.PasswordLocked) })
	lib.Close()
	if err != nil {
		t.Fatal(err)
	}

	var recs []sharelink.Record
	if err := json.Unmarshal([]byte(run(t, dir, "", "share", "ls", "--json")), &recs); err != nil || len(recs) != 1 {
		t.Fatalf("share ls --json: %v %v", recs, err)
	}
	if !recs[0].Password || !recs[0].PasswordLocked {
		t.Errorf("a locked link in share ls --json: %+v", recs[0])
	}
	if out := run(t, dir, "", "share", "ls"); !strings.Contains(out, "password-locked") {
		t.Errorf("share ls does not show the lock:\n%s", out)
	}

	if out := run(t, dir, "n3w s3cret\n", "share", "password", "1"); !strings.Contains(out, "share 1 has a new password") {
		t.Errorf("share password: %q", out)
	}
	if h := hash(); !sharelink.CheckPassword(h, "n3w s3cret") || sharelink.CheckPassword(h, "old") {
		t.Errorf("after share password the hash %q does not take the new password alone", h)
	}

	for _, c := range []struct {
		args  []string
		stdin string
		usage bool
		want  string
	}{
		{[]string{"share", "password", "1"}, "\n", true, "the password is empty"},
		{[]string{"share", "password", "x"}, "pw\n", true, `share id "x"`},
		{[]string{"share", "password", "99"}, "pw\n", false, "no share with id 99"},
	} {
		var errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir}, c.args...), strings.NewReader(c.stdin), &bytes.Buffer{}, &errb)
		var ue *UsageError
		if err == nil || errors.As(err, &ue) != c.usage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("picup %v: err = %v (usage error: %v); want one with %q", c.args, err, errors.As(err, &ue), c.want)
		}
	}
	if !sharelink.CheckPassword(hash(), "n3w s3cret") {
		t.Error("a refused call changed the password")
	}

	if out := run(t, dir, "", "share", "password", "1", "--remove"); !strings.Contains(out, "has no password now") {
		t.Errorf("share password --remove: %q", out)
	}
	if h := hash(); h != "" {
		t.Errorf("after --remove the hash is %q", h)
	}
	run(t, dir, "", "share", "revoke", "1")
	var errb bytes.Buffer
	err = Execute(ctx, []string{"--library", dir, "share", "password", "1"}, strings.NewReader("pw\n"), &bytes.Buffer{}, &errb)
	if !errors.Is(err, catalog.ErrShareRevoked) {
		t.Errorf("share password of a revoked link: %v", err)
	}
}
