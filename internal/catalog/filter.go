package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PhotoFilter narrows a listing of the photos outside the trash; its
// zero value lets every one through. The conditions combine (and).
type PhotoFilter struct {
	// Since and Until are local capture dates (YYYY-MM-DD), both
	// included; "" for no bound.
	Since, Until string
	Type         string // "photo" or "video"; "" for both
	AlbumID      int64  // only this album's photos
	OwnerID      int64  // only the photos this user owns
	// State is "ok", "missing", "corrupt" (what verify found of the
	// original) or "offloaded" (an ok original kept only in a remote).
	State string
}

// States are the values of PhotoFilter.State.
var States = []string{"ok", "missing", "corrupt", "offloaded"}

// dateMargin widens a range of local dates into the taken_key (UTC)
// range that holds them: no time zone is further than 14 hours from UTC.
const dateMargin = 14 * time.Hour

// FilteredPhotos lists the photos outside the trash that f lets
// through, newest first by capture time from the cursor, by cursor
// pagination: the album's or the owner's index when f names one, else
// the photos' own, bounded by the dates.
func (c *Catalog) FilteredPhotos(ctx context.Context, f PhotoFilter, after *Cursor, limit int) ([]Photo, error) {
	q, args, err := f.query(after, limit)
	if err != nil {
		return nil, err
	}
	rows, err := c.r.QueryContext(ctx, q, args...)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	return ps, nil
}

// query is f's SQL, driven by the index whose order is the listing's.
func (f PhotoFilter) query(after *Cursor, limit int) (string, []any, error) {
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	var from, key, id string
	var where []string
	var args []any
	switch {
	case f.AlbumID != 0:
		from, key, id = `album_photos d JOIN photos p ON p.id = d.photo_id`, "d.taken_key", "d.photo_id"
		where, args = append(where, "d.album_id = ?"), append(args, f.AlbumID)
		if f.OwnerID != 0 {
			where = append(where, "EXISTS (SELECT 1 FROM photo_owners po WHERE po.photo_id = p.id AND po.user_id = ?)")
			args = append(args, f.OwnerID)
		}
	case f.OwnerID != 0:
		from, key, id = `photo_owners d JOIN photos p ON p.id = d.photo_id`, "d.taken_key", "d.photo_id"
		where, args = append(where, "d.user_id = ?"), append(args, f.OwnerID)
	default:
		from, key, id = `photos p`, "p.taken_key", "p.id"
	}
	where = append(where, "p.trashed_at IS NULL", "("+key+", "+id+") < (?, ?)")
	args = append(args, cur.TakenKey, cur.ID)
	// One upper bound on the key, the lower of the cursor's and --until's:
	// with two, SQLite may start the index walk at --until's and read
	// every row between it and the cursor.
	upper := cur.TakenKey
	if f.Since != "" {
		d, err := time.Parse(time.DateOnly, f.Since)
		if err != nil {
			return "", nil, fmt.Errorf("since %q: want a date YYYY-MM-DD", f.Since)
		}
		where = append(where, key+" >= ?", "substr(p.taken_at || '-01-01', 1, 10) >= ?")
		args = append(args, d.Add(-dateMargin).UnixMilli(), f.Since)
	}
	if f.Until != "" {
		d, err := time.Parse(time.DateOnly, f.Until)
		if err != nil {
			return "", nil, fmt.Errorf("until %q: want a date YYYY-MM-DD", f.Until)
		}
		where = append(where, "substr(p.taken_at || '-01-01', 1, 10) <= ?")
		args = append(args, f.Until)
		upper = min(upper, d.AddDate(0, 0, 1).Add(dateMargin).UnixMilli()-1)
	}
	where, args = append(where, key+" <= ?"), append(args, upper)
	if f.Type != "" {
		where, args = append(where, "p.type = ?"), append(args, f.Type)
	}
	switch f.State {
	case "":
	case "offloaded":
		where = append(where, "p.state = 'ok' AND coalesce(p.offloaded, '') != ''")
	case "ok":
		where = append(where, "p.state = 'ok' AND coalesce(p.offloaded, '') = ''")
	case "missing", "corrupt":
		where, args = append(where, "p.state = ?"), append(args, f.State)
	default:
		return "", nil, fmt.Errorf("state %q: want one of %s", f.State, strings.Join(States, ", "))
	}
	args = append(args, limit)
	return `SELECT ` + photoCols + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + key + ` DESC, ` + id + ` DESC LIMIT ?`, args, nil
}
