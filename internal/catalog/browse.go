package catalog

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// The read queries of the terminal browser: timeline counts, filtered
// photo pages in both directions, and the state of remotes and jobs. Every
// listing walks an index from a cursor; none uses OFFSET or reads the whole
// catalog into memory.

// Capture dates are local (the first ten characters of taken_at), while
// taken_key is the instant. Offsets run from -12h to +14h, so the photos of
// a local date range lie within 14 hours of the range's ends taken as
// UTC: a query narrows on taken_key through the index first, and reads
// taken_at only for the rows near the ends.
const offsetMargin = 14 * time.Hour

// Bucket is a period of the timeline and how many photos and videos
// outside the trash were taken in it.
type Bucket struct {
	Period string // "2019", "2019-05" or "2019-05-01": a local capture date prefix
	Count  int
}

// Timeline counts the photos and videos outside the trash by period,
// newest first: by year when within is "", by month within a year
// ("2019"), by day within a month ("2019-05"). Periods with nothing are
// left out. A photo counts in the periods its local capture date begins
// with: a scan dated by its year alone in its year only. It reads the
// counters of photo_dates (migration 0019), a row a day.
func (c *Catalog) Timeline(ctx context.Context, within string) ([]Bucket, error) {
	var q string
	var args []any
	switch len(within) {
	case 0:
		q = `SELECT substr(date, 1, 4), sum(photos) FROM photo_dates GROUP BY 1 HAVING sum(photos) > 0 ORDER BY 1 DESC`
	case 4, 7:
		layout, part := "2006", 7
		if len(within) == 7 {
			layout, part = "2006-01", 10
		}
		if _, err := time.Parse(layout, within); err != nil {
			return nil, fmt.Errorf("timeline period %q: want YYYY or YYYY-MM", within)
		}
		// The dates that begin with within and a dash: from "2019-" up
		// to "2019." ('.' follows '-').
		q = `SELECT substr(date, 1, ?), sum(photos) FROM photo_dates WHERE date >= ? AND date < ? AND length(date) >= ?
			GROUP BY 1 HAVING sum(photos) > 0 ORDER BY 1 DESC`
		args = []any{part, within + "-", within + ".", part}
	default:
		return nil, fmt.Errorf("timeline period %q: want YYYY or YYYY-MM", within)
	}
	rows, err := c.r.QueryContext(ctx, q, args...)
	return collect(rows, err, func(s scanner) (Bucket, error) {
		var b Bucket
		err := s.Scan(&b.Period, &b.Count)
		return b, err
	})
}

// msPerDay is the length of a day of taken_key.
const msPerDay = 24 * 60 * 60 * 1000

// keyDay is the UTC day of a taken_key, as photo_key_days numbers them:
// the key divided by a day, rounded down (before 1970 too).
func keyDay(key int64) int64 {
	d := key / msPerDay
	if key%msPerDay < 0 {
		d--
	}
	return d
}

// PeriodDates returns the first and last date (YYYY-MM-DD) of a period
// written as YYYY, YYYY-MM or YYYY-MM-DD.
func PeriodDates(period string) (from, to string, err error) {
	layouts := map[int]struct {
		layout             string
		years, months, day int
	}{4: {"2006", 1, 0, 0}, 7: {"2006-01", 0, 1, 0}, 10: {time.DateOnly, 0, 0, 1}}
	l, ok := layouts[len(period)]
	t, perr := time.Parse(l.layout, period)
	if !ok || perr != nil {
		return "", "", fmt.Errorf("date %q: want YYYY, YYYY-MM or YYYY-MM-DD", period)
	}
	last := t.AddDate(l.years, l.months, l.day-1)
	return t.Format(time.DateOnly), last.Format(time.DateOnly), nil
}

// Filter narrows a listing of the photos outside the trash. The zero
// Filter keeps every one.
type Filter struct {
	Name     string // part of the original file name, case-insensitive
	Camera   string // part of the camera make and model, case-insensitive
	AlbumID  int64
	UserID   int64  // photos this user owns
	From, To string // local capture dates YYYY-MM-DD, inclusive; "" leaves that end open
}

