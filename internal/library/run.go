package library

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	runPrefix = "run-"
	newPrefix = "new-" // a run directory before its lock is held
)

// Run is one picup process's scratch directory under tmp/. It holds a lock
// for as long as the process lives, so that another process can tell a
// crashed run (lock free) from a live one.
type Run struct {
	Dir  string
	lock *os.File
}

// StartRun creates and locks a new scratch directory. The directory gets
// its run- name only once its lock is held, so that no other process can
// mistake it for a crashed run.
func (l *Library) StartRun() (*Run, error) {
	b := make([]byte, 8)
	rand.Read(b)
	name := hex.EncodeToString(b)
	tmp := filepath.Join(l.Root, TmpDir, newPrefix+name)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("create scratch dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(tmp, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("create scratch lock: %w", err)
	}
	if ok, err := tryLock(f); err != nil || !ok {
		f.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("lock scratch dir %s: %v", tmp, err)
	}
	dir := filepath.Join(l.Root, TmpDir, runPrefix+name)
	if err := os.Rename(tmp, dir); err != nil {
		f.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("create scratch dir: %w", err)
	}
	return &Run{Dir: dir, lock: f}, nil
}

// Close removes the scratch directory and releases the lock.
func (r *Run) Close() error {
	err := os.RemoveAll(r.Dir)
	r.lock.Close()
	return err
}

// RunExists reports whether the scratch directory of the run with this
// name (as reservations record it) is still there.
func (l *Library) RunExists(name string) bool {
	if name == "" || name != filepath.Base(name) {
		return false
	}
	return Exists(filepath.Join(l.Root, TmpDir, name))
}

// StaleRun is the scratch directory of a process that is gone. Its lock is
// held by the caller until Release.
type StaleRun struct {
	Dir  string
	lock *os.File
}

// Release removes the stale directory and its lock.
func (s *StaleRun) Release() error {
	err := os.RemoveAll(s.Dir)
	s.lock.Close()
	return err
}

// StaleRuns finds the scratch directories whose process is gone, and locks
// each so that no other process recovers it at the same time.
func (l *Library) StaleRuns() ([]*StaleRun, error) {
	entries, err := os.ReadDir(filepath.Join(l.Root, TmpDir))
	if err != nil {
		return nil, err
	}
	var out []*StaleRun
	for _, e := range entries {
		dir := filepath.Join(l.Root, TmpDir, e.Name())
		if e.IsDir() && strings.HasPrefix(e.Name(), newPrefix) {
			// A process died between creating and naming its run
			// directory: nothing was put in it yet.
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
				os.RemoveAll(dir)
			}
			continue
		}
		if !e.IsDir() || !strings.HasPrefix(e.Name(), runPrefix) {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			continue
		}
		ok, err := tryLock(f)
		if err != nil || !ok {
			f.Close()
			continue
		}
		out = append(out, &StaleRun{Dir: dir, lock: f})
	}
	return out, nil
}

// WriteFile writes data to dst in the library through a temporary file in
// the run's scratch dir, so that a crash leaves nothing behind next to dst
// (the next command removes a dead run's scratch dir).
func (r *Run) WriteFile(dst string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return writeVia(r.Dir, "w-*", dst, data)
}
