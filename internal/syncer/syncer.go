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
	Progress  *Progress
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
	Uploaded int       `json:"uploaded"`
	Bytes    int64     `json:"bytes"`
	Skipped  int       `json:"skipped"`
	Failed   int       `json:"failed"`
	Snapshot string    `json:"snapshot,omitempty"`
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
}

// Sync uploads to store whatever the catalog does not record as being in
// the remote, then a catalog snapshot when the catalog changed since the
// last one. It makes no bucket-wide listing. A remote that keeps failing
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
	known map[string]catalog.RemoteObject

	mu  sync.Mutex
	sum Summary
}

func (s *syncRun) run(ctx context.Context) error {
	var err error
	if s.known, err = s.lib.Catalog.RemoteObjects(ctx, s.r.Name); err != nil {
		return err
	}
	originals, thumbs, metas, err := s.plan(ctx)
	if err != nil {
		return err
	}
	// One queue, originals first: no pool drains between kinds of
	// objects. Only the snapshot must wait for all of them.
	all := append(append(originals, thumbs...), metas...)
	if err := s.transfer(ctx, all); err != nil {
		return err
	}
	if s.sum.Failed > 0 || s.o.DryRun {
		return nil // a snapshot must not reference what is missing
	}
	return s.snapshot(ctx)
}

// plan lists what is missing remotely, by kind.
func (s *syncRun) plan(ctx context.Context) (originals, thumbs, metas []upload, err error) {
	sidecars, err := s.lib.Catalog.AllSidecars(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	albums, err := s.lib.Catalog.AllAlbumNames(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	takingPart, err := s.lib.Catalog.AllTakingPart(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	need := func(key, sha string, size int64) bool {
		k, ok := s.known[key]
		return !ok || k.Size != size || sha != "" && k.SHA256 != sha
	}
	err = s.lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		if p.Offloaded != "" && p.Offloaded != s.r.Name && need(p.Path, p.SHA256, p.Bytes) {
			// Only another remote has this original: it cannot come
			// from here until "picup fetch".
			s.sum.Failed++
			s.sum.Failures = append(s.sum.Failures, Failure{Key: p.Path, Error: fmt.Sprintf("offloaded to %q; run \"picup fetch %d\" first", p.Offloaded, p.ID)})
		} else if need(p.Path, p.SHA256, p.Bytes) {
			originals = append(originals, upload{key: p.Path, file: s.lib.Abs(p.Path), sha: p.SHA256, size: p.Bytes, contentType: p.MIME})
		} else {
			s.sum.Skipped++
		}
		for _, sc := range sidecars[p.ID] {
			if need(sc.Path, sc.SHA256, sc.Bytes) {
				originals = append(originals, upload{key: sc.Path, file: s.lib.Abs(sc.Path), sha: sc.SHA256, size: sc.Bytes})
			} else {
				s.sum.Skipped++
			}
		}
		for _, size := range thumb.Sizes {
			key := library.ThumbPath(p.SHA256, size.Name)
			fi, err := os.Stat(s.lib.Abs(key))
			if err != nil {
				continue // verify reports and regenerates missing thumbnails
			}
			if need(key, "", fi.Size()) {
				thumbs = append(thumbs, upload{key: key, file: s.lib.Abs(key), size: fi.Size(), contentType: "image/jpeg"})
			} else {
				s.sum.Skipped++
			}
		}
		data, err := MetaOf(p, albums[p.ID], sidecars[p.ID], takingPart[p.ID]).encode()
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		if key := MetaKey(p.SHA256); need(key, sha, int64(len(data))) {
			metas = append(metas, upload{key: key, data: data, sha: sha, size: int64(len(data)), contentType: "application/json"})
		} else {
			s.sum.Skipped++
		}
		return nil
	})
	for _, list := range [][]upload{originals, thumbs, metas} {
		for _, u := range list {
			s.o.Progress.TotalObjects.Add(1)
			s.o.Progress.TotalBytes.Add(u.size)
		}
	}
	return originals, thumbs, metas, err
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

// snapshot uploads a consistent copy of the catalog when it changed since
// the last snapshot, and prunes the oldest beyond the remote's keep count.
func (s *syncRun) snapshot(ctx context.Context) error {
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
	err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.AddSnapshot(ctx, s.r.Name, key, version) })
	if err != nil {
		return err
	}
	s.sum.Snapshot = key
	// Prune by listing catalog/ (a few keys): snapshots made elsewhere,
	// such as by the library this one was restored from, count too.
	var all []string
	if err := s.store.List(ctx, "catalog/", func(i blob.Info) error {
		if strings.HasSuffix(i.Key, ".db") {
			all = append(all, i.Key)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(all)))
	for _, old := range all[min(len(all), max(1, s.r.KeepSnapshots)):] {
		if err := s.store.Delete(ctx, old); err != nil {
			return fmt.Errorf("prune snapshot %s: %w", old, err)
		}
		if err := s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteSnapshot(ctx, s.r.Name, old) }); err != nil {
			return err
		}
		s.sum.Pruned++
	}
	return nil
}
