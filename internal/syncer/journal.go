package syncer

import (
	"bufio"
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
	"slices"
	"strings"
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
	// journalShare: the journals after a snapshot hold at most one photo
	// in this many of the library before the next sync takes a full
	// snapshot, so that a restore reads a bounded number of them, and
	// the copies of the whole catalog cost, spread over the changes, a
	// constant per photo.
	journalShare = 100
	// journalMin is the number of photos they may hold in any case.
	journalMin = 2000
)

// Journal is catalog/<time>.journal.json: what a sync changed in the
// catalog, against the full snapshot Base, after the record Prev (Base
// or the journal before it): each photo changed, with what its
// meta/<sha256>.json says, and the purges with their trash log. A
// restore applies the journals after a snapshot on it, in order. Users,
// albums, share links and settings are not in it: when they change, the
// next sync takes a full snapshot.
type Journal struct {
	Version  int            `json:"version"`
	Base     string         `json:"base"`
	Prev     string         `json:"prev"`
	TrashLog []JournalPurge `json:"trash_log"`
	Photos   []JournalPhoto `json:"photos"`
}

// JournalPhoto is a photo of a journal: its id and its sidecar.
type JournalPhoto struct {
	ID int64 `json:"id"`
	Meta
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

// maxJournals: past this many journals after a snapshot, the next sync
// takes a full one (a restore reads each).
const maxJournals = 1000

// journalBase returns the full snapshot and the newest record (that
// snapshot or a journal after it) that a journal can follow instead of
// a new full snapshot; ok is false when a full snapshot is due: there is
// none yet, or it is from before journals, or what a journal does not
// carry changed since it, or it or the record is gone from the remote,
// or the journals since it would hold too many photos or be too many,
// or the catalog is small enough to copy whole.
func (s *syncRun) journalBase(ctx context.Context, snaps []catalog.Snapshot) (base, prev catalog.Snapshot, ok bool, err error) {
	if s.o.FullSnapshot || len(snaps) == 0 {
		return base, prev, false, nil
	}
	fi, err := os.Stat(filepath.Join(s.lib.Root, library.CatalogFile))
	if err != nil || fi.Size() < smallCatalog && !s.o.journalAlways {
		return base, prev, false, err
	}
	prev = snaps[0]
	i := slices.IndexFunc(snaps, func(sn catalog.Snapshot) bool { return !sn.Journal })
	if i < 0 || i > maxJournals || snaps[i].Fingerprint == "" || prev.Seq == 0 {
		return base, prev, false, nil
	}
	base = snaps[i]
	fp, err := s.lib.Catalog.Fingerprint(ctx)
	if err != nil || fp != base.Fingerprint {
		return base, prev, false, err
	}
	photos, err := s.lib.Catalog.CountPhotos(ctx, catalog.Filter{})
	if err != nil {
		return base, prev, false, err
	}
	changed, err := s.lib.Catalog.ChangesSince(ctx, base.Seq, base.TrashMark)
	if err != nil || changed > max(journalMin, photos/journalShare) {
		return base, prev, false, err
	}
	for _, key := range []string{base.Key, prev.Key} {
		if _, err := s.store.Head(ctx, key); blob.IsNotExist(err) {
			return base, prev, false, nil
		} else if err != nil {
			return base, prev, false, fmt.Errorf("look for %s: %w", key, err)
		}
	}
	return base, prev, true, nil
}

// writeJournal uploads the journal of the photos changed after prev and
// up to upTo (what this sync uploaded) and of the purges since prev,
// written to a file as it is read, a batch of photos at a time.
func (s *syncRun) writeJournal(ctx context.Context, base, prev catalog.Snapshot, version, upTo int64) error {
	_, trashMark, err := s.lib.Catalog.SnapshotMarks(ctx)
	if err != nil {
		return err
	}
	trashLog, err := journalTrashLog(ctx, s.lib.Catalog, prev.TrashMark)
	if err != nil {
		return err
	}
	run, err := s.lib.StartRun()
	if err != nil {
		return err
	}
	defer run.Close()
	tmp := filepath.Join(run.Dir, "journal.json")
	if err := s.journalFile(ctx, tmp, Journal{Version: 1, Base: base.Key, Prev: prev.Key, TrashLog: trashLog}, prev.Seq, upTo); err != nil {
		return fmt.Errorf("write the catalog journal: %w", err)
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	key := journalKey(time.Now())
	if _, err := s.put(ctx, upload{key: key, file: tmp, size: fi.Size(), contentType: "application/json"}); err != nil {
		return fmt.Errorf("upload catalog journal: %w", err)
	}
	err = s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.AddSnapshot(ctx, s.r.Name, catalog.Snapshot{Key: key, Version: version, Journal: true, Seq: upTo, TrashMark: trashMark})
	})
	if err != nil {
		return err
	}
	s.sum.Journal = key
	return nil
}

