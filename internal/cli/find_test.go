package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestFind: find lists what ls lists for the same filter, pages with the
// next page's command on stderr, refuses bad queries as usage errors
// that say what to write, and share --search makes a link of what it
// finds.
func TestFind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Family Trip 2019", "../../testdata/photos/jpeg")
	run(t, dir, "", "import", "../../testdata/photos/video")
	cmd := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Execute(ctx, append([]string{"--library", dir}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), err
	}
	ids := func(args ...string) []int64 {
		t.Helper()
		out, stderr, err := cmd(append(args, "--json")...)
		var rows []struct {
			ID int64 `json:"id"`
		}
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("%v --json: %v %q %q", args, err, out, stderr)
		}
		var got []int64
		for _, r := range rows {
			got = append(got, r.ID)
		}
		return got
	}
	family := ids("ls", "--album", "Family Trip 2019")
	videos := ids("ls", "--type", "video")
	if len(family) < 3 || len(videos) == 0 {
		t.Fatalf("%d photos in the album, %d videos", len(family), len(videos))
	}
	for _, tc := range []struct {
		args []string
		want []int64
	}{
		{[]string{"find", "album:family"}, family},
		{[]string{"find", "family", "trip"}, family}, // several arguments are one query
		{[]string{"find", `album:"trip 2019"`}, family},
		{[]string{"find", "type:video"}, videos},
		{[]string{"find", "album:family type:video"}, nil},
	} {
		if got := ids(tc.args...); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v; want %v", tc.args, got, tc.want)
		}
	}
	if out, _, err := cmd("find", "album:family", "type:video", "--json"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Errorf("nothing found: %q, %v; want []", out, err)
	}

	// Paging: two at a time, following the printed command.
	var paged []int64
	args := []string{"find", "album:family", "--limit", "2"}
	for range 20 {
		out, stderr, err := cmd(append(args, "--json")...)
		var rows []struct {
			ID int64 `json:"id"`
		}
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("%v: %v %q", args, err, out)
		}
		for _, r := range rows {
			paged = append(paged, r.ID)
		}
		m := regexp.MustCompile(`more: picup find album:family --json --limit 2 --after (\S+)`).FindStringSubmatch(stderr)
		if m == nil {
			break
		}
		args = []string{"find", "album:family", "--limit", "2", "--after", m[1]}
	}
	if !slices.Equal(paged, family) {
		t.Errorf("pages of 2: %v; want %v", paged, family)
	}

	for _, tc := range []struct{ query, says string }{
		{`"grandpa`, "double quote is not closed"},
		{"beach*)", "put the word in double quotes"},
		{"2019-13", "not a date"},
		{"near:1,2", "near:LAT,LON,KM"},
		{"colour:red", "no filter is called colour:"},
		{"user:nobody", "no user is called nobody"},
	} {
		out, _, err := cmd("find", tc.query)
		var usage *UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.says) || out != "" {
			t.Errorf("find %q: %v, output %q; want a usage error saying %q and no output", tc.query, err, out, tc.says)
		}
	}
	if _, _, err := cmd("find"); err == nil || !strings.Contains(err.Error(), "say what to find") {
		t.Errorf("find without a query: %v", err)
	}

	// share --search: a selection link of what the search finds.
	out, _, err := cmd("share", "--search", "type:video", "--json", "--public-url", "https://photos.example.org")
	var link struct {
		ID  int64  `json:"id"`
		URL string `json:"url"`
	}
	if err != nil || json.Unmarshal([]byte(out), &link) != nil {
		t.Fatalf("share --search: %v %q", err, out)
	}
	out, _, err = cmd("share", "ls", "--json")
	if err != nil || !strings.Contains(out, `"photos": `+strconv.Itoa(len(videos))) {
		t.Errorf("share ls after share --search type:video: %v %s; want a link of %d photos", err, out, len(videos))
	}
	if _, _, err := cmd("share", "--search", "nothingmatchesthis"); err == nil || !strings.Contains(err.Error(), "finds no photo") {
		t.Errorf("share --search that finds nothing: %v", err)
	}
	var usage *UsageError
	if _, _, err := cmd("share", "--search", "type:video", "--year", "2019"); !errors.As(err, &usage) {
		t.Errorf("share --search with --year: %v; want a usage error", err)
	}
	if _, _, err := cmd("share", "--search", `"open`); !errors.As(err, &usage) || !strings.Contains(err.Error(), "--search") {
		t.Errorf("share --search with a bad query: %v; want a usage error naming --search", err)
	}
}
