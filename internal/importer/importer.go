// Package importer brings photos and videos into a library: walk, sniff,
// hash while copying, dedupe, read metadata, make thumbnails, and commit
// each file atomically with its catalog row.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/diskspace"
	"github.com/picup/picup/pkg/filetype"
)

var (
	errNotExist   = errors.New("no such file or directory")
	errPermission = errors.New("permission denied; check the file's permissions")
	errEmpty      = errors.New("empty file (0 bytes)")
)

// Options says how to import.
type Options struct {
	Jobs   int    // parallel workers; 0 means one per core
	DryRun bool   // look and report, change nothing
	Album  string // add every imported (or already known) photo to this album, creating it
	Move   bool   // remove each source once its copy is committed and verified
	User   string // owner of the imported photos; "" means the library's first user
	Filter Filter // the files to take (--include, --exclude); zero for all
	// AddedBy is who adds the photos to Album, as the family feed says;
	// a zero Name means the owning user.
	AddedBy catalog.Actor
	// LinkSources says the inputs are the library's own files on its
	// filesystem that nothing will change (a finished upload): the copy
	// that goes into the library is a hard link, not a second copy of
	// the bytes. Where linking fails, the bytes are copied.
	LinkSources bool
	Progress    *Progress
	Now         func() time.Time

	hooks hooks
}

// Importer imports into one library.
type Importer struct {
	lib  *library.Library
	opts Options
	run  *library.Run

	albumID int64
	userID  int64
	runName string // the scratch dir's name, which tags this run's quota reservations
	tally   tally
	hooks   hooks

	flightMu sync.Mutex
	flights  map[string]*flight

	placeholderMu sync.Mutex
	placeholders  map[string]int // kind -> count

	full atomic.Pointer[diskspace.FullError] // the disk filled up: take no more files
}

// flight is one content hash being imported by a worker of this run; a
// second worker meeting the same bytes waits for it. Its fields are
// written by the owner only, and read by others only after done is
// closed.
type flight struct {
	done    chan struct{}
	photoID int64
	path    string
	err     error // why the owner failed
}

// hooks stop a worker at the steps where imports can interleave, for
// tests that force an interleaving; each gets the input file's path (or,
// for waiting, the content's SHA-256). Nil hooks are not called.
type hooks struct {
	waiting  func(string) // another worker of the run has the content; about to wait for it
	reserved func(string) // quota reserved; nothing copied yet
	stored   func(string) // the content is the user's, in the catalog
}

func (hooks) call(fn func(string), arg string) {
	if fn != nil {
		fn(arg)
	}
}

// Run imports the given files and folders.
func Run(ctx context.Context, lib *library.Library, roots []string, opts Options) (Summary, error) {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Progress == nil {
		opts.Progress = &Progress{}
	}
	opts.Progress.Started = time.Now()
	start := time.Now()
	if err := opts.Filter.Check(); err != nil {
		return Summary{}, err
	}

	im := &Importer{lib: lib, opts: opts, hooks: opts.hooks, flights: map[string]*flight{}, placeholders: map[string]int{}}
	im.tally.s = Summary{DryRun: opts.DryRun, Album: opts.Album, Failures: []Failure{}, DuplicateOf: []Duplicate{}, SkippedFiles: []Skip{}, Notes: []string{}}
	user, err := resolveUser(ctx, lib, opts.User)
	if err != nil {
		return im.tally.s, err
	}
	im.userID = user.ID
	im.tally.s.User = user.Name
	if im.opts.AddedBy.Name == "" {
		im.opts.AddedBy = catalog.Actor{Name: user.Name}
	}
	if !opts.DryRun {
		if err := Recover(ctx, lib); err != nil {
			return im.tally.s, err
		}
		run, err := lib.StartRun()
		if err != nil {
			return im.tally.s, err
		}
		im.run, im.runName = run, filepath.Base(run.Dir)
		defer func() {
			// Every reservation ends with its file; this is the safety net
			// for one that did not (its release failed).
			bg := context.WithoutCancel(ctx)
			// Not written (a full disk): Recover releases them.
			_ = lib.Catalog.Write(bg, func(tx *catalog.Tx) error { return tx.ReleaseRun(bg, im.runName) })
			run.Close()
		}()
		if opts.Album != "" {
			err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
				var err error
				im.albumID, err = tx.EnsureAlbum(ctx, opts.Album)
				return err
			})
			if err != nil {
				return im.tally.s, fmt.Errorf("album %q: %w", opts.Album, err)
			}
		}
	}

	walkCtx, stopWalk := context.WithCancel(ctx)
	defer stopWalk()
	go func() {
		c := &walker{skipDir: lib.Root, countOnly: true, filter: opts.Filter, count: func(size int64) {
			opts.Progress.TotalFiles.Add(1)
			opts.Progress.TotalBytes.Add(size)
		}}
		c.walk(walkCtx, roots)
		opts.Progress.Counted.Store(walkCtx.Err() == nil)
	}()

	items := make(chan item, opts.Jobs*2)
	w := &walker{skipDir: lib.Root, out: items, failed: im.fail, skipped: im.skip, filter: opts.Filter,
		excluded: func() { im.tally.add(func(s *Summary) { s.Excluded++ }) }}
	go func() {
		defer close(items)
		w.walk(ctx, roots)
	}()

	var wg sync.WaitGroup
	for range opts.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range items {
				if ctx.Err() != nil {
					continue
				}
				im.one(ctx, it)
				opts.Progress.DoneFiles.Add(1)
				opts.Progress.DoneBytes.Add(it.info.Size())
			}
		}()
	}
	wg.Wait()

	s := im.tally.s
	s.Interrupted = ctx.Err() != nil
	if full := im.full.Load(); full != nil {
		s.Stopped = full.Error()
	}
	s.Seconds = time.Since(start).Seconds()
	if s.DryRun && opts.Move {
		s.Moved = s.Imported + s.Duplicates + s.Unchanged // what a real run would remove
	}
	for _, kind := range []string{"photo", "video"} {
		if n := im.placeholders[kind]; n > 0 {
			s.Placeholders += n
			s.Notes = append(s.Notes, placeholderNote(kind, n))
		}
	}
	return s, nil
}

