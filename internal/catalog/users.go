package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/picup/picup/pkg/bytesize"
)

// User is a family member with a storage quota.
type User struct {
	ID            int64
	Name          string
	QuotaBytes    *int64 // nil: unlimited
	UsedBytes     int64  // originals owned, trashed ones included until purged
	TrashedBytes  int64  // part of UsedBytes that is in the trash
	ReservedBytes int64  // promised to imports in flight
	Photos        int
	Videos        int
	CreatedAt     time.Time
}

var (
	// ErrUserExists is returned when a user name is taken.
	ErrUserExists = errors.New("user already exists")
	// ErrQuota is wrapped by Reserve when a photo does not fit.
	ErrQuota = errors.New("quota exceeded")
)

// userCols reads a user's counters, which triggers keep (migration
// 0016): one row, whatever the size of the archive. Reservations are the
// imports in flight, a handful.
const userCols = `u.id, u.name, u.quota_bytes, u.used_bytes, u.trashed_bytes,
	coalesce((SELECT sum(r.bytes) FROM reservations r WHERE r.user_id = u.id), 0),
	u.photos, u.videos, u.created_at`

func scanUser(s scanner) (User, error) {
	var u User
	var quota sql.NullInt64
	var created string
	err := s.Scan(&u.ID, &u.Name, &quota, &u.UsedBytes, &u.TrashedBytes, &u.ReservedBytes, &u.Photos, &u.Videos, &created)
	if err != nil {
		return u, err
	}
	if quota.Valid {
		u.QuotaBytes = &quota.Int64
	}
	u.CreatedAt, err = parseStored(fmt.Sprintf("user %q", u.Name), "created_at", created)
	return u, err
}

// Users lists every user in the order they were added.
func (c *Catalog) Users(ctx context.Context) ([]User, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.id`)
	return collect(rows, err, scanUser)
}

func userByName(ctx context.Context, q querier, name string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("no user named %q; see \"picup user ls\" or add one with \"picup user add %s\": %w", name, name, ErrNotFound)
	}
	return u, err
}

// UserByName finds a user by name (case-insensitively).
func (c *Catalog) UserByName(ctx context.Context, name string) (User, error) {
	return userByName(ctx, c.r, name)
}

// UserByName finds a user by name inside the transaction.
func (tx *Tx) UserByName(ctx context.Context, name string) (User, error) {
	return userByName(ctx, tx, name)
}

// FirstUser is the library's first user, the default owner of imports.
func (c *Catalog) FirstUser(ctx context.Context) (User, error) {
	u, err := scanUser(c.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("the library has no user; add one with \"picup user add NAME\": %w", ErrNotFound)
	}
	return u, err
}

// CreateUser adds a user; quota nil means unlimited.
func (tx *Tx) CreateUser(ctx context.Context, name string, quota *int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users (name, quota_bytes, created_at) VALUES (?, ?, ?)`, name, quota, nowText())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return 0, fmt.Errorf("%w: %q", ErrUserExists, name)
		}
		return 0, err
	}
	return res.LastInsertId()
}

// EnsureFirstUser creates the library's first user when there is none, and
// gives it every photo that has no owner (a library from before users).
func (c *Catalog) EnsureFirstUser(ctx context.Context, name string) error {
	var n int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil || n > 0 {
		return err
	}
	return c.Write(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil || n > 0 {
			return err
		}
		id, err := tx.CreateUser(ctx, name, nil)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
			SELECT p.id, ?, p.taken_key, ? FROM photos p
			WHERE NOT EXISTS (SELECT 1 FROM photo_owners po WHERE po.photo_id = p.id)`, id, nowText())
		return err
	})
}

// SetQuota changes a user's quota; nil means unlimited.
func (tx *Tx) SetQuota(ctx context.Context, userID int64, quota *int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET quota_bytes = ? WHERE id = ?`, quota, userID)
	return err
}

// OwnedCount is how many photos (trashed ones included) a user owns.
func (tx *Tx) OwnedCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM photo_owners WHERE user_id = ?`, userID).Scan(&n)
	return n, err
}

// TransferPhotos gives every photo of one user to another (who keeps what
// he already owns) and returns how many bytes the receiver gains. It
// refuses when that would exceed the receiver's quota.
func (tx *Tx) TransferPhotos(ctx context.Context, from, to User) (int64, error) {
	var gain int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(p.bytes), 0) FROM photo_owners po JOIN photos p ON p.id = po.photo_id
		WHERE po.user_id = ? AND NOT EXISTS (SELECT 1 FROM photo_owners o WHERE o.photo_id = po.photo_id AND o.user_id = ?)`,
		from.ID, to.ID).Scan(&gain); err != nil {
		return 0, err
	}
	if err := tx.fits(ctx, to.ID, gain); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
		SELECT po.photo_id, ?, po.taken_key, po.added_at FROM photo_owners po WHERE po.user_id = ?
		ON CONFLICT DO NOTHING`, to.ID, from.ID); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM photo_owners WHERE user_id = ?`, from.ID)
	return gain, err
}

