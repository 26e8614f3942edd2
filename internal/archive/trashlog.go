package archive

import (
	"context"
	"strconv"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/trash"
	"github.com/picup/picup/pkg/period"
)

// PurgeRecord is a purge of the trash as "picup trash log --json" lists
// it, its photos aside (see EachPurged); the JSON field names are a
// documented interface (docs/cli.md).
type PurgeRecord struct {
	ID       int64   `json:"id"`
	PurgedAt string  `json:"purged_at"`
	Reason   string  `json:"reason"` // expired, emptied, older-than
	After    *string `json:"after"`  // the retention or --older-than ("30d"); null when emptied
	Why      string  `json:"why"`    // the reason in words
	Photos   int64   `json:"photos"`
	Bytes    int64   `json:"bytes"`
	Cursor   string  `json:"cursor"` // "trash log --after" lists the purges before this one
}

// PurgeRecordOf describes an entry of the trash log.
func PurgeRecordOf(e catalog.TrashLogEntry) PurgeRecord {
	r := PurgeRecord{ID: e.ID, PurgedAt: catalog.FormatTime(e.PurgedAt), Reason: e.Reason, Why: trash.Reason{Kind: e.Reason, After: e.After}.String(),
		Photos: e.Photos, Bytes: e.Bytes, Cursor: strconv.FormatInt(e.ID, 10)}
	if e.Reason != catalog.PurgeEmptied {
		after := period.Format(e.After)
		r.After = &after
	}
	return r
}

// PurgedRecord is a photo of a purge, as it was when it was purged.
type PurgedRecord struct {
	ID           int64  `json:"id"` // the id it had
	Path         string `json:"path"`
	OriginalName string `json:"original_name"`
	SHA256       string `json:"sha256"`
	Bytes        int64  `json:"bytes"`
	TrashedAt    string `json:"trashed_at"`
}

// EachPurged calls fn with each photo of the purge logged as logID,
// reading them a page at a time, so that a purge of any size takes
// bounded memory.
func (a *Archive) EachPurged(ctx context.Context, logID int64, fn func(PurgedRecord) error) error {
	var after int64
	for {
		page, err := a.lib.Catalog.TrashLogPhotos(ctx, logID, after, listPage)
		if err != nil {
			return err
		}
		for _, ph := range page {
			err := fn(PurgedRecord{ID: ph.ID, Path: ph.Path, OriginalName: ph.OriginalName, SHA256: ph.SHA256,
				Bytes: ph.Bytes, TrashedAt: catalog.FormatTime(ph.TrashedAt)})
			if err != nil {
				return err
			}
		}
		if len(page) < listPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}
