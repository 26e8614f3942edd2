package importer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// intent is written into the scratch dir, inside the write transaction and
// before any file is renamed into the library. If the process dies before
// the commit, the next run reads it (Recover) and either adopts the files
// that reached the library or removes them: nothing is left half-done.
type intent struct {
	Photo    catalog.Photo             `json:"photo"`
	Sidecars []intentSidecar           `json:"sidecars"`
	Thumbs   map[thumb.SizeName]string `json:"thumbs"` // size -> library-relative path
	Source   catalog.Source            `json:"source"`
	AlbumID  int64                     `json:"album_id"`
	AddedBy  catalog.Actor             `json:"added_by"` // who adds it to the album
	UserID   int64                     `json:"user_id"`
	// Reservation becomes ownership in the commit (OwnReserved), also
	// when a later run adopts the files after a crash.
	Reservation int64 `json:"reservation"`
	// PHash is the grid thumbnail's perceptual hash, stored with the
	// photo; nil for a picture too plain to hash, or a placeholder, and in
	// an intent written before hashes were made.
	PHash *uint64 `json:"phash,omitempty"`
}

type intentSidecar struct {
	Path   string `json:"path"` // library-relative
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func randomName() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sidecarName is the sidecar's name beside an original renamed from
// origName to newName: IMG_1.XMP beside IMG_1_2.JPG, IMG_1.JPG.xmp beside
// IMG_1_2.JPG.xmp.
func sidecarName(sidecar, origName, newName string) string {
	base := filepath.Base(sidecar)
	if strings.EqualFold(strings.TrimSuffix(base, filepath.Ext(base)), origName) {
		return newName + filepath.Ext(base)
	}
	return strings.TrimSuffix(newName, filepath.Ext(newName)) + filepath.Ext(base)
}

// commit moves a prepared file into the library and records it, in one
// write transaction. dup is true when another process stored the same
// bytes first; the returned photo is then that one.
func (im *Importer) commit(ctx context.Context, prep *prepared) (p catalog.Photo, dup bool, err error) {
	if err := ctx.Err(); err != nil {
		return p, false, err
	}
	intentFile := filepath.Join(im.run.Dir, "intent-"+prep.photo.SHA256+".json")
	err = im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if existing, err := tx.PhotoBySHA(ctx, prep.photo.SHA256); err == nil {
			p, dup = existing, true
			return tx.PutSource(ctx, prep.source)
		} else if !errors.Is(err, catalog.ErrNotFound) {
			return err
		}
		in, err := im.choosePaths(ctx, tx, prep)
		if err != nil {
			return err
		}
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		// Not fsynced: the intent serves a process that dies (the page
		// cache outlives it). After a power cut, the files it named
		// are found by "picup verify --repair" instead.
		if err := os.WriteFile(intentFile, data, 0o644); err != nil {
			return fmt.Errorf("write intent: %w", err)
		}
		if err := im.place(prep, in); err != nil {
			return err
		}
		p, err = insertIntent(ctx, tx, in)
		return err
	})
	if err != nil {
		if !dup {
			im.unplace(prep, intentFile)
		}
		return p, false, err
	}
	os.Remove(intentFile)
	return p, dup, nil
}

// choosePaths picks the original's path under originals/YYYY/YYYY-MM-DD,
// adding a suffix when the name (or one of its sidecars' names) is taken.
func (im *Importer) choosePaths(ctx context.Context, tx *catalog.Tx, prep *prepared) (intent, error) {
	dir := library.OriginalDir(prep.taken)
	name := prep.photo.OriginalName
	for n := 1; n < 10000; n++ {
		cand := library.Candidate(name, n)
		rel := path.Join(dir, cand)
		free, err := im.pathFree(ctx, tx, rel)
		if err != nil {
			return intent{}, err
		}
		var scs []intentSidecar
		for _, sc := range prep.sidecars {
			srel := path.Join(dir, sidecarName(sc.src, name, cand))
			ok, err := im.pathFree(ctx, tx, srel)
			if err != nil {
				return intent{}, err
			}
			free = free && ok
			scs = append(scs, intentSidecar{Path: srel, Bytes: sc.bytes, SHA256: sc.sha})
		}
		if !free {
			continue
		}
		p := prep.photo
		p.Path = rel
		p.ImportedAt = catalog.Now()
		thumbs := map[thumb.SizeName]string{}
		for size := range prep.thumbs {
			thumbs[size] = library.ThumbPath(p.SHA256, size)
		}
		return intent{Photo: p, Sidecars: scs, Thumbs: thumbs, Source: prep.source, AlbumID: im.albumID, AddedBy: im.opts.AddedBy, PHash: prep.phash,
			UserID: im.userID, Reservation: prep.reservation}, nil
	}
	return intent{}, fmt.Errorf("no free name for %s in %s", name, dir)
}

