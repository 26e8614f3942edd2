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
	plan, err := c.searchPlan(ctx, q, searchRange{newer: before})
	if err != nil || plan == nil {
		return 0, err
	}
	var selects []string
	var args []any
	for _, b := range plan {
		sel := `SELECT p.id `
		if len(b.albums) > 1 { // a photo may be in two of them
			sel = `SELECT DISTINCT p.id `
		}
		selects, args = append(selects, sel+b.from), append(args, b.args...)
	}
	var n int
	if err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+strings.Join(selects, ` UNION `)+`)`, args...).Scan(&n); err != nil {
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

// listing orders found photos as listings do: newest first.
func listing(a, b found) int {
	return cmp.Or(cmp.Compare(b.takenKey, a.takenKey), cmp.Compare(b.id, a.id))
}

// searchIDs lists the range's ids, in listing order (newest first): the
// photos each part of the search's plan finds, together.
func (c *Catalog) searchIDs(ctx context.Context, q Query, r searchRange) ([]int64, error) {
	if r.limit < 0 {
		return nil, nil
	}
	plan, err := c.searchPlan(ctx, q, r)
	if err != nil {
		return nil, err
	}
	var page []found
	for _, b := range plan {
		var part []found
		if len(b.albums) > 0 {
			part, err = c.albumPart(ctx, b, r)
		} else {
			part, err = c.indexPart(ctx, b, r)
		}
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		page = append(page, part...)
	}
	slices.SortFunc(page, listing)
	page = slices.CompactFunc(page, func(a, b found) bool { return a.id == b.id })
	if r.limit > 0 && len(page) > r.limit {
		if r.oldestFirst {
			page = page[len(page)-r.limit:]
		} else {
			page = page[:r.limit]
		}
	}
	ids := make([]int64, len(page))
	for i, f := range page {
		ids[i] = f.id
	}
	return ids, nil
}

// indexPart reads a part of the plan that walks the search index by
// rowid, newest first (oldest first when r says so), so that a page
// costs what it reads rather than every match.
func (c *Catalog) indexPart(ctx context.Context, s searchQuery, r searchRange) ([]found, error) {
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
	if err != nil || r.limit <= 0 || len(page) < r.limit {
		return page, err
	}
	// The last second read may hold more photos than the page took,
	// in another order than taken_key's: read it whole and sort it.
	sec := page[len(page)-1].sk >> searchIDBits
	group, err := run(max(s.lo, sec<<searchIDBits), min(s.hi, sec<<searchIDBits|searchIDMask), 0)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(group, listing)
	if r.oldestFirst {
		slices.Reverse(group)
	}
	page = slices.DeleteFunc(page, func(f found) bool { return f.sk>>searchIDBits == sec })
	return append(page, group...)[:r.limit], nil
}

// albumPart reads a part of the plan that walks the members of albums
// in listing order, newest first (oldest first when r says so): each
// album's from album_photos_by_taken, one after the other.
func (c *Catalog) albumPart(ctx context.Context, s searchQuery, r searchRange) ([]found, error) {
	order := " DESC"
	if r.oldestFirst {
		order = " ASC"
	}
	text := `SELECT ap.photo_id, ap.taken_key FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
		WHERE ap.album_id = ? AND ` + s.where + ` ORDER BY ap.taken_key` + order + `, ap.photo_id` + order
	args := slices.Clone(s.args)
	if r.limit > 0 {
		text += ` LIMIT ?`
		args = append(args, r.limit)
	}
	var all []found
	for _, album := range s.albums {
		args[0] = album
		rows, err := c.r.QueryContext(ctx, text, args...)
		part, err := collect(rows, err, func(s scanner) (found, error) {
			var f found
			err := s.Scan(&f.id, &f.takenKey)
			return f, err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, part...)
	}
	return all, nil
}

// searchQuery is the FROM and WHERE clauses of a part of a search, with
// its arguments. A part walks the search index, and args[loArg] and
// args[hiArg] bound the search keys read; or, when albums is not empty,
// it walks their members (album_photos ap): args[0] is then the albums'
// ids as a JSON array, for from, and where is the rest of its
// conditions.
type searchQuery struct {
	from         string
	args         []any
	loArg, hiArg int
	lo, hi       int64
	albums       []int64
	where        string
}

// skExpr is a photo p's search key, as the rowid of its search row.
const skExpr = `(((max(min(p.taken_key / 1000, 34359738367), -34359738368) + 34359738368) << 27) | p.id)`

// searchPlan builds the search as parts whose photos together are
// what q finds; nil when nothing can match. A term matches a photo's
// search row or the name of an album the photo is in; the album ids are
// looked up in album_search first. The terms that name no album are
// FTS5's MATCH, walking the index newest first. A term that names
// albums splits the search in two parts, the photos whose rows match it
// (in the MATCH) and the members of its albums (a condition on each row
// read), up to maxSplitTerms terms (2^n parts); further ones are a
// condition on each row read, its row or its albums. A part without
// words to MATCH walks the members of its albums in listing order, or
// the whole index when they are more than maxAlbumWalks albums.
func (c *Catalog) searchPlan(ctx context.Context, q Query, r searchRange) ([]searchQuery, error) {
	cond, err := c.searchConds(ctx, q, r)
	if err != nil {
		return nil, err
	}
	var match []string
	var members, mixed []albumTerm
	for _, t := range q.terms {
		albums, err := c.albumsMatching(ctx, t.album)
		if err != nil {
			return nil, err
		}
		switch {
		case len(albums) > 0 && t.photo == "":
			members = append(members, albumTerm{albums: albums})
		case len(albums) > 0:
			mixed = append(mixed, albumTerm{photo: t.photo, albums: albums})
		case t.photo == "":
			return nil, nil // album: names no album
		default:
			match = append(match, t.photo)
		}
	}
	split, either := mixed[:min(len(mixed), maxSplitTerms)], mixed[min(len(mixed), maxSplitTerms):]
	var plan []searchQuery
	for choice := range 1 << len(split) {
		m, in := slices.Clone(match), slices.Clone(members)
		for i, t := range split {
			if choice&(1<<i) != 0 {
				in = append(in, albumTerm{albums: t.albums})
			} else {
				m = append(m, t.photo)
			}
		}
		plan = append(plan, cond.part(m, in, either))
	}
	return plan, nil
}

// Limits of a search's plan: maxSplitTerms terms naming albums are
// split in two parts each; a part walks the members of at most
// maxAlbumWalks albums one after the other (more, and it walks the
// index, checking each photo's albums).
const (
	maxSplitTerms = 3
	maxAlbumWalks = 16
)

// part is one part of a plan: the photos whose rows match every
// expression of match, that are in one of the albums of each term of
// in, and whose row or albums match each term of either.
func (s searchConds) part(match []string, in, either []albumTerm) searchQuery {
	if len(match) > 0 || len(in) == 0 {
		return s.index(strings.Join(match, " AND "), in, either)
	}
	// The members of the term with the fewest albums, in listing order.
	walk := slices.IndexFunc(in, func(t albumTerm) bool {
		return !slices.ContainsFunc(in, func(u albumTerm) bool { return len(u.albums) < len(t.albums) })
	})
	if len(in[walk].albums) > maxAlbumWalks {
		return s.index("", in, either)
	}
	return s.byAlbums(in[walk].albums, slices.Delete(slices.Clone(in), walk, walk+1), either)
}

// albumTerm is a term that names albums: a photo matches it when it is
// in one of albums, or, unless photo is "", its search row matches
// photo.
type albumTerm struct {
	photo  string
	albums []int64
}

// albumsMatching is the ids of the albums whose names match the FTS5
// expression on album_search (none for "").
func (c *Catalog) albumsMatching(ctx context.Context, match string) ([]int64, error) {
	if match == "" {
		return nil, nil
	}
	rows, err := c.r.QueryContext(ctx, `SELECT rowid FROM album_search WHERE album_search MATCH ? ORDER BY rowid`, match)
	ids, err := collect(rows, err, scanID)
	if err != nil {
		return nil, fmt.Errorf("search album names: %w", err)
	}
	return ids, nil
}

// searchConds are a search's conditions on photos p other than its
// words: the dates, type, user, album and position, the range, and the
// search keys and capture times they allow.
type searchConds struct {
	where        []string
	args         []any
	lo, hi       int64 // search keys
	keyLo, keyHi int64 // taken_key, both included
	older, newer *Cursor
}

// searchConds reads the filters: the dates, type and user mean what
// they mean to ls (PhotoFilter).
func (c *Catalog) searchConds(ctx context.Context, q Query, r searchRange) (searchConds, error) {
	s := searchConds{lo: 0, hi: math.MaxInt64, keyLo: math.MinInt64, keyHi: math.MaxInt64, older: r.older, newer: r.newer}
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
	s.where, s.args = q.positionConds()
	s.where = append(s.where, "p.trashed_at IS NULL")
	if r.older != nil {
		s.where, s.args = append(s.where, "(p.taken_key, p.id) < (?, ?)"), append(s.args, r.older.TakenKey, r.older.ID)
		s.hi = min(s.hi, searchSecond(r.older.TakenKey)<<searchIDBits|searchIDMask)
	}
	if r.newer != nil {
		s.where, s.args = append(s.where, "(p.taken_key, p.id) > (?, ?)"), append(s.args, r.newer.TakenKey, r.newer.ID)
		s.lo = max(s.lo, searchSecond(r.newer.TakenKey)<<searchIDBits)
	}
	if f.Since != "" {
		d, err := time.Parse(time.DateOnly, f.Since)
		if err != nil {
			return s, queryErrorf("since %q: want a date YYYY-MM-DD", f.Since)
		}
		key := d.Add(-dateMargin).UnixMilli()
		s.where, s.args = append(s.where, "p.taken_key >= ?", "substr(p.taken_at, 1, 10) >= ?"), append(s.args, key, f.Since)
		s.lo, s.keyLo = max(s.lo, searchSecond(key)<<searchIDBits), key
	}
	if f.Until != "" {
		d, err := time.Parse(time.DateOnly, f.Until)
		if err != nil {
			return s, queryErrorf("until %q: want a date YYYY-MM-DD", f.Until)
		}
		key := d.AddDate(0, 0, 1).Add(dateMargin).UnixMilli()
		s.where, s.args = append(s.where, "p.taken_key < ?", "substr(p.taken_at, 1, 10) <= ?"), append(s.args, key, f.Until)
		s.hi, s.keyHi = min(s.hi, searchSecond(key)<<searchIDBits|searchIDMask), key-1
	}
	if f.Type != "" {
		s.where, s.args = append(s.where, "p.type = ?"), append(s.args, f.Type)
	}
	if f.OwnerID != 0 {
		s.where = append(s.where, "EXISTS (SELECT 1 FROM photo_owners po WHERE po.photo_id = p.id AND po.user_id = ?)")
		s.args = append(s.args, f.OwnerID)
	}
	if f.AlbumID != 0 {
		s.where = append(s.where, "EXISTS (SELECT 1 FROM album_photos ap WHERE ap.photo_id = p.id AND ap.album_id = ?)")
		s.args = append(s.args, f.AlbumID)
	}
	return s, nil
}

// termConds are the conditions on the photo p, whose search key is key:
// that it is in one of the albums of each term of in, and that its
// search row or its albums match each term of either. A photo's albums
// are read by its id, and the list of albums checked for each (the +
// keeps SQLite from seeking the index once for each album of the list).
func termConds(in, either []albumTerm, key string) ([]string, []any) {
	var where []string
	var args []any
	inAlbums := "EXISTS (SELECT 1 FROM album_photos m WHERE m.photo_id = p.id AND +m.album_id IN " + idList + ")"
	for _, t := range in {
		where, args = append(where, inAlbums), append(args, idsJSON(t.albums))
	}
	for _, t := range either {
		where = append(where, "(EXISTS (SELECT 1 FROM photo_search(?) m WHERE m.rowid = "+key+") OR "+inAlbums+")")
		args = append(args, t.photo, idsJSON(t.albums))
	}
	return where, args
}

// index is the part that reads FTS5's rows (matching match, unless "")
// within the search keys allowed, joined to their photos for the other
// conditions.
func (s searchConds) index(match string, in, either []albumTerm) searchQuery {
	q := searchQuery{lo: s.lo, hi: s.hi}
	var head []string
	if match != "" {
		head, q.args = append(head, "photo_search MATCH ?"), append(q.args, match)
	}
	head = append(head, "s.rowid BETWEEN ? AND ?")
	q.loArg, q.hiArg = len(q.args), len(q.args)+1
	q.args = append(append(q.args, s.lo, s.hi), s.args...)
	where, args := termConds(in, either, "s.rowid")
	q.args = append(q.args, args...)
	q.from = `FROM photo_search s JOIN photos p ON p.id = (s.rowid & ` + fmt.Sprint(searchIDMask) + `) WHERE ` +
		strings.Join(slices.Concat(head, s.where, where), " AND ")
	return q
}

// byAlbums is the part that reads the members of albums from
// album_photos, in listing order within the range and dates.
func (s searchConds) byAlbums(albums []int64, in, either []albumTerm) searchQuery {
	q := searchQuery{albums: albums}
	where := []string{"ap.taken_key BETWEEN ? AND ?"}
	q.args = []any{idsJSON(albums), s.keyLo, s.keyHi}
	if s.older != nil {
		where, q.args = append(where, "(ap.taken_key, ap.photo_id) < (?, ?)"), append(q.args, s.older.TakenKey, s.older.ID)
	}
	if s.newer != nil {
		where, q.args = append(where, "(ap.taken_key, ap.photo_id) > (?, ?)"), append(q.args, s.newer.TakenKey, s.newer.ID)
	}
	q.args = append(q.args, s.args...)
	conds, args := termConds(in, either, skExpr)
	q.args = append(q.args, args...)
	q.where = strings.Join(slices.Concat(where, s.where, conds), " AND ")
	q.from = `FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id IN ` + idList + ` AND ` + q.where
	return q
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
