package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// The search key is photo_search's rowid (migration 0015): the capture
// second, kept within ±2^35 s, above 27 bits of the photo id. FTS5 walks
// a match's rows by rowid, so newest first by second; within a second
// the search sorts by taken_key and id.
const (
	searchIDBits  = 27
	searchIDMask  = 1<<searchIDBits - 1
	searchSecSpan = 1 << 35
)

// searchSecond is the second part of a search key for a taken_key, as
// the migration's SQL computes it (division truncates towards zero).
func searchSecond(takenKey int64) int64 {
	return min(max(takenKey/1000, -searchSecSpan), searchSecSpan-1) + searchSecSpan
}

// Search lists the photos outside the trash that q finds, newest first
// by capture time (taken_key, then id) after the cursor. FTS5 walks the
// index newest first (with the words' MATCH when the query has words),
// so that a page costs what it reads rather than every match.
func (c *Catalog) Search(ctx context.Context, q Query, after *Cursor, limit int) ([]Photo, error) {
	return c.searchPhotos(ctx, q, searchRange{older: after, limit: limit})
}

// SearchBefore lists the limit photos that q finds just before the
// cursor (newer than it), in listing order: a listing read backwards.
func (c *Catalog) SearchBefore(ctx context.Context, q Query, before *Cursor, limit int) ([]Photo, error) {
	return c.searchPhotos(ctx, q, searchRange{newer: before, oldestFirst: true, limit: limit})
}

// SearchIDs is the ids of the first limit photos that q finds, newest
// first.
func (c *Catalog) SearchIDs(ctx context.Context, q Query, limit int) ([]int64, error) {
	return c.searchIDs(ctx, q, searchRange{limit: limit})
}

// SearchIDsBetween is the ids of the photos q finds from newer to older,
// both included, in listing order.
func (c *Catalog) SearchIDsBetween(ctx context.Context, q Query, newer, older Cursor) ([]int64, error) {
	return c.searchIDs(ctx, q, searchRange{
		older: &Cursor{TakenKey: newer.TakenKey, ID: newer.ID + 1},
		newer: &Cursor{TakenKey: older.TakenKey, ID: older.ID - 1}})
}

// CountSearch is how many photos q finds; with before, how many of them
// come before it in the listing (are newer).
func (c *Catalog) CountSearch(ctx context.Context, q Query, before *Cursor) (int, error) {
	s, err := c.searchSQL(ctx, q, searchRange{newer: before})
	if err != nil {
		return 0, err
	}
	var n int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) `+s.from, s.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	return n, nil
}

// searchRange is a part of a search's listing: the photos older than
// older and newer than newer (nil: no bound), limit at most (0: all),
// read from the oldest end when oldestFirst.
type searchRange struct {
	older, newer *Cursor
	oldestFirst  bool
	limit        int
}

func (c *Catalog) searchPhotos(ctx context.Context, q Query, r searchRange) ([]Photo, error) {
	ids, err := c.searchIDs(ctx, q, r)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.r.QueryContext(ctx, `SELECT `+photoCols+` FROM photos p WHERE p.id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`) ORDER BY p.taken_key DESC, p.id DESC`, args...)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return ps, nil
}

// found is a photo a search found, with what orders it.
type found struct{ sk, id, takenKey int64 }

// searchIDs lists the range's ids, in listing order (newest first).
func (c *Catalog) searchIDs(ctx context.Context, q Query, r searchRange) ([]int64, error) {
	if r.limit < 0 {
		return nil, nil
	}
	s, err := c.searchSQL(ctx, q, r)
	if err != nil {
		return nil, err
	}
	order := " DESC"
	if r.oldestFirst {
		order = " ASC"
	}
	run := func(lo, hi int64, limit int) ([]found, error) {
		a := append([]any{}, s.args...)
		a[s.loArg], a[s.hiArg] = lo, hi
		text := `SELECT s.rowid, p.id, p.taken_key ` + s.from + ` ORDER BY s.rowid` + order
		if limit > 0 {
			text += ` LIMIT ?`
			a = append(a, limit)
		}
		rows, err := c.r.QueryContext(ctx, text, a...)
		return collect(rows, err, func(s scanner) (found, error) {
			var f found
			err := s.Scan(&f.sk, &f.id, &f.takenKey)
			return f, err
		})
	}
	page, err := run(s.lo, s.hi, r.limit)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	listing := func(a, b found) int { return cmp.Or(cmp.Compare(b.takenKey, a.takenKey), cmp.Compare(b.id, a.id)) }
	if r.limit > 0 && len(page) == r.limit {
		// The last second read may hold more photos than the page took,
		// in another order than taken_key's: read it whole and sort it.
		sec := page[len(page)-1].sk >> searchIDBits
		group, err := run(max(s.lo, sec<<searchIDBits), min(s.hi, sec<<searchIDBits|searchIDMask), 0)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		slices.SortFunc(group, listing)
		if r.oldestFirst {
			slices.Reverse(group)
		}
		page = slices.DeleteFunc(page, func(f found) bool { return f.sk>>searchIDBits == sec })
		page = append(page, group...)[:r.limit]
	}
	// The seconds the page holds whole, in listing order.
	slices.SortFunc(page, listing)
	ids := make([]int64, len(page))
	for i, f := range page {
		ids[i] = f.id
	}
	return ids, nil
}

