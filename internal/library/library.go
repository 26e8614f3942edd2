// Package library knows the on-disk layout of a picup library: the catalog
// file, the readable tree of originals, the content-addressed thumbnails and
// the per-process scratch directories, and how files get there atomically.
package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/diskspace"
)

// Layout names, relative to the library root.
const (
	CatalogFile  = "catalog.db"
	OriginalsDir = "originals"
	ThumbsDir    = "thumbs"
	TmpDir       = "tmp"
)

// Library is an open library.
type Library struct {
	Root    string
	Catalog *catalog.Catalog
}

// DefaultRoot is where the library lives when neither --library nor
// PICUP_LIBRARY says: the user's data directory.
func DefaultRoot() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		return filepath.Join(d, "picup"), nil
	}
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "picup"), nil
		}
	case "darwin":
		if err == nil {
			return filepath.Join(home, "Library", "Application Support", "picup"), nil
		}
	default:
		if err == nil {
			return filepath.Join(home, ".local", "share", "picup"), nil
		}
	}
	return "", fmt.Errorf("cannot find a data directory for the library (%v); pass --library DIR or set PICUP_LIBRARY", err)
}

// Open opens the library at root, creating its directories and catalog on
// first use.
func Open(ctx context.Context, root string) (*Library, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", root, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("library %s is a file, not a directory; pass --library with a directory", abs)
	}
	// A new library is its owner's alone: the catalog holds password
	// hashes and the family's names, the key file the signing key.
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create library %s: %w", abs, err)
	}
	for _, d := range []string{OriginalsDir, ThumbsDir, TmpDir} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o755); err != nil {
			return nil, fmt.Errorf("create library %s: %w", abs, err)
		}
	}
	cat, err := catalog.Open(ctx, filepath.Join(abs, CatalogFile))
	if diskspace.IsFull(err) {
		return nil, fmt.Errorf("cannot open the library: %w", diskspace.Full(abs, err))
	} else if err != nil {
		return nil, err
	}
	if err := cat.EnsureFirstUser(ctx, DefaultUserName()); err != nil {
		cat.Close()
		return nil, fmt.Errorf("library %s: create the first user: %w", abs, err)
	}
	return &Library{Root: abs, Catalog: cat}, nil
}

// DefaultUserName names a new library's first user: the operating system
// account that creates it.
func DefaultUserName() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:] // DOMAIN\name on Windows
	}
	if name == "" {
		name = "me"
	}
	return name
}

// Close closes the catalog.
func (l *Library) Close() error { return l.Catalog.Close() }

// Abs turns a library-relative slash path into an absolute OS path.
func (l *Library) Abs(rel string) string {
	return filepath.Join(l.Root, filepath.FromSlash(rel))
}

// Rel turns an absolute path inside the library into a relative slash path;
// ok is false when the path is outside the library.
func (l *Library) Rel(abs string) (string, bool) {
	r, err := filepath.Rel(l.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// OriginalDir is the readable directory for a capture date:
// originals/2024/2024-05-03.
func OriginalDir(taken time.Time) string {
	return path.Join(OriginalsDir, taken.Format("2006"), taken.Format("2006-01-02"))
}

// ThumbPath is where the thumbnail of a given size of the content with this
// hash lives: thumbs/ab/abcdef…-grid.jpg.
func ThumbPath(sha string, size thumb.SizeName) string {
	if hexDigits(sha) && !strings.Contains(string(size), "/") {
		// What path.Join makes of these, in one allocation: the
		// viewer's media route asks for every thumbnail it serves.
		return ThumbsDir + "/" + sha[:2] + "/" + sha + "-" + string(size) + ".jpg"
	}
	return path.Join(ThumbsDir, sha[:2], sha+"-"+string(size)+".jpg")
}

// hexDigits reports whether s is two or more lowercase hex digits.
func hexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return len(s) >= 2
}

// Candidate returns the n-th name tried for an original: the name itself
// first, then IMG_1234_2.JPG, IMG_1234_3.JPG …
func Candidate(name string, n int) string {
	if n <= 1 {
		return name
	}
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s_%d%s", strings.TrimSuffix(name, ext), n, ext)
}

// Exists reports whether a path exists (errors other than not-exist count as
// existing, so that nothing is overwritten on doubt).
func Exists(p string) bool {
	_, err := os.Lstat(p)
	return !errors.Is(err, os.ErrNotExist)
}