func (im *Importer) pathFree(ctx context.Context, tx *catalog.Tx, rel string) (bool, error) {
	taken, err := tx.PathTaken(ctx, rel)
	if err != nil || taken {
		return false, err
	}
	return !library.Exists(im.lib.Abs(rel)), nil
}

// place renames thumbnails, sidecars and finally the original into the
// library.
func (im *Importer) place(prep *prepared, in intent) error {
	for size, tmp := range prep.thumbs {
		dst := im.lib.Abs(in.Thumbs[size])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		// Thumbnails are content-addressed: replacing a leftover is safe.
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("place thumbnail: %w", err)
		}
	}
	for i, sc := range prep.sidecars {
		if err := library.MoveIntoPlace(sc.tmp, im.lib.Abs(in.Sidecars[i].Path)); err != nil {
			return fmt.Errorf("place sidecar: %w", err)
		}
	}
	if err := library.MoveIntoPlace(prep.tmp, im.lib.Abs(in.Photo.Path)); err != nil {
		return fmt.Errorf("place original: %w", err)
	}
	return nil
}

// unplace moves placed files back out of the library after a failed
// commit, so that no file stays without its catalog row.
func (im *Importer) unplace(prep *prepared, intentFile string) {
	data, err := os.ReadFile(intentFile)
	if err != nil {
		return
	}
	var in intent
	if json.Unmarshal(data, &in) != nil {
		return
	}
	// A file that cannot be moved back is found by "picup verify".
	_ = os.Rename(im.lib.Abs(in.Photo.Path), prep.tmp)
	for i, sc := range prep.sidecars {
		_ = os.Rename(im.lib.Abs(in.Sidecars[i].Path), sc.tmp)
	}
	for _, rel := range in.Thumbs {
		os.Remove(im.lib.Abs(rel))
	}
	os.Remove(intentFile)
}

