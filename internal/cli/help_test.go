package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var updateHelp = flag.Bool("update", false, "rewrite the golden --help texts in testdata/help")

// TestHelpGolden: every command's --help is the text in
// testdata/help/<command path>.txt, so that a change of any help text is
// seen, and reviewed, in the diff of a change. After changing help on
// purpose: go test ./internal/cli -run TestHelpGolden -update
func TestHelpGolden(t *testing.T) {
	dir := filepath.Join("testdata", "help")
	if *updateHelp {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	root := NewRoot(context.Background(), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && !c.IsAvailableCommand() && c.Name() != "help" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		name := strings.Join(append([]string{"picup"}, path...), "-") + ".txt"
		want[name] = true
		var out bytes.Buffer
		err := Execute(context.Background(), append(path, "--help"), strings.NewReader(""), &out, &out)
		if err != nil {
			t.Errorf("picup %s --help: %v", strings.Join(path, " "), err)
			return
		}
		file := filepath.Join(dir, name)
		if *updateHelp {
			if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if golden, err := os.ReadFile(file); err != nil {
			t.Errorf("no golden help for %q (%v); run go test ./internal/cli -run TestHelpGolden -update", c.CommandPath(), err)
		} else if !bytes.Equal(golden, out.Bytes()) {
			t.Errorf("picup %s --help differs from %s; if the change is meant, run go test ./internal/cli -run TestHelpGolden -update and review the diff\n--- got:\n%s",
				strings.Join(path, " "), file, out.String())
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
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("testdata/help/%s belongs to no command; run with -update", e.Name())
		}
	}
	if len(want) < 50 {
		t.Errorf("only %d commands walked", len(want))
	}
}