// IsZero reports whether the filter keeps every photo.
func (f Filter) IsZero() bool { return f == Filter{} }

// filterQuery is the FROM and WHERE of a filtered listing, and the
// columns its order and cursor use: those of the index it walks. The
// dates' bounds on the key are lo and hi, not in where: a query gives
// the key one lower and one upper bound, the dates' narrowed by its
// cursor's (see keyRange).
type filterQuery struct {
	from, where string
	args        []any
	key, id     string
	lo, hi      int64 // key bounds, both included
}

// keyRange is the condition that bounds the index walk: the key between
// lo and hi, narrowed to the filter's dates. One bound a side, because
// with two (the dates' and a cursor's) SQLite may walk from the dates'
// end and read every row up to the cursor.
func (q filterQuery) keyRange(lo, hi int64) (string, []any) {
	return q.key + " >= ? AND " + q.key + " <= ?", []any{max(lo, q.lo), min(hi, q.hi)}
}

// bounded is where with the dates' key range, and its arguments.
func (q filterQuery) bounded(lo, hi int64) (string, []any) {
	cond, args := q.keyRange(lo, hi)
	return q.where + " AND " + cond, append(slices.Clone(q.args), args...)
}

func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

func dayStart(date string) (int64, error) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", date)
	}
	return t.UnixMilli(), nil
}

// build turns f into SQL. The album, then the owner, then the live photos
// index drives the listing.
func (f Filter) build() (filterQuery, error) {
	q := filterQuery{from: "photos p", key: "p.taken_key", id: "p.id", lo: math.MinInt64, hi: math.MaxInt64}
	conds := []string{"p.trashed_at IS NULL"}
	switch {
	case f.AlbumID != 0:
		q.from, q.key, q.id = "album_photos d JOIN photos p ON p.id = d.photo_id", "d.taken_key", "d.photo_id"
		conds = append(conds, "d.album_id = ?")
		q.args = append(q.args, f.AlbumID)
		if f.UserID != 0 {
			conds = append(conds, "EXISTS (SELECT 1 FROM photo_owners o WHERE o.photo_id = p.id AND o.user_id = ?)")
			q.args = append(q.args, f.UserID)
		}
	case f.UserID != 0:
		q.from, q.key, q.id = "photo_owners d JOIN photos p ON p.id = d.photo_id", "d.taken_key", "d.photo_id"
		conds = append(conds, "d.user_id = ?")
		q.args = append(q.args, f.UserID)
	}
	var inner, dates []string
	var innerArgs, dateArgs []any
	margin := offsetMargin.Milliseconds()
	if f.From != "" {
		start, err := dayStart(f.From)
		if err != nil {
			return q, err
		}
		q.lo = start - margin
		inner, innerArgs = append(inner, q.key+" >= ?"), append(innerArgs, start+margin)
		dates, dateArgs = append(dates, "substr(p.taken_at, 1, 10) >= ?"), append(dateArgs, f.From)
	}
	if f.To != "" {
		start, err := dayStart(f.To)
		if err != nil {
			return q, err
		}
		end := start + (24 * time.Hour).Milliseconds()
		q.hi = end + margin - 1
		inner, innerArgs = append(inner, q.key+" < ?"), append(innerArgs, end-margin)
		dates, dateArgs = append(dates, "substr(p.taken_at, 1, 10) <= ?"), append(dateArgs, f.To)
	}
	if len(dates) > 0 {
		// Rows well inside the range are in it whatever their offset; only
		// those near its ends need their local date read.
		conds = append(conds, "(("+strings.Join(inner, " AND ")+") OR ("+strings.Join(dates, " AND ")+"))")
		q.args = append(append(q.args, innerArgs...), dateArgs...)
	}
	if f.Name != "" {
		conds = append(conds, `p.original_name LIKE ? ESCAPE '\'`)
		q.args = append(q.args, likeArg(f.Name))
	}
	if f.Camera != "" {
		conds = append(conds, `(p.camera_make || ' ' || p.camera_model) LIKE ? ESCAPE '\'`)
		q.args = append(q.args, likeArg(f.Camera))
	}
	q.where = strings.Join(conds, " AND ")
	return q, nil
}

