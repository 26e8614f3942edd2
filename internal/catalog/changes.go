package catalog

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
)

// Change tracking for syncs: triggers give a photo the next number of
// the sequence 'change_seq' whenever what a sync uploads for it changes
// (see the migration sync_changes). A remote's SyncedSeq is where its last sync
// stopped; the next reads only the photos above it.

// idList is an SQL list of the ids in a JSON array parameter (idsJSON).
const idList = `(SELECT value FROM json_each(?))`

// idsJSON is ids as the JSON array that idList reads.
func idsJSON(ids []int64) string {
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// ChangeSeq is the number of the latest change to what a sync uploads.
func (c *Catalog) ChangeSeq(ctx context.Context) (int64, error) {
	var n int64
	err := c.r.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'change_seq'`).Scan(&n)
	return n, err
}

// changedBatch is how many photos EachChangedPhoto reads at once.
const changedBatch = 500

// EachChangedPhoto calls fn with the photos whose latest change is above
// after and at most upTo, in the order of their changes, a batch of at
// most 500 at a time. A photo that changes again meanwhile moves above
// upTo, out of this walk.
func (c *Catalog) EachChangedPhoto(ctx context.Context, after, upTo int64, fn func([]Photo) error) error {
	seq, id := after, int64(math.MaxInt64) // (after, any id) is done
	for {
		rows, err := c.r.QueryContext(ctx, `SELECT ch.seq, `+photoCols+` FROM photo_changes ch JOIN photos p ON p.id = ch.photo_id
			WHERE (ch.seq, ch.photo_id) > (?, ?) AND ch.seq <= ? ORDER BY ch.seq, ch.photo_id LIMIT ?`, seq, id, upTo, changedBatch)
		var seqs []int64
		page, err := collect(rows, err, func(s scanner) (Photo, error) {
			var n int64
			p, err := scanPhoto(prefixed{s, &n})
			seqs = append(seqs, n)
			return p, err
		})
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		seq, id = seqs[len(seqs)-1], page[len(page)-1].ID
	}
}

// prefixed scans one column into first, then the rest with s.
type prefixed struct {
	s     scanner
	first *int64
}

func (p prefixed) Scan(dest ...any) error { return p.s.Scan(append([]any{p.first}, dest...)...) }

// RemoteObjectsOf returns what is recorded of keys in a remote, by key;
// keys not recorded are absent.
func (c *Catalog) RemoteObjectsOf(ctx context.Context, remote string, keys []string) (map[string]RemoteObject, error) {
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	return c.remoteObjects(ctx, `WHERE remote = ? AND key IN `+idList, remote, string(list))
}

// MarkChanged gives the photos ids a new change number, so that every
// remote's next sync looks at them again: those a sync failed to upload,
// and those whose objects a remote was found not to hold.
func (tx *Tx) MarkChanged(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO photo_touch (photo_id) SELECT value FROM json_each(?)`, idsJSON(ids))
	return err
}

// SyncedTo records that a sync to remote uploaded every photo changed up
// to seq but those of failed, which MarkChanged sends to the next one. A
// remote's mark never goes back (two syncs of one remote may end in
// either order).
func (tx *Tx) SyncedTo(ctx context.Context, remote string, seq int64, failed []int64) error {
	if err := tx.MarkChanged(ctx, failed...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE remotes SET synced_seq = max(synced_seq, ?) WHERE name = ?`, seq, remote)
	return err
}
