package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// What a journal (a sync's record of what changed since the newest full
// snapshot) carries and what it does not: the photos changed since, with
// what hangs on them (owners, albums, sidecars, hearts, comments,
// uploads), the purges since, with their trash log, and nothing else.
// Whatever else a restore would need is in the fingerprint: when it
// differs from the full snapshot's, the next sync takes a full one.
// TestJournalCoversEveryTable keeps every table in one of these lists.
var (
	// journaledTables are carried by a journal.
	journaledTables = []string{"photos", "photo_owners", "album_photos", "sidecars", "hearts", "comments", "uploads",
		"trash_log", "trash_log_photos"}
	// fingerprintedTables are checked by Fingerprint, but for the
	// columns that follow from the photos (counters) or from reading
	// (views), and the settings that change with every change.
	fingerprintedTables = map[string][]string{
		"users":        {"used_bytes", "trashed_bytes", "photos", "videos"},
		"albums":       {"photos", "videos"},
		"shares":       {"views", "last_opened_at"},
		"share_photos": nil,
		"share_ids":    nil,
		"settings":     nil,
	}
	volatileSettings = []string{"catalog_version", "change_seq", "tui_seen_activity"}
	// derivedTables are made again from the photos and albums by
	// triggers, or by picup itself (look-alike hashes, by "picup dupes").
	derivedTables = []string{"photo_dates", "photo_key_days", "photo_changes", "photo_hashes", "photo_search", "album_search"}
	// localTables belong to this machine (its queue, its imports in
	// progress, what it knows of its remotes, the photos a transaction
	// changes as a batch) or are the family feed, which a journal leaves
	// out: a restore shows the feed of the full snapshot.
	localTables = []string{"jobs", "reservations", "sources", "remotes", "remote_objects", "remote_snapshots",
		"activity", "batch_photos"}
)

// SnapshotMarks is where the catalog stands, for a full snapshot taken
// right after: the last change number, and the newest trash log entry
// (0 when none), which later purges may still add to.
func (c *Catalog) SnapshotMarks(ctx context.Context) (seq, trashMark int64, err error) {
	err = c.r.QueryRowContext(ctx, `SELECT (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'change_seq'),
		(SELECT coalesce(max(id), 0) FROM trash_log)`).Scan(&seq, &trashMark)
	return seq, trashMark, err
}

// Fingerprint hashes what a journal does not carry (fingerprintedTables):
// users, albums, share links and settings, without their counters. It
// reads a few thousand rows, whatever the number of photos.
func (c *Catalog) Fingerprint(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, table := range slices.Sorted(maps.Keys(fingerprintedTables)) {
		cols, err := c.columns(ctx, table, fingerprintedTables[table])
		if err != nil {
			return "", err
		}
		q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + table
		var args []any
		if table == "settings" {
			q += ` WHERE key NOT IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(volatileSettings)), ", ") + `)`
			for _, k := range volatileSettings {
				args = append(args, k)
			}
		}
		fmt.Fprintf(h, "%s\x00", table)
		if err := c.hashRows(ctx, h, q+` ORDER BY `+strings.Join(cols, ", "), len(cols), args...); err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", table, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashRows writes the rows of query, of n columns, into h.
func (c *Catalog) hashRows(ctx context.Context, h io.Writer, query string, n int, args ...any) error {
	rows, err := c.r.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			fmt.Fprintf(h, "%T:%v\x00", v, v)
		}
		fmt.Fprintln(h)
	}
	return rows.Err()
}

// columns lists a table's columns but those left out.
func (c *Catalog) columns(ctx context.Context, table string, leftOut []string) ([]string, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	names, err := collect(rows, err, func(s scanner) (string, error) {
		var n string
		err := s.Scan(&n)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	cols := names[:0]
	for _, n := range names {
		if !slices.Contains(leftOut, n) {
			cols = append(cols, n)
		}
	}
	return cols, nil
}

// PhotoRef names a photo by its id and content.
type PhotoRef struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// ChangesSince counts the photos whose latest change is above seq and
// those purged from trash log entry trashMark on (index ranges: what
// changed, not the library).
func (c *Catalog) ChangesSince(ctx context.Context, seq, trashMark int64) (int, error) {
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM photo_changes WHERE seq > ?)
		+ (SELECT coalesce(sum(photos), 0) FROM trash_log WHERE id >= ?)`, seq, trashMark).Scan(&n)
	return n, err
}

// LoggedPurge is a photo of the trash log with the entry it is in.
type LoggedPurge struct {
	LogID int64
	PurgedPhoto
}

