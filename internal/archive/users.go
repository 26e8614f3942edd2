package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/pkg/bytesize"
)

// AddUser adds a family member; quota nil is unlimited.
func (a *Archive) AddUser(ctx context.Context, name string, quota *int64) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.CreateUser(ctx, name, quota)
		return err
	})
}

// SetQuota changes a user's quota (nil: unlimited) and returns the user
// as they were.
func (a *Archive) SetQuota(ctx context.Context, name string, quota *int64) (catalog.User, error) {
	var u catalog.User
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		if u, err = tx.UserByName(ctx, name); err != nil {
			return err
		}
		return tx.SetQuota(ctx, u.ID, quota)
	})
	return u, err
}

// RenameUser renames a user.
func (a *Archive) RenameUser(ctx context.Context, name, to string) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		u, err := tx.UserByName(ctx, name)
		if err != nil {
			return err
		}
		return tx.RenameUser(ctx, u.ID, to)
	})
}

// ErrTransferToSelf is returned when a user's photos would go to that
// same user.
var ErrTransferToSelf = errors.New("--transfer-to must name another user")

// RemoveUser removes a user. One who owns photos is removed only when
// they go to another user (to), within that user's quota; the bytes the
// receiver gains are returned. The library's only user stays.
func (a *Archive) RemoveUser(ctx context.Context, name, to string) (moved int64, err error) {
	err = a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		u, err := tx.UserByName(ctx, name)
		if err != nil {
			return err
		}
		n, err := tx.OwnedCount(ctx, u.ID)
		if err != nil {
			return err
		}
		if n > 0 && to == "" {
			return fmt.Errorf("user %q owns %d photos (%s); give them to someone with \"picup user rm %s --transfer-to OTHER\"",
				u.Name, n, bytesize.Format(u.UsedBytes), u.Name)
		}
		if n > 0 {
			other, err := tx.UserByName(ctx, to)
			if err != nil {
				return err
			}
			if other.ID == u.ID {
				return ErrTransferToSelf
			}
			if moved, err = tx.TransferPhotos(ctx, u, other); err != nil {
				return err
			}
		}
		users, err := tx.UserCount(ctx)
		if err != nil {
			return err
		}
		if users == 1 {
			return errors.New("cannot remove the library's only user; add another first")
		}
		return tx.DeleteUser(ctx, u.ID)
	})
	return moved, err
}
