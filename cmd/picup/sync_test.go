package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/picup/picup/internal/miniotest"
)

// picupRun runs the built picup with the given environment and returns
// stdout, stderr and the exit code.
func picupRun(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(picupBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("picup %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func shaSet(t *testing.T, lsJSON string) []string {
	t.Helper()
	var photos []struct {
		SHA256 string `json:"sha256"`
		Path   string `json:"path"`
	}
	if err := json.Unmarshal([]byte(lsJSON), &photos); err != nil {
		t.Fatalf("ls --json: %v\n%s", err, lsJSON)
	}
	var out []string
	for _, p := range photos {
		out = append(out, p.SHA256+" "+p.Path)
	}
	sort.Strings(out)
	return out
}

// TestSyncRestoreCommandLine drives the real command line against a real
// MinIO: remote add, test, sync, a no-op sync, verify --remote, then a
// restore on "a new machine" that must list the same photos and verify
// clean, with the remote configured.
func TestSyncRestoreCommandLine(t *testing.T) {
	srv := miniotest.Start(t)
	env := []string{"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"PICUP_CREDENTIALS=" + filepath.Join(t.TempDir(), "none"), "PICUP_REMOTES=" + filepath.Join(t.TempDir(), "remotes")}
	lib, restored := filepath.Join(t.TempDir(), "lib"), filepath.Join(t.TempDir(), "restored")
	photos, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "photos"))
	L := []string{"--library", lib}

	if _, errOut, code := picupRun(t, env, append(L, "import", "--album", "Family", photos)...); code != 3 {
		t.Fatalf("import exit %d: %s", code, errOut)
	}
	if _, errOut, code := picupRun(t, env, append(L, "remote", "add", "m", "s3://family/picup", "--endpoint", srv.Endpoint, "--insecure-http")...); code != 0 {
		t.Fatalf("remote add: %d %s", code, errOut)
	}
	out, errOut, code := picupRun(t, env, append(L, "sync", "--json")...)
	if code != 0 {
		t.Fatalf("sync: exit %d: %s %s", code, out, errOut)
	}
	var sum struct {
		Uploaded, Failed int
		Photos, Skipped  int
		Snapshot         string
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Uploaded == 0 || sum.Failed != 0 || sum.Snapshot == "" {
		t.Fatalf("first sync summary %+v (%v): %s", sum, err, out)
	}
	if out, _, code := picupRun(t, env, append(L, "remote", "test", "m")...); code != 0 || !strings.Contains(out, "works") {
		t.Fatalf("remote test: exit %d: %s", code, out)
	}
	out, _, _ = picupRun(t, env, append(L, "sync", "--json")...)
	sum.Snapshot = ""
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Uploaded != 0 || sum.Photos != 0 || sum.Skipped != 0 || sum.Snapshot != "" {
		t.Fatalf("no-op sync summary %+v: %s", sum, out)
	}
	if out, _, code := picupRun(t, env, append(L, "verify", "--remote", "m", "--read-data")...); code != 0 {
		t.Fatalf("verify --remote: exit %d: %s", code, out)
	}

	// Credentials are never stored: without them, the remote is refused
	// with the fix.
	if _, errOut, code := picupRun(t, []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "PICUP_CREDENTIALS=/nonexistent"}, append(L, "sync")...); code != 1 || !strings.Contains(errOut, "no credentials for remote \"m\"") {
		t.Fatalf("sync without credentials: exit %d: %s", code, errOut)
	}
	if db, err := os.ReadFile(filepath.Join(lib, "catalog.db")); err != nil || strings.Contains(string(db), srv.SecretKey) {
		t.Fatal("the secret key is in the catalog")
	}

	out, errOut, code = picupRun(t, env, "--library", restored, "restore", "s3://family/picup", "--endpoint", srv.Endpoint, "--insecure-http")
	if code != 0 {
		t.Fatalf("restore: exit %d: %s %s", code, out, errOut)
	}
	if out, _, code := picupRun(t, env, "--library", restored, "verify"); code != 0 {
		t.Fatalf("verify after restore: exit %d: %s", code, out)
	}
	src, _, _ := picupRun(t, env, append(L, "ls", "--json")...)
	dst, _, _ := picupRun(t, env, "--library", restored, "ls", "--json")
	if a, b := shaSet(t, src), shaSet(t, dst); strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) == 0 {
		t.Fatalf("restored library lists other photos:\n%v\nwant\n%v", b, a)
	}
	if out, _, _ := picupRun(t, env, "--library", restored, "album", "show", "Family", "--json"); !strings.Contains(out, "sha256") {
		t.Fatalf("the restored library lost the album: %s", out)
	}
	if out, _, _ := picupRun(t, env, "--library", restored, "remote", "ls", "--json"); !strings.Contains(out, `"name": "m"`) || !strings.Contains(out, srv.Endpoint) {
		t.Fatalf("the remote is not configured in the restored library: %s", out)
	}
	// The restored library syncs on: nothing to upload.
	out, _, _ = picupRun(t, env, "--library", restored, "sync", "--json")
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Uploaded != 0 || sum.Failed != 0 {
		t.Fatalf("sync from the restored library %+v: %s", sum, out)
	}
}
