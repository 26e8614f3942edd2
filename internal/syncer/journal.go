package syncer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Between full snapshots, a sync writes a journal: what changed since the
// newest full one. A full snapshot copies the whole catalog (about 1.5 kB
// a photo), so it is taken only when it is cheap or due (docs/sync.md,
// "Catalog snapshots"):
const (
	// smallCatalog: a catalog smaller than this is copied whole at every
	// changing sync, in well under a second.
	smallCatalog = 64 << 20
	// journalShare: a journal holds at most one photo in this many of the
	// library before the next sync takes a full snapshot, so that a
	// restore reads a bounded number of sidecars, and the copies of the
	// whole catalog cost, spread over the changes, a constant per photo.
	journalShare = 100
	// journalMin is the number of photos a journal may hold in any case.
	journalMin = 2000
)

// Journal is catalog/<time>.journal.json: what changed in the catalog
// since the full snapshot Base. A restore applies it on Base: each photo
// is made what its meta/<sha256>.json says, under the id it has here,
// and each purged one is forgotten. Users, albums, share links and
// settings are not in it: when they change, the next sync takes a full
// snapshot.
type Journal struct {
	Version  int                `json:"version"`
	Base     string             `json:"base"`
	Photos   []catalog.PhotoRef `json:"photos"`
	TrashLog []JournalPurge     `json:"trash_log"`
}

// JournalPurge is a trash log entry of a journal, with its photos.
type JournalPurge struct {
	ID       int64              `json:"id"`
	PurgedAt string             `json:"purged_at"` // RFC 3339 UTC
	Reason   string             `json:"reason"`
	AfterS   int64              `json:"after_s"`
	Bytes    int64              `json:"bytes"`
	Photos   []JournalPurgedOne `json:"photos"`
}

// JournalPurgedOne is a purged photo as the trash log keeps it.
type JournalPurgedOne struct {
	ID           int64  `json:"id"`
	SHA256       string `json:"sha256"`
	Path         string `json:"path"`
	OriginalName string `json:"original_name"`
	Bytes        int64  `json:"bytes"`
	TrashedAt    string `json:"trashed_at"` // RFC 3339 UTC
}

func journalKey(at time.Time) string {
	return "catalog/" + at.UTC().Format("20060102T150405.000Z") + ".journal.json"
}

func isJournal(key string) bool { return strings.HasSuffix(key, ".journal.json") }

// makeJournal reads what changed since the full snapshot base.
func makeJournal(ctx context.Context, c *catalog.Catalog, base catalog.Snapshot) (Journal, error) {
	j := Journal{Version: 1, Base: base.Key, TrashLog: []JournalPurge{}}
	var err error
	if j.Photos, err = c.ChangedSince(ctx, base.Seq); err != nil {
		return j, err
	}
	if j.Photos == nil {
		j.Photos = []catalog.PhotoRef{}
	}
	entries, photos, err := c.TrashLogSince(ctx, base.TrashMark)
	if err != nil {
		return j, err
	}
	byLog := map[int64][]JournalPurgedOne{}
	for _, p := range photos {
		byLog[p.LogID] = append(byLog[p.LogID], JournalPurgedOne{ID: p.ID, SHA256: p.SHA256, Path: p.Path,
			OriginalName: p.OriginalName, Bytes: p.Bytes, TrashedAt: catalog.FormatTime(p.TrashedAt)})
	}
	for _, e := range entries {
		ps := byLog[e.ID]
		if ps == nil {
			ps = []JournalPurgedOne{}
		}
		j.TrashLog = append(j.TrashLog, JournalPurge{ID: e.ID, PurgedAt: catalog.FormatTime(e.PurgedAt), Reason: e.Reason,
			AfterS: int64(e.After / time.Second), Bytes: e.Bytes, Photos: ps})
	}
	return j, nil
}

// purged counts the photos of a journal's trash log.
func (j Journal) purged() int {
	n := 0
	for _, e := range j.TrashLog {
		n += len(e.Photos)
	}
	return n
}

// journalBase returns the full snapshot a journal can be written against
// instead of a new full snapshot, with that journal; ok is false when a
// full snapshot is due: there is none yet, or it is from before
// journals, or what a journal does not carry changed since it, or it is
// gone from the remote, or the journal would be too long, or the catalog
// is small enough to copy whole.
func (s *syncRun) journalBase(ctx context.Context, snaps []catalog.Snapshot) (Journal, bool, error) {
	if s.o.FullSnapshot {
		return Journal{}, false, nil
	}
	fi, err := os.Stat(filepath.Join(s.lib.Root, library.CatalogFile))
	if err != nil || fi.Size() < smallCatalog && !s.o.journalAlways {
		return Journal{}, false, err
	}
	var base catalog.Snapshot
	for _, sn := range snaps {
		if !sn.Journal {
			base = sn
			break
		}
	}
	if base.Fingerprint == "" {
		return Journal{}, false, nil
	}
	fp, err := s.lib.Catalog.Fingerprint(ctx)
	if err != nil || fp != base.Fingerprint {
		return Journal{}, false, err
	}
	photos, err := s.lib.Catalog.CountPhotos(ctx, catalog.Filter{})
	if err != nil {
		return Journal{}, false, err
	}
	changed, err := s.lib.Catalog.CountChangedSince(ctx, base.Seq)
	if err != nil || changed > max(journalMin, photos/journalShare) {
		return Journal{}, false, err
	}
	j, err := makeJournal(ctx, s.lib.Catalog, base)
	if err != nil || len(j.Photos)+j.purged() > max(journalMin, photos/journalShare) {
		return j, false, err
	}
	if _, err := s.store.Head(ctx, base.Key); blob.IsNotExist(err) {
		return j, false, nil
	} else if err != nil {
		return j, false, fmt.Errorf("look for the snapshot %s: %w", base.Key, err)
	}
	return j, true, nil
}

