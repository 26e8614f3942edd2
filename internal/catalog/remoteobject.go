package catalog

import (
	"context"
	"database/sql"
	"errors"
)

// RemoteObjectByKey returns what the catalog records of one object in a
// remote: ErrNotFound when it is not recorded there (not synced yet).
func (c *Catalog) RemoteObjectByKey(ctx context.Context, remote, key string) (RemoteObject, error) {
	var o RemoteObject
	err := c.r.QueryRowContext(ctx, `SELECT sha256, size FROM remote_objects WHERE remote = ? AND key = ?`, remote, key).Scan(&o.SHA256, &o.Size)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	return o, err
}

// OffloadRemotes lists, by name, the remotes that hold the only copy of
// some photo's original (picup offload).
func (c *Catalog) OffloadRemotes(ctx context.Context) ([]string, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT DISTINCT offloaded FROM photos WHERE offloaded IS NOT NULL AND offloaded != '' ORDER BY offloaded`)
	return collect(rows, err, func(s scanner) (string, error) {
		var name string
		err := s.Scan(&name)
		return name, err
	})
}