// UserCount is how many users the library has.
func (tx *Tx) UserCount(ctx context.Context) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// DeleteUser removes a user who owns nothing and has nothing reserved.
func (tx *Tx) DeleteUser(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM reservations WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
	return err
}

// fits checks that n more bytes stay within the user's quota, counting
// what is used and what is reserved by imports in flight.
func (tx *Tx) fits(ctx context.Context, userID, n int64) error {
	var name string
	var quota sql.NullInt64
	var used, reserved int64
	err := tx.QueryRowContext(ctx, `SELECT name, quota_bytes, used_bytes,
		coalesce((SELECT sum(bytes) FROM reservations WHERE user_id = users.id), 0)
		FROM users WHERE id = ?`, userID).Scan(&name, &quota, &used, &reserved)
	if err != nil {
		return err
	}
	if !quota.Valid || used+reserved+n <= quota.Int64 {
		return nil
	}
	// 20 % above what is needed, so that the rounding of the printed
	// size cannot fall short.
	suggest := int64(math.Ceil(float64(used+reserved+n) * 1.2))
	return fmt.Errorf("%w for %q: %s of %s used, photo needs %s; raise it with \"picup user set-quota %s %s\"",
		ErrQuota, name, bytesize.Format(used+reserved), bytesize.Format(quota.Int64), bytesize.Format(n),
		name, strings.ReplaceAll(bytesize.Format(suggest), " ", ""))
}

// Reserve promises n bytes of the user's quota to an import in flight
// (run names its process). It fails with ErrQuota when they do not fit.
func (tx *Tx) Reserve(ctx context.Context, userID, n int64, run string) (int64, error) {
	if err := tx.fits(ctx, userID, n); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO reservations (user_id, bytes, run, created_at) VALUES (?, ?, ?, ?)`,
		userID, n, run, nowText())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Release drops a reservation: the import ended without storing. A
// reservation id is never reused, so releasing one that is already gone
// does nothing.
func (tx *Tx) Release(ctx context.Context, reservationID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM reservations WHERE id = ?`, reservationID)
	return err
}

// ReleaseRun drops every reservation of a run (a crashed process's).
func (tx *Tx) ReleaseRun(ctx context.Context, run string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM reservations WHERE run = ?`, run)
	return err
}

// ReservationRuns lists the runs that hold reservations.
func (tx *Tx) ReservationRuns(ctx context.Context) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT run FROM reservations ORDER BY run`)
	return collect(rows, err, func(s scanner) (string, error) {
		var run string
		err := s.Scan(&run)
		return run, err
	})
}

// Owns reports whether the user owns the photo.
func (tx *Tx) Owns(ctx context.Context, photoID, userID int64) (bool, error) {
	return owns(ctx, tx, photoID, userID)
}

// Owns reports whether the user owns the photo.
func (c *Catalog) Owns(ctx context.Context, photoID, userID int64) (bool, error) {
	return owns(ctx, c.r, photoID, userID)
}

