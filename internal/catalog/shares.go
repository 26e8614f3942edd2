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

// Share is a link that opens photos to whoever holds its token: an album
// (AlbumID), one calendar year of the archive (Year), or else a selection
// of photos (Photos, listed in share_photos).
type Share struct {
	ID           int64
	TokenHash    string // hex SHA-256 of the token; the token is never stored
	Name         string
	AlbumID      int64 // album shares
	AlbumName    string
	Year         int       // year shares
	Photos       int64     // selection shares: how many photos were selected
	BindIP       bool      // media URLs are pinned to the address that opened the page
	ExpiresAt    time.Time // zero when it never expires
	RevokedAt    time.Time // zero when not revoked
	Download     bool
	PasswordHash string // "" when there is no password
	Views        int64
	LastOpenedAt time.Time // zero when never opened
	CreatedAt    time.Time

	// What guests may do through the link.
	UploadUserID int64  // uploads are allowed and charged to this user; 0: no uploads
	UploadUser   string // that user's name
	UploadReview bool   // uploads wait for approval before they join the album
	UploadMax    int64  // bytes per uploaded file; 0: the default
	NoComments   bool
	NoHearts     bool
}

// HashToken is how a share token is stored and looked up: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Expired reports whether the share's expiry is at or before now.
func (s Share) Expired(now time.Time) bool {
	return !s.ExpiresAt.IsZero() && !now.Before(s.ExpiresAt)
}

// Active reports whether the share may be opened at now: neither revoked
// nor expired.
func (s Share) Active(now time.Time) bool { return s.RevokedAt.IsZero() && !s.Expired(now) }

// Scope says in words what a share opens: `album "Jeju 2019"`,
// `photos of 2024` or `3 photos`.
func (s Share) Scope() string {
	switch {
	case s.AlbumID != 0:
		return fmt.Sprintf("album %q", s.AlbumName)
	case s.Year != 0:
		return fmt.Sprintf("photos of %d", s.Year)
	case s.Photos == 1:
		return "1 photo"
	}
	return fmt.Sprintf("%d photos", s.Photos)
}

const shareCols = `s.id, s.token_hash, s.name, coalesce(s.album_id, 0), coalesce(a.name, ''), coalesce(s.year, 0),
	(SELECT count(*) FROM share_photos sp WHERE sp.share_id = s.id), s.bind_ip, coalesce(s.expires_at, ''),
	coalesce(s.revoked_at, ''), s.download, coalesce(s.password_hash, ''), s.views,
	coalesce(s.last_opened_at, ''), s.created_at, coalesce(s.upload_user_id, 0), coalesce(u.name, ''), s.upload_review,
	s.upload_max, s.no_comments, s.no_hearts`

const shareFrom = ` FROM shares s LEFT JOIN albums a ON a.id = s.album_id LEFT JOIN users u ON u.id = s.upload_user_id`

