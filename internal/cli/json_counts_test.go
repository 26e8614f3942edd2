package cli

import (
	"encoding/json"
	"testing"
)

// TestJSONCountsPhotosAndVideos: "photos" in JSON counts photos and
// videos together wherever it appears, and "videos" says how many of
// them are videos.
func TestJSONCountsPhotosAndVideos(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "", "import", "--album", "Mixed", "../../testdata/photos/video/small", "../../testdata/photos/jpeg/goexif")
	var all []struct{ Type string }
	if err := json.Unmarshal([]byte(run(t, dir, "", "ls", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	videos := 0
	for _, p := range all {
		if p.Type == "video" {
			videos++
		}
	}
	if videos == 0 || videos == len(all) {
		t.Fatalf("%d videos of %d: the test needs both", videos, len(all))
	}
	var albums []struct{ Photos, Videos int }
	if err := json.Unmarshal([]byte(run(t, dir, "", "album", "ls", "--json")), &albums); err != nil || len(albums) != 1 {
		t.Fatalf("album ls --json: %v %+v", err, albums)
	}
	var users []struct{ Photos, Videos int }
	if err := json.Unmarshal([]byte(run(t, dir, "", "user", "ls", "--json")), &users); err != nil || len(users) != 1 {
		t.Fatalf("user ls --json: %v %+v", err, users)
	}
	for name, got := range map[string]struct{ Photos, Videos int }{"album ls": albums[0], "user ls": users[0]} {
		if got.Photos != len(all) || got.Videos != videos {
			t.Errorf("%s --json: photos %d, videos %d; want %d (all of them) and %d", name, got.Photos, got.Videos, len(all), videos)
		}
	}
}