// insertIntent writes the catalog rows an intent describes.
func insertIntent(ctx context.Context, tx *catalog.Tx, in intent) (catalog.Photo, error) {
	p := in.Photo
	id, err := tx.InsertPhoto(ctx, p)
	if err != nil {
		return p, err
	}
	p.ID = id
	if in.PHash != nil { // a plain picture is found so by "picup dupes"
		if err := tx.SetPHash(ctx, id, *in.PHash, true); err != nil {
			return p, err
		}
	}
	if in.UserID != 0 {
		if _, err := tx.OwnReserved(ctx, p, in.UserID, in.Reservation); err != nil {
			return p, err
		}
	}
	for _, sc := range in.Sidecars {
		if err := tx.InsertSidecar(ctx, id, sc.Path, sc.Bytes, sc.SHA256); err != nil {
			return p, err
		}
	}
	if in.AlbumID != 0 {
		if _, err := tx.AddToAlbum(ctx, in.AlbumID, id, in.AddedBy); err != nil {
			return p, err
		}
	}
	if in.Source.Path != "" {
		if err := tx.PutSource(ctx, in.Source); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Recover finishes what crashed runs left behind: for each intent of a dead
// process, the files that reached the library are adopted (their catalog
// rows written) or removed when the same content is stored elsewhere; then
// the scratch directory goes.
func Recover(ctx context.Context, lib *library.Library) error {
	stale, err := lib.StaleRuns()
	if err != nil {
		return fmt.Errorf("look for interrupted imports: %w", err)
	}
	for _, run := range stale {
		// One transaction per dead run: the files it placed become
		// ownership through their reservations, and what is left of its
		// reservations is released, together, so that no other import
		// can take the space in between.
		intents, _ := filepath.Glob(filepath.Join(run.Dir, "intent-*.json"))
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for _, f := range intents {
				if err := recoverIntent(ctx, tx, lib, f); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
			return tx.ReleaseRun(ctx, filepath.Base(run.Dir))
		})
		if err != nil {
			return fmt.Errorf("recover an interrupted import: %w", err)
		}
		if err := run.Release(); err != nil {
			return fmt.Errorf("remove scratch dir: %w", err)
		}
	}
	if err := releaseOrphans(ctx, lib); err != nil {
		return fmt.Errorf("release the quota of ended imports: %w", err)
	}
	return nil
}

// releaseOrphans releases the reservations of runs whose scratch
// directory is gone: their process ended without releasing them (the
// release could not be written, on a full disk say). A run's directory
// exists before its first reservation and is removed only when the
// process ends, so no live run is touched.
func releaseOrphans(ctx context.Context, lib *library.Library) error {
	held, err := lib.Catalog.Reservations(ctx)
	if err != nil {
		return err
	}
	orphans := 0
	for run := range held {
		if !lib.RunExists(run) {
			orphans++
		}
	}
	if orphans == 0 {
		return nil
	}
	return lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		runs, err := tx.ReservationRuns(ctx)
		if err != nil {
			return err
		}
		for _, run := range runs {
			if lib.RunExists(run) {
				continue
			}
			if err := tx.ReleaseRun(ctx, run); err != nil {
				return err
			}
		}
		return nil
	})
}

func recoverIntent(ctx context.Context, tx *catalog.Tx, lib *library.Library, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var in intent
	if err := json.Unmarshal(data, &in); err != nil {
		// A torn intent was never followed by a rename: nothing to undo.
		return nil
	}
	existing, err := tx.PhotoBySHA(ctx, in.Photo.SHA256)
	switch {
	case err == nil:
		if existing.Path != in.Photo.Path {
			removeUnknown(ctx, tx, lib, in)
		}
		return nil
	case !errors.Is(err, catalog.ErrNotFound):
		return err
	}
	fi, err := os.Stat(lib.Abs(in.Photo.Path))
	if err != nil || fi.Size() != in.Photo.Bytes {
		// The original never reached the library; drop what did.
		dropIntent(ctx, tx, lib, in)
		return nil
	}
	kept := in.Sidecars[:0]
	for _, sc := range in.Sidecars {
		if library.Exists(lib.Abs(sc.Path)) {
			kept = append(kept, sc)
		}
	}
	in.Sidecars = kept
	if in.AlbumID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM albums WHERE id = ?`, in.AlbumID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			in.AlbumID = 0
		}
	}
	err = tx.Savepoint(ctx, func() error {
		_, err := insertIntent(ctx, tx, in)
		return err
	})
	if errors.Is(err, catalog.ErrQuota) {
		// Its reservation is gone and the photo no longer fits in the
		// owner's quota. The import never finished, so its source is
		// still where it was (--move removes a source only after the
		// commit): drop what reached the library.
		dropIntent(ctx, tx, lib, in)
		return nil
	}
	return err
}

// dropIntent removes the files of an intent that is not adopted.
func dropIntent(ctx context.Context, tx *catalog.Tx, lib *library.Library, in intent) {
	removeUnknown(ctx, tx, lib, in)
	for _, rel := range in.Thumbs {
		os.Remove(lib.Abs(rel))
	}
}

// removeUnknown removes an intent's original and sidecars from the library
// where no catalog row claims them.
func removeUnknown(ctx context.Context, tx *catalog.Tx, lib *library.Library, in intent) {
	rels := []string{in.Photo.Path}
	for _, sc := range in.Sidecars {
		rels = append(rels, sc.Path)
	}
	for _, rel := range rels {
		if taken, err := tx.PathTaken(ctx, rel); err == nil && !taken {
			os.Remove(lib.Abs(rel))
		}
	}
}