func resolveUser(ctx context.Context, lib *library.Library, name string) (catalog.User, error) {
	if name == "" {
		return lib.Catalog.FirstUser(ctx)
	}
	return lib.Catalog.UserByName(ctx, name)
}

func placeholderNote(kind string, n int) string {
	videos, them := fmt.Sprintf("%d videos", n), "them"
	if n == 1 {
		videos, them = "1 video", "it"
	}
	if kind == "video" && thumb.HaveFFmpeg() {
		return videos + " got a placeholder thumbnail: ffmpeg could not take a frame from " + them
	}
	if kind == "video" {
		return videos + " got a placeholder thumbnail because ffmpeg is not installed; install ffmpeg and run \"picup verify --repair\" to make real poster frames"
	}
	if n == 1 {
		return fmt.Sprintf("1 %s file was archived with a placeholder thumbnail (no decoder or embedded preview for it here)", kind)
	}
	return fmt.Sprintf("%d %s files were archived with a placeholder thumbnail (no decoder or embedded preview for %s here)", n, kind, them)
}

func (im *Importer) fail(path string, err error) {
	im.tally.add(func(s *Summary) {
		s.Failed++
		s.Failures = append(s.Failures, Failure{Path: path, Error: err.Error(), Err: err})
	})
}

func (im *Importer) skip(path, reason string) {
	im.tally.add(func(s *Summary) {
		s.Skipped++
		s.SkippedFiles = append(s.SkippedFiles, Skip{Path: path, Reason: reason})
	})
}

// mediaExts are names that promise a photo or video: such a file whose
// content is not one is reported as failed rather than skipped.
var mediaExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".png": true, ".gif": true, ".webp": true, ".tif": true,
	".tiff": true, ".heic": true, ".heif": true, ".avif": true, ".dng": true, ".cr2": true, ".cr3": true,
	".nef": true, ".arw": true, ".orf": true, ".rw2": true, ".raf": true, ".pef": true, ".srw": true,
	".mp4": true, ".m4v": true, ".mov": true, ".3gp": true, ".avi": true, ".mkv": true, ".webm": true,
	".mts": true, ".m2ts": true, ".mpg": true, ".mpeg": true,
}

// one imports a single input file. The first file that meets a full disk
// stops the import: it and every file after it count as not tried.
func (im *Importer) one(ctx context.Context, it item) {
	if im.full.Load() != nil {
		im.tally.add(func(s *Summary) { s.NotTried++ })
		return
	}
	if err := im.importFile(ctx, it); err != nil {
		if ctx.Err() != nil {
			return
		}
		if diskspace.IsFull(err) {
			im.full.CompareAndSwap(nil, diskspace.Full(im.lib.Root, err))
			im.tally.add(func(s *Summary) { s.NotTried++ })
			return
		}
		im.fail(it.path, err)
	}
}

