package redate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Result is what Apply did to a photo.
type Result struct {
	Path    string        // where the original is now
	OldPath string        // where it was, when it moved
	Taken   catalog.Taken // the capture time recorded; the photo's own when c had none
	Changed bool          // the capture time changed
	Note    string        // what went half right: an old name left behind
}

// fault, when set by a test, is called at each step of a move; an error
// it returns fails the step as a crash or a full disk would.
var fault func(step string) error

func failAt(step string) error {
	if fault == nil {
		return nil
	}
	return fault(step)
}

// Apply records change c of photo p, moving the original and its sidecars
// to the folder of the new date when it is another.
//
// A move never leaves the catalog naming a file that is not there: the
// original (and each sidecar) is first linked (or, where links are not
// possible, copied and synced) under its new name; the catalog then
// records the new path in one transaction; only after the commit does the
// old name go. A crash in between leaves a second name of the same bytes,
// which "picup verify --repair" removes (a file whose content is stored
// elsewhere), and a failed commit removes the new names at once. The old
// sidecars are removed before the old original, so that a crash leaves no
// sidecar without its original beside it.
func Apply(ctx context.Context, lib *library.Library, p catalog.Photo, c Change) (Result, error) {
	r := Result{Path: p.Path, Taken: catalog.Taken{At: p.TakenAt, Key: p.TakenKey, Source: p.TakenSource, OffsetKnown: p.OffsetKnown, Precision: p.TakenPrecision}}
	var taken catalog.Taken
	newDir := path.Dir(p.Path)
	if c.Taken.Source != "" {
		taken = c.taken()
		newDir = library.OriginalDir(c.Taken.Time)
	}
	var links []string // new names made, removed again if the commit fails
	var olds []string  // old names, removed after the commit
	newPath := p.Path
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		newPath = p.Path
		var moves [][2]string
		if newDir != path.Dir(p.Path) {
			scs, err := tx.SidecarsOf(ctx, p.ID)
			if err != nil {
				return err
			}
			newPath, moves, err = choosePlace(ctx, lib, tx, p, newDir, scs)
			if err != nil {
				return err
			}
		}
		for _, m := range moves {
			if err := failAt("link " + m[0]); err != nil {
				return err
			}
			if err := linkOrCopy(lib.Abs(m[0]), lib.Abs(m[1])); err != nil {
				return fmt.Errorf("move %s to %s: %w", m[0], m[1], err)
			}
			links = append(links, m[1])
		}
		for _, m := range moves[min(1, len(moves)):] {
			if err := tx.MoveSidecar(ctx, m[0], m[1]); err != nil {
				return err
			}
		}
		if err := record(ctx, tx, p.ID, c, taken, newPath); err != nil {
			return err
		}
		if err := failAt("commit"); err != nil {
			return err
		}
		// The sidecars' old names go first and the original's last: a
		// crash between leaves the old original, which verify --repair
		// removes as a second copy, and not a lone sidecar.
		for i := len(moves) - 1; i >= 0; i-- {
			olds = append(olds, moves[i][0])
		}
		return nil
	})
	if err != nil {
		for _, rel := range links {
			os.Remove(lib.Abs(rel))
		}
		return r, err
	}
	if c.Taken.Source != "" {
		r.Changed = taken.At != p.TakenAt || taken.Source != p.TakenSource || taken.Precision != p.TakenPrecision
		r.Taken = taken
	}
	if newPath != p.Path {
		r.OldPath, r.Path = p.Path, newPath
	}
	var left []string
	for _, rel := range olds {
		if err := failAt("remove " + rel); err != nil {
			left = append(left, rel)
			continue
		}
		if err := os.Remove(lib.Abs(rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
			left = append(left, rel)
		}
	}
	if len(olds) > 0 {
		_ = library.SyncDir(lib.Abs(path.Dir(p.Path)))
	}
	if len(left) > 0 {
		// The catalog is right; a second copy is left behind.
		r.Note = fmt.Sprintf("moved, but %s could not be removed; \"picup verify --repair\" removes it", strings.Join(left, ", "))
	}
	return r, nil
}

// record writes change c of photo id inside tx, with the original at
// path.
func record(ctx context.Context, tx *catalog.Tx, id int64, c Change, taken catalog.Taken, path string) error {
	if c.Taken.Source != "" {
		if err := tx.SetTaken(ctx, id, taken, path); err != nil {
			return err
		}
	}
	if c.Described != nil {
		if err := tx.SetDescribed(ctx, id, *c.Described); err != nil {
			return err
		}
	}
	if pos := c.Position; pos != nil {
		if err := tx.SetPosition(ctx, id, pos.Lat, pos.Lon); err != nil {
			return err
		}
		if err := tx.SetPlace(ctx, id, pos.Place); err != nil {
			return err
		}
	}
	return nil
}

// choosePlace picks the original's path in dir, with the same name or the
// first free suffixed one (IMG_1_2.JPG) for it and its sidecars, and
// returns the moves: the original first, then each sidecar.
func choosePlace(ctx context.Context, lib *library.Library, tx *catalog.Tx, p catalog.Photo, dir string, scs []catalog.Sidecar) (string, [][2]string, error) {
	name := path.Base(p.Path)
	for n := 1; n < 10000; n++ {
		cand := library.Candidate(name, n)
		moves := [][2]string{{p.Path, path.Join(dir, cand)}}
		for _, sc := range scs {
			moves = append(moves, [2]string{sc.Path, path.Join(dir, sidecarBeside(path.Base(sc.Path), name, cand))})
		}
		free := true
		for _, m := range moves {
			taken, err := tx.PathTaken(ctx, m[1])
			if err != nil {
				return "", nil, err
			}
			if taken || library.Exists(lib.Abs(m[1])) {
				free = false
				break
			}
		}
		if free {
			return moves[0][1], moves, nil
		}
	}
	return "", nil, fmt.Errorf("no free name for %s in %s: move some of its files out of the library", name, dir)
}

// sidecarBeside is a sidecar's name beside an original renamed from
// oldName to newName: IMG_1.xmp beside IMG_1_2.JPG, IMG_1.JPG.xmp beside
// IMG_1_2.JPG.xmp.
func sidecarBeside(sidecar, oldName, newName string) string {
	if strings.HasPrefix(strings.ToLower(sidecar), strings.ToLower(oldName)+".") {
		return newName + sidecar[len(oldName):]
	}
	return strings.TrimSuffix(newName, path.Ext(newName)) + path.Ext(sidecar)
}

// linkOrCopy gives the file at src a second name dst (a new file; an
// existing dst is an error), by a hard link, or by a synced copy where
// links are not possible; dst's directory is synced.
func linkOrCopy(src, dst string) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Link(src, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		if err := copyFile(src, dst); err != nil {
			return err
		}
	}
	return library.SyncDir(dir)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return err
	}
	if fi, err := in.Stat(); err == nil {
		_ = os.Chtimes(dst, fi.ModTime(), fi.ModTime())
	}
	return nil
}
