package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/cli"
)

// TestWrite: every command of the tree gets a page that names it, says
// what it does and lists its flags.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	root := cli.NewRoot(context.Background(), strings.NewReader(""), io.Discard, io.Discard)
	n := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != root {
			return
		}
		n++
		name := strings.ReplaceAll(c.CommandPath(), " ", "-")
		b, err := os.ReadFile(filepath.Join(dir, name+".1"))
		if err != nil {
			t.Errorf("no page for %q: %v", c.CommandPath(), err)
			return
		}
		page := string(b)
		for _, want := range []string{`.TH "PICUP" "1"`, ".SH NAME", name + " - " + firstWords(c.Short), ".SH SYNOPSIS"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s.1 lacks %q", name, want)
			}
		}
		if c.HasAvailableLocalFlags() && !strings.Contains(page, ".SH OPTIONS") {
			t.Errorf("%s.1 lists no options", name)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n || n < 40 {
		t.Errorf("%d pages for %d commands", len(entries), n)
	}
}

// firstWords is the start of a Short, which a page may break later.
func firstWords(s string) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(2, len(w))], " ")
}
