// Package syncer keeps a full, self-describing copy of a library in a
// remote: originals, sidecars, thumbnails, a JSON sidecar per photo and
// catalog snapshots, uploaded in that order, so that what a snapshot
// references is always there before it.
package syncer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/diskspace"
)

// Options says how to sync.
type Options struct {
	Transfers int  // parallel uploads; 0 means 4
	DryRun    bool // count what would be uploaded, upload nothing
	// FullSnapshot takes a full catalog snapshot even when a journal of
	// what changed since the last one would do.
	FullSnapshot bool
	Progress     *Progress
	// journalAlways writes journals whatever the catalog's size (tests).
	journalAlways bool
}

// Progress is read by a progress display during a sync.
type Progress struct {
	TotalObjects, TotalBytes atomic.Int64
	DoneObjects, DoneBytes   atomic.Int64
	Started                  time.Time
}

// Summary is what a sync did; its JSON form is documented in docs/cli.md.
type Summary struct {
	Remote   string    `json:"remote"`
	Photos   int       `json:"photos"` // changed since the last sync: those looked at
	Uploaded int       `json:"uploaded"`
	Bytes    int64     `json:"bytes"`
	Skipped  int       `json:"skipped"`
	Failed   int       `json:"failed"`
	Snapshot string    `json:"snapshot,omitempty"`
	Journal  string    `json:"journal,omitempty"` // catalog/<time>.journal.json, written instead of a snapshot
	Pruned   int       `json:"pruned_snapshots,omitempty"`
	DryRun   bool      `json:"dry_run,omitempty"`
	Seconds  float64   `json:"seconds"`
	Failures []Failure `json:"failures"`
}

// Failure is an object that could not be uploaded.
type Failure struct {
	Key   string `json:"key"`
	Error string `json:"error"`
}

// upload is one object to send: a file of the library, or bytes made here
// (a JSON sidecar).
type upload struct {
	key, file, sha, contentType string
	size                        int64
	data                        []byte
	photoID                     int64 // the photo it is of; 0 for a catalog snapshot
	phase                       int   // phaseOriginals, phaseThumbs or phaseMetas
}

// Sync uploads to store whatever the catalog does not record as being in
// the remote, then a catalog snapshot when the catalog changed since the
// last one. It makes no bucket-wide listing, and looks only at the
// photos changed since the remote's last sync (catalog.ChangeSeq): one
// with nothing to do reads nothing but a few rows. A remote that keeps failing
// (circuit open) or refuses the credentials ends the sync with an error;
// what was uploaded stays recorded, so the next sync goes on from there.
func Sync(ctx context.Context, lib *library.Library, r catalog.Remote, store blob.Store, o Options) (Summary, error) {
	start := time.Now()
	if o.Transfers <= 0 {
		o.Transfers = 4
	}
	if o.Progress == nil {
		o.Progress = &Progress{}
	}
	o.Progress.Started = start
	s := &syncRun{lib: lib, r: r, store: store, o: o, sum: Summary{Remote: r.Name, DryRun: o.DryRun, Failures: []Failure{}}}
	err := s.run(ctx)
	s.sum.Seconds = time.Since(start).Seconds()
	return s.sum, err
}

type syncRun struct {
	lib   *library.Library
	r     catalog.Remote
	store blob.Store
	o     Options

	mu     sync.Mutex
	sum    Summary
	failed []int64 // photos with an object that did not land (or cannot)
}

