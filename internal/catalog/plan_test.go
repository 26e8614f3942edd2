package catalog

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"
)

// planRecorder keeps the query plan of every statement a catalog runs:
// the statement, then SQLite's EXPLAIN QUERY PLAN steps of it.
type planRecorder struct {
	mu    sync.Mutex
	plans map[string][]string
	on    bool
}

func (r *planRecorder) record(query string, steps []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.plans[query] = steps
	}
}

// planDriver is SQLite's driver, explaining each statement before it
// runs it.
type planDriver struct{ rec *planRecorder }

func (d planDriver) Open(name string) (driver.Conn, error) {
	c, err := (&sqlite.Driver{}).Open(name)
	if err != nil {
		return nil, err
	}
	return &planConn{Conn: c, rec: d.rec}, nil
}

type planConn struct {
	driver.Conn
	rec *planRecorder
}

func (c *planConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *planConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.explain(ctx, query, args)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *planConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.explain(ctx, query, args)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

var explained = regexp.MustCompile(`(?is)^\s*(SELECT|WITH|UPDATE|DELETE|INSERT)\b`)

func (c *planConn) explain(ctx context.Context, query string, args []driver.NamedValue) {
	if !explained.MatchString(query) {
		return
	}
	rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args)
	if err != nil {
		c.rec.record(query, []string{"cannot explain: " + err.Error()})
		return
	}
	defer func() { _ = rows.Close() }() // only read
	var steps []string
	vals := make([]driver.Value, len(rows.Columns()))
	for rows.Next(vals) == nil {
		steps = append(steps, fmt.Sprint(vals[3]))
	}
	c.rec.record(query, steps)
}

var registerPlanDriver = sync.OnceValue(func() *planRecorder {
	rec := &planRecorder{plans: map[string][]string{}}
	sql.Register("sqlite-plans", planDriver{rec})
	return rec
})

// bigTables are the tables that grow with the archive: a hot path may
// search them through an index, or walk an index in order under a LIMIT
// (a page), never scan them whole.
var bigTables = []string{"photos", "photo_owners", "album_photos", "share_photos", "sidecars", "comments", "hearts",
	"activity", "jobs", "remote_objects", "uploads", "photo_search", "photo_hashes", "trash_log_photos"}

// partialIndexes are indexes of a big table that hold only rows that
// are few by nature, and which a statement may walk whole: jobs_failed
// holds the jobs that failed (migration 0030).
var partialIndexes = []string{"jobs_failed"}

