package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Share is a link that opens one album to whoever holds its token.
type Share struct {
	ID           int64
	TokenHash    string // hex SHA-256 of the token; the token is never stored
	Name         string
	AlbumID      int64
	AlbumName    string
	ExpiresAt    string // RFC 3339 UTC, "" when it never expires
	RevokedAt    string // "" when not revoked
	Download     bool
	PasswordHash string // "" when there is no password
	Views        int64
	LastOpenedAt string
	CreatedAt    string
}

// HashToken is how a share token is stored and looked up: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Expired reports whether the share's expiry is at or before now.
func (s Share) Expired(now time.Time) bool {
	if s.ExpiresAt == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, s.ExpiresAt)
	if err != nil {
		return true // an unreadable expiry closes the link rather than opening it forever
	}
	return !now.Before(t)
}

// Active reports whether the share may be opened at now: neither revoked
// nor expired.
func (s Share) Active(now time.Time) bool { return s.RevokedAt == "" && !s.Expired(now) }

const shareCols = `s.id, s.token_hash, s.name, s.album_id, coalesce(a.name, ''), coalesce(s.expires_at, ''),
	coalesce(s.revoked_at, ''), s.download, coalesce(s.password_hash, ''), s.views,
	coalesce(s.last_opened_at, ''), s.created_at`

const shareFrom = ` FROM shares s LEFT JOIN albums a ON a.id = s.album_id`

func scanShare(sc scanner) (Share, error) {
	var s Share
	err := sc.Scan(&s.ID, &s.TokenHash, &s.Name, &s.AlbumID, &s.AlbumName, &s.ExpiresAt,
		&s.RevokedAt, &s.Download, &s.PasswordHash, &s.Views, &s.LastOpenedAt, &s.CreatedAt)
	return s, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateShare stores a new share; s.TokenHash, s.AlbumID and s.CreatedAt
// (Now() when empty) are required. It returns the new id.
func (tx *Tx) CreateShare(ctx context.Context, s Share) (int64, error) {
	if s.TokenHash == "" || s.AlbumID == 0 {
		return 0, errors.New("create share: token hash and album are required")
	}
	if s.CreatedAt == "" {
		s.CreatedAt = Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO shares (token_hash, name, album_id, expires_at, download, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.Name, s.AlbumID, nullString(s.ExpiresAt), s.Download,
		nullString(s.PasswordHash), s.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("create share: %w", err)
	}
	return res.LastInsertId()
}

// ShareByTokenHash finds a share by the hash of its token, whatever its
// state (the caller decides what an expired or revoked share shows);
// ErrNotFound when there is none.
func (c *Catalog) ShareByTokenHash(ctx context.Context, hash string) (Share, error) {
	s, err := scanShare(c.r.QueryRowContext(ctx, `SELECT `+shareCols+shareFrom+` WHERE s.token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// ShareByID finds a share by id; ErrNotFound when there is none.
func (c *Catalog) ShareByID(ctx context.Context, id int64) (Share, error) {
	s, err := scanShare(c.r.QueryRowContext(ctx, `SELECT `+shareCols+shareFrom+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("no share with id %d; see \"picup share ls\": %w", id, ErrNotFound)
	}
	return s, err
}

// Shares lists every share, newest first.
func (c *Catalog) Shares(ctx context.Context) ([]Share, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+shareCols+shareFrom+` ORDER BY s.id DESC`)
	return collect(rows, err, scanShare)
}

// RevokeShare closes a share for good at the given time (RFC 3339). It
// reports whether the share was open; ErrNotFound when there is none.
func (tx *Tx) RevokeShare(ctx context.Context, id int64, at string) (bool, error) {
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM shares WHERE id = ?`, id).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("no share with id %d; see \"picup share ls\": %w", id, ErrNotFound)
	}
	if err != nil || revoked.Valid {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE shares SET revoked_at = ? WHERE id = ?`, at, id)
	return err == nil, err
}

// ErrShareRevoked is returned when extending a revoked share.
var ErrShareRevoked = errors.New("share is revoked")

// ExtendShare sets a share's expiry ("" for never). A revoked share
// cannot be extended (ErrShareRevoked): make a new one.
func (tx *Tx) ExtendShare(ctx context.Context, id int64, expiresAt string) error {
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM shares WHERE id = ?`, id).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no share with id %d; see \"picup share ls\": %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if revoked.Valid {
		return fmt.Errorf("share %d: %w; create a new one with \"picup share\"", id, ErrShareRevoked)
	}
	_, err = tx.ExecContext(ctx, `UPDATE shares SET expires_at = ? WHERE id = ?`, nullString(expiresAt), id)
	return err
}

// RecordShareView counts one opening of a share at the given time.
func (tx *Tx) RecordShareView(ctx context.Context, id int64, at string) error {
	_, err := tx.ExecContext(ctx, `UPDATE shares SET views = views + 1, last_opened_at = ? WHERE id = ?`, at, id)
	return err
}

// AlbumHasPhoto reports whether a photo is in an album and not in the
// trash: what a share may show.
func (c *Catalog) AlbumHasPhoto(ctx context.Context, albumID, photoID int64) (bool, error) {
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND ap.photo_id = ? AND p.trashed_at IS NULL`, albumID, photoID).Scan(&n)
	return n > 0, err
}
