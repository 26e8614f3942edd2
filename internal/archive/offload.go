package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/syncer"
)

// OffloadOptions say which originals to offload, and where their copies
// are.
type OffloadOptions struct {
	Remote      catalog.Remote // holds the copies
	Album       string         // the photos of this album; "" for TakenBefore
	TakenBefore time.Time      // without Album: the photos taken before this
	DryRun      bool           // check and report, delete nothing
}

// Offload drops the local originals of the photos o names whose copy in
// the remote is checked now (see syncer.Offload); photos offloaded
// already are left out. A photo kept says why in its result.
func (a *Archive) Offload(ctx context.Context, o OffloadOptions) ([]syncer.OffloadResult, error) {
	page := func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
		return a.lib.Catalog.ListPhotos(ctx, after, n)
	}
	from := &catalog.Cursor{TakenKey: o.TakenBefore.UnixMilli()}
	if o.Album != "" {
		al, err := a.lib.Catalog.AlbumByName(ctx, o.Album)
		if err != nil {
			return nil, err
		}
		page = func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
			return a.lib.Catalog.AlbumPhotos(ctx, al.ID, after, n)
		}
		from = nil
	}
	photos, err := localPhotos(from, page)
	if err != nil {
		return nil, err
	}
	store, _, err := remote.Open(ctx, o.Remote, remote.Options{})
	if err != nil {
		return nil, err
	}
	return syncer.Offload(ctx, a.lib, o.Remote, store, photos, o.DryRun)
}

// listPage is how many photos a listing reads from the catalog at once.
const listPage = 500

// localPhotos pages through a listing from a cursor and keeps the photos
// whose original is in the library (not offloaded).
func localPhotos(after *catalog.Cursor, page func(after *catalog.Cursor, n int) ([]catalog.Photo, error)) ([]catalog.Photo, error) {
	var out []catalog.Photo
	for {
		ps, err := page(after, listPage)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Offloaded == "" {
				out = append(out, p)
			}
		}
		if len(ps) < listPage {
			return out, nil
		}
		c := catalog.CursorOf(ps[len(ps)-1])
		after = &c
	}
}

// Fetch brings the offloaded originals of photos back from the remotes
// holding them, and says how many came back; photos whose original is
// here already are passed over.
func (a *Archive) Fetch(ctx context.Context, ids []int64) (int, error) {
	n := 0
	for _, id := range ids {
		p, err := a.lib.Catalog.PhotoByID(ctx, id)
		if err != nil {
			return n, fmt.Errorf("photo %d: %w", id, err)
		}
		if p.Offloaded == "" {
			continue
		}
		_, store, _, err := a.openRemote(ctx, p.Offloaded)
		if err != nil {
			return n, err
		}
		if err := syncer.Fetch(ctx, a.lib, store, p); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
