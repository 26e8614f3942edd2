package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/media"
	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/filetype"
)

// RedateOptions says where a photo's new capture time comes from: its
// metadata read again (FromMetadata), or a date given by hand (At:
// "1962-07-14", "1962-07", "1962" or an RFC 3339 time).
type RedateOptions struct {
	FromMetadata bool
	At           string
	// KeepManual leaves alone the photos dated by hand (redate --all
	// --from-metadata); a photo named by id is re-read all the same.
	KeepManual bool
	Now        func() time.Time // bounds plausible dates; time.Now when nil
}

// Redated is what Redate did to one photo.
type Redated struct {
	ID               int64  `json:"id"`
	Path             string `json:"path"`
	OldPath          string `json:"old_path,omitempty"` // set when the original moved
	TakenAt          string `json:"taken_at"`
	TakenAtSource    string `json:"taken_at_source"`
	TakenAtPrecision string `json:"taken_at_precision,omitempty"`
	WasTakenAt       string `json:"was_taken_at"`
	WasSource        string `json:"was_taken_at_source"`
	Changed          bool   `json:"changed"` // the capture time changed
	Note             string `json:"note,omitempty"`
	Error            string `json:"error,omitempty"`
}

// ParseRedateAt checks a date given by hand; the error is a sentence for
// the user.
func ParseRedateAt(s string) (capturetime.Candidate, error) {
	c, ok := capturetime.ParseManual(s)
	if !ok {
		return c, fmt.Errorf("%q is not a date: give 1962-07-14, 1962-07, 1962 or an RFC 3339 time such as 1962-07-14T15:30:00+09:00", s)
	}
	return c, nil
}

// RedateAllIDs lists the photos "redate --all" goes through: every photo
// not in the trash.
func (a *Archive) RedateAllIDs(ctx context.Context) ([]int64, error) {
	return a.lib.Catalog.PhotoIDs(ctx)
}

// Redate sets the capture time of each photo, from its metadata read again
// or from opts.At, and with --from-metadata also its title, caption,
// keywords, people and rating. When the date changes, the original (and its
// sidecars) move to the new date's folder. One photo's failure does not
// stop the others: it is reported in its Redated.Error, and the returned
// count of failures is the number of such photos.
func (a *Archive) Redate(ctx context.Context, ids []int64, opts RedateOptions) ([]Redated, int, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var manual capturetime.Candidate
	if !opts.FromMetadata {
		var err error
		if manual, err = ParseRedateAt(opts.At); err != nil {
			return nil, 0, err
		}
		if !capturetime.Plausible(manual.Time, now()) {
			return nil, 0, fmt.Errorf("%s is in the future", opts.At)
		}
	}
	out := make([]Redated, 0, len(ids))
	failed := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, failed, err
		}
		r, err := a.redateOne(ctx, id, opts, manual, now())
		if err != nil {
			r.Error = err.Error()
			failed++
		}
		out = append(out, r)
	}
	return out, failed, nil
}

func (a *Archive) redateOne(ctx context.Context, id int64, opts RedateOptions, manual capturetime.Candidate, now time.Time) (Redated, error) {
	r := Redated{ID: id}
	p, err := a.lib.Catalog.PhotoByID(ctx, id)
	if err != nil {
		return r, err
	}
	r.Path, r.WasTakenAt, r.WasSource = p.Path, p.TakenAt, p.TakenSource
	r.TakenAt, r.TakenAtSource, r.TakenAtPrecision = p.TakenAt, p.TakenSource, p.TakenPrecision
	if p.Offloaded != "" {
		return r, fmt.Errorf("its original is offloaded to %s; bring it back with \"picup fetch %d\" first", p.Offloaded, id)
	}
	c := manual
	var desc *catalog.Described
	if opts.FromMetadata {
		if opts.KeepManual && p.TakenSource == capturetime.SourceManual {
			r.Note = "dated by hand; kept"
			return r, nil
		}
		md, err := a.readMetadata(ctx, p, now)
		if err != nil {
			return r, err
		}
		d := catalog.Described(md.Descriptive)
		desc = &d
		c = capturetime.Candidate{Source: md.TakenSource, Time: md.Taken, OffsetKnown: md.OffsetKnown, Precision: md.TakenPrecision}
		if md.TakenSource == capturetime.SourceMtime || md.TakenSource == "" {
			// The library copy's modification time says nothing the
			// catalog does not know better.
			c = capturetime.Candidate{}
			r.Note = "no date in the metadata; capture time kept"
		}
	}
	err = a.applyTaken(ctx, p, c, desc, &r)
	return r, err
}

