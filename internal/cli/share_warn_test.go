package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestShareWarnsOfEmptyLinks: a link to an empty album or to a year
// without photos still works, and says on stderr why it shows nothing and
// what fills it; a link to photos says nothing of the kind.
func TestShareWarnsOfEmptyLinks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg/goexif")
	run(t, dir, "", "album", "create", "ls")
	share := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir, "share", "--no-qr", "--public-url", "https://photos.example.org"}, args...),
			strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), err
	}
	for _, c := range []struct {
		args []string
		want string // "" for no warning
	}{
		{[]string{"--", "ls"}, `album "ls" has no photos yet: the link opens an empty page until you add some (picup album add "ls" ID..., or picup import --album "ls" FOLDER)`},
		{[]string{"--year", "1850"}, "no photo in the library was taken in 1850: the link opens an empty page; is the year right?"},
		{[]string{"Family"}, ""},
	} {
		out, errOut, err := share(c.args...)
		if err != nil || !strings.HasPrefix(out, "https://photos.example.org/s/") {
			t.Errorf("share %v: %v, %q; want a link all the same", c.args, err, out)
			continue
		}
		if c.want == "" && strings.Contains(errOut, "empty page") || c.want != "" && !strings.Contains(errOut, c.want) {
			t.Errorf("share %v said on stderr:\n%s\nwant %q", c.args, errOut, c.want)
		}
	}

	var errb bytes.Buffer
	err := Execute(ctx, []string{"--library", dir, "share", "--help"}, strings.NewReader(""), &errb, &errb)
	if err != nil || strings.Contains(errb.String(), "int64Slice") || strings.Contains(errb.String(), "(default [])") ||
		!strings.Contains(errb.String(), "--ids ID,...") || !strings.Contains(errb.String(), "--upload-max SIZE") {
		t.Errorf("share --help speaks of types, not words:\n%s", errb.String())
	}
	_, _, err = share("Family", "--upload-as", "x", "--upload-max", "12")
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--upload-max") {
		t.Errorf("--upload-max 12: %v; want a usage error naming the flag", err)
	}
}