func owns(ctx context.Context, q querier, photoID, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM photo_owners WHERE photo_id = ? AND user_id = ?`, photoID, userID).Scan(&n)
	return n > 0, err
}

// addOwner makes the user an owner of the photo, which charges its bytes
// to the user's usage (the trigger usage_owner_i), unchecked; it reports
// false (and charges nothing) when the user already owns it. Callers have either checked the quota in the
// same transaction (Own) or consumed a reservation that was (OwnReserved).
func (tx *Tx) addOwner(ctx context.Context, p Photo, userID int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, p.ID, userID, p.TakenKey, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Own makes the user an owner of an already stored photo, charging its
// bytes to the user's quota; ErrQuota when they do not fit. It reports
// false when the user already owned it.
func (tx *Tx) Own(ctx context.Context, p Photo, userID int64) (bool, error) {
	if owns, err := tx.Owns(ctx, p.ID, userID); err != nil || owns {
		return false, err
	}
	if err := tx.fits(ctx, userID, p.Bytes); err != nil {
		return false, err
	}
	return tx.addOwner(ctx, p, userID)
}

// OwnReserved makes the user an owner of a photo whose bytes an import
// reserved, consuming that reservation. Every byte charged is either
// counted against the quota when the reservation was made, or checked now:
// when the reservation is gone (released by someone else) or smaller than
// the photo, it is Own, with ErrQuota when the photo does not fit. A zero
// reservationID is plain Own.
func (tx *Tx) OwnReserved(ctx context.Context, p Photo, userID, reservationID int64) (bool, error) {
	if reservationID == 0 {
		return tx.Own(ctx, p, userID)
	}
	var reserved int64
	err := tx.QueryRowContext(ctx, `DELETE FROM reservations WHERE id = ? AND user_id = ? RETURNING bytes`,
		reservationID, userID).Scan(&reserved)
	if errors.Is(err, sql.ErrNoRows) || err == nil && reserved < p.Bytes {
		return tx.Own(ctx, p, userID)
	}
	if err != nil {
		return false, err
	}
	return tx.addOwner(ctx, p, userID)
}

// usageSums is what users' counters should be, from the rows themselves:
// a walk over owners and their photos.
const usageSums = `coalesce(sum(p.bytes), 0) AS used,
		coalesce(sum(iif(p.trashed_at IS NULL, 0, p.bytes)), 0) AS trashed,
		coalesce(sum(p.trashed_at IS NULL AND p.type = 'photo'), 0) AS photos,
		coalesce(sum(p.trashed_at IS NULL AND p.type = 'video'), 0) AS videos
	FROM photo_owners po JOIN photos p ON p.id = po.photo_id `

// UsageMismatch is a user whose recorded counters differ from what they
// own.
type UsageMismatch struct {
	User string
	// Counter is the one that differs: "used_bytes", "trashed_bytes",
	// "photos" or "videos" (the first of them when several do).
	Counter  string
	Recorded int64
	Actual   int64
}

// CheckUsage compares every user's recorded counters (usage, the part of
// it in the trash, photos and videos) with a count of what they own. It
// reads the whole archive.
func (c *Catalog) CheckUsage(ctx context.Context) ([]UsageMismatch, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT u.name, u.used_bytes, u.trashed_bytes, u.photos, u.videos,
		coalesce(a.used, 0), coalesce(a.trashed, 0), coalesce(a.photos, 0), coalesce(a.videos, 0)
		FROM users u LEFT JOIN (SELECT po.user_id AS user_id, `+usageSums+`GROUP BY po.user_id) a ON a.user_id = u.id
		ORDER BY u.id`)
	all, err := collect(rows, err, func(s scanner) (UsageMismatch, error) {
		var m UsageMismatch
		var rec, act [4]int64
		err := s.Scan(&m.User, &rec[0], &rec[1], &rec[2], &rec[3], &act[0], &act[1], &act[2], &act[3])
		for i, name := range []string{"used_bytes", "trashed_bytes", "photos", "videos"} {
			if rec[i] != act[i] {
				m.Counter, m.Recorded, m.Actual = name, rec[i], act[i]
				break
			}
		}
		return m, err
	})
	var bad []UsageMismatch
	for _, m := range all {
		if m.Counter != "" {
			bad = append(bad, m)
		}
	}
	return bad, err
}

// RecomputeUsage sets every user's counters to a count of what they own.
func (tx *Tx) RecomputeUsage(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET (used_bytes, trashed_bytes, photos, videos) =
		(SELECT `+usageSums+`WHERE po.user_id = users.id)`)
	return err
}

// Reservations sums the reserved bytes by run (scratch dir name).
func (c *Catalog) Reservations(ctx context.Context) (map[string]int64, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT run, sum(bytes) FROM reservations GROUP BY run`)
	type rb struct {
		run   string
		bytes int64
	}
	list, err := collect(rows, err, func(s scanner) (rb, error) {
		var v rb
		err := s.Scan(&v.run, &v.bytes)
		return v, err
	})
	out := map[string]int64{}
	for _, v := range list {
		out[v.run] = v.bytes
	}
	return out, err
}

// userPhotosQuery is served by the photo_owners_by_user index.
const userPhotosQuery = `SELECT ` + photoCols + ` FROM photo_owners po
	JOIN photos p ON p.id = po.photo_id
	WHERE po.user_id = ? AND (po.taken_key, po.photo_id) < (?, ?) AND p.trashed_at IS NULL
	ORDER BY po.taken_key DESC, po.photo_id DESC LIMIT ?`

// UserPhotos lists the photos a user owns, newest first from the cursor.
func (c *Catalog) UserPhotos(ctx context.Context, userID int64, after *Cursor, limit int) ([]Photo, error) {
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	rows, err := c.r.QueryContext(ctx, userPhotosQuery, userID, cur.TakenKey, cur.ID, limit)
	return collect(rows, err, scanPhoto)
}

// RenameUser renames a user.
func (tx *Tx) RenameUser(ctx context.Context, userID int64, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET name = ? WHERE id = ?`, name, userID)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	return err
}
