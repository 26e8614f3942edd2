package trash

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func openLibrary(t *testing.T) *library.Library {
	t.Helper()
	lib, err := library.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// TestRetentionStored: a retention stored by an older picup, which wrote
// minutes as "m", is read as the minutes it meant; one stored now reads
// back as it was set.
func TestRetentionStored(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	tests := []struct {
		stored string
		want   time.Duration
	}{
		{"", DefaultRetention},
		{"90m", 90 * time.Minute},
		{"5m", 5 * time.Minute},
		{"30d", 30 * 24 * time.Hour},
		{"2w", 14 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, RetentionKey, tt.stored) }); err != nil {
			t.Fatal(err)
		}
		if got, err := Retention(ctx, lib); err != nil || got != tt.want {
			t.Errorf("Retention with %q stored = %v, %v; want %v", tt.stored, got, err, tt.want)
		}
	}
	for _, d := range []time.Duration{90 * time.Minute, time.Hour, 0, 180 * 24 * time.Hour} {
		if err := SetRetention(ctx, lib, d); err != nil {
			t.Fatal(err)
		}
		if got, err := Retention(ctx, lib); err != nil || got != d {
			t.Errorf("Retention after SetRetention(%v) = %v, %v", d, got, err)
		}
	}
}

// addTrashed adds n photos to the catalog (no files: purging queues jobs
// that nobody runs here) and trashes them at the given time.
func addTrashed(t *testing.T, lib *library.Library, first, n int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for i := first; i < first+n; i++ {
			id, err := tx.InsertPhoto(ctx, catalog.Photo{
				SHA256: fmt.Sprintf("%064x", i), Path: fmt.Sprintf("originals/2024/2024-01-01/IMG_%04d.JPG", i),
				OriginalName: "IMG.JPG", Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: 1000,
				TakenAt: "2024-01-01T00:00:00", TakenSource: "exif:DateTimeOriginal", Thumbs: "ok", ImportedAt: catalog.Now(),
			})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id = ?`, at.UTC().Format(time.RFC3339), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPurgeIsLogged: each way of purging says what it purged and why, and
// leaves one trash log entry, even when it takes several transactions.
func TestPurgeIsLogged(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	now := time.Now()
	addTrashed(t, lib, 1, 250, now.Add(-31*24*time.Hour)) // more than one transaction's worth
	addTrashed(t, lib, 1000, 2, now.Add(-8*24*time.Hour))
	addTrashed(t, lib, 2000, 1, now.Add(-time.Hour))

	expired, err := PurgeExpired(ctx, lib, now)
	if err != nil || expired.Photos != 250 || expired.Bytes != 250_000 {
		t.Fatalf("PurgeExpired = %d photos, %d bytes, %v; want 250, 250000", expired.Photos, expired.Bytes, err)
	}
	older, err := PurgeOlder(ctx, lib, now.Add(-7*24*time.Hour), Reason{Kind: catalog.PurgeOlderThan, After: 7 * 24 * time.Hour})
	if err != nil || older.Photos != 2 {
		t.Fatalf("PurgeOlder(7d) = %d photos, %v; want 2", older.Photos, err)
	}
	none, err := PurgeOlder(ctx, lib, now.Add(-7*24*time.Hour), Reason{Kind: catalog.PurgeOlderThan, After: 7 * 24 * time.Hour})
	if err != nil || none.Photos != 0 || none.LogID != 0 {
		t.Fatalf("PurgeOlder(7d) again = %+v, %v; want nothing", none, err)
	}
	emptied, err := PurgeOlder(ctx, lib, time.Time{}, Reason{Kind: catalog.PurgeEmptied})
	if err != nil || emptied.Photos != 1 {
		t.Fatalf("PurgeOlder(all) = %d photos, %v; want 1", emptied.Photos, err)
	}
	for _, tt := range []struct {
		r    Report
		want string
	}{
		{expired, `purged 250 photos (250 kB) that were in the trash longer than 30 days, the retention; "picup trash log" lists them`},
		{older, "purged 2 photos (2.0 kB) that were in the trash longer than 1 week: trash emptied with --older-than 1w"},
		{none, "nothing to purge: nothing has been in the trash longer than 1 week"},
		{emptied, "purged 1 photo (1.0 kB): trash emptied"},
		{Report{Reason: Reason{Kind: catalog.PurgeEmptied}}, "nothing to purge: the trash is empty"},
	} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Report.String() = %q; want %q", got, tt.want)
		}
	}

	log, err := lib.Catalog.TrashLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, fmt.Sprintf("%d %s %d %d: %s", e.ID, e.Reason, e.Photos, e.Bytes, Reason{e.Reason, e.After}))
	}
	want := []string{
		fmt.Sprintf(`%d emptied 1 1000: emptied by "picup trash empty"`, emptied.LogID),
		fmt.Sprintf(`%d older-than 2 2000: emptied by "picup trash empty --older-than 1w"`, older.LogID),
		fmt.Sprintf(`%d expired 250 250000: expired after 30 days in the trash (retention 30d)`, expired.LogID),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trash log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