// TrashLogSince returns the trash log entries from id mark on, and their
// photos (an entry at the mark may have grown since).
func (c *Catalog) TrashLogSince(ctx context.Context, mark int64) ([]TrashLogEntry, []LoggedPurge, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT id, purged_at, reason, coalesce(after_s, 0), photos, bytes FROM trash_log
		WHERE id >= ? ORDER BY id`, mark)
	entries, err := collect(rows, err, func(s scanner) (TrashLogEntry, error) {
		var e TrashLogEntry
		var at string
		var after int64
		if err := s.Scan(&e.ID, &at, &e.Reason, &after, &e.Photos, &e.Bytes); err != nil {
			return e, err
		}
		e.After = time.Duration(after) * time.Second
		var err error
		e.PurgedAt, err = parseStored(fmt.Sprintf("trash log %d", e.ID), "purged_at", at)
		return e, err
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = c.r.QueryContext(ctx, `SELECT log_id, photo_id, path, original_name, sha256, bytes, trashed_at
		FROM trash_log_photos WHERE log_id >= ? ORDER BY log_id, photo_id`, mark)
	photos, err := collect(rows, err, func(s scanner) (LoggedPurge, error) {
		var p LoggedPurge
		var at string
		if err := s.Scan(&p.LogID, &p.ID, &p.Path, &p.OriginalName, &p.SHA256, &p.Bytes, &at); err != nil {
			return p, err
		}
		var err error
		p.TrashedAt, err = parseStored(fmt.Sprintf("trash log %d, photo %d", p.LogID, p.ID), "trashed_at", at)
		return p, err
	})
	return entries, photos, err
}

// RestoreTrashLog writes trash log entries and their photos as another
// catalog had them, over what this one has of them.
func (tx *Tx) RestoreTrashLog(ctx context.Context, entries []TrashLogEntry, photos []LoggedPurge) error {
	for _, e := range entries {
		var after any
		if e.Reason != PurgeEmptied {
			after = int64(e.After / time.Second)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO trash_log (id, purged_at, reason, after_s, photos, bytes) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET photos = excluded.photos, bytes = excluded.bytes`,
			e.ID, FormatTime(e.PurgedAt), e.Reason, after, e.Photos, e.Bytes)
		if err != nil {
			return fmt.Errorf("restore trash log entry %d: %w", e.ID, err)
		}
	}
	for _, p := range photos {
		_, err := tx.ExecContext(ctx, `INSERT INTO trash_log_photos (log_id, photo_id, path, original_name, sha256, bytes, trashed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.LogID, p.ID, p.Path, p.OriginalName, p.SHA256, p.Bytes, FormatTime(p.TrashedAt))
		if err != nil {
			return fmt.Errorf("restore trash log photo %d: %w", p.ID, err)
		}
	}
	return nil
}

// ForgetPhoto deletes photo id when it still holds content sha (a purge
// that came after the snapshot being restored); it reports whether it did.
func (tx *Tx) ForgetPhoto(ctx context.Context, ref PhotoRef) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE id = ? AND sha256 = ?`, ref.ID, ref.SHA256)
	if err != nil {
		return false, fmt.Errorf("forget photo %d: %w", ref.ID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// PhotoState is a photo with everything that hangs on it, as a journal's
// sidecar describes it: owners and albums by id.
type PhotoState struct {
	Photo      Photo // with the id it had
	Owners     []int64
	Albums     []int64
	Sidecars   []Sidecar
	TakingPart TakingPart
}

// ReplacePhotos makes each photo st.Photo.ID what st says: inserted
// under that id when no photo holds it, else updated in place (so that
// what refers to it, such as a selection link, stays), its owners,
// albums and sidecars replaced, and its hearts and comments made those
// of st. Another content under that id, or the same content under
// another id, is forgotten first: the catalog described is newer. A
// few statements do the whole batch: SQLite compiles a statement, and
// the triggers it fires, each time it runs one.
func (tx *Tx) ReplacePhotos(ctx context.Context, states []PhotoState) error {
	if len(states) == 0 {
		return nil
	}
	ids := make([]int64, len(states))
	shas := make([]string, len(states))
	want := make(map[int64]string, len(states))
	for i, st := range states {
		ids[i], shas[i] = st.Photo.ID, st.Photo.SHA256
		want[st.Photo.ID] = st.Photo.SHA256
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, sha256 FROM photos WHERE id IN `+idList+`
		UNION SELECT id, sha256 FROM photos WHERE sha256 IN (SELECT value FROM json_each(?))`, idsJSON(ids), mustJSON(shas))
	held, err := collect(rows, err, func(s scanner) (PhotoRef, error) {
		var r PhotoRef
		err := s.Scan(&r.ID, &r.SHA256)
		return r, err
	})
	if err != nil {
		return err
	}
	var gone []int64
	existing := map[int64]bool{}
	for _, r := range held {
		if want[r.ID] == r.SHA256 {
			existing[r.ID] = true
		} else {
			gone = append(gone, r.ID)
		}
	}
	if len(gone) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM photos WHERE id IN `+idList, idsJSON(gone)); err != nil {
			return fmt.Errorf("forget replaced photos: %w", err)
		}
	}
	var fresh, changed []photoJSON
	for _, st := range states {
		if existing[st.Photo.ID] {
			changed = append(changed, photoJSONOf(st.Photo))
		} else {
			fresh = append(fresh, photoJSONOf(st.Photo))
		}
	}
	if len(fresh) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO photos (`+photoJSONCols+`) SELECT `+photoJSONValues+`
			FROM json_each(?) j ORDER BY j.key`, mustJSON(fresh)); err != nil {
			return fmt.Errorf("insert photos: %w", err)
		}
	}
	if len(changed) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE photos SET (`+photoJSONCols+`) = (`+photoJSONValues+`)
			FROM json_each(?) j WHERE photos.id = j.value->>'id'`, mustJSON(changed)); err != nil {
			return fmt.Errorf("update photos: %w", err)
		}
	}
	return tx.replaceLinks(ctx, ids, states)
}

