package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestLsFilters: the filters reach the listing and combine, --fields
// picks columns and JSON keys, the next page's command keeps the
// filters, and bad values are usage errors that name the flag.
func TestLsFilters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family", "../../testdata/photos/jpeg")
	run(t, dir, "", "import", "../../testdata/photos/video")
	ls := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir, "ls"}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), err
	}
	type row struct {
		ID      int64  `json:"id"`
		Type    string `json:"type"`
		TakenAt string `json:"taken_at"`
	}
	list := func(args ...string) []row {
		t.Helper()
		out, _, err := ls(append(args, "--json")...)
		var rows []row
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("ls %v --json: %v %q", args, err, out)
		}
		return rows
	}
	all := list()
	videos := list("--type", "video")
	if len(videos) == 0 || len(videos) >= len(all) {
		t.Fatalf("%d videos of %d", len(videos), len(all))
	}
	for _, r := range videos {
		if r.Type != "video" {
			t.Errorf("--type video listed %+v", r)
		}
	}
	if album := list("--album", "Family"); len(album) == 0 || len(album)+len(videos) > len(all) {
		t.Errorf("--album Family: %d of %d", len(album), len(all))
	}
	if both := list("--album", "Family", "--type", "video"); len(both) != 0 {
		t.Errorf("the album of JPEGs has videos: %+v", both)
	}
	year := all[len(all)-1].TakenAt[:4] // the oldest photo's year
	for _, r := range list("--year", year) {
		if r.TakenAt[:4] != year {
			t.Errorf("--year %s listed %+v", year, r)
		}
	}
	if a, b := list("--year", year), list("--since", year, "--until", year); len(a) == 0 || len(a) != len(b) {
		t.Errorf("--year %s: %d photos; --since and --until %s: %d", year, len(a), year, len(b))
	}

	out, errOut, err := ls("--type", "video", "--fields", "id,type", "--limit", "1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "ID TYPE" || !strings.HasSuffix(lines[1], "video") {
		t.Errorf("--fields id,type as a table:\n%s%v", out, err)
	}
	if !strings.Contains(errOut, "more: picup ls --type video --fields id,type --limit 1 --after ") {
		t.Errorf("the next page's command lost the filters: %q", errOut)
	}
	out, _, err = ls("--fields", "path,id", "--json", "--limit", "1")
	var objs []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &objs) != nil || len(objs) != 1 || len(objs[0]) != 2 ||
		!strings.HasPrefix(strings.TrimSpace(out), "[\n  {\"path\": ") {
		t.Errorf("--fields path,id --json: %q %v", out, err)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "gif"}, `--type`},
		{[]string{"--state", "broken"}, `--state`},
		{[]string{"--since", "2019-13"}, `--since "2019-13"`},
		{[]string{"--since", "2020", "--until", "2019"}, "is after --until"},
		{[]string{"--year", "2019", "--since", "2019-05"}, "--year goes without --since"},
		{[]string{"--fields", "id,nope"}, `--fields: no field "nope"`},
		{[]string{"--owner", "a", "--user", "b"}, "give one of them"},
	} {
		_, _, err := ls(c.args...)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ls %v: %v; want a usage error saying %q", c.args, err, c.want)
		}
	}
	if _, _, err := ls("--album", "Nope"); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("ls --album Nope: %v", err)
	}
}
