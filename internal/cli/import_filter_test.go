package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picup/picup/internal/importer"
)

// TestImportFiltersAndVoices: --include and --exclude reach the import
// and its summary, --dry-run --move says what would be removed and
// removes nothing, --verbose names duplicates, --quiet drops notes, and
// bad patterns or --quiet with --verbose are usage errors.
func TestImportFiltersAndVoices(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := t.TempDir()
	for _, p := range []string{"a/one.jpg", "@eaDir/one.jpg", "b/two.jpg"} {
		data, err := os.ReadFile("../../testdata/photos/jpeg/goexif/sample1.jpg")
		if err != nil {
			t.Fatal(err)
		}
		if p == "b/two.jpg" {
			data = append(data, 0) // other bytes, still a JPEG
		}
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	picup := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), err
	}
	out, _, err := picup("import", "--dry-run", "--move", "--exclude", "@EADIR", src)
	if err != nil || !strings.Contains(out, "would import 2 (") || !strings.Contains(out, "would remove 2 source files after verifying their copies (--move)") {
		t.Errorf("--dry-run --move: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(src, "a", "one.jpg")); err != nil {
		t.Errorf("a dry run removed a source: %v", err)
	}
	out, errOut, err := picup("import", "-v", "--include", "ONE.*", src)
	if err != nil || !strings.Contains(out, "imported 1 (") || !strings.Contains(out, "1 excluded") ||
		!strings.Contains(errOut, "duplicate: "+filepath.Join(src, "a", "one.jpg")+" is originals/") &&
			!strings.Contains(errOut, "duplicate: "+filepath.Join(src, "@eaDir", "one.jpg")+" is originals/") {
		t.Errorf("-v --include ONE.*: %v\n%s%s", err, out, errOut)
	}
	for _, c := range [][]string{{"import", "--exclude", "[", src}, {"import", "--include", "", src}, {"-q", "-v", "ls"}} {
		var ue *UsageError
		if _, _, err := picup(c...); !errors.As(err, &ue) {
			t.Errorf("picup %v: %v; want a usage error", c, err)
		}
	}
}

// TestQuietDropsNotes: the import's notes go to stderr, but not with
// --quiet; failures are said either way.
func TestQuietDropsNotes(t *testing.T) {
	s := importer.Summary{Imported: 1, Notes: []string{"1 video got a placeholder thumbnail"},
		Failures: []importer.Failure{{Path: "/x/broken.jpg", Error: "truncated"}}, Failed: 1}
	for _, quiet := range []bool{false, true} {
		var out, errb bytes.Buffer
		printImportSummary(&env{stdout: &out, stderr: &errb, quiet: quiet}, s, false)
		if strings.Contains(errb.String(), "note: 1 video") == quiet || !strings.Contains(errb.String(), "failed: /x/broken.jpg: truncated") {
			t.Errorf("quiet %v: stderr %q", quiet, errb.String())
		}
	}
}
