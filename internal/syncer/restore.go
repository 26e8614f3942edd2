package syncer

import (
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

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/diskspace"
)

// RestoreOptions says how to restore.
type RestoreOptions struct {
	FromSidecars bool // rebuild the catalog from meta/*.json instead of a snapshot
	Transfers    int
}

// RestoreSummary is what a restore did.
type RestoreSummary struct {
	Snapshot   string   `json:"snapshot,omitempty"`
	Journals   []string `json:"journals"`  // applied on the snapshot, in order
	CaughtUp   int      `json:"caught_up"` // photos the journals brought up to date
	Photos     int      `json:"photos"`
	Downloaded int      `json:"downloaded"`
	Bytes      int64    `json:"bytes"`
	Missing    []string `json:"missing"` // objects the catalog names that the remote lacks, the first 1,000
	// MissingCount counts them all.
	MissingCount int `json:"missing_count"`
	// LockedShares are the password links that came back without their
	// passwords (snapshots never carry them): they open for no one until
	// "picup share password ID".
	LockedShares []int64 `json:"locked_shares"`
}

// Restore rebuilds a library in root, which must not hold one yet, from a
// remote alone: the newest catalog snapshot (or, with FromSidecars, the
// meta/*.json sidecars), then every original, sidecar and thumbnail, each
// checked against its SHA-256. The remote is configured in the new
// library. Running it again after an interruption downloads only what is
// missing.
func Restore(ctx context.Context, root string, r catalog.Remote, store blob.Store, o RestoreOptions) (RestoreSummary, error) {
	sum, err := restore(ctx, root, r, store, o)
	if diskspace.IsFull(err) {
		err = fmt.Errorf("restore stopped after %d files: %w, then run the same restore again: it goes on where it stopped",
			sum.Downloaded, diskspace.Full(root, err))
	}
	return sum, err
}

func restore(ctx context.Context, root string, r catalog.Remote, store blob.Store, o RestoreOptions) (RestoreSummary, error) {
	sum := RestoreSummary{Missing: []string{}, LockedShares: []int64{}, Journals: []string{}}
	if o.Transfers <= 0 {
		o.Transfers = 4
	}
	lib, err := restoreCatalog(ctx, root, r, store, o, &sum)
	if err != nil {
		return sum, err
	}
	defer lib.Close()
	return download(ctx, lib, store, o, sum)
}

