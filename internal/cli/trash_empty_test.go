package cli

import (
	"context"
	"strings"
	"testing"
)

// TestTrashEmptyAsks: on a terminal, trash empty says what would go and
// purges only on "y" or "yes"; any other answer purges nothing.
func TestTrashEmptyAsks(t *testing.T) {
	ctx := context.Background()
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	run(t, te.libraryFlag, "", "rm", "--", photos[0].Path, photos[1].Path)
	onTerminal := func() bool { return true }
	for _, c := range []struct {
		answer string
		purged bool
	}{{"\n", false}, {"no\n", false}, {"", false}, {"Y\n", true}} {
		te.stdout.Reset()
		te.stderr.Reset()
		te.stdin = strings.NewReader(c.answer)
		err := runTrashEmpty(ctx, te.env, &trashEmptyOptions{terminal: onTerminal})
		if !strings.HasPrefix(te.stderr.String(), "Purge 2 photos (") || !strings.Contains(te.stderr.String(), "for good? It cannot be undone. [y/N] ") {
			t.Errorf("answer %q: the question was %q", c.answer, te.stderr.String())
		}
		left := run(t, te.libraryFlag, "", "trash", "ls")
		switch {
		case c.purged && (err != nil || strings.Contains(left, photos[0].Path)):
			t.Errorf("answer %q: %v; the trash still holds:\n%s", c.answer, err, left)
		case !c.purged && (err == nil || !strings.Contains(err.Error(), "nothing purged") || !strings.Contains(left, photos[0].Path)):
			t.Errorf("answer %q: %v; want nothing purged, the trash:\n%s", c.answer, err, left)
		}
	}
}
