// Package trash purges photos from the trash: the catalog forgets them and
// queues the deletion of their files in one transaction, and the job queue
// deletes the files after the commit.
package trash

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

// DefaultRetention is how long photos stay in the trash unless the
// library's "trash.retention" setting says otherwise.
const DefaultRetention = 30 * 24 * time.Hour

// RetentionKey is the setting that holds the retention, as period.Format
// prints it ("30d"; older versions wrote minutes as "90m").
const RetentionKey = "trash.retention"

// MinRetention is the shortest retention set without --force: below a
// day, a mistyped "picup rm" is purged for good before anyone notices.
const MinRetention = 24 * time.Hour

// SetRetention stores how long photos stay in the trash. Callers refuse
// retentions below MinRetention unless told plainly to allow them.
func SetRetention(ctx context.Context, lib *library.Library, d time.Duration) error {
	return lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.SetSetting(ctx, RetentionKey, period.Format(d))
	})
}

// Retention returns the library's trash retention.
func Retention(ctx context.Context, lib *library.Library) (time.Duration, error) {
	v, err := lib.Catalog.Setting(ctx, RetentionKey)
	if err != nil || v == "" {
		return DefaultRetention, err
	}
	return period.ParseStored(v)
}

// files are the files of a photo: its original, sidecars and thumbnails,
// and, in remotes, its JSON sidecar.
func files(p catalog.Photo, scs []catalog.Sidecar) []string {
	out := []string{p.Path, syncer.MetaKey(p.SHA256)}
	for _, sc := range scs {
		out = append(out, sc.Path)
	}
	for _, s := range thumb.Sizes {
		out = append(out, library.ThumbPath(p.SHA256, s.Name))
	}
	return out
}

// Reason says why photos are purged: what the trash log records and the
// purge line says.
type Reason struct {
	Kind  string        // catalog.PurgeExpired, catalog.PurgeEmptied or catalog.PurgeOlderThan
	After time.Duration // PurgeExpired: the retention; PurgeOlderThan: how long at least
}

// String says why, for the trash log: "expired after 30 days in the trash
// (retention 30d)", "emptied by \"picup trash empty\"".
func (r Reason) String() string {
	switch r.Kind {
	case catalog.PurgeExpired:
		return fmt.Sprintf("expired after %s in the trash (retention %s)", period.Words(r.After), period.Format(r.After))
	case catalog.PurgeOlderThan:
		return fmt.Sprintf("emptied by \"picup trash empty --older-than %s\"", period.Format(r.After))
	}
	return "emptied by \"picup trash empty\""
}

// Report is what a purge did: counts only, whatever the size of the
// trash (the trash log lists the photos).
type Report struct {
	Reason
	LogID  int64 // its trash log entry; 0 when nothing was purged
	Photos int   // how many were purged
	Bytes  int64 // their bytes
}

// String is the line every purge prints on stderr, whichever command
// triggered it: "purged 3 photos (1.2 MB) that were in the trash longer
// than 30 days ...", "purged 2 photos (400 kB): trash emptied".
func (r Report) String() string {
	n := r.Photos
	what := PurgedWords(int64(n), r.Bytes)
	switch r.Kind {
	case catalog.PurgeExpired:
		if n == 0 {
			return "nothing has been in the trash longer than " + period.Words(r.After)
		}
		return fmt.Sprintf("%s that %s in the trash longer than %s, the retention; \"picup trash log\" lists them",
			what, wereOrWas(n), period.Words(r.After))
	case catalog.PurgeOlderThan:
		if n == 0 {
			return "nothing to purge: nothing has been in the trash longer than " + period.Words(r.After)
		}
		return fmt.Sprintf("%s that %s in the trash longer than %s: trash emptied with --older-than %s",
			what, wereOrWas(n), period.Words(r.After), period.Format(r.After))
	}
	if n == 0 {
		return "nothing to purge: the trash is empty"
	}
	return what + ": trash emptied"
}

// PurgedWords says how much a purge purged: "purged 3 photos (1.2 MB)".
func PurgedWords(photos, bytes int64) string {
	if photos == 1 {
		return "purged 1 photo (" + bytesize.Format(bytes) + ")"
	}
	return fmt.Sprintf("purged %d photos (%s)", photos, bytesize.Format(bytes))
}

func wereOrWas(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// Purge forgets the given trashed photos and queues the deletion of their
// files; it returns the purged photos. Photos not in the trash are left
// alone. The trash log records them as emptied by hand.
func Purge(ctx context.Context, lib *library.Library, ids []int64) ([]catalog.Photo, error) {
	r := Report{Reason: Reason{Kind: catalog.PurgeEmptied}}
	var purged []catalog.Photo
	err := r.purge(ctx, lib, ids, func(ps []catalog.Photo) { purged = append(purged, ps...) })
	return purged, err
}

// purgeBatch is how many photos one transaction purges: enough that the
// statements of a batch (Tx.Purge) share the pages they write, few
// enough that the writer lock is held for a second or so.
const purgeBatch = 2000

// purge purges ids in short transactions, each of which adds what it
// purged to r's trash log entry; each batch's photos are given to kept
// when it is not nil.
func (r *Report) purge(ctx context.Context, lib *library.Library, ids []int64, kept func([]catalog.Photo)) error {
	for len(ids) > 0 {
		n := min(len(ids), purgeBatch)
		var ps []catalog.Photo
		var entry catalog.TrashLogEntry
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			var err error
			if ps, err = tx.Purge(ctx, ids[:n], files); err != nil {
				return err
			}
			entry, err = tx.LogPurge(ctx, catalog.TrashLogEntry{ID: r.LogID, Reason: r.Kind, After: r.After}, ps)
			return err
		})
		if err != nil {
			return err
		}
		r.LogID = entry.ID
		r.Photos += len(ps)
		for _, p := range ps {
			r.Bytes += p.Bytes
		}
		if kept != nil {
			kept(ps)
		}
		ids = ids[n:]
	}
	return nil
}

// PurgeOlder purges the photos trashed before cutoff (all of the trash when
// cutoff is zero), for the reason given.
func PurgeOlder(ctx context.Context, lib *library.Library, cutoff time.Time, why Reason) (Report, error) {
	r := Report{Reason: why}
	for {
		ids, err := lib.Catalog.TrashedBefore(ctx, cutoff, purgeBatch)
		if err != nil || len(ids) == 0 {
			return r, err
		}
		if err := r.purge(ctx, lib, ids, nil); err != nil {
			return r, err
		}
	}
}

// PurgeExpired purges what has been in the trash longer than the
// library's retention.
func PurgeExpired(ctx context.Context, lib *library.Library, now time.Time) (Report, error) {
	keep, err := Retention(ctx, lib)
	if err != nil {
		return Report{}, err
	}
	return PurgeOlder(ctx, lib, now.Add(-keep), Reason{Kind: catalog.PurgeExpired, After: keep})
}
