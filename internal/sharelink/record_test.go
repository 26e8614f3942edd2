package sharelink

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// The JSON of "picup share ls --json": every documented field, null for
// what a link does not have, and its state at the time given.
func TestRecordOf(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	album := catalog.Share{ID: 3, Name: "For Mom", AlbumID: 7, AlbumName: "Family", BindIP: true, Download: true, PasswordHash: "x",
		ExpiresAt: now.Add(time.Hour), Views: 2, LastOpenedAt: now.Add(-time.Hour), CreatedAt: now.Add(-24 * time.Hour),
		UploadUserID: 2, UploadUser: "mom"}
	b, err := json.Marshal(RecordOf(album, catalog.ShareCounts{Hearts: 4, Comments: 2, Uploads: 1}, now))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":3,"name":"For Mom","album":"Family","year":null,"photos":null,"opens":"album \"Family\"","bind_ip":true,` +
		`"state":"active","expires_at":"2026-03-01T13:00:00Z","revoked_at":null,"download":true,"password":true,"password_locked":false,"views":2,` +
		`"last_opened_at":"2026-03-01T11:00:00Z","created_at":"2026-02-28T12:00:00Z","hearts":4,"comments":2,"uploads":1,"upload_as":"mom"}`
	if string(b) != want {
		t.Errorf("album share:\n got %s\nwant %s", b, want)
	}

	for _, c := range []struct {
		name  string
		s     catalog.Share
		state string
	}{
		{"year, never expires", catalog.Share{Year: 2024}, "active"},
		{"selection, expired", catalog.Share{Photos: 3, ExpiresAt: now}, "expired"},
		{"revoked after it expired", catalog.Share{Year: 2024, ExpiresAt: now.Add(-time.Hour), RevokedAt: now}, "revoked"},
	} {
		r := RecordOf(c.s, catalog.ShareCounts{}, now)
		if r.State != c.state || (r.Year != nil) != (c.s.Year != 0) || (r.Photos != nil) != (c.s.Year == 0) || r.Album != nil || r.UploadAs != nil {
			t.Errorf("%s: state %q, year %v, photos %v, album %v; want %q and only the scope it has", c.name, r.State, r.Year, r.Photos, r.Album, c.state)
		}
	}
}