// replaceLinks makes the owners, albums, sidecars, hearts and comments of
// the photos ids those of states.
func (tx *Tx) replaceLinks(ctx context.Context, ids []int64, states []PhotoState) error {
	type pair struct {
		Photo int64 `json:"p"`
		Other int64 `json:"o"`
	}
	type sidecar struct {
		Photo int64 `json:"p"`
		Sidecar
	}
	owners, albums, sidecars := []pair{}, []pair{}, []sidecar{}
	for _, st := range states {
		for _, u := range st.Owners {
			owners = append(owners, pair{st.Photo.ID, u})
		}
		for _, a := range st.Albums {
			albums = append(albums, pair{st.Photo.ID, a})
		}
		for _, sc := range st.Sidecars {
			sidecars = append(sidecars, sidecar{st.Photo.ID, sc})
		}
	}
	list, now := idsJSON(ids), time.Now().UTC().Format(time.RFC3339Nano)
	for _, q := range []struct {
		what  string
		query string
		args  []any
	}{
		{"owners", `DELETE FROM photo_owners WHERE photo_id IN ` + idList + ` AND (photo_id, user_id) NOT IN
			(SELECT value->>'p', value->>'o' FROM json_each(?))`, []any{list, mustJSON(owners)}},
		{"owners", `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
			SELECT p.id, j.value->>'o', p.taken_key, ? FROM json_each(?) j JOIN photos p ON p.id = j.value->>'p'
			WHERE true ON CONFLICT DO NOTHING`, []any{now, mustJSON(owners)}},
		{"albums", `DELETE FROM album_photos WHERE photo_id IN ` + idList + ` AND (photo_id, album_id) NOT IN
			(SELECT value->>'p', value->>'o' FROM json_each(?))`, []any{list, mustJSON(albums)}},
		{"albums", `INSERT INTO album_photos (album_id, photo_id, taken_key, added_at)
			SELECT j.value->>'o', p.id, p.taken_key, ? FROM json_each(?) j JOIN photos p ON p.id = j.value->>'p'
			WHERE true ON CONFLICT DO NOTHING`, []any{nowText(), mustJSON(albums)}},
		{"sidecars", `DELETE FROM sidecars WHERE photo_id IN ` + idList + ` AND (photo_id, path, sha256) NOT IN
			(SELECT value->>'p', value->>'path', value->>'sha256' FROM json_each(?))`, []any{list, mustJSON(sidecars)}},
		{"sidecars", `INSERT INTO sidecars (path, photo_id, bytes, sha256)
			SELECT value->>'path', value->>'p', value->>'bytes', value->>'sha256' FROM json_each(?)
			WHERE true ON CONFLICT DO NOTHING`, []any{mustJSON(sidecars)}},
	} {
		if _, err := tx.ExecContext(ctx, q.query, q.args...); err != nil {
			return fmt.Errorf("replace the %s of photos: %w", q.what, err)
		}
	}
	// Hearts and comments, for the few photos that have any, either side.
	rows, err := tx.QueryContext(ctx, `SELECT photo_id FROM hearts WHERE photo_id IN `+idList+`
		UNION SELECT photo_id FROM comments WHERE photo_id IN `+idList, list, list)
	talked, err := collect(rows, err, scanID)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.TakingPart.Empty() && !slices.Contains(talked, st.Photo.ID) {
			continue
		}
		if err := tx.replaceTakingPart(ctx, st.Photo.ID, st.TakingPart); err != nil {
			return err
		}
	}
	return nil
}

