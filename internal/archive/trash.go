package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/period"
)

// Trash moves photos to the trash and says how many moved.
func (a *Archive) Trash(ctx context.Context, ids []int64) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) { return tx.Trash(ctx, ids) })
}

// TrashAlbum moves every photo of an album to the trash; the album stays.
func (a *Archive) TrashAlbum(ctx context.Context, album string) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) {
		id, err := tx.AlbumID(ctx, album)
		if err != nil {
			return 0, err
		}
		return tx.TrashAlbum(ctx, id)
	})
}

// Restore brings photos back from the trash and says how many came back.
func (a *Archive) Restore(ctx context.Context, ids []int64) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) { return tx.Restore(ctx, ids) })
}

// EmptyTrash purges the trash now: all of it, or (olderThan > 0) what has
// been in it longer. The files go by the queued deletion jobs.
func (a *Archive) EmptyTrash(ctx context.Context, olderThan time.Duration, now time.Time) (trash.Report, error) {
	if olderThan > 0 {
		return trash.PurgeOlder(ctx, a.lib, now.Add(-olderThan), trash.Reason{Kind: catalog.PurgeOlderThan, After: olderThan})
	}
	return trash.PurgeOlder(ctx, a.lib, time.Time{}, trash.Reason{Kind: catalog.PurgeEmptied})
}

// TrashToEmpty says what EmptyTrash with the same arguments would purge:
// how many photos and their bytes.
func (a *Archive) TrashToEmpty(ctx context.Context, olderThan time.Duration, now time.Time) (n int, bytes int64, err error) {
	var cutoff time.Time
	if olderThan > 0 {
		cutoff = now.Add(-olderThan)
	}
	return a.lib.Catalog.TrashTotals(ctx, cutoff)
}

// PurgeExpired purges what has been in the trash longer than the
// retention.
func (a *Archive) PurgeExpired(ctx context.Context, now time.Time) (trash.Report, error) {
	return trash.PurgeExpired(ctx, a.lib, now)
}

// SetRetention sets how long photos stay in the trash; see
// CheckRetention.
func (a *Archive) SetRetention(ctx context.Context, d time.Duration, force bool) error {
	if err := CheckRetention(d, force); err != nil {
		return err
	}
	return trash.SetRetention(ctx, a.lib, d)
}

// ShortRetentionError refuses a trash retention under a day.
type ShortRetentionError struct{ Retention time.Duration }

func (e *ShortRetentionError) Error() string {
	return fmt.Sprintf("trash retention %s is under one day: photos moved to the trash would be purged for good %s; set at least 1d, or add --force if that is what you want",
		period.Format(e.Retention), PurgedAfter(e.Retention))
}

// CheckRetention refuses a trash retention under a day unless force: a
// mistaken rm would be purged before anyone noticed.
func CheckRetention(d time.Duration, force bool) error {
	if d < trash.MinRetention && !force {
		return &ShortRetentionError{Retention: d}
	}
	return nil
}

// PurgedAfter says when a trashed photo is purged under retention d:
// "after 1 hour", or "by the next picup command" for none.
func PurgedAfter(d time.Duration) string {
	if d <= 0 {
		return "by the next picup command"
	}
	return "after " + period.Words(d)
}

// Retention is how long photos stay in the trash.
func (a *Archive) Retention(ctx context.Context) (time.Duration, error) {
	return trash.Retention(ctx, a.lib)
}