func (s *syncRun) run(ctx context.Context) error {
	// The mark as it is now: the caller's copy of the remote may be
	// from before another sync.
	cur, err := s.lib.Catalog.RemoteByName(ctx, s.r.Name)
	if err != nil {
		return err
	}
	upTo, err := s.lib.Catalog.ChangeSeq(ctx)
	if err != nil {
		return err
	}
	originals, thumbs, metas, err := s.plan(ctx, cur.SyncedSeq, upTo)
	if err != nil {
		return err
	}
	// One queue, originals first: no pool drains between kinds of
	// objects. Only the snapshot must wait for all of them.
	all := append(append(originals, thumbs...), metas...)
	if err := s.transfer(ctx, all); err != nil {
		return err
	}
	if s.o.DryRun {
		return nil
	}
	// Every photo changed up to upTo is in the remote now, but those
	// that failed: they go to the next sync.
	if err := s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SyncedTo(ctx, s.r.Name, upTo, s.failed) }); err != nil {
		return fmt.Errorf("record the sync to %q: %w", s.r.Name, err)
	}
	if s.sum.Failed > 0 {
		return nil // a snapshot must not reference what is missing
	}
	return s.snapshot(ctx, upTo)
}

// plan lists what is missing remotely, by kind, of the photos changed
// after the change number after and up to upTo.
func (s *syncRun) plan(ctx context.Context, after, upTo int64) (originals, thumbs, metas []upload, err error) {
	err = s.lib.Catalog.EachChangedPhoto(ctx, after, upTo, func(batch []catalog.Photo) error {
		s.sum.Photos += len(batch)
		o, t, m, err := s.planBatch(ctx, batch)
		originals, thumbs, metas = append(originals, o...), append(thumbs, t...), append(metas, m...)
		return err
	})
	for _, list := range [][]upload{originals, thumbs, metas} {
		for _, u := range list {
			s.o.Progress.TotalObjects.Add(1)
			s.o.Progress.TotalBytes.Add(u.size)
		}
	}
	return originals, thumbs, metas, err
}

// planBatch lists what is missing remotely of a batch of photos.
func (s *syncRun) planBatch(ctx context.Context, batch []catalog.Photo) (originals, thumbs, metas []upload, err error) {
	ids := make([]int64, len(batch))
	for i, p := range batch {
		ids[i] = p.ID
	}
	sidecars, albums, takingPart, err := s.about(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]string, 0, len(batch)*(2+len(thumb.Sizes)))
	for _, p := range batch {
		keys = append(keys, p.Path, MetaKey(p.SHA256))
		for _, size := range thumb.Sizes {
			keys = append(keys, library.ThumbPath(p.SHA256, size.Name))
		}
		for _, sc := range sidecars[p.ID] {
			keys = append(keys, sc.Path)
		}
	}
	known, err := s.lib.Catalog.RemoteObjectsOf(ctx, s.r.Name, keys)
	if err != nil {
		return nil, nil, nil, err
	}
	need := func(u upload) bool {
		k, ok := known[u.key]
		return !ok || k.Size != u.size || u.sha != "" && k.SHA256 != u.sha
	}
	for _, p := range batch {
		objects, err := objectsOf(s.lib, p, sidecars[p.ID], albums[p.ID], takingPart[p.ID])
		if err != nil {
			return nil, nil, nil, err
		}
		for _, u := range objects {
			switch {
			case !need(u):
				s.sum.Skipped++
			case u.key == p.Path && p.Offloaded != "" && p.Offloaded != s.r.Name:
				// Only another remote has this original: it cannot come
				// from here until "picup fetch".
				s.sum.Failed++
				s.sum.Failures = append(s.sum.Failures, Failure{Key: p.Path, Error: fmt.Sprintf("offloaded to %q; run \"picup fetch %d\" first", p.Offloaded, p.ID)})
				s.failed = append(s.failed, p.ID)
			case u.phase == phaseOriginals:
				originals = append(originals, u)
			case u.phase == phaseThumbs:
				thumbs = append(thumbs, u)
			default:
				metas = append(metas, u)
			}
		}
	}
	return originals, thumbs, metas, nil
}

