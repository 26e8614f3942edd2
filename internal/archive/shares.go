package archive

import (
	"context"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
)

// CreateShare makes a share link.
func (a *Archive) CreateShare(ctx context.Context, s sharelink.Spec) (sharelink.Link, error) {
	return sharelink.Create(ctx, a.lib, s)
}

// RevokeShare ends a link at once; it reports whether it was still
// open.
func (a *Archive) RevokeShare(ctx context.Context, id int64, now time.Time) (bool, error) {
	var was bool
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		was, err = tx.RevokeShare(ctx, id, now)
		return err
	})
	return was, err
}

// SetSharePassword gives a link a new password, or none when password is
// "" (the password of a link restored from a snapshot is locked:
// catalog.PasswordLocked).
func (a *Archive) SetSharePassword(ctx context.Context, id int64, password string) error {
	hash := ""
	if password != "" {
		var err error
		if hash, err = sharelink.HashPassword(password); err != nil {
			return err
		}
	}
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSharePassword(ctx, id, hash) })
}

// ExtendShare changes when a link expires, never to sooner unless the
// change says so (see sharelink.Extend).
func (a *Archive) ExtendShare(ctx context.Context, id int64, c sharelink.ExpiryChange, now time.Time) (sharelink.Expiry, error) {
	return sharelink.Extend(ctx, a.lib, id, c, now)
}

// SetPublicURL keeps the address the links printed from now on start
// with.
func (a *Archive) SetPublicURL(ctx context.Context, url string) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, sharelink.PublicURLSetting, url) })
}

// RecordShareViews adds page views counted in memory to their shares, in
// one transaction: n views of share id, the latest at Last.
func (a *Archive) RecordShareViews(ctx context.Context, views map[int64]ShareViews) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		for id, v := range views {
			if err := tx.RecordShareViews(ctx, id, v.N, v.Last); err != nil {
				return err
			}
		}
		return nil
	})
}

// ShareViews is a count of page views of one share.
type ShareViews struct {
	N    int64
	Last time.Time // the latest
}
