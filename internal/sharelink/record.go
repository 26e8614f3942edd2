package sharelink

import (
	"time"

	"github.com/picup/picup/internal/catalog"
)

// Record is a share link as "picup share ls --json" lists it; its JSON
// field names are a documented interface (docs/cli.md). Times are RFC
// 3339 UTC, null when there is none.
type Record struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Album     *string `json:"album"`  // album shares
	Year      *int    `json:"year"`   // year shares
	Photos    *int64  `json:"photos"` // selection shares: how many photos
	Opens     string  `json:"opens"`  // in words: album "Family", photos of 2024, 3 photos
	BindIP    bool    `json:"bind_ip"`
	State     string  `json:"state"` // see State
	ExpiresAt *string `json:"expires_at"`
	RevokedAt *string `json:"revoked_at"`
	Download  bool    `json:"download"`
	Password  bool    `json:"password"`
	// PasswordLocked: the link came back from a catalog snapshot without
	// its password and opens for no one until "picup share password".
	PasswordLocked bool    `json:"password_locked"`
	Views          int64   `json:"views"`
	LastOpenedAt   *string `json:"last_opened_at"`
	CreatedAt      string  `json:"created_at"`
	// What guests did through it, and whose space their uploads use
	// (null: the link takes no uploads).
	Hearts   int     `json:"hearts"`
	Comments int     `json:"comments"`
	Uploads  int     `json:"uploads"`
	UploadAs *string `json:"upload_as"`
}

// RecordOf describes a share as it stands at now, with what guests did
// through it.
func RecordOf(s catalog.Share, guests catalog.ShareCounts, now time.Time) Record {
	r := Record{ID: s.ID, Name: s.Name, Opens: s.Scope(), BindIP: s.BindIP, State: State(s, now),
		ExpiresAt: nullTime(s.ExpiresAt), RevokedAt: nullTime(s.RevokedAt), Download: s.Download,
		Password: s.PasswordHash != "", PasswordLocked: s.PasswordHash == catalog.PasswordLocked, Views: s.Views, LastOpenedAt: nullTime(s.LastOpenedAt), CreatedAt: catalog.FormatTime(s.CreatedAt)}
	r.Hearts, r.Comments, r.Uploads = guests.Hearts, guests.Comments, guests.Uploads
	if s.UploadUserID != 0 {
		r.UploadAs = &s.UploadUser
	}
	switch {
	case s.AlbumID != 0:
		r.Album = &s.AlbumName
	case s.Year != 0:
		r.Year = &s.Year
	default:
		r.Photos = &s.Photos
	}
	return r
}

// State says whether a share can be opened at now: "active", "expired"
// or "revoked".
func State(s catalog.Share, now time.Time) string {
	switch {
	case !s.RevokedAt.IsZero():
		return "revoked"
	case s.Expired(now):
		return "expired"
	}
	return "active"
}

// nullTime is t as the catalog writes it, nil (JSON null) for the zero
// time.
func nullTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := catalog.FormatTime(t)
	return &s
}
