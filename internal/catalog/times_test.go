package catalog

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestTimesRoundTrip: a time is stored as RFC 3339 UTC to the second,
// byte for byte what picup always wrote, and read back as the same time.
func TestTimesRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 5, 21, 4, 1, 0, time.FixedZone("KST", 9*3600))
	if got := FormatTime(at); got != "2026-12-05T12:04:01Z" {
		t.Errorf("FormatTime = %q; want 2026-12-05T12:04:01Z", got)
	}
	if got := FormatTime(time.Time{}); got != "" {
		t.Errorf("FormatTime(zero) = %q; want \"\"", got)
	}
	back, err := ParseTime("2026-12-05T12:04:01Z")
	if err != nil || !back.Equal(at) {
		t.Errorf("ParseTime = %v, %v; want %v", back, err, at)
	}
	if z, err := ParseTime(""); err != nil || !z.IsZero() {
		t.Errorf("ParseTime(\"\") = %v, %v; want the zero time", z, err)
	}
}

// TestUnreadableTime: a stored time that does not parse is an error that
// names the row, the column and the value, never a zero time.
func TestUnreadableTime(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	var id int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.CreateShare(ctx, Share{TokenHash: HashToken("t"), Year: 2024}, nil); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE shares SET expires_at = 'next tuesday' WHERE id = ?`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"ShareByID":        func() error { _, err := c.ShareByID(ctx, id); return err },
		"ShareByTokenHash": func() error { _, err := c.ShareByTokenHash(ctx, HashToken("t")); return err },
		"Shares":           func() error { _, err := c.Shares(ctx); return err },
	} {
		err := read()
		if err == nil || !strings.Contains(err.Error(), `share 1: expires_at "next tuesday"`) {
			t.Errorf("%s: err = %v; want one naming share 1, expires_at and \"next tuesday\"", name, err)
		}
	}
}

// TestUnreadablePhotoTime: a photo whose trashed_at does not parse is
// reported by every read of it, with its id and the value.
func TestUnreadablePhotoTime(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	insert(t, c, testPhoto(1, 10))
	err := c.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = '2026-13-45' WHERE id = 1`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PhotoByID(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), `photo 1: trashed_at "2026-13-45"`) {
		t.Errorf("PhotoByID: err = %v; want one naming photo 1, trashed_at and \"2026-13-45\"", err)
	}
	if _, err := c.TrashedPhotos(ctx, time.Time{}, 0, 10); err == nil || !strings.Contains(err.Error(), `"2026-13-45"`) {
		t.Errorf("TrashedPhotos: err = %v; want one naming \"2026-13-45\"", err)
	}
}

// TestUnreadableCreatedAt: the created_at of an album, a user, a remote
// and a job that does not parse is reported with the row and the value.
func TestUnreadableCreatedAt(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	err := c.Write(ctx, func(tx *Tx) error {
		if _, err := tx.CreateAlbum(ctx, "Jeju"); err != nil {
			return err
		}
		if _, err := tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		if err := tx.AddRemote(ctx, Remote{Name: "b2", Bucket: "family", Endpoint: "s3.example.org"}); err != nil {
			return err
		}
		if err := tx.AddJob(ctx, JobSync, "b2"); err != nil {
			return err
		}
		for _, table := range []string{"albums", "users", "remotes", "jobs"} {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET created_at = 'soon'`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		`album "Jeju"`: func() error { _, err := c.Albums(ctx); return err },
		`user "mom"`:   func() error { _, err := c.Users(ctx); return err },
		`remote "b2"`:  func() error { _, err := c.Remotes(ctx); return err },
		`job 1`:        func() error { _, err := c.Jobs(ctx, false, 0, 1000); return err },
	} {
		if err := read(); err == nil || !strings.Contains(err.Error(), name+`: created_at "soon" is not an RFC 3339 time`) {
			t.Errorf("%s: err = %v; want one naming it, created_at and \"soon\"", name, err)
		}
	}
}

// mustTime parses a time as the catalog stores it.
func mustTime(s string) time.Time {
	t, err := ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}