func (im *Importer) importFile(ctx context.Context, it item) error {
	src := sourceOf(it.path, it.info)
	if done, err := im.unchanged(ctx, it, src); done {
		return err
	}
	f, err := openSource(it.path)
	if err != nil {
		return explainOpen(err)
	}
	defer f.Close()
	ft, err := im.sniff(f, it)
	if err != nil || ft.Kind == filetype.Unknown {
		return err // failed, or skipped
	}
	// Hash first: known content costs no quota and no copy.
	if src.SHA256, err = readHash(ctx, f, it.info.Size()); err != nil {
		return err
	}
	fl, owner, err := im.claim(ctx, src.SHA256)
	if err != nil {
		return err
	}
	if !owner {
		return im.sameAsFlight(ctx, it, src, fl)
	}
	err = im.firstWithContent(ctx, it, f, ft, src, fl)
	fl.err = err
	close(fl.done)
	return err
}

// unchanged reports whether a source is one an earlier import already
// took for this user (same path, size, modification time and inode), and
// then finishes it without reading it.
func (im *Importer) unchanged(ctx context.Context, it item, src catalog.Source) (bool, error) {
	prev, err := im.lib.Catalog.LookupSource(ctx, src.Path)
	if err != nil || !sameFile(prev, src) {
		return false, nil
	}
	p, err := im.lib.Catalog.PhotoBySHA(ctx, prev.SHA256)
	if err != nil {
		return false, nil
	}
	if owns, err := im.lib.Catalog.Owns(ctx, p.ID, im.userID); err != nil || !owns {
		return false, nil
	}
	im.tally.add(func(s *Summary) { s.Unchanged++ })
	return true, im.afterKnown(ctx, it, p)
}

// sniff recognises a source by its first bytes. An empty file, or one
// that is not a photo or video, is skipped (Unknown, no error), or fails
// when its name promises media.
func (im *Importer) sniff(f *os.File, it item) (filetype.Type, error) {
	header := make([]byte, filetype.HeaderSize)
	n, err := io.ReadFull(f, header)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return filetype.Type{}, fmt.Errorf("read: %w", err)
	}
	promised := mediaExts[strings.ToLower(filepath.Ext(it.path))]
	if n == 0 {
		if promised {
			return filetype.Type{}, errEmpty
		}
		im.skip(it.path, "empty file")
		return filetype.Type{}, nil
	}
	ft := filetype.Detect(header[:n], filepath.Base(it.path))
	if ft.Kind == filetype.Unknown {
		if promised {
			return ft, fmt.Errorf("content is not a photo or video format picup knows, although the name ends in %s (the file may be corrupt)", filepath.Ext(it.path))
		}
		im.skip(it.path, "not a photo or video")
	}
	return ft, nil
}

// firstWithContent imports a file whose content no other worker of this
// run has: a copy of what the library holds, or new.
func (im *Importer) firstWithContent(ctx context.Context, it item, f *os.File, ft filetype.Type, src catalog.Source, fl *flight) error {
	fl.path = it.path // the path to name if this file fails
	if p, err := im.lib.Catalog.PhotoBySHA(ctx, src.SHA256); err == nil {
		fl.photoID, fl.path = p.ID, p.Path
		if im.opts.DryRun {
			im.duplicate(it.path, p.ID, p.Path)
			return nil
		}
		return im.known(ctx, it, src, p, nil)
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return err
	}
	if im.opts.DryRun {
		im.tally.add(func(s *Summary) { s.Imported++; s.Bytes += it.info.Size() })
		return nil
	}
	return im.store(ctx, it, f, ft, src, fl)
}

// store brings new content into the library within the owner's quota:
// reserve, copy, thumbnails and metadata, then the commit.
func (im *Importer) store(ctx context.Context, it item, f *os.File, ft filetype.Type, src catalog.Source, fl *flight) error {
	// Reserve the bytes before the expensive work; the reservation
	// becomes ownership in the commit, or is released.
	res, err := im.reserve(ctx, it.info.Size())
	if err != nil {
		return err
	}
	defer res.release(ctx, im.lib)
	im.hooks.call(im.hooks.reserved, it.path)

	tmp, err := im.copyToScratch(ctx, f, it, src.SHA256)
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(tmp)) // empty once the copy is renamed into place

	prep, err := im.prepare(ctx, it, ft, tmp, src)
	if err != nil {
		return err
	}
	prep.reservation = res.id
	p, dup, err := im.commit(ctx, prep)
	if err != nil {
		return err
	}
	fl.photoID, fl.path = p.ID, p.Path
	if dup {
		// Another process stored the bytes first: the reservation
		// becomes the user's share of the stored copy instead.
		return im.known(ctx, it, src, p, res)
	}
	res.settled = true
	im.hooks.call(im.hooks.stored, it.path)
	im.tally.add(func(s *Summary) {
		s.Imported++
		s.Bytes += it.info.Size()
		s.Stored = append(s.Stored, Stored{Path: it.path, PhotoID: p.ID})
	})
	if prep.placeholder {
		im.placeholderMu.Lock()
		im.placeholders[ft.Kind.String()]++
		im.placeholderMu.Unlock()
	}
	return im.afterKnown(ctx, it, p)
}

