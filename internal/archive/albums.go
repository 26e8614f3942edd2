package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/picup/picup/internal/catalog"
)

// CreateAlbum creates an empty album.
func (a *Archive) CreateAlbum(ctx context.Context, name string) error {
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.CreateAlbum(ctx, name)
		return err
	})
	if errors.Is(err, catalog.ErrAlbumExists) {
		return fmt.Errorf("%w; pick another name or add photos to it with \"picup album add\"", err)
	}
	return err
}

// RenameAlbum renames an album.
func (a *Archive) RenameAlbum(ctx context.Context, name, to string) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		id, err := tx.AlbumID(ctx, name)
		if err != nil {
			return err
		}
		return tx.RenameAlbum(ctx, id, to)
	})
}

// DeleteAlbum removes an album; its photos stay in the library.
func (a *Archive) DeleteAlbum(ctx context.Context, name string) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		id, err := tx.AlbumID(ctx, name)
		if err != nil {
			return err
		}
		return tx.DeleteAlbum(ctx, id)
	})
}

// AlbumChange is what adding photos to an album (or removing them) did.
type AlbumChange struct {
	Created   bool // the album was made for them
	Changed   int  // photos added (or removed)
	Unchanged int  // photos already in it (or not in it)
}

// AddToAlbum adds photos to an album, creating the album when there is
// none of that name.
func (a *Archive) AddToAlbum(ctx context.Context, name string, ids []int64) (AlbumChange, error) {
	return a.albumMembership(ctx, name, ids, true)
}

// RemoveFromAlbum takes photos out of an album; they stay in the library.
func (a *Archive) RemoveFromAlbum(ctx context.Context, name string, ids []int64) (AlbumChange, error) {
	return a.albumMembership(ctx, name, ids, false)
}

func (a *Archive) albumMembership(ctx context.Context, name string, ids []int64, add bool) (AlbumChange, error) {
	var c AlbumChange
	var by catalog.Actor
	if add {
		owner, err := a.lib.Catalog.FirstUser(ctx)
		if err != nil {
			return c, err
		}
		by.Name = owner.Name
	}
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		c = AlbumChange{}
		albumID, err := tx.AlbumID(ctx, name)
		if add && errors.Is(err, catalog.ErrNotFound) {
			albumID, err = tx.CreateAlbum(ctx, name)
			c.Created = true
		}
		if err != nil {
			return err
		}
		change := tx.RemoveFromAlbum
		if add {
			change = func(ctx context.Context, albumID int64, ids []int64) (int, error) {
				return tx.AddManyToAlbum(ctx, albumID, ids, by)
			}
		}
		n, err := change(ctx, albumID, ids)
		c.Changed, c.Unchanged = n, len(ids)-n
		return err
	})
	return c, err
}