// pageQuery is the SQL of a page of f and its arguments: newest first
// after a cursor, or, with older false, oldest first before one.
func (q filterQuery) pageQuery(older bool, cur Cursor, limit int) (string, []any) {
	cmp, dir := "<", "DESC"
	where, args := q.bounded(math.MinInt64, cur.TakenKey)
	if !older {
		cmp, dir = ">", "ASC"
		where, args = q.bounded(cur.TakenKey, math.MaxInt64)
	}
	return `SELECT ` + photoCols + ` FROM ` + q.from + ` WHERE ` + where +
			` AND (` + q.key + `, ` + q.id + `) ` + cmp + ` (?, ?) ORDER BY ` + q.key + ` ` + dir + `, ` + q.id + ` ` + dir + ` LIMIT ?`,
		append(args, cur.TakenKey, cur.ID, limit)
}

// BrowsePhotos returns up to limit photos matching f, newest first by
// capture time, after the cursor (nil: from the newest).
func (c *Catalog) BrowsePhotos(ctx context.Context, f Filter, after *Cursor, limit int) ([]Photo, error) {
	q, err := f.build()
	if err != nil {
		return nil, err
	}
	cur := Cursor{TakenKey: 1<<63 - 1, ID: 1<<63 - 1}
	if after != nil {
		cur = *after
	}
	query, args := q.pageQuery(true, cur, limit)
	rows, err := c.r.QueryContext(ctx, query, args...)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	return ps, nil
}

// BrowsePhotosBefore returns up to limit photos matching f that come just
// before the cursor in the newest-first order (nil: the oldest ones), still
// newest first.
func (c *Catalog) BrowsePhotosBefore(ctx context.Context, f Filter, before *Cursor, limit int) ([]Photo, error) {
	q, err := f.build()
	if err != nil {
		return nil, err
	}
	cur := Cursor{TakenKey: -1 << 63, ID: -1 << 63}
	if before != nil {
		cur = *before
	}
	query, args := q.pageQuery(false, cur, limit)
	rows, err := c.r.QueryContext(ctx, query, args...)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	slices.Reverse(ps)
	return ps, nil
}

// CountPhotos counts the photos matching f: all of them from the
// counters of photo_dates, a row a day.
func (c *Catalog) CountPhotos(ctx context.Context, f Filter) (int, error) {
	var n int
	if f.IsZero() {
		err := c.r.QueryRowContext(ctx, `SELECT coalesce(sum(photos), 0) FROM photo_dates`).Scan(&n)
		return n, err
	}
	q, err := f.build()
	if err != nil {
		return 0, err
	}
	where, args := q.bounded(math.MinInt64, math.MaxInt64)
	err = c.r.QueryRowContext(ctx, `SELECT count(*) FROM `+q.from+` WHERE `+where, args...).Scan(&n)
	return n, err
}

// CountPhotosBefore counts the photos matching f that come before the
// cursor in the newest-first order: the cursor's position. Without a
// filter, the days after the cursor's come from the counters of
// photo_key_days, and only its own day is counted photo by photo.
func (c *Catalog) CountPhotosBefore(ctx context.Context, f Filter, cur Cursor) (int, error) {
	var n int
	if f.IsZero() {
		day := keyDay(cur.TakenKey)
		err := c.r.QueryRowContext(ctx, `SELECT coalesce((SELECT sum(photos) FROM photo_key_days WHERE day > ?), 0) +
			(SELECT count(*) FROM photos p WHERE p.trashed_at IS NULL AND p.taken_key >= ? AND p.taken_key < ?
				AND (p.taken_key, p.id) > (?, ?))`,
			day, day*msPerDay, (day+1)*msPerDay, cur.TakenKey, cur.ID).Scan(&n)
		return n, err
	}
	q, err := f.build()
	if err != nil {
		return 0, err
	}
	where, args := q.bounded(cur.TakenKey, math.MaxInt64)
	err = c.r.QueryRowContext(ctx, `SELECT count(*) FROM `+q.from+` WHERE `+where+` AND (`+q.key+`, `+q.id+`) > (?, ?)`,
		append(args, cur.TakenKey, cur.ID)...).Scan(&n)
	return n, err
}

