package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
)

// Message leaves out the ": not found" that a whole sentence from the
// catalog ends with, and nothing else.
func TestMessage(t *testing.T) {
	sentence := fmt.Errorf("no album named %q; see \"picup album ls\": %w", "X", catalog.ErrNotFound)
	tests := []struct {
		err  error
		want string
	}{
		{sentence, `no album named "X"; see "picup album ls"`},
		{fmt.Errorf("album show: %w", sentence), `album show: no album named "X"; see "picup album ls"`},
		{catalog.ErrNotFound, "not found"},
		{errors.New("disk: not found"), "disk: not found"}, // not the catalog's
		{&UsageError{Err: errors.New("bad")}, "bad"},
	}
	for _, tt := range tests {
		if got := Message(tt.err); got != tt.want {
			t.Errorf("Message(%q) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

// Every command that names something that does not exist says so in one
// sentence, with the command that lists what does.
func TestNotFoundSentences(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"album", "show", "nope"},
		{"album", "rm", "nope"},
		{"user", "rm", "nope"},
		{"remote", "rm", "nope"},
		{"comments", "rm", "999"},
		{"uploads", "approve", "999"},
		{"jobs", "retry", "999"},
		{"info", "999"},
		{"rm", "999"},
		{"trash", "restore", "999"},
		{"fetch", "999"},
		{"comments", "ls", "999"},
		{"uploads", "ls", "--share", "999"},
		{"activity", "--share", "999"},
	} {
		err := Execute(context.Background(), append([]string{"--library", dir}, args...), strings.NewReader(""), io.Discard, io.Discard)
		var usage *UsageError
		if err == nil || errors.As(err, &usage) {
			t.Errorf("picup %s: %v; want an error (exit 1)", strings.Join(args, " "), err)
			continue
		}
		msg := Message(err)
		if strings.HasSuffix(msg, "not found") || !strings.Contains(msg, `; see "picup `) {
			t.Errorf("picup %s: %q; want one sentence that names the listing command", strings.Join(args, " "), msg)
		}
	}
}