// journalFile writes journal j to path with the photos changed after
// after and up to upTo.
func (s *syncRun) journalFile(ctx context.Context, path string, j Journal, after, upTo int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	head, err := json.Marshal(j) // ends with "photos":null}
	if err != nil {
		return err
	}
	// A bufio.Writer's error stays: Flush returns the first.
	_, _ = w.Write(bytes.TrimSuffix(head, []byte("null}")))
	_, _ = w.WriteString("[")
	n := 0
	err = s.lib.Catalog.EachChangedPhoto(ctx, after, upTo, func(batch []catalog.Photo) error {
		ids := make([]int64, len(batch))
		for i, p := range batch {
			ids[i] = p.ID
		}
		sidecars, albums, takingPart, err := s.about(ctx, ids)
		if err != nil {
			return err
		}
		for _, p := range batch {
			data, err := json.Marshal(JournalPhoto{ID: p.ID, Meta: MetaOf(p, albums[p.ID], sidecars[p.ID], takingPart[p.ID])})
			if err != nil {
				return err
			}
			if n > 0 {
				_, _ = w.WriteString(",")
			}
			_, _ = w.Write(data)
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, _ = w.WriteString("]}")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// journalTrashLog is the trash log from entry mark on, as a journal
// carries it.
func journalTrashLog(ctx context.Context, c *catalog.Catalog, mark int64) ([]JournalPurge, error) {
	entries, photos, err := c.TrashLogSince(ctx, mark)
	if err != nil {
		return nil, err
	}
	byLog := map[int64][]JournalPurgedOne{}
	for _, p := range photos {
		byLog[p.LogID] = append(byLog[p.LogID], JournalPurgedOne{ID: p.ID, SHA256: p.SHA256, Path: p.Path,
			OriginalName: p.OriginalName, Bytes: p.Bytes, TrashedAt: catalog.FormatTime(p.TrashedAt)})
	}
	out := []JournalPurge{}
	for _, e := range entries {
		ps := byLog[e.ID]
		if ps == nil {
			ps = []JournalPurgedOne{}
		}
		out = append(out, JournalPurge{ID: e.ID, PurgedAt: catalog.FormatTime(e.PurgedAt), Reason: e.Reason,
			AfterS: int64(e.After / time.Second), Bytes: e.Bytes, Photos: ps})
	}
	return out, nil
}

// forgetSnapshot deletes a snapshot or journal from the remote and the
// catalog's record of it.
func (s *syncRun) forgetSnapshot(ctx context.Context, key string) error {
	if err := s.store.Delete(ctx, key); err != nil && !blob.IsNotExist(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return s.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteSnapshot(ctx, s.r.Name, key) })
}

// journalChain lists the journals to apply on the snapshot base, oldest
// first, among keys (the remote's catalog/ objects): from base, each
// time the newest journal that follows the one before. A journal that
// no sync recorded (it stopped between uploading it and recording it)
// is left aside: the next sync's journal follows the same record and
// holds all it held.
func journalChain(ctx context.Context, store blob.Store, keys []string, base string) ([]string, error) {
	next := map[string]string{} // a record -> the newest journal following it
	for _, k := range slices.Sorted(slices.Values(keys)) {
		if !isJournal(k) || k <= base {
			continue
		}
		var head struct{ Base, Prev string }
		if err := getJSON(ctx, store, k, &head); err != nil {
			return nil, err
		}
		if head.Base == base {
			next[head.Prev] = k
		}
	}
	var chain []string
	for k, ok := next[base]; ok; k, ok = next[k] {
		chain = append(chain, k)
	}
	return chain, nil
}

// errTwoChains: the journals after a snapshot do not follow each other.
var errTwoChains = errors.New(`the remote holds the journals of two libraries; run "picup sync --full-snapshot" from the library in use, then restore`)

// maxJournal bounds what a restore reads of one journal.
const maxJournal = 1 << 30

func readJournal(ctx context.Context, store blob.Store, key string) (Journal, error) {
	var j Journal
	if err := getJSON(ctx, store, key, &j); err != nil {
		return j, err
	}
	if j.Version != 1 {
		return j, fmt.Errorf("journal %s has version %d, which this picup does not know: use a newer picup", key, j.Version)
	}
	return j, nil
}

// getJSON decodes the journal at key into v.
func getJSON(ctx context.Context, store blob.Store, key string, v any) error {
	rc, _, err := store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("download journal %s: %w", key, err)
	}
	defer rc.Close()
	if err := json.NewDecoder(io.LimitReader(rc, maxJournal)).Decode(v); err != nil {
		return fmt.Errorf("journal %s is not readable (%w); without it, a restore brings the catalog up to the journal before it: "+
			"move it out of catalog/ in the bucket to restore so", key, err)
	}
	return nil
}

// catchUp applies the journals written after the snapshot base, in
// order, on the catalog restored from it; each must follow the one
// before. A journal's purges go first (a content purged and imported
// again comes back under its new id), then each photo is made what its
// sidecar says, under its id. What a photo's sidecar names is recorded
// as in the remote (its original, sidecars and the sidecar itself), as
// the sync that wrote them did; its thumbnails, whose hashes no sidecar
// gives, are sent again by the next sync.
func catchUp(ctx context.Context, lib *library.Library, store blob.Store, remote, base string, journals []string) (photos int, err error) {
	prev := base
	for _, key := range journals {
		j, err := readJournal(ctx, store, key)
		if err != nil {
			return photos, err
		}
		if j.Base != base || j.Prev != prev {
			return photos, fmt.Errorf("journal %s follows %s, not %s: %w", key, j.Prev, prev, errTwoChains)
		}
		n, err := applyJournal(ctx, lib, remote, j)
		photos += n
		if err != nil {
			return photos, fmt.Errorf("%s: %w", key, err)
		}
		prev = key
	}
	return photos, nil
}

// applyJournal applies one journal, 500 photos a transaction.
func applyJournal(ctx context.Context, lib *library.Library, remote string, j Journal) (int, error) {
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
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
		return 0, err
	}
	const batch = 500
	n := 0
	for start := 0; start < len(j.Photos); start += batch {
		part := j.Photos[start:min(start+batch, len(j.Photos))]
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			states := make([]catalog.PhotoState, len(part))
			for i, p := range part {
				st, err := stateOf(ctx, tx, p.ID, p.Meta)
				if err != nil {
					return fmt.Errorf("photo %d (%s): %w", p.ID, p.SHA256, err)
				}
				states[i] = st
				if err := recordObjects(ctx, tx, remote, p.Meta); err != nil {
					return err
				}
			}
			return tx.ReplacePhotos(ctx, states)
		})
		if err != nil {
			return n, err
		}
		n += len(part)
	}
	return n, nil
}