func scanShare(sc scanner) (Share, error) {
	var s Share
	var expires, revoked, opened, created string
	err := sc.Scan(&s.ID, &s.TokenHash, &s.Name, &s.AlbumID, &s.AlbumName, &s.Year, &s.Photos, &s.BindIP, &expires,
		&revoked, &s.Download, &s.PasswordHash, &s.Views, &opened, &created, &s.UploadUserID, &s.UploadUser, &s.UploadReview,
		&s.UploadMax, &s.NoComments, &s.NoHearts)
	if err != nil {
		return s, err
	}
	tc := timeCol{row: fmt.Sprintf("share %d", s.ID)}
	tc.parse(&s.ExpiresAt, "expires_at", expires)
	tc.parse(&s.RevokedAt, "revoked_at", revoked)
	tc.parse(&s.LastOpenedAt, "last_opened_at", opened)
	tc.parse(&s.CreatedAt, "created_at", created)
	return s, tc.err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateShare stores a new share; s.TokenHash and s.CreatedAt (Now() when
// zero) are required, and exactly one of s.AlbumID, s.Year and photoIDs
// says what it opens. Selected photos must exist and not be in the trash.
// It returns the new id.
func (tx *Tx) CreateShare(ctx context.Context, s Share, photoIDs []int64) (int64, error) {
	scopes := 0
	for _, set := range []bool{s.AlbumID != 0, s.Year != 0, len(photoIDs) > 0} {
		if set {
			scopes++
		}
	}
	if s.TokenHash == "" || scopes != 1 {
		return 0, errors.New("create share: a token hash and exactly one of an album, a year or photos are required")
	}
	if s.UploadUserID != 0 && s.AlbumID == 0 {
		return 0, errors.New("create share: uploads go into an album: only an album link can take them")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = Now()
	}
	// The id after the highest any share ever had (share_ids): never one
	// a deleted share had.
	res, err := tx.ExecContext(ctx, `INSERT INTO shares (id, token_hash, name, album_id, year, expires_at, download, password_hash, bind_ip, created_at,
		upload_user_id, upload_review, upload_max, no_comments, no_hearts)
		VALUES ((SELECT last + 1 FROM share_ids), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.Name, nullInt(s.AlbumID), nullInt(int64(s.Year)), timeArg(s.ExpiresAt), s.Download,
		nullString(s.PasswordHash), s.BindIP, FormatTime(s.CreatedAt), nullInt(s.UploadUserID), s.UploadReview, s.UploadMax, s.NoComments, s.NoHearts)
	if err != nil {
		return 0, fmt.Errorf("create share: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, pid := range photoIDs {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO share_photos (share_id, photo_id, taken_key)
			SELECT ?, id, taken_key FROM photos WHERE id = ? AND trashed_at IS NULL`, id, pid)
		if err != nil {
			return 0, fmt.Errorf("create share: add photo %d: %w", pid, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var dup int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM share_photos WHERE share_id = ? AND photo_id = ?`, id, pid).Scan(&dup); err != nil {
				return 0, err
			}
			if dup == 0 {
				return 0, fmt.Errorf("photo %d is not in the library or is in the trash; see \"picup ls\": %w", pid, ErrNotFound)
			}
		}
	}
	return id, nil
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
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

// shareByIDQuery finds a share by id.
const shareByIDQuery = `SELECT ` + shareCols + shareFrom + ` WHERE s.id = ?`

// ShareByID finds a share by id; ErrNotFound when there is none.
func (c *Catalog) ShareByID(ctx context.Context, id int64) (Share, error) {
	return shareByID(c.r.QueryRowContext(ctx, shareByIDQuery, id), id)
}

// ShareByID finds a share by id inside the transaction.
func (tx *Tx) ShareByID(ctx context.Context, id int64) (Share, error) {
	return shareByID(tx.QueryRowContext(ctx, shareByIDQuery, id), id)
}

func shareByID(row *sql.Row, id int64) (Share, error) {
	s, err := scanShare(row)
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

// RevokeShare closes a share for good at the given time. It
// reports whether the share was open; ErrNotFound when there is none.
func (tx *Tx) RevokeShare(ctx context.Context, id int64, at time.Time) (bool, error) {
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM shares WHERE id = ?`, id).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("no share with id %d; see \"picup share ls\": %w", id, ErrNotFound)
	}
	if err != nil || revoked.Valid {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE shares SET revoked_at = ? WHERE id = ?`, FormatTime(at), id)
	return err == nil, err
}

// PasswordLocked is the password hash of a link whose password stayed
// behind: catalog snapshots carry this instead of the hash (see
// SnapshotTo), so a restored library's password links open for no one
// until they are given a new password (SetSharePassword). No password
// matches it.
const PasswordLocked = "locked"

// SetSharePassword sets a share's password hash; "" removes the
// password. A revoked share keeps its state (ErrShareRevoked).
func (tx *Tx) SetSharePassword(ctx context.Context, id int64, hash string) error {
	if err := tx.notRevoked(ctx, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE shares SET password_hash = ? WHERE id = ?`, nullString(hash), id)
	return err
}

// notRevoked refuses a share that does not exist (ErrNotFound) or is
// revoked (ErrShareRevoked): a change to it would be lost on no one.
func (tx *Tx) notRevoked(ctx context.Context, id int64) error {
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM shares WHERE id = ?`, id).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no share with id %d; see \"picup share ls\": %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if revoked.Valid {
		return fmt.Errorf("share %d: %w; make a new link with \"picup share\"", id, ErrShareRevoked)
	}
	return nil
}

// ErrShareRevoked is returned when extending a revoked share.
var ErrShareRevoked = errors.New("share is revoked")

// ExtendShare sets a share's expiry (the zero time for never). A revoked share
// cannot be extended (ErrShareRevoked): make a new one.
func (tx *Tx) ExtendShare(ctx context.Context, id int64, expiresAt time.Time) error {
	if err := tx.notRevoked(ctx, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE shares SET expires_at = ? WHERE id = ?`, timeArg(expiresAt), id)
	return err
}

// RecordShareViews counts n openings of a share, the last at the given
// time (an earlier time than the one recorded leaves it).
// It changes neither catalog_version nor what the viewer keeps in memory.
func (tx *Tx) RecordShareViews(ctx context.Context, id, n int64, last time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE shares SET views = views + ?, last_opened_at = max(coalesce(last_opened_at, ''), ?)
		WHERE id = ?`, n, FormatTime(last), id)
	return err
}

// sharePhotosQuery lists a selection share in share_photos_by_taken order.
var sharePhotosQuery = `SELECT ` + photoCols + ` FROM share_photos sp
	JOIN photos p ON p.id = sp.photo_id
	WHERE sp.share_id = ? AND (sp.taken_key, sp.photo_id) < (?, ?) AND p.trashed_at IS NULL
	ORDER BY sp.taken_key DESC, sp.photo_id DESC LIMIT ?`

// yearPhotosQuery lists the live photos of one year through
// photos_live_by_taken: the sort key brackets the year with a margin of
// the widest time-zone offsets, and the local date in taken_at decides.
// The upper bound is the lower of the year's end and the cursor's: with
// both, SQLite may start the index walk at the year's end and read every
// photo between it and the cursor.
var yearPhotosQuery = `SELECT ` + photoCols + ` FROM photos p
	WHERE p.trashed_at IS NULL AND p.taken_key >= ? AND p.taken_key <= ? AND substr(p.taken_at, 1, 4) = ?
	AND (p.taken_key, p.id) < (?, ?)
	ORDER BY p.taken_key DESC, p.id DESC LIMIT ?`

// yearBounds returns the taken_key range that holds every photo whose
// local capture date is in year.
func yearBounds(year int) (lo, hi int64) {
	const margin = 14 * time.Hour
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	return start.Add(-margin).UnixMilli(), end.Add(margin).UnixMilli()
}

// SharePhotos lists the live photos a share opens, newest first from the
// cursor, by cursor pagination whatever the share's size.
func (c *Catalog) SharePhotos(ctx context.Context, s Share, after *Cursor, limit int) ([]Photo, error) {
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	switch {
	case s.AlbumID != 0:
		return c.AlbumPhotos(ctx, s.AlbumID, after, limit)
	case s.Year != 0:
		lo, hi := yearBounds(s.Year)
		rows, err := c.r.QueryContext(ctx, yearPhotosQuery, lo, min(hi-1, cur.TakenKey), fmt.Sprintf("%04d", s.Year), cur.TakenKey, cur.ID, limit)
		return collect(rows, err, scanPhoto)
	}
	rows, err := c.r.QueryContext(ctx, sharePhotosQuery, s.ID, cur.TakenKey, cur.ID, limit)
	return collect(rows, err, scanPhoto)
}
