package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// testEnv is an env on a new library in a temporary directory, whose
// stdout and stderr are buffers the test reads.
type testEnv struct {
	*env
	stdout, stderr *bytes.Buffer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	te := &testEnv{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	te.env = &env{stdin: strings.NewReader(""), stdout: te.stdout, stderr: te.stderr, libraryFlag: t.TempDir()}
	return te
}

// listedPhoto is what the tests read of "picup ls --json".
type listedPhoto struct {
	ID      int64  `json:"id"`
	Path    string `json:"path"`
	Bytes   int64  `json:"bytes"`
	TakenAt string `json:"taken_at"`
}

// importSamples imports testdata/photos/jpeg (5 photos and a duplicate),
// owned by user ("" for the library's first user), and returns the
// library's photos, newest first.
func (te *testEnv) importSamples(t *testing.T, user string) []listedPhoto {
	t.Helper()
	ctx := context.Background()
	if err := runImport(ctx, te.env, &importOptions{paths: []string{"../../testdata/photos/jpeg"}, jobs: 1, user: user}); err != nil {
		t.Fatalf("import: %v\n%s", err, te.stderr)
	}
	te.stdout.Reset()
	if err := runLs(ctx, te.env, &lsOptions{json: true}); err != nil {
		t.Fatalf("ls: %v", err)
	}
	var photos []listedPhoto
	if err := json.Unmarshal(te.stdout.Bytes(), &photos); err != nil || len(photos) != 5 {
		t.Fatalf("ls --json after importing the samples: %d photos, %v; want 5\n%s", len(photos), err, te.stdout)
	}
	te.stdout.Reset()
	te.stderr.Reset()
	return photos
}

// step is one run function called with its options, and what it must
// print on stdout and return.
type step struct {
	name   string
	run    func(ctx context.Context, e *env) error
	stdout string // all of it
	err    string // the error's text; "" for none
	usage  bool   // the error is a *UsageError (exit 2)
}

// steps runs each step in turn on te's library.
func (te *testEnv) steps(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		te.stdout.Reset()
		te.stderr.Reset()
		err := s.run(context.Background(), te.env)
		got := ""
		if err != nil {
			got = err.Error()
		}
		var usage *UsageError
		if got != s.err || errors.As(err, &usage) != s.usage {
			t.Errorf("%s: error %q (usage error: %v); want %q (usage error: %v)", s.name, got, errors.As(err, &usage), s.err, s.usage)
		}
		if te.stdout.String() != s.stdout {
			t.Errorf("%s: stdout\n%s\nwant\n%s", s.name, te.stdout, s.stdout)
		}
	}
}

func idString(p listedPhoto) string { return strconv.FormatInt(p.ID, 10) }
