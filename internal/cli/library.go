package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/diskspace"
)

// Opening the library for a command, and finding in it what the
// arguments name: photos by id, path or content, and remotes.

// libraryRoot resolves --library, then PICUP_LIBRARY, then the default.
func (e *env) libraryRoot() (string, error) {
	if e.libraryFlag != "" {
		return e.libraryFlag, nil
	}
	if d := os.Getenv("PICUP_LIBRARY"); d != "" {
		return d, nil
	}
	return library.DefaultRoot()
}

// open opens the library (creating it on first use) and finishes whatever
// an interrupted earlier run left behind.
func (e *env) open(ctx context.Context) (*library.Library, error) {
	root, err := e.libraryRoot()
	if err != nil {
		return nil, err
	}
	lib, err := library.Open(ctx, root)
	if err != nil {
		return nil, err
	}
	err = e.fullDiskWarning(lib, importer.Recover(ctx, lib), "what an interrupted import left is recovered by a later command")
	if err == nil {
		err = e.fullDiskWarning(lib, e.maintain(ctx, lib), "the trash is purged and queued jobs run by a later command")
	}
	if err != nil {
		lib.Close()
		return nil, err
	}
	return lib, nil
}

// fullDiskWarning lets a command go on when the housekeeping it starts
// with met a full disk, which reading (or emptying the trash) does not
// need: it warns once on stderr and returns nil. Other errors it returns.
func (e *env) fullDiskWarning(lib *library.Library, err error, later string) error {
	if !diskspace.IsFull(err) {
		return err
	}
	var full *diskspace.FullError
	if !errors.As(err, &full) {
		full = diskspace.Full(lib.Root, err)
	}
	fmt.Fprintf(e.stderr, "warning: %v; %s\n", full, later)
	return nil
}

// maintain does the housekeeping every command starts with (see
// archive.Maintain), saying on stderr what it purged.
func (e *env) maintain(ctx context.Context, lib *library.Library) error {
	purged, err := archive.New(lib).Maintain(ctx, time.Now())
	if purged.Photos > 0 {
		fmt.Fprintln(e.stderr, purged)
	}
	return err
}

// withLibrary opens the library (see env.open), runs fn and closes it.
func withLibrary(ctx context.Context, e *env, fn func(lib *library.Library) error) error {
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()
	return fn(lib)
}

// withArchive runs fn with the operations on the library (see withLibrary).
func withArchive(ctx context.Context, e *env, fn func(a *archive.Archive) error) error {
	return withLibrary(ctx, e, func(lib *library.Library) error { return fn(archive.New(lib)) })
}

// findPhoto finds the photo ref names: an id, a path in the library, or
// a file anywhere with the same content (hashed to find it).
func findPhoto(ctx context.Context, lib *library.Library, ref string) (catalog.Photo, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		p, err := lib.Catalog.PhotoByID(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			return p, noPhotoError([]int64{id})
		}
		return p, err
	}
	rels := []string{filepath.ToSlash(filepath.Clean(ref))}
	if abs, err := filepath.Abs(ref); err == nil {
		if r, ok := lib.Rel(abs); ok {
			rels = append(rels, r)
		}
	}
	for _, rel := range rels {
		if p, err := lib.Catalog.PhotoByPath(ctx, rel); !errors.Is(err, catalog.ErrNotFound) {
			return p, err
		}
	}
	sum, err := library.HashFile(ctx, ref)
	if err != nil {
		return catalog.Photo{}, fmt.Errorf("%q is not a photo id, a path in the library or a readable file: %w", ref, err)
	}
	p, err := lib.Catalog.PhotoBySHA(ctx, sum)
	if errors.Is(err, catalog.ErrNotFound) {
		return p, fmt.Errorf("%s is not in the library; import it with \"picup import %s\"", ref, ref)
	}
	return p, err
}

// photoIDs resolves photo references (ids, library paths, outside files).
func photoIDs(ctx context.Context, lib *library.Library, refs []string) ([]int64, error) {
	ids := make([]int64, 0, len(refs))
	for _, ref := range refs {
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			ids = append(ids, id) // trashed photos are found by id too
			continue
		}
		p, err := findPhoto(ctx, lib, ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// missingIDs are the ids of ids that name no photo, in the trash or not.
func missingIDs(ctx context.Context, lib *library.Library, ids []int64) ([]int64, error) {
	missing, err := lib.Catalog.MissingPhotos(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("look up photos: %w", err)
	}
	return missing, nil
}

// checkPhotoIDs is noPhotoError for the ids of ids that name no photo.
func checkPhotoIDs(ctx context.Context, lib *library.Library, ids []int64) error {
	missing, err := missingIDs(ctx, lib, ids)
	if err != nil {
		return err
	}
	return noPhotoError(missing)
}

// noPhotoError is the error for ids that name no photo (nil for none):
// the same for every command (picup info 99999, rm 99999, trash restore
// 99999), exit 1.
func noPhotoError(missing []int64) error {
	s := make([]string, len(missing))
	for i, id := range missing {
		s[i] = strconv.FormatInt(id, 10)
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("no photo with id %s; see \"picup ls\"", s[0])
	}
	return fmt.Errorf("no photos with ids %s; see \"picup ls\"", strings.Join(s, ", "))
}

// pickRemote is archive.PickRemote, whose error for a remote left
// unnamed among several is a usage error.
func pickRemote(ctx context.Context, a *archive.Archive, name string) (catalog.Remote, error) {
	r, err := a.PickRemote(ctx, name)
	var several *archive.SeveralRemotesError
	if errors.As(err, &several) {
		return r, &UsageError{Err: err}
	}
	return r, err
}