// searchQuery is the FROM and WHERE clauses of a search, with its
// arguments; args[loArg] and args[hiArg] bound the search keys read.
type searchQuery struct {
	from         string
	args         []any
	loArg, hiArg int
	lo, hi       int64
}

// searchSQL builds the search: FTS5's rows (matching the words, if any)
// within the search keys that the dates and the range allow, joined to
// their photos for the other conditions. The dates, type and user mean
// what they mean to ls (PhotoFilter).
func (c *Catalog) searchSQL(ctx context.Context, q Query, r searchRange) (searchQuery, error) {
	var s searchQuery
	f := q.Filter
	if q.User != "" {
		u, err := c.UserByName(ctx, q.User)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return s, queryErrorf("user:%s: no user is called %s; see \"picup user ls\"", q.User, q.User)
			}
			return s, err
		}
		f.OwnerID = u.ID
	}
	if f.State != "" {
		return s, errors.New("search: no state filter")
	}
	s.lo, s.hi = 0, math.MaxInt64
	where, args := q.positionConds()
	where = append(where, "p.trashed_at IS NULL")
	if r.older != nil {
		where, args = append(where, "(p.taken_key, p.id) < (?, ?)"), append(args, r.older.TakenKey, r.older.ID)
		s.hi = min(s.hi, searchSecond(r.older.TakenKey)<<searchIDBits|searchIDMask)
	}
	if r.newer != nil {
		where, args = append(where, "(p.taken_key, p.id) > (?, ?)"), append(args, r.newer.TakenKey, r.newer.ID)
		s.lo = max(s.lo, searchSecond(r.newer.TakenKey)<<searchIDBits)
	}
	if f.Since != "" {
		d, err := time.Parse(time.DateOnly, f.Since)
		if err != nil {
			return s, queryErrorf("since %q: want a date YYYY-MM-DD", f.Since)
		}
		key := d.Add(-dateMargin).UnixMilli()
		where, args = append(where, "p.taken_key >= ?", "substr(p.taken_at, 1, 10) >= ?"), append(args, key, f.Since)
		s.lo = max(s.lo, searchSecond(key)<<searchIDBits)
	}
	if f.Until != "" {
		d, err := time.Parse(time.DateOnly, f.Until)
		if err != nil {
			return s, queryErrorf("until %q: want a date YYYY-MM-DD", f.Until)
		}
		key := d.AddDate(0, 0, 1).Add(dateMargin).UnixMilli()
		where, args = append(where, "p.taken_key < ?", "substr(p.taken_at, 1, 10) <= ?"), append(args, key, f.Until)
		s.hi = min(s.hi, searchSecond(key)<<searchIDBits|searchIDMask)
	}
	if f.Type != "" {
		where, args = append(where, "p.type = ?"), append(args, f.Type)
	}
	if f.OwnerID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM photo_owners po WHERE po.photo_id = p.id AND po.user_id = ?)")
		args = append(args, f.OwnerID)
	}
	if f.AlbumID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM album_photos ap WHERE ap.photo_id = p.id AND ap.album_id = ?)")
		args = append(args, f.AlbumID)
	}
	var head []string
	if q.match != "" {
		head, s.args = append(head, "photo_search MATCH ?"), append(s.args, q.match)
	}
	head = append(head, "s.rowid BETWEEN ? AND ?")
	s.loArg, s.hiArg = len(s.args), len(s.args)+1
	s.args = append(append(s.args, s.lo, s.hi), args...)
	s.from = `FROM photo_search s JOIN photos p ON p.id = (s.rowid & ` + fmt.Sprint(searchIDMask) + `) WHERE ` +
		strings.Join(append(head, where...), " AND ")
	return s, nil
}

// positionConds are the conditions of has:gps and near: on photos p.
func (q Query) positionConds() ([]string, []any) {
	var where []string
	var args []any
	if q.HasGPS {
		where = append(where, "p.lat IS NOT NULL AND p.lon IS NOT NULL")
	}
	if n := q.Near; n != nil {
		// A box first, then the distance on a plane tangent at the
		// centre (equirectangular: within 0.5 % below 500 km).
		const kmPerDegree = 6371.0088 * math.Pi / 180
		dLat := n.KM / kmPerDegree
		cos := math.Max(math.Cos(n.Lat*math.Pi/180), 1e-6)
		dLon := math.Min(dLat/cos, 360)
		where = append(where, "p.lat BETWEEN ? AND ?",
			"((p.lat - ?) * (p.lat - ?) + ((p.lon - ?) * ?) * ((p.lon - ?) * ?)) <= ?")
		args = append(args, n.Lat-dLat, n.Lat+dLat, n.Lat, n.Lat, n.Lon, cos, n.Lon, cos, dLat*dLat)
		if n.Lon-dLon >= -180 && n.Lon+dLon <= 180 {
			where = append(where, "p.lon BETWEEN ? AND ?")
			args = append(args, n.Lon-dLon, n.Lon+dLon)
		}
	}
	return where, args
}
