package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Remote is an S3-compatible bucket the library syncs to. Credentials are
// never stored in the catalog.
type Remote struct {
	Name          string
	Bucket        string
	Prefix        string
	Endpoint      string
	Region        string
	Insecure      bool
	KeepSnapshots int
	Auto          bool
	CreatedAt     time.Time
	// SyncedSeq is the change number (ChangeSeq) the last finished sync
	// to the remote reached: the next looks only at photos changed since.
	SyncedSeq int64
}

// ErrRemoteExists is returned when a remote name is taken.
var ErrRemoteExists = errors.New("remote already exists")

const remoteCols = `name, bucket, prefix, endpoint, region, insecure, keep_snapshots, auto, created_at, synced_seq`

func scanRemote(s scanner) (Remote, error) {
	var r Remote
	var created string
	if err := s.Scan(&r.Name, &r.Bucket, &r.Prefix, &r.Endpoint, &r.Region, &r.Insecure, &r.KeepSnapshots, &r.Auto, &created, &r.SyncedSeq); err != nil {
		return r, err
	}
	var err error
	r.CreatedAt, err = parseStored(fmt.Sprintf("remote %q", r.Name), "created_at", created)
	return r, err
}

// AddRemote records a remote.
func (tx *Tx) AddRemote(ctx context.Context, r Remote) error {
	if r.KeepSnapshots <= 0 {
		r.KeepSnapshots = 7
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO remotes (`+remoteCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		r.Name, r.Bucket, r.Prefix, r.Endpoint, r.Region, r.Insecure, r.KeepSnapshots, r.Auto, nowText())
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %q; remove it first with \"picup remote rm %s\"", ErrRemoteExists, r.Name, r.Name)
	}
	return err
}

// Remotes lists the remotes by name.
func (c *Catalog) Remotes(ctx context.Context) ([]Remote, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+remoteCols+` FROM remotes ORDER BY name`)
	return collect(rows, err, scanRemote)
}

// RemoteByName finds a remote.
func (c *Catalog) RemoteByName(ctx context.Context, name string) (Remote, error) {
	r, err := scanRemote(c.r.QueryRowContext(ctx, `SELECT `+remoteCols+` FROM remotes WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("no remote named %q; add one with \"picup remote add %s s3://BUCKET --endpoint HOST\": %w", name, name, ErrNotFound)
	}
	return r, err
}

// DeleteRemote forgets a remote and what was synced to it (the bucket is
// left as it is).
func (tx *Tx) DeleteRemote(ctx context.Context, name string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM remotes WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no remote named %q; see \"picup remote ls\": %w", name, ErrNotFound)
	}
	return nil
}

// RemoteObject is what the catalog knows is in a remote.
type RemoteObject struct {
	SHA256 string
	Size   int64
}

// RemoteObjects returns every object recorded for a remote, by key.
func (c *Catalog) RemoteObjects(ctx context.Context, remote string) (map[string]RemoteObject, error) {
	return c.remoteObjects(ctx, `WHERE remote = ?`, remote)
}

func (c *Catalog) remoteObjects(ctx context.Context, where string, args ...any) (map[string]RemoteObject, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT key, sha256, size FROM remote_objects `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]RemoteObject{}
	for rows.Next() {
		var k string
		var o RemoteObject
		if err := rows.Scan(&k, &o.SHA256, &o.Size); err != nil {
			return nil, err
		}
		out[k] = o
	}
	return out, rows.Err()
}

// PutRemoteObject records an object as present in a remote.
func (tx *Tx) PutRemoteObject(ctx context.Context, remote, key, sha string, size int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO remote_objects (remote, key, sha256, size, synced_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (remote, key) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, synced_at = excluded.synced_at`,
		remote, key, sha, size, nowText())
	return err
}

// DeleteRemoteObject forgets an object of a remote.
func (tx *Tx) DeleteRemoteObject(ctx context.Context, remote, key string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM remote_objects WHERE remote = ? AND key = ?`, remote, key)
	return err
}

// DeleteRemoteObjects forgets objects of a remote, in one statement
// however many.
func (tx *Tx) DeleteRemoteObjects(ctx context.Context, remote string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM remote_objects WHERE remote = ? AND key IN `+idList, remote, mustJSON(keys))
	return err
}

// Snapshot is a catalog snapshot stored in a remote: a full copy of the
// catalog, or a journal of what changed since the newest full one.
type Snapshot struct {
	Key       string
	Version   int64 // catalog_version it was taken at
	CreatedAt time.Time
	Journal   bool
	// Of a full snapshot: where it stands (SnapshotMarks, read before it
	// was taken) and the fingerprint of what a journal does not carry.
	Seq, TrashMark int64
	Fingerprint    string
}