// about reads what a photo's sidecar says besides its row, for the
// photos ids: sidecar files, album names and what guests did, by id.
func (s *syncRun) about(ctx context.Context, ids []int64) (map[int64][]catalog.Sidecar, map[int64][]string, map[int64]catalog.TakingPart, error) {
	sidecars, err := s.lib.Catalog.SidecarsOf(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	albums, err := s.lib.Catalog.AlbumNamesOf(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	takingPart, err := s.lib.Catalog.TakingPartOf(ctx, ids)
	return sidecars, albums, takingPart, err
}

// The phases of a sync: objects of a later one may refer to those of
// an earlier one.
const (
	phaseOriginals = iota // originals and their sidecar files
	phaseThumbs
	phaseMetas // meta/<sha256>.json
)

// objectsOf lists the objects a remote holds of photo p: its original,
// its sidecars, the thumbnails the library has (their size only: they
// are hashed on the way up) and its meta/<sha256>.json.
func objectsOf(lib *library.Library, p catalog.Photo, sidecars []catalog.Sidecar, albums []string, tp catalog.TakingPart) ([]upload, error) {
	out := []upload{{key: p.Path, file: lib.Abs(p.Path), sha: p.SHA256, size: p.Bytes, contentType: p.MIME, photoID: p.ID, phase: phaseOriginals}}
	for _, sc := range sidecars {
		out = append(out, upload{key: sc.Path, file: lib.Abs(sc.Path), sha: sc.SHA256, size: sc.Bytes, photoID: p.ID, phase: phaseOriginals})
	}
	for _, size := range thumb.Sizes {
		key := library.ThumbPath(p.SHA256, size.Name)
		fi, err := os.Stat(lib.Abs(key))
		if err != nil {
			continue // verify reports and regenerates missing thumbnails, which marks the photo changed
		}
		out = append(out, upload{key: key, file: lib.Abs(key), size: fi.Size(), contentType: "image/jpeg", photoID: p.ID, phase: phaseThumbs})
	}
	data, err := MetaOf(p, albums, sidecars, tp).encode()
	if err != nil {
		return nil, err
	}
	out = append(out, upload{key: MetaKey(p.SHA256), data: data, sha: sha(data), size: int64(len(data)),
		contentType: "application/json", photoID: p.ID, phase: phaseMetas})
	return out, nil
}

// transfer uploads a phase on a pool of workers, recording each object as
// it lands. A fatal error (circuit open, bad credentials) stops the pool.
func (s *syncRun) transfer(ctx context.Context, ups []upload) error {
	if s.o.DryRun {
		for _, u := range ups {
			s.sum.Uploaded++
			s.sum.Bytes += u.size
		}
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan upload)
	rec := newRecorder(s.lib.Catalog, s.r.Name)
	var wg sync.WaitGroup
	for range s.o.Transfers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				if ctx.Err() != nil {
					continue
				}
				sha, err := s.put(ctx, u)
				s.o.Progress.DoneObjects.Add(1)
				s.o.Progress.DoneBytes.Add(u.size)
				s.mu.Lock()
				if err != nil {
					s.sum.Failed++
					s.sum.Failures = append(s.sum.Failures, Failure{Key: u.key, Error: err.Error()})
					s.failed = append(s.failed, u.photoID)
				} else {
					s.sum.Uploaded++
					s.sum.Bytes += u.size
				}
				s.mu.Unlock()
				if err == nil {
					if err := rec.add(ctx, u.key, sha, u.size); diskspace.IsFull(err) {
						// Nothing more can be recorded: what is
						// uploaded now would be uploaded again.
						cancel(diskspace.Full(s.lib.Root, err))
					}
				} else if errors.Is(err, blob.ErrCircuitOpen) || errors.Is(err, blob.ErrPermanent) {
					cancel(err)
				}
			}
		}()
	}
	for _, u := range ups {
		if ctx.Err() != nil {
			break
		}
		work <- u
	}
	close(work)
	wg.Wait()
	recErr := rec.flush(context.WithoutCancel(ctx))
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("sync to %q stopped: %w", s.r.Name, cause)
	}
	if diskspace.IsFull(recErr) {
		return fmt.Errorf("sync to %q stopped: %w", s.r.Name, diskspace.Full(s.lib.Root, recErr))
	}
	if recErr != nil {
		return recErr
	}
	return ctx.Err()
}