// restoreCatalog makes the catalog of the library in root: the newest
// snapshot and the journals after it, or the sidecars, or, when a
// restore made it already, the journals it stopped before applying. It
// returns the library open, with the remote configured.
func restoreCatalog(ctx context.Context, root string, r catalog.Remote, store blob.Store, o RestoreOptions, sum *RestoreSummary) (*library.Library, error) {
	dbPath := filepath.Join(root, library.CatalogFile)
	if library.Exists(dbPath) {
		lib, err := library.Open(ctx, root)
		if err != nil {
			return nil, err
		}
		name, err := configure(ctx, lib, r)
		if err == nil {
			err = resumeCatchUp(ctx, lib, store, name, sum)
		}
		if err != nil {
			lib.Close()
			return nil, err
		}
		return lib, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	if !o.FromSidecars {
		key, keys, err := newestSnapshot(ctx, store)
		if err != nil {
			return nil, err
		}
		chain, err := journalChain(ctx, store, keys, key)
		if err != nil {
			return nil, err
		}
		sum.Journals = append(sum.Journals, chain...)
		if err := fetch(ctx, store, key, "", dbPath+".part"); err != nil {
			return nil, fmt.Errorf("download snapshot %s: %w", key, err)
		}
		// Until the journals are applied, a restore run again applies them.
		if len(sum.Journals) > 0 {
			if err := os.WriteFile(filepath.Join(root, journalPending), []byte(key), 0o644); err != nil {
				return nil, err
			}
		}
		if err := os.Rename(dbPath+".part", dbPath); err != nil {
			return nil, err
		}
		sum.Snapshot = key
	}
	lib, err := library.Open(ctx, root)
	if err != nil {
		return nil, err
	}
	if o.FromSidecars {
		err = fromSidecars(ctx, lib, store)
	}
	var name string
	if err == nil {
		name, err = configure(ctx, lib, r)
	}
	if err == nil && len(sum.Journals) > 0 {
		err = applyJournals(ctx, lib, store, name, sum.Snapshot, sum)
	}
	if err != nil {
		lib.Close()
		return nil, err
	}
	return lib, nil
}

// journalPending, in a library being restored, names the snapshot whose
// journals are still to apply on its catalog.
const journalPending = "restore-journals"

// applyJournals applies sum.Journals on the catalog restored from
// snapshot base, of remote, then drops the note that they are pending.
func applyJournals(ctx context.Context, lib *library.Library, store blob.Store, remote, base string, sum *RestoreSummary) error {
	n, err := catchUp(ctx, lib, store, remote, base, sum.Journals)
	sum.CaughtUp = n
	if errors.Is(err, errTwoChains) {
		return fmt.Errorf("apply the journals of %s: %w", base, err)
	} else if err != nil {
		return fmt.Errorf("apply the journals of %s: %w; run the same restore again to go on", base, err)
	}
	if err := os.Remove(filepath.Join(lib.Root, journalPending)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// resumeCatchUp applies the journals a restore stopped before applying
// (those applied already are applied again: each photo is made what its
// sidecar says).
func resumeCatchUp(ctx context.Context, lib *library.Library, store blob.Store, remote string, sum *RestoreSummary) error {
	base, err := os.ReadFile(filepath.Join(lib.Root, journalPending))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var keys []string
	if err := store.List(ctx, "catalog/", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return fmt.Errorf("list journals: %w", err)
	}
	chain, err := journalChain(ctx, store, keys, string(base))
	if err != nil {
		return err
	}
	sum.Snapshot, sum.Journals = string(base), append(sum.Journals, chain...)
	return applyJournals(ctx, lib, store, remote, string(base), sum)
}

// newestSnapshot finds the newest catalog/<time>.db in the remote; keys
// are all the objects under catalog/.
func newestSnapshot(ctx context.Context, store blob.Store) (string, []string, error) {
	var keys, dbs []string
	err := store.List(ctx, "catalog/", func(i blob.Info) error {
		keys = append(keys, i.Key)
		if strings.HasSuffix(i.Key, ".db") {
			dbs = append(dbs, i.Key)
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("list snapshots: %w", err)
	}
	if len(dbs) == 0 {
		return "", nil, errors.New("the remote holds no catalog snapshot (catalog/*.db); rebuild from the photo sidecars with --from-sidecars")
	}
	sort.Strings(dbs)
	return dbs[len(dbs)-1], keys, nil
}

// configure records the remote in the restored library (replacing the
// snapshot's entry of the same name with how it was reached now), and drops
// state that belonged to the old machine's processes.
func configure(ctx context.Context, lib *library.Library, r catalog.Remote) (string, error) {
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM reservations`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sources`); err != nil {
			return err
		}
		// Every original is downloaded, offloaded ones too.
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET offloaded = NULL WHERE offloaded IS NOT NULL`); err != nil {
			return err
		}
		// A journal follows a snapshot of this catalog's own change
		// numbers, which a restore does not keep: the first sync from
		// here takes a full snapshot.
		if _, err := tx.ExecContext(ctx, `UPDATE remote_snapshots SET fingerprint = ''`); err != nil {
			return err
		}
		// The snapshot knows the remote under its own name: keep that
		// name, with how the remote is reached from here.
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM remotes WHERE bucket = ? AND prefix = ?`, r.Bucket, r.Prefix).Scan(&name)
		if err == nil {
			r.Name = name
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO remotes (name, bucket, prefix, endpoint, region, insecure, keep_snapshots, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET bucket = excluded.bucket, prefix = excluded.prefix,
			endpoint = excluded.endpoint, region = excluded.region, insecure = excluded.insecure`,
			r.Name, r.Bucket, r.Prefix, r.Endpoint, r.Region, r.Insecure, max(r.KeepSnapshots, 1), catalog.Now())
		return err
	})
	return r.Name, err
}

// fromSidecars fills an empty catalog from meta/*.json.
func fromSidecars(ctx context.Context, lib *library.Library, store blob.Store) error {
	var keys []string
	if err := store.List(ctx, "meta/", func(i blob.Info) error {
		if strings.HasSuffix(i.Key, ".json") {
			keys = append(keys, i.Key)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("list sidecars: %w", err)
	}
	if len(keys) == 0 {
		return errors.New("the remote holds no photo sidecars (meta/*.json): nothing to rebuild from")
	}
	for _, key := range keys {
		rc, _, err := store.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		var m Meta
		err = json.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(&m)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return insertMeta(ctx, tx, m) }); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

func insertMeta(ctx context.Context, tx *catalog.Tx, m Meta) error {
	if _, err := tx.PhotoBySHA(ctx, m.SHA256); err == nil {
		return nil
	}
	p, err := m.Photo()
	if err != nil {
		return err
	}
	id, err := tx.InsertPhoto(ctx, p)
	if err != nil {
		return err
	}
	p.ID = id
	if !p.TrashedAt.IsZero() {
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET trashed_at = ? WHERE id = ?`, catalog.FormatTime(p.TrashedAt), id); err != nil {
			return err
		}
	}
	for _, name := range m.Owners {
		u, err := tx.UserByName(ctx, name)
		if errors.Is(err, catalog.ErrNotFound) {
			var uid int64
			if uid, err = tx.CreateUser(ctx, name, nil); err == nil {
				u.ID = uid
			}
		}
		if err != nil {
			return err
		}
		if _, err := tx.Own(ctx, p, u.ID); err != nil {
			return err
		}
	}
	for _, a := range m.Albums {
		aid, err := tx.EnsureAlbum(ctx, a)
		if err != nil {
			return err
		}
		if _, err := tx.AddToAlbum(ctx, aid, id, catalog.Actor{}); err != nil {
			return err
		}
	}
	for _, sc := range m.Sidecars {
		if err := tx.InsertSidecar(ctx, id, sc.Path, sc.Bytes, sc.SHA256); err != nil {
			return err
		}
	}
	tp, err := m.TakingPart.Catalog()
	if err != nil {
		return fmt.Errorf("photo %s: %w", m.SHA256, err)
	}
	return tx.RestoreTakingPart(ctx, id, tp)
}

type fetchItem struct{ key, sha string }

// maxMissing is how many missing objects a restore names; it counts them all.
const maxMissing = 1000

// download brings every file the catalog names into the library, reading
// the photos as the workers take them.
func download(ctx context.Context, lib *library.Library, store blob.Store, o RestoreOptions, sum RestoreSummary) (RestoreSummary, error) {
	shares, err := lib.Catalog.Shares(ctx)
	if err != nil {
		return sum, err
	}
	for _, s := range shares {
		if s.PasswordHash == catalog.PasswordLocked && s.RevokedAt.IsZero() {
			sum.LockedShares = append(sum.LockedShares, s.ID)
		}
	}
	sidecars, err := lib.Catalog.AllSidecars(ctx)
	if err != nil {
		return sum, err
	}
	var mu sync.Mutex
	var firstErr error
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	work := make(chan fetchItem, 64)
	var wg sync.WaitGroup
	for range o.Transfers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				dst := lib.Abs(it.key)
				if library.Exists(dst) {
					continue
				}
				err := fetch(ctx, store, it.key, it.sha, dst)
				mu.Lock()
				switch {
				case err == nil:
					sum.Downloaded++
					if fi, err := os.Stat(dst); err == nil {
						sum.Bytes += fi.Size()
					}
				case blob.IsNotExist(err):
					sum.MissingCount++
					if len(sum.Missing) < maxMissing {
						sum.Missing = append(sum.Missing, it.key)
					}
				case diskspace.IsFull(err):
					// Every file after it would fail the same way.
					if !diskspace.IsFull(firstErr) {
						firstErr = err
					}
					stop()
				case firstErr == nil:
					firstErr = fmt.Errorf("%s: %w", it.key, err)
				}
				mu.Unlock()
			}
		}()
	}
	feed := func(it fetchItem) error {
		select {
		case work <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	feedErr := lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		sum.Photos++
		if err := feed(fetchItem{p.Path, p.SHA256}); err != nil {
			return err
		}
		for _, sc := range sidecars[p.ID] {
			if err := feed(fetchItem{sc.Path, sc.SHA256}); err != nil {
				return err
			}
		}
		for _, s := range thumb.Sizes {
			if err := feed(fetchItem{library.ThumbPath(p.SHA256, s.Name), ""}); err != nil {
				return err
			}
		}
		return nil
	})
	close(work)
	wg.Wait()
	sort.Strings(sum.Missing)
	if firstErr == nil && !errors.Is(feedErr, context.Canceled) {
		firstErr = feedErr
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return sum, firstErr
}

// fetch downloads one object to dst through a temporary file, checking its
// SHA-256 when one is known (from the catalog, else from the object).
func fetch(ctx context.Context, store blob.Store, key, sha, dst string) error {
	rc, info, err := store.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if sha == "" {
		sha = info.SHA256
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), rc)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && sha != "" && hex.EncodeToString(h.Sum(nil)) != sha {
		err = fmt.Errorf("downloaded content does not match its SHA-256 %s", sha[:12])
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return library.SyncDir(filepath.Dir(dst))
}