// readMetadata reads the original's metadata again, with its .xmp
// sidecars.
func (a *Archive) readMetadata(ctx context.Context, p catalog.Photo, now time.Time) (media.Metadata, error) {
	abs := a.lib.Abs(p.Path)
	f, err := os.Open(abs)
	if err != nil {
		return media.Metadata{}, fmt.Errorf("read %s: %w", p.Path, err)
	}
	h := make([]byte, filetype.HeaderSize)
	n, _ := io.ReadFull(f, h)
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return media.Metadata{}, fmt.Errorf("read %s: %w", p.Path, err)
	}
	ft := filetype.Detect(h[:n], filepath.Base(abs))
	if ft.Kind == filetype.Unknown {
		return media.Metadata{}, fmt.Errorf("%s is not a photo or video", p.Path)
	}
	scs, err := a.lib.Catalog.Sidecars(ctx, p.ID)
	if err != nil {
		return media.Metadata{}, err
	}
	var sidecars []string
	for _, sc := range scs {
		sidecars = append(sidecars, a.lib.Abs(sc.Path))
	}
	md, err := media.Read(abs, ft, fi.ModTime(), now, sidecars...)
	if err != nil && !errors.Is(err, media.ErrCorrupt) {
		return md, err
	}
	return md, nil
}

// redateFault, when set by a test, is called at each step of a move; an
// error it returns fails the step as a crash or a full disk would.
var redateFault func(step string) error

func fault(step string) error {
	if redateFault == nil {
		return nil
	}
	return redateFault(step)
}

// applyTaken records capture time c (none when c.Source is "") and desc
// (when not nil), moving the original and its sidecars when the date
// folder changes.
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
func (a *Archive) applyTaken(ctx context.Context, p catalog.Photo, c capturetime.Candidate, desc *catalog.Described, r *Redated) error {
	var taken catalog.Taken
	newDir := path.Dir(p.Path)
	if c.Source != "" {
		taken.At, taken.Key = capturetime.Format(c.Time, c.OffsetKnown, c.Precision)
		taken.Source, taken.OffsetKnown, taken.Precision = c.Source, c.OffsetKnown, c.Precision
		newDir = library.OriginalDir(c.Time)
		r.Changed = taken.At != p.TakenAt || taken.Source != p.TakenSource || taken.Precision != p.TakenPrecision
	}
	var links []string // new names made, removed again if the commit fails
	var olds []string  // old names, removed after the commit
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		newPath := p.Path
		var moves [][2]string
		if c.Source != "" && newDir != path.Dir(p.Path) {
			scs, err := tx.SidecarsOf(ctx, p.ID)
			if err != nil {
				return err
			}
			newPath, moves, err = a.choosePlace(ctx, tx, p, newDir, scs)
			if err != nil {
				return err
			}
		}
		for _, m := range moves {
			if err := fault("link " + m[0]); err != nil {
				return err
			}
			if err := linkOrCopy(a.lib.Abs(m[0]), a.lib.Abs(m[1])); err != nil {
				return fmt.Errorf("move %s to %s: %w", m[0], m[1], err)
			}
			links = append(links, m[1])
		}
		for _, m := range moves[min(1, len(moves)):] {
			if err := tx.MoveSidecar(ctx, m[0], m[1]); err != nil {
				return err
			}
		}
		if c.Source != "" {
			if err := tx.SetTaken(ctx, p.ID, taken, newPath); err != nil {
				return err
			}
		}
		if desc != nil {
			if err := tx.SetDescribed(ctx, p.ID, *desc); err != nil {
				return err
			}
		}
		if err := fault("commit"); err != nil {
			return err
		}
		// The sidecars' old names go first and the original's last: a
		// crash between leaves the old original, which verify --repair
		// removes as a second copy, and not a lone sidecar.
		for i := len(moves) - 1; i >= 0; i-- {
			olds = append(olds, moves[i][0])
		}
		if newPath != p.Path {
			r.OldPath, r.Path = p.Path, newPath
		}
		return nil
	})
	if err != nil {
		for _, rel := range links {
			os.Remove(a.lib.Abs(rel))
		}
		r.Path, r.OldPath, r.Changed = p.Path, "", false
		return err
	}
	if c.Source != "" {
		r.TakenAt, r.TakenAtSource, r.TakenAtPrecision = taken.At, taken.Source, taken.Precision
	}
	var left []string
	for _, rel := range olds {
		if err := fault("remove " + rel); err != nil {
			left = append(left, rel)
			continue
		}
		if err := os.Remove(a.lib.Abs(rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
			left = append(left, rel)
		}
	}
	if len(olds) > 0 {
		_ = library.SyncDir(a.lib.Abs(path.Dir(p.Path)))
	}
	if len(left) > 0 {
		// The catalog is right; a second copy is left behind.
		r.Note = fmt.Sprintf("moved, but %s could not be removed; \"picup verify --repair\" removes it", strings.Join(left, ", "))
	}
	return nil
}

// choosePlace picks the original's path in dir, with the same name or the
// first free suffixed one (IMG_1_2.JPG) for it and its sidecars, and
// returns the moves: the original first, then each sidecar.
func (a *Archive) choosePlace(ctx context.Context, tx *catalog.Tx, p catalog.Photo, dir string, scs []catalog.Sidecar) (string, [][2]string, error) {
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
			if taken || library.Exists(a.lib.Abs(m[1])) {
				free = false
				break
			}
		}
		if free {
			return moves[0][1], moves, nil
		}
	}
	return "", nil, fmt.Errorf("no free name for %s in %s", name, dir)
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