// PhotoIDsBetween returns the ids of the photos matching f from newer to
// older (both included, in the newest-first order), newest first.
func (c *Catalog) PhotoIDsBetween(ctx context.Context, f Filter, newer, older Cursor) ([]int64, error) {
	q, err := f.build()
	if err != nil {
		return nil, err
	}
	if older.TakenKey > newer.TakenKey || older.TakenKey == newer.TakenKey && older.ID > newer.ID {
		newer, older = older, newer
	}
	where, args := q.bounded(older.TakenKey, newer.TakenKey)
	rows, err := c.r.QueryContext(ctx, `SELECT p.id FROM `+q.from+` WHERE `+where+
		` AND (`+q.key+`, `+q.id+`) <= (?, ?) AND (`+q.key+`, `+q.id+`) >= (?, ?) ORDER BY `+q.key+` DESC, `+q.id+` DESC`,
		append(args, newer.TakenKey, newer.ID, older.TakenKey, older.ID)...)
	return collect(rows, err, scanID)
}

// HeldBy lists the remotes that hold an object (a library-relative key)
// with the given content hash.
func (c *Catalog) HeldBy(ctx context.Context, key, sha string) ([]string, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT r.name FROM remotes r WHERE EXISTS (SELECT 1 FROM remote_objects o
		WHERE o.remote = r.name AND o.key = ? AND o.sha256 = ?) ORDER BY r.name`, key, sha)
	return collect(rows, err, func(s scanner) (string, error) {
		var n string
		err := s.Scan(&n)
		return n, err
	})
}

// RemoteStatus is how far a remote is behind the library.
type RemoteStatus struct {
	Remote
	PendingOriginals int       // originals it does not hold yet
	PendingBytes     int64     // their size
	LastUpload       time.Time // when the newest recorded object landed, zero if none
	LastSnapshot     time.Time // when the newest catalog snapshot was made, zero if none
}

// RemoteStatuses reports every remote's state, by name. It reads only
// the photos changed since the remote's last sync (the others are in it,
// or the sync that failed to upload them numbered them again), and when
// it last received an object from its row (kept by triggers).
func (c *Catalog) RemoteStatuses(ctx context.Context) ([]RemoteStatus, error) {
	remotes, err := c.Remotes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RemoteStatus, 0, len(remotes))
	for _, r := range remotes {
		st := RemoteStatus{Remote: r}
		var upload, snapshot string
		err := c.r.QueryRowContext(ctx, `SELECT coalesce(last_upload_at, '') FROM remotes WHERE name = ?`,
			r.Name).Scan(&upload)
		if err != nil {
			return nil, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		err = c.r.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(p.bytes), 0) FROM photo_changes ch JOIN photos p ON p.id = ch.photo_id
			WHERE ch.seq > ? AND NOT EXISTS (
				SELECT 1 FROM remote_objects o WHERE o.remote = ? AND o.key = p.path AND o.sha256 = p.sha256)`,
			r.SyncedSeq, r.Name).Scan(&st.PendingOriginals, &st.PendingBytes)
		if err != nil {
			return nil, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		err = c.r.QueryRowContext(ctx, `SELECT coalesce(max(created_at), '') FROM remote_snapshots WHERE remote = ?`,
			r.Name).Scan(&snapshot)
		if err != nil {
			return nil, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		tc := timeCol{row: fmt.Sprintf("remote %q", r.Name)}
		tc.parse(&st.LastUpload, "last synced_at", upload)
		tc.parse(&st.LastSnapshot, "last snapshot created_at", snapshot)
		if tc.err != nil {
			return nil, tc.err
		}
		out = append(out, st)
	}
	return out, nil
}