// put uploads one object and returns its hash; files are hashed on the
// way when their hash is not known (thumbnails) and streamed, never read
// whole.
func (s *syncRun) put(ctx context.Context, u upload) (string, error) {
	if u.data != nil {
		return u.sha, s.store.Put(ctx, u.key, bytes.NewReader(u.data), u.size, u.sha, u.contentType)
	}
	f, err := os.Open(u.file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if u.sha == "" {
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		u.sha = hex.EncodeToString(h.Sum(nil))
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", err
		}
	}
	return u.sha, s.store.Put(ctx, u.key, f, u.size, u.sha, u.contentType)
}

// snapshot records the catalog in the remote when it changed since the
// last record: a journal of what this sync uploaded (the photos changed
// up to upTo) when one will do (journalBase), else a full snapshot,
// after which the oldest beyond the remote's keep count and every
// journal are pruned.
func (s *syncRun) snapshot(ctx context.Context, upTo int64) error {
	version, err := s.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		return err
	}
	snaps, err := s.lib.Catalog.Snapshots(ctx, s.r.Name)
	if err != nil {
		return err
	}
	if len(snaps) > 0 && snaps[0].Version == version {
		return nil
	}
	if base, prev, ok, err := s.journalBase(ctx, snaps); err != nil {
		return err
	} else if ok {
		return s.writeJournal(ctx, base, prev, version, upTo)
	}
	// Read before the copy: what changes meanwhile is in the copy or
	// in the next journal, maybe both.
	seq, trashMark, err := s.lib.Catalog.SnapshotMarks(ctx)
	if err != nil {
		return err
	}
	fp, err := s.lib.Catalog.Fingerprint(ctx)
	if err != nil {
		return err
	}
	run, err := s.lib.StartRun()
	if err != nil {
		return err
	}
	defer run.Close()
	tmp := filepath.Join(run.Dir, "snapshot.db")
	if err := s.lib.Catalog.SnapshotTo(ctx, tmp); diskspace.IsFull(err) {
		return fmt.Errorf("no catalog snapshot for %q (every photo is uploaded): %w", s.r.Name, diskspace.Full(s.lib.Root, err))
	} else if err != nil {
		return err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	key := "catalog/" + time.Now().UTC().Format("20060102T150405.000Z") + ".db"
	u := upload{key: key, file: tmp, size: fi.Size(), contentType: "application/vnd.sqlite3"}
	if _, err := s.put(ctx, u); err != nil {
		return fmt.Errorf("upload catalog snapshot: %w", err)
	}
	err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.AddSnapshot(ctx, s.r.Name, catalog.Snapshot{Key: key, Version: version, Seq: seq, TrashMark: trashMark, Fingerprint: fp})
	})
	if err != nil {
		return err
	}
	s.sum.Snapshot = key
	// Prune by listing catalog/ (a few keys): snapshots made elsewhere,
	// such as by the library this one was restored from, count too. The
	// journals are of older snapshots: a restore takes the newest.
	var all, journals []string
	if err := s.store.List(ctx, "catalog/", func(i blob.Info) error {
		switch {
		case strings.HasSuffix(i.Key, ".db"):
			all = append(all, i.Key)
		case isJournal(i.Key):
			journals = append(journals, i.Key)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(all)))
	for _, old := range all[min(len(all), max(1, s.r.KeepSnapshots)):] {
		if err := s.forgetSnapshot(ctx, old); err != nil {
			return fmt.Errorf("prune snapshot: %w", err)
		}
		s.sum.Pruned++
	}
	for _, old := range journals {
		if err := s.forgetSnapshot(ctx, old); err != nil {
			return fmt.Errorf("prune journal: %w", err)
		}
	}
	return nil
}