// writeJournal uploads j and forgets the journals it replaces: each holds
// everything since its base, so the newest one is enough.
func (s *syncRun) writeJournal(ctx context.Context, j Journal, version int64, snaps []catalog.Snapshot) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	key := journalKey(time.Now())
	err = s.store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), sha(data), "application/json")
	if err != nil {
		return fmt.Errorf("upload catalog journal: %w", err)
	}
	err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.AddSnapshot(ctx, s.r.Name, catalog.Snapshot{Key: key, Version: version, Journal: true})
	})
	if err != nil {
		return err
	}
	s.sum.Journal = key
	for _, sn := range snaps {
		if sn.Journal && sn.Key != key {
			if err := s.forgetSnapshot(ctx, sn.Key); err != nil {
				return err
			}
		}
	}
	return nil
}

// forgetSnapshot deletes a snapshot or journal from the remote and the
// catalog's record of it.
func (s *syncRun) forgetSnapshot(ctx context.Context, key string) error {
	if err := s.store.Delete(ctx, key); err != nil && !blob.IsNotExist(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteSnapshot(ctx, s.r.Name, key) })
}

// newestJournal finds the newest journal of the remote written against
// base, among keys (the remote's catalog/ objects); ok is false when
// there is none.
func newestJournal(ctx context.Context, store blob.Store, keys []string, base string) (string, Journal, bool, error) {
	var journals []string
	for _, k := range keys {
		if isJournal(k) && k > base {
			journals = append(journals, k)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(journals)))
	for _, k := range journals {
		j, err := readJournal(ctx, store, k)
		if err != nil {
			return k, j, false, err
		}
		if j.Base == base {
			return k, j, true, nil
		}
	}
	return "", Journal{}, false, nil
}

// maxJournal bounds what a restore reads of a journal: a hundredth of ten
// million photos takes about 10 MB.
const maxJournal = 256 << 20

func readJournal(ctx context.Context, store blob.Store, key string) (Journal, error) {
	var j Journal
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return j, fmt.Errorf("download journal %s: %w", key, err)
	}
	defer rc.Close()
	dec := json.NewDecoder(io.LimitReader(rc, maxJournal))
	if err := dec.Decode(&j); err != nil {
		return j, fmt.Errorf("journal %s is not readable (%w): restore from its snapshot alone by deleting it from the remote", key, err)
	}
	if j.Version != 1 {
		return j, fmt.Errorf("journal %s has version %d, which this picup does not know: use a newer picup", key, j.Version)
	}
	return j, nil
}

// catchUp applies journal j to the catalog restored from its base: the
// purges first (a content purged and imported again comes back under
// its new id), then each photo as its sidecar says, a batch of sidecars
// downloaded at once on transfers workers. A photo whose sidecar is
// missing (it changed after the sync that wrote j began) keeps what the
// snapshot says of it, or is left out when the snapshot did not have
// it; its sidecar's key goes into missing. What a photo's sidecar names
// is recorded as in the remote (its original, sidecars and the sidecar
// itself), as the sync that wrote them did; its thumbnails, whose hashes
// no sidecar gives, are sent again by the next sync.
func catchUp(ctx context.Context, lib *library.Library, store blob.Store, remote string, j Journal, transfers int) (photos int, missing []string, err error) {
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		entries, logged, err := j.trashLog()
		if err != nil {
			return err
		}
		if err := tx.RestoreTrashLog(ctx, entries, logged); err != nil {
			return err
		}
		for _, p := range logged {
			if _, err := tx.ForgetPhoto(ctx, catalog.PhotoRef{ID: p.ID, SHA256: p.SHA256}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	const batch = 500
	for start := 0; start < len(j.Photos); start += batch {
		refs := j.Photos[start:min(start+batch, len(j.Photos))]
		metas, err := fetchMetas(ctx, store, refs, transfers)
		if err != nil {
			return photos, missing, err
		}
		err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for i, m := range metas {
				if m == nil {
					missing = append(missing, MetaKey(refs[i].SHA256))
					continue
				}
				if err := applyMeta(ctx, tx, refs[i].ID, m.Meta); err != nil {
					return fmt.Errorf("%s: %w", MetaKey(refs[i].SHA256), err)
				}
				if err := recordFetched(ctx, tx, remote, *m); err != nil {
					return err
				}
				photos++
			}
			return nil
		})
		if err != nil {
			return photos, missing, err
		}
	}
	return photos, missing, nil
}