// Snapshots lists a remote's snapshots, newest first.
func (c *Catalog) Snapshots(ctx context.Context, remote string) ([]Snapshot, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT key, version, created_at, kind = 'journal', seq, trash_mark, fingerprint
		FROM remote_snapshots WHERE remote = ? ORDER BY created_at DESC, key DESC`, remote)
	return collect(rows, err, func(s scanner) (Snapshot, error) {
		var sn Snapshot
		var created string
		if err := s.Scan(&sn.Key, &sn.Version, &created, &sn.Journal, &sn.Seq, &sn.TrashMark, &sn.Fingerprint); err != nil {
			return sn, err
		}
		var err error
		sn.CreatedAt, err = parseStored(fmt.Sprintf("remote %q, snapshot %s", remote, sn.Key), "created_at", created)
		return sn, err
	})
}

// AddSnapshot records a snapshot uploaded to a remote.
func (tx *Tx) AddSnapshot(ctx context.Context, remote string, sn Snapshot) error {
	kind := "full"
	if sn.Journal {
		kind = "journal"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO remote_snapshots (remote, key, version, created_at, kind, seq, trash_mark, fingerprint)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		remote, sn.Key, sn.Version, nowText(), kind, sn.Seq, sn.TrashMark, sn.Fingerprint)
	return err
}

// DeleteSnapshot forgets a snapshot.
func (tx *Tx) DeleteSnapshot(ctx context.Context, remote, key string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM remote_snapshots WHERE remote = ? AND key = ?`, remote, key)
	return err
}

// SnapshotTo writes a consistent copy of the catalog to path (VACUUM
// INTO) for a remote, without what must stay on this machine: the share
// links' password hashes become PasswordLocked (a family password's hash
// is quickly guessed offline by whoever reads the bucket), overwritten
// in the file rather than left in its free pages.
func (c *Catalog) SnapshotTo(ctx context.Context, path string) error {
	if _, err := c.r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("snapshot the catalog: %w", markFull(err))
	}
	if err := lockPasswords(ctx, path); err != nil {
		return fmt.Errorf("snapshot the catalog: %w", markFull(err))
	}
	return nil
}

// lockPasswords replaces every password hash in the catalog copy at path
// with PasswordLocked, with secure_delete on so that the old values are
// zeroed, not freed.
func lockPasswords(ctx context.Context, path string) error {
	q := url.Values{}
	q.Add("_pragma", "secure_delete(1)")
	q.Add("_pragma", "journal_mode(DELETE)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE shares SET password_hash = ? WHERE password_hash IS NOT NULL AND password_hash != ''`, PasswordLocked)
	return errors.Join(err, db.Close())
}

// AllSidecars returns every sidecar by photo id (one query, for syncs).
func (c *Catalog) AllSidecars(ctx context.Context) (map[int64][]Sidecar, error) {
	return sidecarsByPhoto(ctx, c.r, "")
}

// SidecarsOf returns the sidecars of the photos ids, by photo id.
func (c *Catalog) SidecarsOf(ctx context.Context, ids []int64) (map[int64][]Sidecar, error) {
	return sidecarsByPhoto(ctx, c.r, "WHERE photo_id IN "+idList, idsJSON(ids))
}

func sidecarsByPhoto(ctx context.Context, q querier, where string, args ...any) (map[int64][]Sidecar, error) {
	rows, err := q.QueryContext(ctx, `SELECT photo_id, path, bytes, sha256 FROM sidecars `+where+` ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]Sidecar{}
	for rows.Next() {
		var id int64
		var s Sidecar
		if err := rows.Scan(&id, &s.Path, &s.Bytes, &s.SHA256); err != nil {
			return nil, err
		}
		out[id] = append(out[id], s)
	}
	return out, rows.Err()
}

// AllAlbumNames returns the album names of every photo, by photo id.
func (c *Catalog) AllAlbumNames(ctx context.Context) (map[int64][]string, error) {
	return c.albumNamesByPhoto(ctx, "")
}

// AlbumNamesOf returns the album names of the photos ids, by photo id.
func (c *Catalog) AlbumNamesOf(ctx context.Context, ids []int64) (map[int64][]string, error) {
	return c.albumNamesByPhoto(ctx, "WHERE ap.photo_id IN "+idList, idsJSON(ids))
}

func (c *Catalog) albumNamesByPhoto(ctx context.Context, where string, args ...any) (map[int64][]string, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT ap.photo_id, a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id `+where+`
		ORDER BY a.name COLLATE NOCASE`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = append(out[id], n)
	}
	return out, rows.Err()
}

// QueueAutoSyncs queues a sync job for every remote marked auto that has
// none pending, and reports how many it queued.
func (tx *Tx) QueueAutoSyncs(ctx context.Context) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM remotes WHERE auto
		AND name NOT IN (SELECT target FROM jobs WHERE kind = ? AND state = 'pending')`, JobSync)
	names, err := collect(rows, err, func(s scanner) (string, error) {
		var n string
		err := s.Scan(&n)
		return n, err
	})
	if err != nil {
		return 0, err
	}
	for _, n := range names {
		if err := tx.AddJob(ctx, JobSync, n); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}
