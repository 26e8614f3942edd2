package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/library"
)

// TestCompletions: the shell completes album, user and remote names,
// share ids and setting keys from the library, for first arguments and
// for flags on any command; files after an album's name; and nothing,
// without making a library, where there is none.
func TestCompletions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Jeju 2019", "../../testdata/photos/jpeg/goexif")
	run(t, dir, "", "album", "create", "Grandpa's 70th")
	run(t, dir, "", "user", "add", "mom")
	run(t, dir, "", "share", "--no-qr", "--name", "For Mom", "Jeju 2019")
	run(t, dir, "", "share", "--no-qr", "--year", "2024")
	run(t, dir, "", "share", "revoke", "2")
	complete := func(lib string, args ...string) string {
		var out, errb bytes.Buffer
		if err := Execute(ctx, append([]string{"--library", lib, "__complete"}, args...), strings.NewReader(""), &out, &errb); err != nil {
			t.Fatalf("__complete %v: %v", args, err)
		}
		return out.String()
	}
	noFiles, files := ":4\n", ":0\n"
	first := library.DefaultUserName() // the library's first user
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"album", "show", ""}, "Grandpa's 70th\t0 photos, 0 videos\nJeju 2019\t1 photo, 0 videos\n" + noFiles},
		{[]string{"share", "J"}, "Grandpa's 70th\t0 photos, 0 videos\nJeju 2019\t1 photo, 0 videos\n" + noFiles}, // the shell keeps those starting with J
		{[]string{"album", "add", "Jeju 2019", ""}, files},
		{[]string{"share", "revoke", ""}, "1\tFor Mom: album \"Jeju 2019\"\n" + noFiles}, // 2 is revoked
		{[]string{"user", "set-quota", ""}, first + "\nmom\n" + noFiles},
		{[]string{"import", "--user", ""}, first + "\nmom\n" + noFiles},
		{[]string{"rm", "--album", ""}, "Grandpa's 70th\t0 photos, 0 videos\nJeju 2019\t1 photo, 0 videos\n" + noFiles},
		{[]string{"sync", ""}, noFiles},
		{[]string{"config", "unset", ""}, "serve.public_url\tthe address share links start with (also set by \"picup serve --public-url\")\n" +
			"trash.retention\thow long photos stay in the trash (also \"picup trash retention\")\n" + noFiles},
	} {
		if got := complete(dir, c.args...); got != c.want {
			t.Errorf("complete %q:\n%q\nwant\n%q", c.args, complete(dir, c.args...), c.want)
		}
	}

	missing := filepath.Join(t.TempDir(), "none")
	if got := complete(missing, "album", "show", ""); got != noFiles {
		t.Errorf("completion without a library: %q", got)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("completion made a library at %s: %v", missing, err)
	}

	var out bytes.Buffer
	if err := Execute(ctx, []string{"completion", "bash"}, strings.NewReader(""), &out, &bytes.Buffer{}); err != nil ||
		!strings.Contains(out.String(), "__start_picup") {
		t.Errorf("completion bash: %v, %d bytes", err, out.Len())
	}
}