// trashLog turns a journal's trash log back into the catalog's.
func (j Journal) trashLog() ([]catalog.TrashLogEntry, []catalog.LoggedPurge, error) {
	var entries []catalog.TrashLogEntry
	var logged []catalog.LoggedPurge
	for _, e := range j.TrashLog {
		at, err := catalog.ParseTime(e.PurgedAt)
		if err != nil {
			return nil, nil, fmt.Errorf("journal: trash log %d: purged_at %q is not an RFC 3339 time", e.ID, e.PurgedAt)
		}
		entries = append(entries, catalog.TrashLogEntry{ID: e.ID, PurgedAt: at, Reason: e.Reason,
			After: time.Duration(e.AfterS) * time.Second, Photos: int64(len(e.Photos)), Bytes: e.Bytes})
		for _, p := range e.Photos {
			trashed, err := catalog.ParseTime(p.TrashedAt)
			if err != nil {
				return nil, nil, fmt.Errorf("journal: trash log %d, photo %d: trashed_at %q is not an RFC 3339 time", e.ID, p.ID, p.TrashedAt)
			}
			logged = append(logged, catalog.LoggedPurge{LogID: e.ID, PurgedPhoto: catalog.PurgedPhoto{ID: p.ID, Path: p.Path,
				OriginalName: p.OriginalName, SHA256: p.SHA256, Bytes: p.Bytes, TrashedAt: trashed}})
		}
	}
	return entries, logged, nil
}

// recordFetched records the objects of a photo that its sidecar m
// describes as being in remote.
func recordFetched(ctx context.Context, tx *catalog.Tx, remote string, m fetchedMeta) error {
	if err := tx.PutRemoteObject(ctx, remote, m.Path, m.SHA256, m.Bytes); err != nil {
		return err
	}
	for _, sc := range m.Sidecars {
		if err := tx.PutRemoteObject(ctx, remote, sc.Path, sc.SHA256, sc.Bytes); err != nil {
			return err
		}
	}
	return tx.PutRemoteObject(ctx, remote, MetaKey(m.SHA256), m.sha, m.size)
}

// fetchedMeta is a photo's sidecar with the hash and size of its object.
type fetchedMeta struct {
	Meta
	sha  string
	size int64
}

// fetchMetas downloads the sidecars of refs on transfers workers; a
// missing one is nil.
func fetchMetas(ctx context.Context, store blob.Store, refs []catalog.PhotoRef, transfers int) ([]*fetchedMeta, error) {
	out := make([]*fetchedMeta, len(refs))
	errs := make([]error, len(refs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(transfers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = fetchMeta(ctx, store, MetaKey(refs[i].SHA256))
			}
		}()
	}
	for i := range refs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

func fetchMeta(ctx context.Context, store blob.Store, key string) (*fetchedMeta, error) {
	rc, _, err := store.Get(ctx, key)
	if blob.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxMeta+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if len(data) > maxMeta {
		return nil, fmt.Errorf("%s is over %d MB: not a sidecar of picup's", key, maxMeta>>20)
	}
	m := fetchedMeta{sha: sha(data), size: int64(len(data))}
	if err := json.Unmarshal(data, &m.Meta); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return &m, nil
}

// maxMeta bounds a photo's sidecar (a few kB; more with many comments).
const maxMeta = 16 << 20

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// applyMeta makes photo id what its sidecar m says.
func applyMeta(ctx context.Context, tx *catalog.Tx, id int64, m Meta) error {
	p, err := m.Photo()
	if err != nil {
		return err
	}
	p.ID = id
	if old, err := tx.PhotoBySHA(ctx, p.SHA256); err == nil && old.ID != id {
		if _, err := tx.ForgetPhoto(ctx, catalog.PhotoRef{ID: old.ID, SHA256: old.SHA256}); err != nil {
			return err
		}
	} else if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return err
	}
	st := catalog.PhotoState{Photo: p, Sidecars: m.Sidecars}
	for _, name := range m.Owners {
		uid, err := userID(ctx, tx, name)
		if err != nil {
			return err
		}
		st.Owners = append(st.Owners, uid)
	}
	for _, a := range m.Albums {
		aid, err := tx.EnsureAlbum(ctx, a)
		if err != nil {
			return err
		}
		st.Albums = append(st.Albums, aid)
	}
	if st.TakingPart, err = m.TakingPart.Catalog(); err != nil {
		return fmt.Errorf("photo %s: %w", m.SHA256, err)
	}
	return tx.ReplacePhoto(ctx, st)
}

// userID is the id of the user called name, created when missing.
func userID(ctx context.Context, tx *catalog.Tx, name string) (int64, error) {
	u, err := tx.UserByName(ctx, name)
	if errors.Is(err, catalog.ErrNotFound) {
		return tx.CreateUser(ctx, name, nil)
	}
	return u.ID, err
}
