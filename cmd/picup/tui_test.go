package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/testenv"
)

// needTmux returns the path of tmux, or skips the test without it (fails
// it under CI).
func needTmux(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("tmux")
	if err != nil {
		testenv.Missing(t, "tmux is not installed; the terminal browser's end-to-end test needs it (apt-get install tmux, or ./scripts/test)")
	}
	return bin
}

// tmuxSession runs a command in a detached tmux session of its own
// server (a socket in the test's temp dir), to type into it and read its
// screen like a person at a terminal would.
type tmuxSession struct {
	t      *testing.T
	bin    string
	sock   string
	status string // the command's exit status is written here
}

func newTmux(t *testing.T, w, h string, env []string, command ...string) *tmuxSession {
	t.Helper()
	bin := needTmux(t)
	dir := t.TempDir()
	s := &tmuxSession{t: t, bin: bin, sock: filepath.Join(dir, "tmux.sock"), status: filepath.Join(dir, "status")}
	args := []string{"new-session", "-d", "-s", "e2e", "-x", w, "-y", h, "-e", "STATUS=" + s.status}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	// A shell runs the command and writes its exit status to a file, which
	// does not depend on when tmux reaps the process.
	args = append(args, "sh", "-c", `"$@"; echo $? > "$STATUS"; sleep 600`, "sh")
	s.run(append(args, command...)...)
	t.Cleanup(func() { _ = exec.Command(s.bin, "-S", s.sock, "kill-server").Run() }) // the server may be gone already
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.bin, append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (l, Space, Enter …).
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// text types text literally.
func (s *tmuxSession) text(text string) {
	s.t.Helper()
	s.run("send-keys", "-t", "e2e", "-l", text)
}

func (s *tmuxSession) screen() string {
	s.t.Helper()
	return s.run("capture-pane", "-p", "-t", "e2e")
}

// waitFor polls the screen until it shows every one of wants, for at most
// 15 seconds.
func (s *tmuxSession) waitFor(wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := s.screen()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen does not show %q after 15s:\n%s", missing, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitStatus waits for the command to end and returns its exit status.
func (s *tmuxSession) exitStatus() string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(s.status); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("picup tui still runs 15s after q:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type listedPhoto struct {
	ID      int64  `json:"id"`
	Name    string `json:"original_name"`
	TakenAt string `json:"taken_at"`
}

func picupJSON(t *testing.T, bin, lib string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PICUP_LIBRARY="+lib)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("picup %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("picup %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestTUIInTmux runs the real binary in tmux on a library of the test
// photos: it moves through the grid, marks two photos, adds them to a new
// album, sees that in the Activity view, and checks with picup album show
// that the album has exactly them.
func TestTUIInTmux(t *testing.T) {
	needTmux(t)
	bin := picupBinary(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	photos, err := filepath.Abs(filepath.Join("..", "..", "testdata", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	imp := exec.Command(bin, "import", photos)
	imp.Env = append(os.Environ(), "PICUP_LIBRARY="+lib)
	if out, err := imp.CombinedOutput(); err != nil {
		// The broken samples fail on purpose: exit 3, the rest imported.
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("import: %v\n%s", err, out)
		}
	}
	var listed []listedPhoto
	picupJSON(t, bin, lib, &listed, "ls", "--json")
	if len(listed) < 4 {
		t.Fatalf("the library has %d photos; want at least 4", len(listed))
	}

	s := newTmux(t, "120", "40", []string{"PICUP_LIBRARY=" + lib, "HOME=" + dir},
		bin, "tui", "--images", "blocks", "--log", filepath.Join(dir, "tui.log"))
	total := len(listed)
	s.waitFor("All photos", "1 of "+strconv.Itoa(total))

	// Look at the newest year in the periods pane, then come back to all
	// photos. Each step waits for its own listing ("1 of N" at the end of
	// the status line, so that "1 of 2" is not read in "1 of 28"): a key
	// the browser reads before a new listing has arrived acts on the one
	// shown until then.
	year, inYear := listed[0].TakenAt[:4], 0
	for _, p := range listed {
		if strings.HasPrefix(p.TakenAt, year) {
			inYear++
		}
	}
	if inYear == total {
		t.Fatalf("all %d photos are from %s: the year's listing would look like all photos", total, year)
	}
	s.keys("Tab", "j")
	s.waitFor("1 of " + strconv.Itoa(inYear) + "\n")
	s.keys("k", "Tab")
	s.waitFor("1 of " + strconv.Itoa(total) + "\n")

	// Mark the second and the fourth photo.
	s.keys("l")
	s.waitFor("2 of " + strconv.Itoa(total))
	s.keys("Space")
	s.waitFor("1 marked", "3 of "+strconv.Itoa(total))
	s.keys("l", "Space")
	s.waitFor("2 marked", "5 of "+strconv.Itoa(total))

	s.keys("a")
	s.waitFor("Add 2 photos to an album")
	s.text("Family picks")
	s.waitFor(`create album "Family picks"`)
	s.keys("Enter")
	// Photos joining an album are news of the family feed: the Activity
	// tab counts them until it has shown them.
	s.waitFor(`created album "Family picks" with 2 photos`, "7 Activity (1)")

	s.keys("2")
	s.waitFor("Family picks", "ALBUM")
	s.keys("7")
	s.waitFor("[7 Activity]", "Feed, newest first · 1 new", `added 2 photos to "Family picks"`)
	s.keys("q")
	if status := s.exitStatus(); status != "0" {
		t.Errorf("picup tui exited with %s; want 0", status)
	}

	var album []listedPhoto
	picupJSON(t, bin, lib, &album, "album", "show", "Family picks", "--json")
	var got []int64
	for _, p := range album {
		got = append(got, p.ID)
	}
	want := []int64{listed[1].ID, listed[3].ID}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("album Family picks holds %v; want the second and fourth photos listed, %v (%s, %s)",
			got, want, listed[1].Name, listed[3].Name)
	}
	log, err := os.ReadFile(filepath.Join(dir, "tui.log"))
	if err != nil || !strings.Contains(string(log), "add to album") {
		t.Errorf("the log lacks the action: %v\n%s", err, log)
	}
}

// TestTUISyncInTmux starts a sync from the jobs view of the real binary
// against a real MinIO and waits for its result; a sync from the command
// line then finds nothing left to upload.
func TestTUISyncInTmux(t *testing.T) {
	needTmux(t)
	srv := miniotest.Start(t)
	env := []string{"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"PICUP_CREDENTIALS=" + filepath.Join(t.TempDir(), "none"), "PICUP_REMOTES=" + filepath.Join(t.TempDir(), "remotes")}
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	photos, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "photos", "jpeg"))
	L := []string{"--library", lib}
	if _, errOut, code := picupRun(t, env, append(L, "import", photos)...); code != 0 {
		t.Fatalf("import exit %d: %s", code, errOut)
	}
	if _, errOut, code := picupRun(t, env, append(L, "remote", "add", "m", "s3://family", "--endpoint", srv.Endpoint, "--insecure-http")...); code != 0 {
		t.Fatalf("remote add: %d %s", code, errOut)
	}

	var listed []listedPhoto
	picupJSON(t, picupBinary(t), lib, &listed, "ls", "--json")
	n := strconv.Itoa(len(listed))

	s := newTmux(t, "120", "40", append(env, "PICUP_LIBRARY="+lib, "HOME="+dir),
		picupBinary(t), "tui", "--images", "none", "--log", filepath.Join(dir, "tui.log"))
	s.waitFor("All photos", "1 of "+n)
	s.keys("5")
	s.waitFor("Remotes", n+" originals to upload", "never synced")
	s.keys("S")
	s.waitFor("synced m: uploaded", "up to date", "last upload")
	s.keys("q")
	if status := s.exitStatus(); status != "0" {
		t.Errorf("picup tui exited with %s; want 0", status)
	}

	out, errOut, code := picupRun(t, env, append(L, "sync", "--json")...)
	var sum struct{ Uploaded, Failed int }
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Uploaded != 0 || sum.Failed != 0 {
		t.Errorf("sync after the browser's: exit %d, %+v: %s %s; want nothing to upload", code, sum, out, errOut)
	}
}
