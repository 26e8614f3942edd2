package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestCaption: a caption is set (cleaned), shown, carried in info --json
// and removed; a caption too long, or TEXT with --remove, is a usage
// error that changes nothing.
func TestCaption(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "../../testdata/photos/jpeg/goexif")
	if out := run(t, dir, "", "caption", "1", "  Grandpa at Haeundae\u202e, summer 1962\n할아버지 "); out != "photo 1: Grandpa at Haeundae, summer 1962\n할아버지\n" {
		t.Errorf("caption 1 TEXT: %q", out)
	}
	if out := run(t, dir, "", "caption", "1"); out != "Grandpa at Haeundae, summer 1962\n할아버지\n" {
		t.Errorf("caption 1: %q", out)
	}
	if out := run(t, dir, "", "info", "1", "--json"); !strings.Contains(out, `"caption": "Grandpa at Haeundae, summer 1962\n할아버지"`) {
		t.Errorf("info --json lacks the caption:\n%s", out)
	}
	for _, args := range [][]string{{"caption", "1", strings.Repeat("가", 1001)}, {"caption", "1", "x", "--remove"}} {
		var ue *UsageError
		err := Execute(ctx, append([]string{"--library", dir}, args...), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.As(err, &ue) {
			t.Errorf("picup %v: %v; want a usage error", args[:2], err)
		}
	}
	if out := run(t, dir, "", "caption", "1"); !strings.HasPrefix(out, "Grandpa") {
		t.Errorf("a refused caption changed it: %q", out)
	}
	if out := run(t, dir, "", "caption", "1", "--remove"); out != "photo 1 has no caption now\n" {
		t.Errorf("--remove: %q", out)
	}
	var errb bytes.Buffer
	if err := Execute(ctx, []string{"--library", dir, "caption", "999", "x"}, strings.NewReader(""), &bytes.Buffer{}, &errb); err == nil || !strings.Contains(err.Error(), "999") {
		t.Errorf("caption of a photo that does not exist: %v", err)
	}
}
