package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/miniotest"
)

// TestSharedCorpusRoundTrip backs the whole shared corpus up to a real MinIO,
// destroys the local library, and rebuilds it from the bucket alone: the
// restored library must verify, list the same photos at the same paths,
// verify clean against the remote reading every object, and have nothing
// left to upload.
func TestSharedCorpusRoundTrip(t *testing.T) {
	corpus := sharedCorpus(t)
	srv := miniotest.Start(t)
	start := time.Now()
	env := []string{
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"PICUP_CREDENTIALS=" + filepath.Join(t.TempDir(), "none"),
		"PICUP_REMOTES=" + filepath.Join(t.TempDir(), "remotes"),
	}
	step := time.Now()
	lap := func(what string) {
		t.Logf("%-28s %s", what, time.Since(step).Round(time.Millisecond))
		step = time.Now()
	}
	lib := filepath.Join(t.TempDir(), "lib")
	restored := filepath.Join(t.TempDir(), "restored")
	L := []string{"--library", lib}

	// The corpus holds broken files on purpose: exit 3 (some failed) is fine.
	if out, errOut, code := picupRun(t, env, append(L, "import", "--json", corpus)...); code != 0 && code != 3 {
		t.Fatalf("import: exit %d: %s\n%s", code, errOut, out)
	}
	lap("import")
	before, _, code := picupRun(t, env, append(L, "ls", "--json")...)
	if code != 0 {
		t.Fatalf("ls before backup: exit %d", code)
	}
	want := shaSet(t, before)
	if len(want) == 0 {
		t.Fatal("the corpus imported no photos")
	}

	if _, errOut, code := picupRun(t, env, append(L, "remote", "add", "m", "s3://corpus/picup", "--endpoint", srv.Endpoint, "--insecure-http")...); code != 0 {
		t.Fatalf("remote add: exit %d: %s", code, errOut)
	}
	type syncSummary struct {
		Uploaded int             `json:"uploaded"`
		Bytes    int64           `json:"bytes"`
		Skipped  int             `json:"skipped"`
		Failed   int             `json:"failed"`
		Snapshot string          `json:"snapshot"`
		Failures json.RawMessage `json:"failures"`
	}
	out, errOut, code := picupRun(t, env, append(L, "sync", "--json")...)
	var sum syncSummary
	if code != 0 {
		t.Fatalf("sync: exit %d: %s\n%s", code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Uploaded == 0 || sum.Failed != 0 || sum.Snapshot == "" {
		t.Fatalf("sync summary %+v (%v): %s", sum, err, out)
	}
	lap("sync")
	t.Logf("sync: %d objects, %d bytes, snapshot %s", sum.Uploaded, sum.Bytes, sum.Snapshot)

	// The machine is lost: only the bucket remains.
	if err := os.RemoveAll(lib); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lib); !os.IsNotExist(err) {
		t.Fatalf("library still there after RemoveAll: %v", err)
	}

	R := []string{"--library", restored}
	if out, errOut, code := picupRun(t, env, append(R, "restore", "s3://corpus/picup", "--endpoint", srv.Endpoint, "--insecure-http")...); code != 0 {
		t.Fatalf("restore: exit %d: %s\n%s", code, out, errOut)
	}
	lap("restore")
	if out, errOut, code := picupRun(t, env, append(R, "verify")...); code != 0 {
		t.Fatalf("verify after restore: exit %d: %s\n%s", code, out, errOut)
	}
	lap("verify")
	after, _, code := picupRun(t, env, append(R, "ls", "--json")...)
	if code != 0 {
		t.Fatalf("ls after restore: exit %d", code)
	}
	if got := shaSet(t, after); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("restored library lists %d photos, want %d; first difference: %s",
			len(got), len(want), firstDiff(got, want))
	}
	lap("ls")
	if out, errOut, code := picupRun(t, env, append(R, "verify", "--remote", "m", "--read-data")...); code != 0 {
		t.Fatalf("verify --remote --read-data after restore: exit %d: %s\n%s", code, out, errOut)
	}

	lap("verify --remote --read-data")
	out, errOut, code = picupRun(t, env, append(R, "sync", "--json")...)
	if code != 0 {
		t.Fatalf("sync from the restored library: exit %d: %s\n%s", code, out, errOut)
	}
	sum = syncSummary{}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Uploaded != 0 || sum.Failed != 0 {
		t.Fatalf("sync from the restored library uploaded again %+v (%v): %s", sum, err, out)
	}
	lap("sync after restore")
	t.Logf("%d photos round-tripped in %s", len(want), time.Since(start).Round(time.Millisecond))
}

// firstDiff describes the first line in which two sorted lists differ.
func firstDiff(got, want []string) string {
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			return "missing " + want[i]
		case i >= len(want):
			return "extra " + got[i]
		case got[i] != want[i]:
			return "got " + got[i] + ", want " + want[i]
		}
	}
	return "none"
}
