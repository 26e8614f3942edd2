package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/picup/picup/internal/testenv"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// picupBinary builds the real picup once per test process, without the race
// detector, for tests that run it as a separate process on large inputs.
func picupBinary(t *testing.T) string {
	t.Helper()
	needGo(t)
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "picup-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "picup")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("build picup: %v", binErr)
	}
	return binPath
}

// sharedCorpus is the larger test corpus beside the repository.
func sharedCorpus(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		testenv.Missing(t, "the shared corpus is not at %s (%v); this test needs it", dir, err)
	}
	return dir
}

// needGo skips the test when the go command is not on PATH, or fails it
// under CI: the test builds picup.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testenv.Missing(t, "go command not on PATH (%v): cannot build picup", err)
	}
}

type manifestEntry struct {
	path, sha256, notes string
}

func readManifest(t *testing.T, dir string) []manifestEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []manifestEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 8 {
			continue
		}
		out = append(out, manifestEntry{path: cols[0], sha256: cols[2], notes: cols[7]})
	}
	return out
}

// mustFail are the corpus files whose image data is missing or cut short:
// importing them must fail with a reason. Other files under broken/ have
// damaged metadata or odd structure but a usable image, and may import.
func mustFail(e manifestEntry) bool {
	n := e.notes
	return strings.Contains(n, "truncated") || strings.Contains(n, "Truncated") ||
		strings.Contains(n, "zero-length") || strings.Contains(n, "File is empty") ||
		strings.Contains(n, "type=unknown") || strings.Contains(n, "text file with image extension") ||
		strings.Contains(e.path, "-sep-") // EXIF split off its JPEG: no image data
}

type importSummary struct {
	Imported   int `json:"imported"`
	Duplicates int `json:"duplicates"`
	Unchanged  int `json:"unchanged"`
	Skipped    int `json:"skipped"`
	Failed     int `json:"failed"`
	Failures   []struct {
		Path, Error string
	} `json:"failures"`
	DuplicateOf []struct {
		Path      string `json:"path"`
		PhotoPath string `json:"photo_path"`
	} `json:"duplicate_of"`
	SkippedFiles []struct{ Path, Reason string } `json:"skipped_files"`
}

// TestImportSharedCorpus imports all of ../shared/testdata/photos and checks
// every file's fate against its MANIFEST: each distinct content is stored
// once, every file outside broken/ imports, the truncated and empty ones
// fail with a reason, and verify finds the library consistent.
func TestImportSharedCorpus(t *testing.T) {
	corpus := sharedCorpus(t)
	bin := picupBinary(t)
	lib := t.TempDir()
	cmd := exec.Command(bin, "--library", lib, "import", "--json", corpus)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 3) {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var s importSummary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	failed := map[string]string{}
	for _, f := range s.Failures {
		rel, _ := filepath.Rel(corpus, f.Path)
		failed[filepath.ToSlash(rel)] = f.Error
	}
	skipped := map[string]bool{}
	for _, f := range s.SkippedFiles {
		rel, _ := filepath.Rel(corpus, f.Path)
		skipped[filepath.ToSlash(rel)] = true
	}

	entries := readManifest(t, corpus)
	stored := map[string]bool{} // sha256 of every file that should be in the library
	wantFailed := 0
	for _, e := range entries {
		reason, didFail := failed[e.path]
		switch {
		case mustFail(e):
			wantFailed++
			if !didFail && !skipped[e.path] {
				t.Errorf("%s: imported; want a failure (%s)", e.path, e.notes)
			}
			if didFail && reason == "" {
				t.Errorf("%s: failed without a reason", e.path)
			}
		case strings.HasPrefix(e.path, "broken/"):
			if !didFail && !skipped[e.path] {
				stored[e.sha256] = true
			}
		default:
			if didFail || skipped[e.path] {
				t.Errorf("%s: failed or skipped (%q); every file outside broken/ must import", e.path, reason)
			}
			stored[e.sha256] = true
		}
	}
	for path := range failed {
		if !strings.HasPrefix(path, "broken/") {
			t.Errorf("unexpected failure outside broken/: %s: %s", path, failed[path])
		}
	}
	if s.Imported != len(stored) {
		t.Errorf("imported %d; want %d (one per distinct content)", s.Imported, len(stored))
	}
	if got := s.Imported + s.Duplicates + s.Failed + s.Skipped; got != len(entries)+3 { // + README.md, MANIFEST.tsv, EXIFTOOL.json
		t.Errorf("imported+duplicates+failed+skipped = %d; want every one of the %d files counted once", got, len(entries)+3)
	}
	t.Logf("corpus: %d files: imported %d, duplicates %d, failed %d (%d must fail), skipped %d",
		len(entries), s.Imported, s.Duplicates, s.Failed, wantFailed, s.Skipped)

	ls, err := exec.Command(bin, "--library", lib, "ls", "--json").Output()
	if err != nil {
		t.Fatalf("ls: %v", err)
	}
	var photos []struct {
		SHA256 string `json:"sha256"`
		Path   string `json:"path"`
	}
	if err := json.Unmarshal(ls, &photos); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range photos {
		if seen[p.SHA256] {
			t.Errorf("content %s stored twice", p.SHA256)
		}
		seen[p.SHA256] = true
		if !stored[p.SHA256] {
			t.Errorf("%s: in the library but should not be", p.Path)
		}
	}
	if len(photos) != len(stored) {
		t.Errorf("ls lists %d photos; want %d", len(photos), len(stored))
	}
	if out, err := exec.Command(bin, "--library", lib, "verify").CombinedOutput(); err != nil {
		t.Errorf("verify after importing the corpus: %v\n%s", err, out)
	}
}
