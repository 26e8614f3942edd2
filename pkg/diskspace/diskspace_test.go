package diskspace

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

func TestIsFull(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{syscall.ENOSPC, true},
		{&fs.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}, true},
		{fmt.Errorf("commit: %w", fmt.Errorf("database or disk is full (13): %w", ErrFull)), true},
		{fmt.Errorf("copy: %w", syscall.EACCES), false},
		{Full(t.TempDir(), syscall.ENOSPC), true},
	}
	for _, tt := range tests {
		if got := IsFull(tt.err); got != tt.want {
			t.Errorf("IsFull(%v) = %v; want %v", tt.err, got, tt.want)
		}
	}
}

func TestFullErrorSaysWhereAndWhatToDo(t *testing.T) {
	dir := t.TempDir()
	msg := Full(dir, syscall.ENOSPC).Error()
	for _, want := range []string{dir, " free)", "free some space", "--library"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if got := (&FullError{Dir: "/lib", Free: -1}).Error(); !strings.Contains(got, "free space unknown") {
		t.Errorf("message without free space = %q", got)
	}
	if got := (&FullError{Dir: "/lib", Free: 0}).Error(); !strings.Contains(got, "nothing free") {
		t.Errorf("message of an empty disk = %q", got)
	}
}

func TestFree(t *testing.T) {
	n, err := Free(t.TempDir())
	if err != nil || n <= 0 {
		t.Fatalf("Free(temp dir) = %d, %v; want some room", n, err)
	}
	if _, err := Free("/no/such/dir"); err == nil {
		t.Fatal("Free of a missing dir gave no error")
	}
}
