package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifySettles: a file that is not picup's is named the same with
// and without --repair, with the command that removes it, and does not
// keep verify failing; --repair is advised only for what it fixes, and
// once it ran, verify exits 0.
func TestVerifySettles(t *testing.T) {
	te := newTestEnv(t)
	te.importSamples(t, "")
	notes := filepath.Join(te.libraryFlag, "originals", "notes.txt")
	if err := os.WriteFile(notes, []byte("call grandma"), 0o644); err != nil {
		t.Fatal(err)
	}
	thumbs, _ := filepath.Glob(filepath.Join(te.libraryFlag, "thumbs", "*", "*-grid.jpg"))
	if len(thumbs) == 0 {
		t.Fatal("no thumbnails")
	}
	if err := os.Remove(thumbs[0]); err != nil {
		t.Fatal(err)
	}
	leftAlone := "left alone: unknown-file: originals/notes.txt: not a photo or video; not picup's: move it out of the library, or remove it yourself: rm " + notes + "\n"
	for _, step := range []struct {
		name     string
		repair   bool
		exit1    bool
		lines    []string
		advice   bool // stderr advises --repair
		noneLike string
	}{
		{name: "verify", exit1: true, advice: true,
			lines: []string{leftAlone, "problem: missing-thumbnail: ", "; --repair will regenerate it\n", "checked 5 files (", "1 problem, 0 repaired, 1 remaining, 1 left alone\n"}},
		{name: "verify --repair", repair: true,
			lines: []string{leftAlone, "repaired: missing-thumbnail: ", "1 problem, 1 repaired, 0 remaining, 1 left alone\n"}},
		{name: "verify again",
			lines: []string{leftAlone, "checked 5 files (", ": 0 problems, 0 repaired, 0 remaining, 1 left alone\n"}, noneLike: "problem:"},
	} {
		te.stdout.Reset()
		te.stderr.Reset()
		err := runVerify(context.Background(), te.env, &verifyOptions{repair: step.repair, jobs: 1})
		var silent *SilentError
		if gotExit1 := errors.As(err, &silent) && silent.Code == 1; gotExit1 != step.exit1 || (err != nil && !gotExit1) {
			t.Errorf("%s: %v; want exit 1: %v", step.name, err, step.exit1)
		}
		for _, l := range step.lines {
			if !strings.Contains(te.stdout.String(), l) {
				t.Errorf("%s: stdout\n%s\nlacks %q", step.name, te.stdout, l)
			}
		}
		if step.noneLike != "" && strings.Contains(te.stdout.String(), step.noneLike) {
			t.Errorf("%s: stdout\n%s\nhas %q", step.name, te.stdout, step.noneLike)
		}
		if got := strings.Contains(te.stderr.String(), `run "picup verify --repair"`); got != step.advice {
			t.Errorf("%s: stderr %q; want the advice to run --repair: %v", step.name, te.stderr, step.advice)
		}
	}
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("--repair touched a file that is not picup's: %v", err)
	}
}
