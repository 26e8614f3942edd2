package catalog

import (
	"context"
	"database/sql"
	"errors"
)

// Source is what an earlier import saw of a file outside the library.
type Source struct {
	Path    string // absolute
	Size    int64
	MtimeNS int64
	Inode   uint64
	SHA256  string
}

// LookupSource returns what was recorded for an absolute source path.
func (c *Catalog) LookupSource(ctx context.Context, path string) (Source, error) {
	s := Source{Path: path}
	var inode int64
	err := c.r.QueryRowContext(ctx, `SELECT size, mtime_ns, inode, sha256 FROM sources WHERE path = ?`, path).
		Scan(&s.Size, &s.MtimeNS, &inode, &s.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.Inode = uint64(inode)
	return s, err
}

// PutSource records (or replaces) what was seen of a source file.
func (tx *Tx) PutSource(ctx context.Context, s Source) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sources (path, size, mtime_ns, inode, sha256) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
		inode = excluded.inode, sha256 = excluded.sha256`, s.Path, s.Size, s.MtimeNS, int64(s.Inode), s.SHA256)
	return err
}

// DeleteSource forgets a source path (after --move removed it).
func (tx *Tx) DeleteSource(ctx context.Context, path string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE path = ?`, path)
	return err
}
