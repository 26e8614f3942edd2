package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/testenv"
)

// TestSystemdUnit: docs/deploy/picup.service passes systemd-analyze
// verify without a word, and picup serve works the way the unit runs it:
// the environment read from docs/deploy/picup.env (the remote's
// credentials only there), stdin closed, JOURNAL_STREAM set, the
// ExecStartPre check first; a sync queued before it starts reaches
// MinIO, a share page loads, the log is journal lines, and SIGTERM stops
// it with exit 0 within TimeoutStopSec.
func TestSystemdUnit(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		testenv.Missing(t, "systemd-analyze not found (Debian package systemd): %v", err)
	}
	bin := picupBinary(t)
	unitText, err := os.ReadFile("../../docs/deploy/picup.service")
	if err != nil {
		t.Fatal(err)
	}
	envText, err := os.ReadFile("../../docs/deploy/picup.env")
	if err != nil {
		t.Fatal(err)
	}

	// The unit as systemd reads it, with the binary where the unit expects
	// /usr/local/bin/picup.
	unitPath := filepath.Join(t.TempDir(), "picup.service")
	if err := os.WriteFile(unitPath, bytes.ReplaceAll(unitText, []byte("/usr/local/bin/picup"), []byte(bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", unitPath).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	unit := serviceSection(t, string(unitText))
	for _, k := range []string{"EnvironmentFile", "ExecStartPre", "ExecStart", "TimeoutStopSec", "KillSignal"} {
		if unit[k] == "" {
			t.Fatalf("the unit has no %s=", k)
		}
	}
	if unit["KillSignal"] != "SIGTERM" {
		t.Fatalf("KillSignal=%s; the test sends SIGTERM", unit["KillSignal"])
	}
	stopWithin, err := strconv.Atoi(unit["TimeoutStopSec"])
	if err != nil {
		t.Fatalf("TimeoutStopSec=%s: want seconds", unit["TimeoutStopSec"])
	}

	srv := miniotest.Start(t)
	lib := filepath.Join(t.TempDir(), "lib")
	remotes := filepath.Join(t.TempDir(), "remotes")
	noCreds := []string{"PICUP_CREDENTIALS=" + filepath.Join(t.TempDir(), "none"), "PICUP_REMOTES=" + remotes,
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "PICUP_S3_ACCESS_KEY_ID=", "PICUP_S3_SECRET_ACCESS_KEY="}
	creds := append(append([]string{}, noCreds...), "PICUP_S3_ACCESS_KEY_ID="+srv.AccessKey, "PICUP_S3_SECRET_ACCESS_KEY="+srv.SecretKey)
	L := []string{"--library", lib}
	if _, errOut, code := picupRun(t, creds, append(L, "remote", "add", "m", "s3://family/unit", "--endpoint", srv.Endpoint, "--insecure-http", "--auto")...); code != 0 {
		t.Fatalf("remote add: exit %d: %s", code, errOut)
	}
	// Imported without credentials: the sync it queues fails and waits
	// for the service, whose environment file has them.
	photos, _ := filepath.Abs("../../testdata/photos/jpeg")
	if _, errOut, code := picupRun(t, noCreds, append(L, "import", "--album", "Family", photos)...); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	_, port, _ := net.SplitHostPort(testenv.FreeAddr(t))
	base := "http://127.0.0.1:" + port
	link, errOut, code := picupRun(t, noCreds, append(L, "share", "Family", "--no-qr", "--public-url", base)...)
	if code != 0 {
		t.Fatalf("share: exit %d: %s", code, errOut)
	}

	// The environment: systemd's own, then the file's KEY=VALUE lines,
	// with this test's values for the keys the file documents.
	env := map[string]string{}
	for _, l := range strings.Split(string(envText), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("picup.env: %q is not KEY=VALUE", l)
		}
		env[k] = v
	}
	for _, k := range []string{"PICUP_LIBRARY", "PICUP_SERVE_FLAGS", "PICUP_S3_ACCESS_KEY_ID", "PICUP_S3_SECRET_ACCESS_KEY", "PICUP_REMOTES"} {
		if !strings.Contains(string(envText), k+"=") {
			t.Fatalf("picup.env does not document %s", k)
		}
	}
	env["PICUP_LIBRARY"] = lib
	env["PICUP_SERVE_FLAGS"] = "--addr 127.0.0.1:" + port + " --public-url " + base
	env["PICUP_S3_ACCESS_KEY_ID"], env["PICUP_S3_SECRET_ACCESS_KEY"] = srv.AccessKey, srv.SecretKey
	env["PICUP_REMOTES"] = remotes
	home := t.TempDir()
	procEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8", "JOURNAL_STREAM=8:4242", "INVOCATION_ID=0123456789abcdef"}
	for k, v := range env {
		procEnv = append(procEnv, k+"="+v)
	}
	command := func(line string) *exec.Cmd {
		args := systemdArgs(t, strings.ReplaceAll(line, "/usr/local/bin/picup", bin), env)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = procEnv
		cmd.Dir = "/"
		return cmd
	}

	pre := command(unit["ExecStartPre"])
	preOut, err := pre.CombinedOutput()
	if err != nil {
		t.Fatalf("ExecStartPre: %v\n%s", err, preOut)
	}
	if !strings.Contains(string(preOut), "reaches this server") {
		t.Errorf("ExecStartPre said nothing of the public URL:\n%s", preOut)
	}

	var logs testenv.Buffer
	svc := command(unit["ExecStart"])
	svc.Stdout, svc.Stderr = &logs, &logs
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	t.Cleanup(func() { _ = svc.Process.Kill() })

	deadline := time.Now().Add(2 * time.Minute)
	for !regexp.MustCompile(`msg=synced remote=m uploaded=[1-9]`).MatchString(logs.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("the queued sync did not run with the environment file's credentials:\n%s", logs.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	resp, err := http.Get(strings.TrimSpace(link))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("share page under the unit: %s", resp.Status)
	}

	if err := svc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit 0\n%s", err, logs.String())
		}
	case <-time.After(time.Duration(stopWithin) * time.Second):
		t.Fatalf("serve did not stop within TimeoutStopSec=%d after SIGTERM\n%s", stopWithin, logs.String())
	}
	text := logs.String()
	for _, want := range []string{"msg=stopped", "msg=\"the links' public URL reaches this server\""} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %s:\n%s", want, text)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if l := sc.Text(); !regexp.MustCompile(`^<[3-7]>level=`).MatchString(l) || strings.Contains(l, "time=") {
			t.Errorf("not a journal line (priority first, no time): %q", l)
		}
	}
}

// serviceSection reads the [Service] section of a unit: each key's last
// value (a unit's ExecStartPre= may repeat; this one's does not).
func serviceSection(t *testing.T, unit string) map[string]string {
	t.Helper()
	out := map[string]string{}
	in := false
	for _, l := range strings.Split(unit, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			in = l == "[Service]"
		case in:
			k, v, _ := strings.Cut(l, "=")
			out[k] = v
		}
	}
	return out
}

// systemdArgs splits an Exec line as systemd does for this unit's lines:
// words separated by spaces, and a word "$NAME" replaced by the words of
// the variable's value.
func systemdArgs(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var args []string
	for _, w := range strings.Fields(line) {
		switch {
		case strings.HasPrefix(w, "$"):
			args = append(args, strings.Fields(env[w[1:]])...)
		case strings.ContainsAny(w, `$"'\`):
			t.Fatalf("the unit's Exec line %q has quoting or expansion this test does not do", line)
		default:
			args = append(args, w)
		}
	}
	return args
}
