package sharelink

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
)

// TestExtendNeverShortens: a duration is added to the expiry, however
// short; a new expiry earlier than the current one needs Shorten; the
// words say the old and the new expiry.
func TestExtendNeverShortens(t *testing.T) {
	ctx := context.Background()
	lib := openLibrary(t)
	now := time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }

	tests := []struct {
		name    string
		expires string // the link's expiry before; "" never
		change  ExpiryChange
		after   string // the expiry after; "" never
		words   string // Expiry.Words
		err     string // an error instead
	}{
		{name: "a minute is added, not set from now", expires: at(now.Add(30 * day)), change: ExpiryChange{Add: time.Minute},
			after: "2027-02-04T00:01:00Z", words: "share %d was to expire 2027-02-04 00:00 UTC (in 30 days), now expires 2027-02-04 00:01 UTC (in 30 days)"},
		{name: "30 days on an expired link count from now", expires: at(now.Add(-3 * day)), change: ExpiryChange{Add: 30 * day},
			after: "2027-02-04T00:00:00Z", words: "share %d expired 2027-01-02 00:00 UTC (3 days ago), now expires 2027-02-04 00:00 UTC (in 30 days)"},
		{name: "never", expires: at(now.Add(day)), change: ExpiryChange{Never: true},
			after: "", words: "share %d was to expire 2027-01-06 00:00 UTC (in 24 hours), now never expires"},
		{name: "never again", expires: "", change: ExpiryChange{Never: true},
			after: "", words: "share %d never expires, unchanged"},
		{name: "a duration on a link that never expires", expires: "", change: ExpiryChange{Add: day},
			after: "", err: "never expires: adding 1 day changes nothing"},
		{name: "a later date", expires: at(now.Add(day)), change: ExpiryChange{At: now.Add(60 * day)},
			after: "2027-03-06T00:00:00Z", words: "share %d was to expire 2027-01-06 00:00 UTC (in 24 hours), now expires 2027-03-06 00:00 UTC (in 60 days)"},
		{name: "an earlier date without Shorten", expires: at(now.Add(30 * day)), change: ExpiryChange{At: now.Add(2 * time.Hour)},
			after: "2027-02-04T00:00:00Z", err: "so an expiry of 2027-01-05 02:00 UTC would shorten it; add --shorten"},
		{name: "a date on a link that never expires, without Shorten", expires: "", change: ExpiryChange{At: now.Add(day)},
			after: "", err: "share %d never expires, so an expiry of 2027-01-06 00:00 UTC would shorten it"},
		{name: "an earlier date with Shorten", expires: at(now.Add(30 * day)), change: ExpiryChange{At: now.Add(2 * time.Hour), Shorten: true},
			after: "2027-01-05T02:00:00Z", words: "share %d was to expire 2027-02-04 00:00 UTC (in 30 days), now expires 2027-01-05 02:00 UTC (in 2 hours)"},
		{name: "a date in the past", expires: at(now.Add(30 * day)), change: ExpiryChange{At: now.Add(-time.Hour), Shorten: true},
			after: "2027-02-04T00:00:00Z", err: "is not in the future"},
		{name: "nothing said", expires: at(now.Add(30 * day)), change: ExpiryChange{},
			after: "2027-02-04T00:00:00Z", err: "got 0 of them"},
		{name: "a negative duration", expires: at(now.Add(30 * day)), change: ExpiryChange{Add: -day},
			after: "2027-02-04T00:00:00Z", err: "positive duration"},
	}
	for _, tt := range tests {
		expires, err := catalog.ParseTime(tt.expires)
		if err != nil {
			t.Fatal(err)
		}
		link, err := Create(ctx, lib, Spec{Year: 2024, Expires: expires})
		if err != nil {
			t.Fatal(err)
		}
		ex, err := Extend(ctx, lib, link.ID, tt.change, now)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), strings.Replace(tt.err, "%d", itoa(link.ID), 1))):
			t.Errorf("%s: Extend(%+v) = %v; want an error with %q", tt.name, tt.change, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: Extend(%+v) = %v", tt.name, tt.change, err)
		case tt.err == "" && ex.Words(now) != strings.Replace(tt.words, "%d", itoa(link.ID), 1):
			t.Errorf("%s: Words = %q; want %q", tt.name, ex.Words(now), tt.words)
		}
		sh, err := lib.Catalog.ShareByID(ctx, link.ID)
		if err != nil || catalog.FormatTime(sh.ExpiresAt) != tt.after {
			t.Errorf("%s: stored expiry %q (%v); want %q", tt.name, catalog.FormatTime(sh.ExpiresAt), err, tt.after)
		}
	}

	link, err := Create(ctx, lib, Spec{Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.RevokeShare(ctx, link.ID, time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := Extend(ctx, lib, link.ID, ExpiryChange{Add: day}, now); !errors.Is(err, catalog.ErrShareRevoked) {
		t.Errorf("Extend(revoked) = %v; want ErrShareRevoked", err)
	}
	if _, err := Extend(ctx, lib, 9999, ExpiryChange{Add: day}, now); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Extend(9999) = %v; want ErrNotFound", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
