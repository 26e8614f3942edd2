package trash

import (
	"context"
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