// trashLog turns a journal's trash log back into the catalog's.
func (j Journal) trashLog() ([]catalog.TrashLogEntry, []catalog.LoggedPurge, error) {
	var entries []catalog.TrashLogEntry
	var logged []catalog.LoggedPurge
	for _, e := range j.TrashLog {
		at, err := catalog.ParseTime(e.PurgedAt)
		if err != nil {
			return nil, nil, fmt.Errorf("trash log %d: purged_at %q is not an RFC 3339 time", e.ID, e.PurgedAt)
		}
		entries = append(entries, catalog.TrashLogEntry{ID: e.ID, PurgedAt: at, Reason: e.Reason,
			After: time.Duration(e.AfterS) * time.Second, Photos: int64(len(e.Photos)), Bytes: e.Bytes})
		for _, p := range e.Photos {
			trashed, err := catalog.ParseTime(p.TrashedAt)
			if err != nil {
				return nil, nil, fmt.Errorf("trash log %d, photo %d: trashed_at %q is not an RFC 3339 time", e.ID, p.ID, p.TrashedAt)
			}
			logged = append(logged, catalog.LoggedPurge{LogID: e.ID, PurgedPhoto: catalog.PurgedPhoto{ID: p.ID, Path: p.Path,
				OriginalName: p.OriginalName, SHA256: p.SHA256, Bytes: p.Bytes, TrashedAt: trashed}})
		}
	}
	return entries, logged, nil
}

// recordObjects records the objects of a photo that its sidecar m
// describes as being in remote, the sidecar itself included.
func recordObjects(ctx context.Context, tx *catalog.Tx, remote string, m Meta) error {
	if err := tx.PutRemoteObject(ctx, remote, m.Path, m.SHA256, m.Bytes); err != nil {
		return err
	}
	for _, sc := range m.Sidecars {
		if err := tx.PutRemoteObject(ctx, remote, sc.Path, sc.SHA256, sc.Bytes); err != nil {
			return err
		}
	}
	data, err := m.encode()
	if err != nil {
		return err
	}
	return tx.PutRemoteObject(ctx, remote, MetaKey(m.SHA256), sha(data), int64(len(data)))
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// stateOf is what photo id is by its sidecar m, with its owners and
// albums by id (made when missing).
func stateOf(ctx context.Context, tx *catalog.Tx, id int64, m Meta) (catalog.PhotoState, error) {
	p, err := m.Photo()
	if err != nil {
		return catalog.PhotoState{}, err
	}
	p.ID = id
	st := catalog.PhotoState{Photo: p, Sidecars: m.Sidecars}
	for _, name := range m.Owners {
		uid, err := userID(ctx, tx, name)
		if err != nil {
			return st, err
		}
		st.Owners = append(st.Owners, uid)
	}
	for _, a := range m.Albums {
		aid, err := tx.EnsureAlbum(ctx, a)
		if err != nil {
			return st, err
		}
		st.Albums = append(st.Albums, aid)
	}
	st.TakingPart, err = m.TakingPart.Catalog()
	return st, err
}

// userID is the id of the user called name, created when missing.
func userID(ctx context.Context, tx *catalog.Tx, name string) (int64, error) {
	u, err := tx.UserByName(ctx, name)
	if errors.Is(err, catalog.ErrNotFound) {
		return tx.CreateUser(ctx, name, nil)
	}
	return u.ID, err
}