// sameAsFlight finishes a file whose content another worker of this run
// took first, from that worker's result.
func (im *Importer) sameAsFlight(ctx context.Context, it item, src catalog.Source, fl *flight) error {
	switch {
	case im.opts.DryRun && fl.path != "":
		im.duplicate(it.path, fl.photoID, fl.path)
		return nil
	case fl.photoID != 0:
		p, err := im.lib.Catalog.PhotoByID(ctx, fl.photoID)
		if err != nil {
			return err
		}
		return im.known(ctx, it, src, p, nil)
	}
	if diskspace.IsFull(fl.err) {
		return fl.err // not tried either, for the same reason
	}
	// The first worker failed on these bytes; let it be reported once.
	return fmt.Errorf("same content as %s, which failed", fl.path)
}

// reservation is the quota one file holds while it is imported. It ends
// exactly once: as ownership, in the transaction that charges the user
// (settled), or released.
type reservation struct {
	id      int64
	settled bool
}

func (im *Importer) reserve(ctx context.Context, n int64) (*reservation, error) {
	res := &reservation{}
	err := im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		res.id, err = tx.Reserve(ctx, im.userID, n, im.runName)
		return err
	})
	return res, err
}

// release gives the reservation back unless it became ownership. A
// release that cannot be written (a full disk) is done by the next
// command that opens the library: see Recover.
func (r *reservation) release(ctx context.Context, lib *library.Library) {
	if r.settled {
		return
	}
	r.settled = true
	bg := context.WithoutCancel(ctx)
	_ = lib.Catalog.Write(bg, func(tx *catalog.Tx) error { return tx.Release(bg, r.id) })
}

// readHash hashes a whole source, checking that it is as long as it was
// when listed.
func readHash(ctx context.Context, f *os.File, size int64) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	n, err := io.Copy(h, library.CancelableReader(ctx, f))
	if err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	if n != size {
		return "", fmt.Errorf("file changed while being read (%d bytes read, %d expected); try again when it is complete", n, size)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// copyToScratch copies a source into its own scratch directory under its
// own name (metadata readers take dates from file names), fsyncs it, and
// checks that the bytes copied are the bytes hashed before.
func (im *Importer) copyToScratch(ctx context.Context, f *os.File, it item, sum string) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(im.run.Dir, "f-")
	if err != nil {
		return "", fmt.Errorf("scratch dir: %w", err)
	}
	tmp := filepath.Join(dir, filepath.Base(it.path))
	if im.opts.LinkSources && os.Link(it.path, tmp) == nil {
		// Hashed once already, and nothing changes it; its bytes must be
		// on disk before the commit, as a copy's are.
		return tmp, syncFile(tmp)
	}
	tf, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", fmt.Errorf("scratch file: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(h, tf), library.CancelableReader(ctx, f))
	if err == nil {
		err = tf.Sync()
	}
	if cerr := tf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("copy: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return "", errors.New("file changed while being read (its content differs between two reads); try again when it is complete")
	}
	return tmp, nil
}

// known handles a source whose content is already stored: the importing
// user becomes an owner (charged to their quota) when not one yet, the
// source is remembered, and album, sidecars and --move are taken care of.
// A reservation taken for the file (non-nil) becomes that ownership in
// the same transaction.
func (im *Importer) known(ctx context.Context, it item, src catalog.Source, p catalog.Photo, res *reservation) error {
	var resID int64
	if res != nil {
		resID = res.id
	}
	err := im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.OwnReserved(ctx, p, im.userID, resID); err != nil {
			return err
		}
		return tx.PutSource(ctx, src)
	})
	if errors.Is(err, catalog.ErrQuota) {
		return fmt.Errorf("%w (%s): %w", ErrOwnedByOthers, p.Path, err)
	}
	if err != nil {
		return err
	}
	if res != nil {
		res.settled = true
	}
	im.hooks.call(im.hooks.stored, it.path)
	im.duplicate(it.path, p.ID, p.Path)
	return im.afterKnown(ctx, it, p)
}