var (
	tableRefs = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?`)
	scanStep  = regexp.MustCompile(`^SCAN (\w+)(.*)$`)
	limited   = regexp.MustCompile(`(?i)\bLIMIT\b`)
)

// fullScans returns the steps of a plan that read a big table whole.
func fullScans(query string, steps []string) []string {
	table := map[string]string{}
	for _, m := range tableRefs.FindAllStringSubmatch(query, -1) {
		table[m[1]] = m[1]
		if m[2] != "" && !slices.Contains([]string{"WHERE", "JOIN", "ON", "LEFT", "ORDER", "GROUP", "LIMIT", "USING", "WHERE"}, strings.ToUpper(m[2])) {
			table[m[2]] = m[1]
		}
	}
	var bad []string
	for _, st := range steps {
		m := scanStep.FindStringSubmatch(st)
		if len(m) < 3 || !slices.Contains(bigTables, table[m[1]]) {
			continue
		}
		// A virtual table's index string lists the constraints it was
		// given after the colon: FTS5 finds a rowid (=) without a scan.
		if _, used, ok := strings.Cut(m[2], "VIRTUAL TABLE INDEX "); ok && strings.HasPrefix(used[strings.Index(used, ":")+1:], "=") {
			continue
		}
		// A partial index that holds only the rows the statement is
		// about (retrying every failed job) may be walked whole.
		if idx, ok := strings.CutPrefix(strings.TrimSpace(m[2]), "USING INDEX "); ok && slices.Contains(partialIndexes, idx) {
			continue
		}
		// An index walked in its order stops after a page; a walk without
		// a LIMIT reads every row.
		if strings.Contains(m[2], "USING") && limited.MatchString(query) && !strings.Contains(m[2], "COVERING INDEX") {
			continue
		}
		bad = append(bad, st)
	}
	return bad
}

// planCatalog is a catalog with a few rows of every kind, whose
// statements are all explained.
func planCatalog(t *testing.T) (*Catalog, *planRecorder) {
	t.Helper()
	c := openTest(t)
	ctx := context.Background()
	var mom int64
	mustWrite(t, c, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		album, err := tx.CreateAlbum(ctx, "Jeju")
		if err != nil {
			return err
		}
		for i := 1; i <= 60; i++ {
			p := browsePhoto(i, fmt.Sprintf("20%02d-05-%02dT10:00:00", 10+i%10, 1+i%28), fmt.Sprintf("IMG_%d.JPG", i), "Canon")
			if p.ID, err = tx.InsertPhoto(ctx, p); err != nil {
				return err
			}
			if _, err := tx.Own(ctx, p, mom); err != nil {
				return err
			}
			if i%2 == 0 {
				if _, err := tx.AddToAlbum(ctx, album, p.ID, Actor{Name: "mom"}); err != nil {
					return err
				}
			}
			if err := tx.AddJob(ctx, JobDeleteFile, fmt.Sprintf("thumbs/x/%d.jpg", i)); err != nil {
				return err
			}
		}
		if _, err := tx.Trash(ctx, []int64{1, 2, 3}); err != nil {
			return err
		}
		if _, err := tx.CreateShare(ctx, Share{TokenHash: "a", AlbumID: album}, nil); err != nil {
			return err
		}
		if _, err := tx.CreateShare(ctx, Share{TokenHash: "y", Year: 2015}, nil); err != nil {
			return err
		}
		if _, err := tx.CreateShare(ctx, Share{TokenHash: "s"}, []int64{10, 11, 12}); err != nil {
			return err
		}
		if _, err := tx.AddComment(ctx, Comment{PhotoID: 10, ShareID: 1, Name: "Dad", Text: "wave"}); err != nil {
			return err
		}
		_, err = tx.ToggleHeart(ctx, Heart{PhotoID: 10, ShareID: 1, Device: "d", Name: "Dad"})
		return err
	})
	rec := registerPlanDriver()
	for _, db := range []**sql.DB{&c.r, &c.w} {
		txlock := ""
		if *db == c.w {
			txlock = "immediate"
		}
		if err := (*db).Close(); err != nil {
			t.Fatal(err)
		}
		pdb, err := sql.Open("sqlite-plans", dsn(c.path, txlock))
		if err != nil {
			t.Fatal(err)
		}
		if txlock != "" {
			pdb.SetMaxOpenConns(1)
		}
		*db = pdb
	}
	return c, rec
}

// TestHotPathsUseIndexes runs every query of the paths that must stay
// instant at ten million photos (listing, browsing, sharing, quotas,
// trash, jobs, activity) on a catalog with rows, and fails on a plan
// that reads a big table whole: a SCAN of photos or a join table, or a
// walk of a whole index without a LIMIT. The statements are those the
// catalog really runs (a driver explains each one before running it),
// so a new query on these paths is checked without being listed here.
func TestHotPathsUseIndexes(t *testing.T) {
	c, rec := planCatalog(t)
	ctx := context.Background()
	mom, err := c.UserByName(ctx, "mom")
	if err != nil {
		t.Fatal(err)
	}
	cur := &Cursor{TakenKey: 1 << 50, ID: 30}
	shares, err := c.Shares(ctx)
	if err != nil || len(shares) != 3 {
		t.Fatalf("shares = %+v, %v", shares, err)
	}
	now := time.Now()
	paths := map[string]func() error{
		"ls": func() error {
			_, err := c.ListPhotos(ctx, nil, 50)
			if err == nil {
				_, err = c.ListPhotos(ctx, cur, 50)
			}
			return err
		},
		"ls filters": func() error {
			for _, f := range []PhotoFilter{{}, {OwnerID: mom.ID}, {AlbumID: 1}, {AlbumID: 1, OwnerID: mom.ID},
				{Since: "2015-01-01", Until: "2016-12-31"}, {Type: "video"}, {State: "offloaded"}, {OwnerID: mom.ID, Since: "2015-01-01"}} {
				if _, err := c.FilteredPhotos(ctx, f, cur, 50); err != nil {
					return err
				}
			}
			return nil
		},
		"user": func() error {
			if _, err := c.Users(ctx); err != nil {
				return err
			}
			if _, err := c.FirstUser(ctx); err != nil {
				return err
			}
			_, err := c.UserPhotos(ctx, mom.ID, cur, 50)
			return err
		},
		"browse": func() error {
			for _, f := range []Filter{{}, {AlbumID: 1}, {UserID: mom.ID}, {From: "2015-01-01", To: "2015-12-31"}, {Name: "IMG", Camera: "Canon"}} {
				if _, err := c.BrowsePhotos(ctx, f, cur, 50); err != nil {
					return err
				}
				if _, err := c.BrowsePhotosBefore(ctx, f, cur, 50); err != nil {
					return err
				}
			}
			_, err := c.AlbumPhotos(ctx, 1, cur, 50)
			return err
		},
		"photo": func() error {
			if _, err := c.PhotoByID(ctx, 10); err != nil {
				return err
			}
			if _, err := c.PhotoAlbums(ctx, 10); err != nil {
				return err
			}
			if _, err := c.Sidecars(ctx, 10); err != nil {
				return err
			}
			if _, err := c.Comments(ctx, 10, 0, 50); err != nil {
				return err
			}
			_, err := c.Hearts(ctx, 10)
			return err
		},
		"share": func() error {
			for _, s := range shares {
				if _, err := c.ShareByTokenHash(ctx, s.TokenHash); err != nil {
					return err
				}
				if _, err := c.SharePhotos(ctx, s, nil, 60); err != nil {
					return err
				}
				if _, err := c.SharePhotos(ctx, s, cur, 60); err != nil {
					return err
				}
				if _, err := c.SharedFile(ctx, s, 12); err != nil && err != ErrNotFound {
					return err
				}
				if _, err := c.ShareActivity(ctx, s, 0, 0, 50); err != nil {
					return err
				}
				if _, _, err := c.NewSince(ctx, s, 0); err != nil {
					return err
				}
			}
			_, err := c.PhotoCounts(ctx, []int64{10, 11, 12})
			return err
		},
		"quota": func() error {
			return c.Write(ctx, func(tx *Tx) error {
				p := browsePhoto(100, "2020-01-01T00:00:00", "new.jpg", "")
				res, err := tx.Reserve(ctx, mom.ID, p.Bytes, "run-plan")
				if err != nil {
					return err
				}
				if p.ID, err = tx.InsertPhoto(ctx, p); err != nil {
					return err
				}
				_, err = tx.OwnReserved(ctx, p, mom.ID, res)
				return err
			})
		},
		"trash": func() error {
			if _, err := c.TrashedPhotos(ctx, time.Time{}, 0, 50); err != nil {
				return err
			}
			if _, err := c.TrashedPhotosBefore(ctx, now, 1, 50); err != nil {
				return err
			}
			if _, err := c.TrashedBefore(ctx, now, 1000); err != nil {
				return err
			}
			if _, _, err := c.TrashTotals(ctx, now); err != nil {
				return err
			}
			return c.Write(ctx, func(tx *Tx) error {
				if _, err := tx.Trash(ctx, []int64{20}); err != nil {
					return err
				}
				if _, err := tx.Restore(ctx, []int64{3}); err != nil {
					return err
				}
				_, err := tx.Purge(ctx, []int64{1, 2}, func(p Photo, _ []Sidecar) []string { return []string{p.Path} })
				return err
			})
		},
		"jobs": func() error {
			if due, err := c.JobsDue(ctx, now, []string{JobDeleteFile, JobDeleteRemote}); err != nil || !due {
				return fmt.Errorf("jobs due: %v, %w", due, err)
			}
			jobs, err := c.DueJobs(ctx, now, []string{JobDeleteFile}, 10)
			if err != nil || len(jobs) == 0 {
				return fmt.Errorf("due jobs: %d, %w", len(jobs), err)
			}
			if _, err := c.ReferencedPaths(ctx, []string{"originals/x.jpg"}); err != nil {
				return err
			}
			err = c.Write(ctx, func(tx *Tx) error {
				if err := tx.JobsFailed(ctx, []JobFailure{{ID: jobs[1].ID, Attempts: 1, Error: "busy", Next: now.Add(time.Minute)}}); err != nil {
					return err
				}
				return tx.DeleteJobs(ctx, []int64{jobs[0].ID})
			})
			if err != nil {
				return err
			}
			for _, failed := range []bool{false, true} {
				if list, err := c.Jobs(ctx, failed, 0, 50); err != nil || len(list) == 0 {
					return fmt.Errorf("jobs ls (failed %v): %d, %w", failed, len(list), err)
				}
			}
			return c.Write(ctx, func(tx *Tx) error { _, err := tx.RetryJobs(ctx, nil); return err })
		},
		"activity": func() error {
			if _, err := c.LatestActivity(ctx); err != nil {
				return err
			}
			if _, err := c.ActivityAfter(ctx, 0, 50); err != nil {
				return err
			}
			_, err := c.Activities(ctx, ActivityFilter{ShareID: 1, Limit: 50})
			return err
		},
		"remote status": func() error {
			err := c.Write(ctx, func(tx *Tx) error {
				if err := tx.AddRemote(ctx, Remote{Name: "b2", Bucket: "photos", Endpoint: "s3.example.org"}); err != nil {
					return err
				}
				return tx.PutRemoteObject(ctx, "b2", "originals/x.jpg", "x", 1)
			})
			if err != nil {
				return err
			}
			st, err := c.RemoteStatuses(ctx)
			if err == nil && len(st) != 1 {
				err = fmt.Errorf("%d remotes", len(st))
			}
			return err
		},
		"catalog version": func() error {
			_, err := c.CatalogVersion(ctx)
			return err
		},
	}
	names := make([]string, 0, len(paths))
	for name := range paths {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		rec.mu.Lock()
		rec.plans, rec.on = map[string][]string{}, true
		rec.mu.Unlock()
		err := paths[name]()
		rec.mu.Lock()
		plans := rec.plans
		rec.on = false
		rec.mu.Unlock()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(plans) == 0 {
			t.Errorf("%s: no statement was explained", name)
		}
		t.Logf("%s: %d statements explained", name, len(plans))
		for query, steps := range plans {
			if strings.HasPrefix(strings.Join(steps, ""), "cannot explain") {
				t.Errorf("%s: %s: %v", name, query, steps)
			}
			if bad := fullScans(query, steps); len(bad) > 0 {
				t.Errorf("%s: %s\n  reads a big table whole: %v\n  plan: %v", name, strings.Join(strings.Fields(query), " "), bad, steps)
			}
		}
	}
}

// TestFullScansFindsScans checks the checker on plans SQLite gives.
func TestFullScansFindsScans(t *testing.T) {
	tests := []struct {
		query string
		steps []string
		bad   bool
	}{
		{"SELECT * FROM photos p WHERE p.caption = ?", []string{"SCAN p"}, true},
		{"UPDATE jobs SET attempts = 0 WHERE attempts > 0", []string{"SCAN jobs"}, true},
		{"UPDATE jobs SET attempts = 0 WHERE state = 'dead' OR attempts > 0", []string{"SCAN jobs USING INDEX jobs_failed"}, false},
		{"UPDATE jobs SET attempts = 0 WHERE state = 'dead'", []string{"SCAN jobs USING INDEX jobs_due"}, true},
		{"SELECT count(*) FROM album_photos", []string{"SCAN album_photos USING COVERING INDEX album_photos_by_photo"}, true},
		{"SELECT * FROM photos p ORDER BY taken_key DESC LIMIT 50", []string{"SCAN p USING INDEX photos_live_by_taken"}, false},
		{"SELECT * FROM photos p ORDER BY taken_key DESC", []string{"SCAN p USING INDEX photos_live_by_taken"}, true},
		{"SELECT * FROM photos p WHERE id = ?", []string{"SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"}, false},
		{"SELECT * FROM users u JOIN photos p ON p.id = u.id", []string{"SCAN u", "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"}, false},
		{"DELETE FROM photo_search WHERE rowid IN (SELECT id FROM purging)", []string{"SCAN photo_search VIRTUAL TABLE INDEX 0:=", "LIST SUBQUERY 1"}, false},
		{"SELECT rowid FROM photo_search", []string{"SCAN photo_search VIRTUAL TABLE INDEX 0:"}, true},
	}
	for _, tt := range tests {
		if bad := fullScans(tt.query, tt.steps); (len(bad) > 0) != tt.bad {
			t.Errorf("fullScans(%q, %v) = %v; want a scan found: %v", tt.query, tt.steps, bad, tt.bad)
		}
	}
}
