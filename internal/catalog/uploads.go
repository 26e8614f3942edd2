package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Upload states.
const (
	UploadAdded     = "added"     // the photo joined the album
	UploadPending   = "pending"   // stored, waiting for approval to join the album
	UploadRejected  = "rejected"  // not approved
	UploadDuplicate = "duplicate" // the content was already in the library
	UploadRefused   = "refused"   // nothing stored; Reason says why
)

// Upload is a file a guest sent through a share link.
type Upload struct {
	ID        int64
	TusID     string // the resumable upload's id
	ShareID   int64
	AlbumName string // the album of the link
	PhotoID   int64  // 0 when nothing was stored
	UserID    int64  // charged to
	UserName  string
	NewPhoto  bool // the upload stored the photo (it was not in the library)
	Device    string
	Name      string // the guest's name
	FileName  string
	Bytes     int64
	Status    string
	Reason    string
	CreatedAt time.Time
	DecidedAt time.Time // approval or rejection; zero before
}

const uploadCols = `u.id, u.tus_id, coalesce(u.share_id, 0), coalesce(a.name, ''), coalesce(u.photo_id, 0), coalesce(u.user_id, 0),
	coalesce(us.name, ''), u.new_photo, u.device, u.name, u.file_name, u.bytes, u.status, u.reason, u.created_at, coalesce(u.decided_at, '')`

const uploadFrom = ` FROM uploads u LEFT JOIN shares s ON s.id = u.share_id LEFT JOIN albums a ON a.id = s.album_id
	LEFT JOIN users us ON us.id = u.user_id`

func scanUpload(s scanner) (Upload, error) {
	var u Upload
	var created, decided string
	err := s.Scan(&u.ID, &u.TusID, &u.ShareID, &u.AlbumName, &u.PhotoID, &u.UserID, &u.UserName, &u.NewPhoto, &u.Device, &u.Name,
		&u.FileName, &u.Bytes, &u.Status, &u.Reason, &created, &decided)
	if err != nil {
		return u, err
	}
	tc := timeCol{row: fmt.Sprintf("upload %d", u.ID)}
	tc.parse(&u.CreatedAt, "created_at", created)
	tc.parse(&u.DecidedAt, "decided_at", decided)
	return u, tc.err
}

// InsertUpload records a finished upload (CreatedAt Now() when zero) and
// returns its id. A tus id recorded before is an error.
func (tx *Tx) InsertUpload(ctx context.Context, u Upload) (int64, error) {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO uploads (tus_id, share_id, photo_id, user_id, new_photo, device, name, file_name, bytes,
		status, reason, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.TusID, nullInt(u.ShareID), nullInt(u.PhotoID), nullInt(u.UserID), u.NewPhoto, u.Device, u.Name, u.FileName, u.Bytes,
		u.Status, u.Reason, FormatTime(u.CreatedAt), timeArg(u.DecidedAt))
	if err != nil {
		return 0, fmt.Errorf("record upload: %w", err)
	}
	return res.LastInsertId()
}

// SetUploadStatus records a decision on a pending upload.
func (tx *Tx) SetUploadStatus(ctx context.Context, id int64, status string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE uploads SET status = ?, decided_at = ? WHERE id = ?`, status, FormatTime(at), id)
	return err
}

// UploadByID finds an upload inside the transaction; ErrNotFound when
// there is none.
func (tx *Tx) UploadByID(ctx context.Context, id int64) (Upload, error) {
	u, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadCols+uploadFrom+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("no upload with id %d; see \"picup uploads ls\": %w", id, ErrNotFound)
	}
	return u, err
}

// UploadByTusID finds an upload by its resumable upload's id;
// ErrNotFound when it has not finished.
func (c *Catalog) UploadByTusID(ctx context.Context, tusID string) (Upload, error) {
	u, err := scanUpload(c.r.QueryRowContext(ctx, `SELECT `+uploadCols+uploadFrom+` WHERE u.tus_id = ?`, tusID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UploadFilter narrows a list of uploads.
type UploadFilter struct {
	ShareID int64  // 0: every link
	Status  string // "": every state
	Before  int64  // cursor: ids below; 0 from the newest
	Limit   int
}

// Uploads lists uploads newest first.
func (c *Catalog) Uploads(ctx context.Context, f UploadFilter) ([]Upload, error) {
	q := `SELECT ` + uploadCols + uploadFrom + ` WHERE u.id < ?`
	args := []any{beforeArg(f.Before)}
	if f.ShareID != 0 {
		q += ` AND u.share_id = ?`
		args = append(args, f.ShareID)
	}
	if f.Status != "" {
		q += ` AND u.status = ?`
		args = append(args, f.Status)
	}
	rows, err := c.r.QueryContext(ctx, q+` ORDER BY u.id DESC LIMIT ?`, append(args, f.Limit)...)
	return collect(rows, err, scanUpload)
}

// PhotoUploads lists who uploaded a photo, oldest first.
func (c *Catalog) PhotoUploads(ctx context.Context, photoID int64) ([]Upload, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+uploadCols+uploadFrom+` WHERE u.photo_id = ? ORDER BY u.id`, photoID)
	return collect(rows, err, scanUpload)
}