// JobCounts counts the queued jobs: Pending waits to run (Failing of them
// failed at least once), Dead gave up.
type JobCounts struct {
	Pending, Failing, Dead int
}

// CountJobs counts the queued jobs by state.
func (c *Catalog) CountJobs(ctx context.Context) (JobCounts, error) {
	var j JobCounts
	err := c.r.QueryRowContext(ctx, `SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'pending' AND attempts > 0), 0),
		coalesce(sum(state = 'dead'), 0) FROM jobs`).Scan(&j.Pending, &j.Failing, &j.Dead)
	return j, err
}

// JobsAfter lists up to limit queued jobs with ids above after, in id
// order; failedOnly keeps dead ones and those that failed at least once.
func (c *Catalog) JobsAfter(ctx context.Context, failedOnly bool, after int64, limit int) ([]Job, error) {
	q := `SELECT ` + jobCols + ` FROM jobs WHERE id > ?`
	if failedOnly {
		q += ` AND (state = 'dead' OR attempts > 0)`
	}
	rows, err := c.r.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, after, limit)
	return collect(rows, err, scanJob)
}

// TrashedPhotosBefore returns up to limit trashed photos that come just
// before (beforeAt, beforeID) in the most-recently-trashed-first order of
// TrashedPhotos (the zero time and 0: the ones trashed first), in that order.
func (c *Catalog) TrashedPhotosBefore(ctx context.Context, beforeAt time.Time, beforeID int64, limit int) ([]Photo, error) {
	if beforeAt.IsZero() {
		beforeID = -1 << 63
	}
	rows, err := c.r.QueryContext(ctx, trashedBeforeQuery, FormatTime(beforeAt), beforeID, limit)
	ps, err := collect(rows, err, scanPhoto)
	if err != nil {
		return nil, fmt.Errorf("list the trash: %w", err)
	}
	slices.Reverse(ps)
	return ps, nil
}

// trashedBeforeQuery walks the photos_trashed index backwards.
const trashedBeforeQuery = `SELECT ` + photoCols + ` FROM photos p
	WHERE p.trashed_at IS NOT NULL AND (p.trashed_at, p.id) > (?, ?)
	ORDER BY p.trashed_at, p.id LIMIT ?`

// CountTrashed counts the photos in the trash.
func (c *Catalog) CountTrashed(ctx context.Context) (int, error) {
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NOT NULL`).Scan(&n)
	return n, err
}

// CountTrashedBefore counts the trashed photos listed before (at, id) in
// the most-recently-trashed-first order.
func (c *Catalog) CountTrashedBefore(ctx context.Context, at time.Time, id int64) (int, error) {
	var n int
	err := c.r.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE trashed_at IS NOT NULL AND (trashed_at, id) > (?, ?)`,
		FormatTime(at), id).Scan(&n)
	return n, err
}

// TrashedIDsBetween returns the ids of the trashed photos from one
// (trashed_at, id) position to another, both included, most recently
// trashed first.
func (c *Catalog) TrashedIDsBetween(ctx context.Context, aAt time.Time, aID int64, bAt time.Time, bID int64) ([]int64, error) {
	if aAt.Before(bAt) || aAt.Equal(bAt) && aID < bID {
		aAt, aID, bAt, bID = bAt, bID, aAt, aID
	}
	rows, err := c.r.QueryContext(ctx, `SELECT id FROM photos WHERE trashed_at IS NOT NULL
		AND (trashed_at, id) <= (?, ?) AND (trashed_at, id) >= (?, ?) ORDER BY trashed_at DESC, id DESC`, FormatTime(aAt), aID, FormatTime(bAt), bID)
	return collect(rows, err, scanID)
}
