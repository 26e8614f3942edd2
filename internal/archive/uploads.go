package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
)

// DefaultUploadMax is the largest file a link takes when it was made
// without --upload-max.
const DefaultUploadMax int64 = 4 << 30

// UploadMax is the largest file the link takes, 0 when it takes none.
func UploadMax(s catalog.Share) int64 {
	switch {
	case s.UploadUserID == 0:
		return 0
	case s.UploadMax > 0:
		return s.UploadMax
	}
	return DefaultUploadMax
}

// QuotaFullError is an upload that does not fit in the space of the user
// it would be charged to.
type QuotaFullError struct {
	User   string
	Used   int64 // used and reserved by imports in flight
	Quota  int64
	Need   int64
	Keeper string // the library's first user, who can make room
}

func (e *QuotaFullError) Error() string {
	return fmt.Sprintf("%s's space is full: %d of %d bytes used, the file needs %d", e.User, e.Used, e.Quota, e.Need)
}

func (e *QuotaFullError) Unwrap() error { return catalog.ErrQuota }

// TooLargeError is an upload larger than the link takes.
type TooLargeError struct{ Size, Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the file has %d bytes; this link takes files of %d bytes at most", e.Size, e.Max)
}

// CheckUpload says before any byte is sent whether the guest may upload a
// file of size bytes through the link: it takes uploads, the file is not
// larger than it allows, and it fits in the owner's space now (the import
// reserves the space for good when the file has arrived).
func (a *Archive) CheckUpload(ctx context.Context, g Guest, size int64) error {
	if g.Name == "" || g.Device == "" {
		return ErrNoName
	}
	maxSize := UploadMax(g.Share)
	if maxSize == 0 {
		return ErrNotAllowed
	}
	if size > maxSize {
		return &TooLargeError{Size: size, Max: maxSize}
	}
	return a.fits(ctx, g.Share.UploadUser, size)
}

// fits returns a *QuotaFullError when size more bytes do not fit in the
// user's quota.
func (a *Archive) fits(ctx context.Context, user string, size int64) error {
	u, err := a.lib.Catalog.UserByName(ctx, user)
	if err != nil {
		return err
	}
	if u.QuotaBytes == nil || u.UsedBytes+u.ReservedBytes+size <= *u.QuotaBytes {
		return nil
	}
	qe, err := a.quotaFull(ctx, u, size)
	if err != nil {
		return err
	}
	return qe
}

// quotaFull describes the space of user u, which lacks room for need
// more bytes.
func (a *Archive) quotaFull(ctx context.Context, u catalog.User, need int64) (*QuotaFullError, error) {
	keeper, err := a.lib.Catalog.FirstUser(ctx)
	if err != nil {
		return nil, err
	}
	e := &QuotaFullError{User: u.Name, Used: u.UsedBytes + u.ReservedBytes, Need: need, Keeper: keeper.Name}
	if u.QuotaBytes != nil {
		e.Quota = *u.QuotaBytes
	}
	return e, nil
}

// UploadedFile is a file a guest has finished sending.
type UploadedFile struct {
	TusID    string // the resumable upload's id
	Path     string // where its bytes are
	FileName string // the name it had on the guest's device
}

// ImportUpload imports a file a guest uploaded through the link, as
// "picup import" would: owned by and charged to the link's upload user,
// into its album (or waiting for approval on a review link). Whatever
// happens is recorded, once per upload: a second call with the same tus
// id returns the first result. A file that was refused (over quota, not a
// photo or video) stores nothing; the Upload says why.
func (a *Archive) ImportUpload(ctx context.Context, g Guest, f UploadedFile) (catalog.Upload, error) {
	if u, err := a.lib.Catalog.UploadByTusID(ctx, f.TusID); err == nil || !errors.Is(err, catalog.ErrNotFound) {
		return u, err
	}
	if UploadMax(g.Share) == 0 || g.Share.AlbumID == 0 {
		return catalog.Upload{}, ErrNotAllowed
	}
	if g.Name == "" {
		return catalog.Upload{}, ErrNoName
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		return catalog.Upload{}, fmt.Errorf("uploaded file: %w", err)
	}
	up := catalog.Upload{TusID: f.TusID, ShareID: g.Share.ID, UserID: g.Share.UploadUserID, Device: g.Device, Name: g.Name,
		FileName: SafeFileName(f.FileName), Bytes: fi.Size()}

	// The importer names the stored original after its input: give it
	// the name from the guest's device, a link in a scratch directory of
	// this process, which the next command removes if the process dies.
	run, err := a.lib.StartRun()
	if err != nil {
		return up, fmt.Errorf("uploaded file: %w", err)
	}
	defer run.Close()
	in := filepath.Join(run.Dir, "upload", up.FileName)
	if err := os.Mkdir(filepath.Dir(in), 0o755); err != nil {
		return up, fmt.Errorf("uploaded file: %w", err)
	}
	if err := os.Link(f.Path, in); err != nil {
		return up, fmt.Errorf("uploaded file: %w", err)
	}
	opts := importer.Options{Jobs: 1, User: g.Share.UploadUser, LinkSources: true,
		AddedBy: catalog.Actor{Name: g.Name, ShareID: g.Share.ID, Device: g.Device}}
	if !g.Share.UploadReview {
		opts.Album = g.Share.AlbumName
	}
	sum, err := importer.Run(ctx, a.lib, []string{in}, opts)
	if err != nil {
		return up, err
	}
	switch {
	case len(sum.Stored) == 1:
		up.PhotoID, up.NewPhoto, up.Status = sum.Stored[0].PhotoID, true, catalog.UploadAdded
		if g.Share.UploadReview {
			up.Status = catalog.UploadPending
		}
	case len(sum.DuplicateOf) == 1 && sum.DuplicateOf[0].PhotoID != nil: // never a dry run here
		up.PhotoID, up.Status = *sum.DuplicateOf[0].PhotoID, catalog.UploadDuplicate
	case len(sum.Failures) == 1 && errors.Is(sum.Failures[0].Err, catalog.ErrQuota):
		up.Status, up.Reason = catalog.UploadRefused, RefusedQuota
	case sum.Skipped == 1 || len(sum.Failures) == 1:
		up.Status, up.Reason = catalog.UploadRefused, RefusedNotMedia
		if len(sum.Failures) == 1 && !isContentFailure(sum.Failures[0].Err) {
			// Not the file's fault (a full disk, an I/O error): nothing
			// is recorded, so that the guest can try again.
			return up, fmt.Errorf("import upload: %w", sum.Failures[0].Err)
		}
	default:
		return up, fmt.Errorf("import upload: %s", sum.Stopped)
	}
	err = a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		up.ID, err = tx.InsertUpload(ctx, up)
		return err
	})
	return up, err
}

