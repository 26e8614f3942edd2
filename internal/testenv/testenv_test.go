package testenv

import (
	"testing"
)

// recorder is a testing.TB that records Skip and Fatal instead of ending
// the test.
type recorder struct {
	testing.TB
	skipped, failed []any
}

func (r *recorder) Helper()           {}
func (r *recorder) Skip(args ...any)  { r.skipped = args }
func (r *recorder) Fatal(args ...any) { r.failed = args }

func TestMissing(t *testing.T) {
	for _, tt := range []struct {
		ci                  string
		wantSkip, wantFatal string
	}{
		{"", "tmux is not installed; apt-get install tmux", ""},
		{"true", "", "tmux is not installed; apt-get install tmux (CI is set: under CI this fails instead of skipping)"},
		{"1", "", "tmux is not installed; apt-get install tmux (CI is set: under CI this fails instead of skipping)"},
	} {
		t.Setenv("CI", tt.ci)
		r := &recorder{TB: t}
		Missing(r, "%s is not installed; apt-get install %s", "tmux", "tmux")
		var skipped, failed string
		if len(r.skipped) == 1 {
			skipped, _ = r.skipped[0].(string)
		}
		if len(r.failed) == 1 {
			failed, _ = r.failed[0].(string)
		}
		if skipped != tt.wantSkip || failed != tt.wantFatal {
			t.Errorf("Missing with CI=%q: skipped %q, failed %q; want skipped %q, failed %q", tt.ci, r.skipped, r.failed, tt.wantSkip, tt.wantFatal)
		}
	}
}
