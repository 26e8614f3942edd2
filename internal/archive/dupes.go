package archive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"maps"
	"os"
	"slices"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/phash"
)

// DupeGroup is a set of photos that look alike: the same photo resized,
// re-encoded or scanned twice, or a burst. Photos[0] is the one to keep.
type DupeGroup struct {
	Photos []catalog.Photo
	Why    string // why Photos[0] is the keeper, in words
}

// HashedPhotos is what HashMissing did.
type HashedPhotos struct {
	Hashed int // photos given a hash
	Plain  int // photos too plain to hash (a blank scan)
	Failed int // grid thumbnails that could not be read ("picup verify --repair" makes them again)
}

// HashMissing gives a perceptual hash to the photos imported before
// hashes were made at import, from their grid thumbnails; progress, when
// not nil, is called after each batch with the photos done so far.
func (a *Archive) HashMissing(ctx context.Context, progress func(done int)) (HashedPhotos, error) {
	var r HashedPhotos
	var after int64
	for {
		page, err := a.lib.Catalog.PhotosWithoutPHash(ctx, after, 500)
		if err != nil || len(page) == 0 {
			return r, err
		}
		type hashed struct {
			id   int64
			hash uint64
			ok   bool
		}
		var batch []hashed
		for _, p := range page {
			if err := ctx.Err(); err != nil {
				return r, err
			}
			h, ok, err := hashThumb(a.lib, p)
			if err != nil {
				r.Failed++
				continue
			}
			batch = append(batch, hashed{p.ID, h, ok})
			if ok {
				r.Hashed++
			} else {
				r.Plain++
			}
		}
		err = a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for _, b := range batch {
				if err := tx.SetPHash(ctx, b.id, b.hash, b.ok); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return r, err
		}
		after = page[len(page)-1].ID
		if progress != nil {
			progress(r.Hashed + r.Plain + r.Failed)
		}
	}
}

// hashThumb hashes a photo's grid thumbnail.
func hashThumb(lib *library.Library, p catalog.Photo) (uint64, bool, error) {
	f, err := os.Open(lib.Abs(library.ThumbPath(p.SHA256, thumb.Grid)))
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		return 0, false, fmt.Errorf("grid thumbnail of photo %d: %w", p.ID, err)
	}
	h, ok := phash.Hash(img)
	return h, ok, nil
}

// Dupes groups the photos outside the trash whose hashes lie within
// threshold bits (pkg/phash), each group with its keeper first.
func (a *Archive) Dupes(ctx context.Context, threshold int) ([]DupeGroup, error) {
	if threshold < 0 || threshold > 32 {
		return nil, fmt.Errorf("threshold %d: want 0 to 32 bits (%d by default)", threshold, phash.DefaultThreshold)
	}
	hashes, err := a.lib.Catalog.PHashes(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]phash.Item, len(hashes))
	for i, h := range hashes {
		items[i] = phash.Item{ID: h.PhotoID, Hash: h.Hash}
	}
	var out []DupeGroup
	for _, ids := range phash.Groups(items, threshold) {
		g := DupeGroup{}
		for _, id := range ids {
			p, err := a.lib.Catalog.PhotoByID(ctx, id)
			if err != nil {
				return nil, err
			}
			g.Photos = append(g.Photos, p)
		}
		slices.SortStableFunc(g.Photos, betterKeeper)
		g.Why = keeperWhy(g.Photos)
		out = append(out, g)
	}
	return out, nil
}

// betterKeeper orders the photos of a group best keeper first: the most
// pixels, then the most metadata, then the first imported.
func betterKeeper(a, b catalog.Photo) int {
	return cmp.Or(
		cmp.Compare(b.Width*b.Height, a.Width*a.Height),
		cmp.Compare(metadataScore(b), metadataScore(a)),
		a.ImportedAt.Compare(b.ImportedAt),
		cmp.Compare(a.ID, b.ID),
	)
}

// metadataScore counts what a photo knows of itself: a capture date from
// the file's own metadata, the camera, the lens, a position.
func metadataScore(p catalog.Photo) int {
	n := 0
	for _, has := range []bool{p.TakenSource != "" && p.TakenSource != capturetime.SourceMtime && p.TakenSource != capturetime.SourceFilename, p.CameraModel != "", p.Lens != "", p.Lat != nil} {
		if has {
			n++
		}
	}
	return n
}

// keeperWhy says why ps[0] comes first.
func keeperWhy(ps []catalog.Photo) string {
	k, next := ps[0], ps[1]
	switch {
	case k.Width*k.Height > next.Width*next.Height:
		return fmt.Sprintf("the largest (%d×%d)", k.Width, k.Height)
	case metadataScore(k) > metadataScore(next):
		return "the most metadata (date, camera, lens, position)"
	}
	return "imported first"
}

// TrashDupes moves every photo of the groups but its keeper to the trash
// (from which "picup trash restore" brings them back) and says how many.
func (a *Archive) TrashDupes(ctx context.Context, groups []DupeGroup) (int, error) {
	var ids []int64
	for _, g := range groups {
		for _, p := range g.Photos[1:] {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return 0, errors.New("no near-duplicates to trash")
	}
	return a.Trash(ctx, ids)
}

// TrashFromGroup moves the photos ids of one group of look-alikes to the
// trash, as someone reviewing the group chose them, and says how many
// moved. Every id must be of the group and at least one photo of the
// group must stay out of the trash.
func (a *Archive) TrashFromGroup(ctx context.Context, g DupeGroup, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, errors.New("no photo of the group is marked for the trash")
	}
	in := map[int64]bool{}
	for _, p := range g.Photos {
		in[p.ID] = true
	}
	kept := maps.Clone(in)
	for _, id := range ids {
		if !in[id] {
			return 0, fmt.Errorf("photo %d is not in this group of look-alikes: list the groups again", id)
		}
		delete(kept, id)
	}
	if len(kept) == 0 {
		return 0, fmt.Errorf("all %d photos of the group are marked for the trash: keep at least one", len(g.Photos))
	}
	return a.Trash(ctx, ids)
}