// Reasons an upload was refused.
const (
	RefusedQuota    = "quota"     // the owner's space is full
	RefusedNotMedia = "not-media" // the content is not a photo or video the archive takes
)

// isContentFailure reports whether an import failed because of the
// file's content (not a photo, damaged), not because of the machine.
func isContentFailure(err error) bool {
	return err != nil && !errors.Is(err, os.ErrPermission) && !errors.Is(err, context.Canceled) &&
		!strings.Contains(err.Error(), "no space left")
}

// SafeFileName keeps the last element of a name a device sent, without
// path separators, control characters or a leading dot, at most 120
// bytes of valid UTF-8 ("upload" when nothing is left).
func SafeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = name[strings.LastIndex(name, "/")+1:]
	name = strings.TrimLeft(cleanText(name, false), ". ")
	if len(name) > 120 {
		ext := filepath.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:120-len(ext)]
		for !utf8.ValidString(base) { // cut inside a rune: drop its start
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	if strings.TrimSpace(name) == "" {
		return "upload"
	}
	return name
}

// QuotaOf returns the space of the user an upload was charged to, for the
// words of a quota refusal.
func (a *Archive) QuotaOf(ctx context.Context, user string, need int64) (*QuotaFullError, error) {
	u, err := a.lib.Catalog.UserByName(ctx, user)
	if err != nil {
		return nil, err
	}
	return a.quotaFull(ctx, u, need)
}

// ApproveUploads lets pending uploads join their album and says how many
// did.
func (a *Archive) ApproveUploads(ctx context.Context, ids []int64, now time.Time) (int, error) {
	return a.decide(ctx, ids, now, true)
}

// RejectUploads turns pending uploads away: they never join the album,
// and a photo the upload stored that is in no album goes to the trash.
func (a *Archive) RejectUploads(ctx context.Context, ids []int64, now time.Time) (int, error) {
	return a.decide(ctx, ids, now, false)
}

func (a *Archive) decide(ctx context.Context, ids []int64, now time.Time, approve bool) (int, error) {
	return a.count(ctx, func(tx *catalog.Tx) (int, error) {
		for _, id := range ids {
			u, err := tx.UploadByID(ctx, id)
			if err != nil {
				return 0, err
			}
			if u.Status != catalog.UploadPending {
				return 0, fmt.Errorf("upload %d is %s, not waiting for approval; see \"picup uploads ls\"", id, u.Status)
			}
			if u.PhotoID == 0 {
				return 0, fmt.Errorf("upload %d: its photo is no longer in the library", id)
			}
			status := catalog.UploadRejected
			if approve {
				status = catalog.UploadAdded
				sh, err := tx.ShareByID(ctx, u.ShareID)
				if err != nil {
					return 0, fmt.Errorf("upload %d: its link is gone, so is its album: %w", id, err)
				}
				if _, err := tx.AddToAlbum(ctx, sh.AlbumID, u.PhotoID, catalog.Actor{Name: u.Name, ShareID: u.ShareID, Device: u.Device}); err != nil {
					return 0, err
				}
			} else if u.NewPhoto {
				if _, err := tx.TrashIfUnfiled(ctx, u.PhotoID); err != nil {
					return 0, err
				}
			}
			if err := tx.SetUploadStatus(ctx, id, status, now); err != nil {
				return 0, err
			}
		}
		return len(ids), nil
	})
}
