// Package trash purges photos from the trash: the catalog forgets them and
// queues the deletion of their files in one transaction, and the job queue
// deletes the files after the commit.
package trash

import (
	"context"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/thumb"
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

// Purge forgets the given trashed photos and queues the deletion of their
// files; it returns the purged photos. Photos not in the trash are left
// alone.
func Purge(ctx context.Context, lib *library.Library, ids []int64) ([]catalog.Photo, error) {
	var purged []catalog.Photo
	for len(ids) > 0 {
		n := min(len(ids), 200) // short transactions
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			ps, err := tx.Purge(ctx, ids[:n], files)
			purged = append(purged, ps...)
			return err
		})
		if err != nil {
			return purged, err
		}
		ids = ids[n:]
	}
	return purged, nil
}

// PurgeOlder purges the photos trashed before cutoff (all of the trash when
// cutoff is zero).
func PurgeOlder(ctx context.Context, lib *library.Library, cutoff time.Time) ([]catalog.Photo, error) {
	var purged []catalog.Photo
	for {
		ids, err := lib.Catalog.TrashedBefore(ctx, cutoff, 1000)
		if err != nil || len(ids) == 0 {
			return purged, err
		}
		ps, err := Purge(ctx, lib, ids)
		purged = append(purged, ps...)
		if err != nil {
			return purged, err
		}
	}
}

// PurgeExpired purges what has been in the trash longer than the
// library's retention.
func PurgeExpired(ctx context.Context, lib *library.Library, now time.Time) ([]catalog.Photo, error) {
	keep, err := Retention(ctx, lib)
	if err != nil {
		return nil, err
	}
	return PurgeOlder(ctx, lib, now.Add(-keep))
}