// claim registers sha as being imported by the caller (owner) or, when
// another worker of this run has it, waits for that worker to finish and
// returns its flight. A waiter that gives up (ctx ends) gets the error
// and no flight: the owner may still be writing it.
func (im *Importer) claim(ctx context.Context, sha string) (fl *flight, owner bool, err error) {
	im.flightMu.Lock()
	fl, ok := im.flights[sha]
	if !ok {
		fl = &flight{done: make(chan struct{})}
		im.flights[sha] = fl
		im.flightMu.Unlock()
		return fl, true, nil
	}
	im.flightMu.Unlock()
	im.hooks.call(im.hooks.waiting, sha)
	select {
	case <-fl.done:
		return fl, false, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

func (im *Importer) duplicate(path string, id int64, photoPath string) {
	d := Duplicate{Path: path, PhotoID: &id, PhotoPath: &photoPath}
	if id == 0 { // a --dry-run: photoPath is the first copy, not imported
		d = Duplicate{Path: path, SameAs: photoPath}
	}
	im.tally.add(func(s *Summary) {
		s.Duplicates++
		s.DuplicateOf = append(s.DuplicateOf, d)
	})
}

// afterKnown does what is left once a source's content is safely in the
// library: album membership and, with --move, removing the source.
func (im *Importer) afterKnown(ctx context.Context, it item, p catalog.Photo) error {
	if im.opts.DryRun {
		return nil
	}
	if im.albumID != 0 {
		err := im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			_, err := tx.AddToAlbum(ctx, im.albumID, p.ID, im.opts.AddedBy)
			return err
		})
		if err != nil {
			return fmt.Errorf("add to album: %w", err)
		}
	}
	if err := im.keepSidecars(ctx, it, p); err != nil {
		return fmt.Errorf("sidecar: %w", err)
	}
	if im.opts.Move {
		return im.removeSource(ctx, it, p)
	}
	return nil
}

// keepSidecars stores beside an already stored photo the sidecars that come
// with another copy of it (a duplicate, or an unchanged file that gained an
// .xmp) when their content is not stored yet.
func (im *Importer) keepSidecars(ctx context.Context, it item, p catalog.Photo) error {
	if len(it.sidecars) == 0 {
		return nil
	}
	stored, err := im.lib.Catalog.Sidecars(ctx, p.ID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, s := range stored {
		have[s.SHA256] = true
	}
	for _, src := range it.sidecars {
		sc, err := im.copySidecar(ctx, src)
		if err != nil {
			return err
		}
		if have[sc.sha] {
			os.Remove(sc.tmp)
			continue
		}
		have[sc.sha] = true
		err = im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			name := sidecarName(src, filepath.Base(it.path), path.Base(p.Path))
			for n := 1; n < 10000; n++ {
				rel := path.Join(path.Dir(p.Path), library.Candidate(name, n))
				free, err := im.pathFree(ctx, tx, rel)
				if err != nil {
					return err
				}
				if !free {
					continue
				}
				if err := library.MoveIntoPlace(sc.tmp, im.lib.Abs(rel)); err != nil {
					return err
				}
				return tx.InsertSidecar(ctx, p.ID, rel, sc.bytes, sc.sha)
			}
			return fmt.Errorf("no free name for %s beside %s", name, p.Path)
		})
		if err != nil {
			os.Remove(sc.tmp)
			return err
		}
	}
	return nil
}

// removeSource deletes a source (and its sidecars) after checking that the
// library's copy has the same bytes.
func (im *Importer) removeSource(ctx context.Context, it item, p catalog.Photo) error {
	sum, err := library.HashFile(ctx, im.lib.Abs(p.Path))
	if err != nil {
		return fmt.Errorf("--move: verify library copy: %w; source kept", err)
	}
	if sum != p.SHA256 {
		return fmt.Errorf("--move: library copy %s does not match its recorded hash; source kept, run \"picup verify\"", p.Path)
	}
	if err := os.Remove(it.path); err != nil {
		return fmt.Errorf("--move: remove source: %w", err)
	}
	for _, sc := range it.sidecars {
		os.Remove(sc)
	}
	err = im.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteSource(ctx, it.path) })
	if err != nil {
		return err
	}
	im.tally.add(func(s *Summary) { s.Moved++ })
	return nil
}

// syncFile flushes a file's data to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