// photoJSON is a photos row as ReplacePhotos passes it to SQL.
type photoJSON struct {
	ID             int64    `json:"id"`
	SHA256         string   `json:"sha256"`
	Path           string   `json:"path"`
	OriginalName   string   `json:"original_name"`
	Type           string   `json:"type"`
	Format         string   `json:"format"`
	MIME           string   `json:"mime"`
	Bytes          int64    `json:"bytes"`
	TakenAt        string   `json:"taken_at"`
	TakenKey       int64    `json:"taken_key"`
	TakenSource    string   `json:"taken_source"`
	OffsetKnown    bool     `json:"offset_known"`
	Width          int      `json:"width"`
	Height         int      `json:"height"`
	Orientation    int      `json:"orientation"`
	CameraMake     string   `json:"camera_make"`
	CameraModel    string   `json:"camera_model"`
	Lens           string   `json:"lens"`
	Lat            *float64 `json:"lat"`
	Lon            *float64 `json:"lon"`
	Altitude       *float64 `json:"altitude"`
	DurationMS     *int64   `json:"duration_ms"`
	Thumbs         string   `json:"thumbs"`
	ImportedAt     string   `json:"imported_at"`
	State          string   `json:"state"`
	TrashedAt      *string  `json:"trashed_at"`
	TakenPrecision string   `json:"taken_precision"`
	Title          string   `json:"title"`
	Caption        string   `json:"caption"`
	Keywords       string   `json:"keywords"`
	People         string   `json:"people"`
	Rating         *int     `json:"rating"`
	PlaceCountry   *string  `json:"place_country"`
	PlaceRegion    *string  `json:"place_region"`
	PlaceCity      *string  `json:"place_city"`
}

// photoJSONCols are the columns of photoJSON, which photoJSONValues reads
// from j.value, in the same order.
var photoJSONCols, photoJSONValues = func() (string, string) {
	t := reflect.TypeFor[photoJSON]()
	cols := make([]string, t.NumField())
	vals := make([]string, t.NumField())
	for i := range t.NumField() {
		cols[i] = t.Field(i).Tag.Get("json")
		vals[i] = "j.value->>'" + cols[i] + "'"
	}
	return strings.Join(cols, ", "), strings.Join(vals, ", ")
}()

func photoJSONOf(p Photo) photoJSON {
	state := p.State
	if state == "" {
		state = "ok"
	}
	j := photoJSON{ID: p.ID, SHA256: p.SHA256, Path: p.Path, OriginalName: p.OriginalName, Type: p.Type, Format: p.Format,
		MIME: p.MIME, Bytes: p.Bytes, TakenAt: p.TakenAt, TakenKey: p.TakenKey, TakenSource: p.TakenSource,
		OffsetKnown: p.OffsetKnown, Width: p.Width, Height: p.Height, Orientation: p.Orientation, CameraMake: p.CameraMake,
		CameraModel: p.CameraModel, Lens: p.Lens, Lat: p.Lat, Lon: p.Lon, Altitude: p.Altitude, DurationMS: p.DurationMS,
		Thumbs: p.Thumbs, ImportedAt: FormatTime(p.ImportedAt), State: state, TakenPrecision: p.TakenPrecision,
		Title: p.Title, Caption: p.Caption, Keywords: encodeList(p.Keywords), People: encodeList(p.People), Rating: p.Rating}
	if !p.TrashedAt.IsZero() {
		at := FormatTime(p.TrashedAt)
		j.TrashedAt = &at
	}
	if p.Lat != nil && p.Lon != nil {
		j.PlaceCountry, j.PlaceRegion, j.PlaceCity = &p.Place.Country, &p.Place.Region, &p.Place.City
	}
	return j
}

// mustJSON encodes v, made of types that always encode.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// replaceTakingPart makes a photo's hearts and comments those of tp
// (those already there keep their rows, and the family feed its lines),
// and adds its uploads that are missing.
func (tx *Tx) replaceTakingPart(ctx context.Context, id int64, tp TakingPart) error {
	names := make([]string, len(tp.Hearts))
	for i, h := range tp.Hearts {
		names[i] = h.Name
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM hearts WHERE photo_id = ? AND name NOT IN (SELECT value FROM json_each(?))`,
		id, mustJSON(names)); err != nil {
		return err
	}
	kept := make([]string, len(tp.Comments))
	for i, c := range tp.Comments {
		kept[i] = c.Name + "\x00" + c.Text + "\x00" + FormatTime(c.CreatedAt)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE photo_id = ?
		AND name || char(0) || text || char(0) || created_at NOT IN (SELECT value FROM json_each(?))`,
		id, mustJSON(kept)); err != nil {
		return err
	}
	var hearts []Heart
	for _, h := range tp.Hearts {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hearts WHERE photo_id = ? AND name = ?`, id, h.Name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			hearts = append(hearts, h)
		}
	}
	tp.Hearts = hearts
	return tx.RestoreTakingPart(ctx, id, tp)
}
