// Package sharelink makes share links: a fresh secret token, the share
// row that stores only the token's hash, and the URL people open.
package sharelink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/period"
)

// PublicURLSetting holds the base URL links start with; "picup serve
// --public-url" sets it.
const PublicURLSetting = "serve.public_url"

// DefaultPublicURL is the base URL when none was set.
const DefaultPublicURL = "http://127.0.0.1:8080"

// Spec says what a new link opens (exactly one of Album, PhotoIDs and
// Year) and how.
type Spec struct {
	Name         string
	Album        string
	PhotoIDs     []int64
	Year         int
	Expires      time.Time // the zero time: it never expires
	Download     bool
	BindIP       bool
	PasswordHash string // from HashPassword; "" for no password
	PublicURL    string // base of the URL; "" for the saved one or the default

	// What guests may do through the link.
	UploadAs     string // guests may upload, owned by and charged to this user; "" for no uploads
	UploadReview bool   // uploads wait for approval before they join the album
	UploadMax    int64  // bytes per uploaded file; 0 for the default
	NoComments   bool
	NoHearts     bool
}

// Link is a share just made. URL holds the token: it can be shown only now.
type Link struct {
	ID        int64
	URL       string
	ExpiresAt time.Time // zero when it never expires
	Scope     string    // what it opens, in words (catalog.Share.Scope)
	Empty     bool      // it opens no photo (yet): see EmptyWarning

	album string // the album it opens, or
	year  int    // the year
}

// CheckPublicURL accepts an absolute http(s) URL and returns it without a
// trailing slash.
func CheckPublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL %q: want an absolute http:// or https:// URL such as https://photos.example.org", s)
	}
	return strings.TrimRight(s, "/"), nil
}

// BaseURL is the base of links: the URL saved by "picup serve
// --public-url", else DefaultPublicURL.
func BaseURL(ctx context.Context, lib *library.Library) (string, error) {
	v, err := lib.Catalog.Setting(ctx, PublicURLSetting)
	if err != nil || v == "" {
		return DefaultPublicURL, err
	}
	return v, nil
}

// ExpiresIn reads how long a new link works, as people type it: a
// duration (pkg/period's grammar: 30d, 12h, 90min) or "never". It returns
// the expiry, in UTC to the second, counted from now; the zero time for
// never.
func ExpiresIn(s string, now time.Time) (time.Time, error) {
	if strings.EqualFold(strings.TrimSpace(s), "never") {
		return time.Time{}, nil
	}
	d, err := period.Parse(s)
	if err != nil {
		return time.Time{}, fmt.Errorf(`%w, or "never"`, err)
	}
	if d <= 0 {
		return time.Time{}, fmt.Errorf(`expiry %s: must be longer than zero (or "never")`, s)
	}
	return now.Add(d).UTC().Truncate(time.Second), nil
}

// Check says what is wrong with a spec before anything is stored: it
// must open exactly one thing, photo ids must be ids, a year a year.
func (s Spec) Check() error {
	scopes := 0
	for _, set := range []bool{s.Album != "", len(s.PhotoIDs) > 0, s.Year != 0} {
		if set {
			scopes++
		}
	}
	if scopes != 1 {
		return fmt.Errorf("say what to share, one of them: an album, photos or a year; got %d of them", scopes)
	}
	for _, id := range s.PhotoIDs {
		if id <= 0 {
			return fmt.Errorf("%d is not a photo id; see \"picup ls\"", id)
		}
	}
	if s.Year != 0 && (s.Year < 1800 || s.Year > 9999) {
		return fmt.Errorf("year %d: want a year such as 2024", s.Year)
	}
	return s.CheckGuests()
}

// CheckGuests checks what the spec lets guests do.
func (s Spec) CheckGuests() error {
	if s.UploadAs == "" && (s.UploadReview || s.UploadMax != 0) {
		return errors.New("--upload-review and --upload-max go with --upload-as NAME (the user whose space uploads use)")
	}
	if s.UploadAs != "" && s.Album == "" {
		return errors.New("--upload-as: uploads join an album, so only an album link takes them (picup share ALBUM --upload-as NAME)")
	}
	if s.UploadMax < 0 {
		return errors.New("--upload-max: want a size such as 500MB or 4GB")
	}
	return nil
}

// Create stores a new share and returns its link.
func Create(ctx context.Context, lib *library.Library, s Spec) (Link, error) {
	if err := s.Check(); err != nil {
		return Link{}, err
	}
	base := s.PublicURL
	var err error
	if base == "" {
		base, err = BaseURL(ctx, lib)
	} else {
		base, err = CheckPublicURL(base)
	}
	if err != nil {
		return Link{}, err
	}
	token := NewToken()
	var sh catalog.Share
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		row := catalog.Share{
			TokenHash: catalog.HashToken(token), Name: s.Name, Year: s.Year, ExpiresAt: s.Expires,
			Download: s.Download, BindIP: s.BindIP, PasswordHash: s.PasswordHash,
			UploadReview: s.UploadReview, UploadMax: s.UploadMax, NoComments: s.NoComments, NoHearts: s.NoHearts,
		}
		if s.UploadAs != "" {
			u, err := tx.UserByName(ctx, s.UploadAs)
			if err != nil {
				return fmt.Errorf("--upload-as %s: %w", s.UploadAs, err)
			}
			row.UploadUserID = u.ID
		}
		if s.Album != "" {
			id, err := tx.AlbumID(ctx, s.Album)
			if err != nil {
				return err
			}
			row.AlbumID = id
		}
		id, err := tx.CreateShare(ctx, row, s.PhotoIDs)
		if err != nil {
			return err
		}
		sh, err = tx.ShareByID(ctx, id)
		return err
	})
	if err != nil {
		return Link{}, err
	}
	first, err := lib.Catalog.SharePhotos(ctx, sh, nil, 1)
	if err != nil {
		return Link{}, err
	}
	return Link{ID: sh.ID, URL: base + "/s/" + token, ExpiresAt: sh.ExpiresAt, Scope: sh.Scope(), Empty: len(first) == 0,
		album: sh.AlbumName, year: sh.Year}, nil
}

// EmptyWarning is what to tell whoever made a link that opens no photo
// (yet), with how to fill it; "" when it opens some.
func (l Link) EmptyWarning() string {
	switch {
	case !l.Empty:
		return ""
	case l.album != "":
		return fmt.Sprintf("album %q has no photos yet: the link opens an empty page until you add some "+
			"(picup album add %q ID..., or picup import --album %q FOLDER)", l.album, l.album, l.album)
	case l.year != 0:
		return fmt.Sprintf("no photo in the library was taken in %d: the link opens an empty page; is the year right? "+
			"(picup ls shows when photos were taken)", l.year)
	}
	return "none of the photos is in the library any more: the link opens an empty page"
}
