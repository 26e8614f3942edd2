package archive

import (
	"context"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/trash"
)

// PhotoDetails is what the catalog holds about a photo beside its row.
type PhotoDetails struct {
	Albums     []string          // the names of the albums it is in; never nil
	Sidecars   []catalog.Sidecar // never nil
	TakingPart catalog.TakingPart
}

// PhotoDetails reads the albums, the sidecars and what guests did to a
// photo (hearts, comments, uploads). On an error,
// what was read before it is returned too.
func (a *Archive) PhotoDetails(ctx context.Context, id int64) (PhotoDetails, error) {
	d := PhotoDetails{Albums: []string{}, Sidecars: []catalog.Sidecar{}}
	albums, err := a.lib.Catalog.PhotoAlbums(ctx, id)
	if err != nil {
		return d, err
	}
	if albums != nil {
		d.Albums = albums
	}
	sidecars, err := a.lib.Catalog.Sidecars(ctx, id)
	if sidecars != nil {
		d.Sidecars = sidecars
	}
	if err != nil {
		return d, err
	}
	d.TakingPart, err = a.lib.Catalog.TakingPart(ctx, id)
	return d, err
}

// TrashContents is what the trash holds.
type TrashContents struct {
	Photos    []catalog.Photo // most recently trashed first
	Bytes     int64           // their size
	Retention time.Duration   // how long a photo stays: it is purged at TrashedAt + Retention
}

// Trashed reads the whole trash, a page at a time.
func (a *Archive) Trashed(ctx context.Context) (TrashContents, error) {
	var c TrashContents
	var err error
	if c.Retention, err = trash.Retention(ctx, a.lib); err != nil {
		return c, err
	}
	var afterAt time.Time
	var afterID int64
	for {
		page, err := a.lib.Catalog.TrashedPhotos(ctx, afterAt, afterID, listPage)
		if err != nil {
			return c, err
		}
		for _, p := range page {
			c.Photos, c.Bytes = append(c.Photos, p), c.Bytes+p.Bytes
		}
		if len(page) < listPage {
			return c, nil
		}
		afterAt, afterID = page[len(page)-1].TrashedAt, page[len(page)-1].ID
	}
}
