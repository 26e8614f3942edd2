// Command gen-catalog-go adds N generated photos to a picup library's
// catalog, fast, for measuring picup at millions of photos: scripts/gen-
// catalog runs it (see its --help) after importing a few hundred real
// files.
//
//	go run ./scripts/gen-catalog-go -photos 1000000 -library /tmp/lib
//
// The library is opened through the real code path first (directories,
// migrations, the first user). Then the rows are written with SQL, 100,000
// photos a transaction: the triggers and the indexes of the big tables are
// dropped first and made again after, from their own SQL in the catalog,
// and what the triggers would have written is written in one statement
// each: the search index (from the view photo_search_rows), the users'
// counters, the albums' counters, catalog_version, share_ids, the day
// counters and the change numbers that tell a sync what its remote
// lacks. The rows name files that do not exist (only the imported ones
// do).
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, as the catalog uses

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func main() {
	var o options
	flag.IntVar(&o.photos, "photos", 100_000, "photos to add")
	flag.StringVar(&o.library, "library", "", "the library (created when missing)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of every random choice")
	flag.BoolVar(&o.check, "check", false, "afterwards, run SQLite's integrity check and the catalog's own checks")
	snapshot := flag.String("snapshot", "", "instead, time a snapshot of the library's catalog into this `FILE`, as sync takes it, and print the milliseconds")
	flag.Parse()
	if *snapshot != "" && o.library != "" {
		ms, err := timeSnapshot(context.Background(), o.library, *snapshot)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen-catalog: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%.1f\n", ms)
		return
	}
	if o.library == "" || o.photos < 1 || o.photos >= 1<<27-1<<20 {
		fmt.Fprintln(os.Stderr, "usage: gen-catalog-go -photos N -library DIR [-seed S] [-check]  (N from 1 to about 133 million)")
		os.Exit(2)
	}
	o.log = func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "gen-catalog: "+format+"\n", args...)
	}
	start := time.Now()
	if err := generate(context.Background(), o); err != nil {
		fmt.Fprintf(os.Stderr, "gen-catalog: %v\n", err)
		os.Exit(1)
	}
	o.log("done in %s", time.Since(start).Round(time.Millisecond))
}

type options struct {
	photos  int
	library string
	seed    uint64
	check   bool
	log     func(format string, args ...any)
}

// The shape of the library.
const (
	batch       = 100_000 // photos a transaction
	rowsPerStmt = 100     // rows of one INSERT
	albums      = 2000
	bigAlbums   = 10 // each with a hundredth of the photos (100,000 at 10M)
	albumShares = 60
	selShares   = 30
	yearShares  = 10
	remoteName  = "backup"
	years       = 30
)

// users are the family besides the library's first user: name and the
// share of the generated photos each owns (the first user owns the rest).
var users = []struct {
	name  string
	share float64
}{{"mom", 0.25}, {"dad", 0.15}, {"grandma", 0.10}, {"kid", 0.05}}

// gen holds what the rows are made of.
type gen struct {
	o      options
	db     *sql.DB
	r      *rand.Rand
	now    time.Time
	first  int64   // the first generated photo's id
	users  []int64 // ids, the library's first user first
	taken  []int64 // taken_key of each generated photo, by id - first
	trash  []bool  // in the trash
	albums []album
}

type album struct {
	id    int64
	ids   []int64 // members, by photo id
	share bool    // an album share opens it
}

func generate(ctx context.Context, o options) error {
	lib, err := library.Open(ctx, o.library)
	if err != nil {
		return err
	}
	dbPath := filepath.Join(lib.Root, library.CatalogFile)
	if err := lib.Close(); err != nil {
		return err
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(30000)", "locking_mode(EXCLUSIVE)", "journal_mode(OFF)", "foreign_keys(0)", "synchronous(OFF)", "cache_size(-1000000)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	g := &gen{o: o, db: db, r: rand.New(rand.NewPCG(o.seed, 15)), now: time.Now().UTC().Truncate(time.Second)}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM photos`).Scan(&g.first); err != nil {
		return err
	}
	var made int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM albums`).Scan(&made); err != nil || made > 0 {
		return errors.Join(err, fmt.Errorf("library %s has albums: gen-catalog fills a new library (or one with imports only); give another --library", lib.Root))
	}
	if n := int64(o.photos) + g.first; n >= 1<<27 {
		return fmt.Errorf("%d photos after id %d pass the search key's 2^27 ids; ask for fewer", o.photos, g.first)
	}
	saved, err := dropForLoad(ctx, db)
	if err != nil {
		return err
	}
	o.log("library %s: %d photos from id %d; triggers and %d indexes dropped for the load", lib.Root, o.photos, g.first, len(saved)-countTriggers(saved))
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"users", g.addUsers},
		{"photos, owners and remote objects", g.addPhotos},
		{"albums", g.addAlbums},
		{"shares", g.addShares},
		{"hearts and comments", g.addActivity},
		{"indexes and triggers", func(ctx context.Context) error { return restore(ctx, db, saved) }},
		{"search index, counters and quotas", g.derive},
		{"back to WAL", func(ctx context.Context) error {
			_, err := db.ExecContext(ctx, `PRAGMA journal_mode = WAL`)
			if err == nil {
				_, err = db.ExecContext(ctx, `PRAGMA locking_mode = NORMAL`)
			}
			if err == nil { // the exclusive lock goes with the next access
				_, err = db.ExecContext(ctx, `SELECT count(*) FROM users`)
			}
			return errors.Join(err, db.Close())
		}},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		o.log("%s: %s", s.name, time.Since(t).Round(time.Millisecond))
	}
	if o.check {
		t := time.Now()
		if err := check(ctx, dbPath); err != nil {
			return err
		}
		o.log("checks passed: %s", time.Since(t).Round(time.Millisecond))
	}
	return nil
}

// bigTables are the tables whose indexes are dropped during the load.
var bigTables = []string{"photos", "photo_owners", "album_photos", "share_photos", "comments", "hearts", "activity"}

// dropForLoad drops every trigger and the indexes of the big tables and
// returns their SQL, to make them again with restore.
func dropForLoad(ctx context.Context, db *sql.DB) ([][2]string, error) {
	var saved [][2]string
	var drops []string
	err := each(ctx, db, `SELECT type, name, sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND (type = 'trigger' OR type = 'index' AND tbl_name IN (`+
		strings.Repeat("?, ", len(bigTables)-1)+`?)) ORDER BY type, name`, anys(bigTables), func(rows *sql.Rows) error {
		var typ, name, stmt string
		err := rows.Scan(&typ, &name, &stmt)
		saved = append(saved, [2]string{typ, stmt})
		drops = append(drops, "DROP "+strings.ToUpper(typ)+" "+name)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, d := range drops {
		if _, err := db.ExecContext(ctx, d); err != nil {
			return nil, err
		}
	}
	return saved, nil
}

// each runs fn on every row of a query.
func each(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func countTriggers(saved [][2]string) int {
	n := 0
	for _, s := range saved {
		if s[0] == "trigger" {
			n++
		}
	}
	return n
}

// restore makes the indexes, then the triggers, again from their SQL.
func restore(ctx context.Context, db *sql.DB, saved [][2]string) error {
	for _, typ := range []string{"index", "trigger"} {
		for _, s := range saved {
			if s[0] != typ {
				continue
			}
			if _, err := db.ExecContext(ctx, s[1]); err != nil {
				return fmt.Errorf("%s: %w", s[1], err)
			}
		}
	}
	return nil
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i := range v {
		out[i] = v[i]
	}
	return out
}

// inserter writes rows of one table in multi-row INSERTs.
type inserter struct {
	tx   *sql.Tx
	head string // INSERT INTO t (a, b, c) VALUES
	cols int
	args []any
}

func newInserter(tx *sql.Tx, table string, cols ...string) *inserter {
	return &inserter{tx: tx, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ", cols: len(cols)}
}

func (in *inserter) add(ctx context.Context, vals ...any) error {
	in.args = append(in.args, vals...)
	if len(in.args) >= rowsPerStmt*in.cols {
		return in.flush(ctx)
	}
	return nil
}

func (in *inserter) flush(ctx context.Context) error {
	n := len(in.args) / in.cols
	if n == 0 {
		return nil
	}
	row := "(?" + strings.Repeat(", ?", in.cols-1) + ")"
	_, err := in.tx.ExecContext(ctx, in.head+row+strings.Repeat(", "+row, n-1), in.args...)
	in.args = in.args[:0]
	return err
}

// inTx runs fn in one transaction.
func (g *gen) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// addUsers adds the family (quotas are set at the end, from usage).
func (g *gen) addUsers(ctx context.Context) error {
	var firstUser int64
	if err := g.db.QueryRowContext(ctx, `SELECT id FROM users ORDER BY id LIMIT 1`).Scan(&firstUser); err != nil {
		return err
	}
	g.users = []int64{firstUser}
	return g.inTx(ctx, func(tx *sql.Tx) error {
		for _, u := range users {
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO users (name, created_at) VALUES (?, ?) RETURNING id`,
				u.name, catalog.FormatTime(g.now)).Scan(&id)
			if err != nil {
				return err
			}
			g.users = append(g.users, id)
		}
		return nil
	})
}

// Capture times: bursts (events) of 1 to 50 photos on one day, each day
// drawn so that the last years hold far more photos than the first
// (density growing as the cube of time over 30 years), and a few scans
// dated by a year or a month alone.
func (g *gen) eventDay() time.Time {
	span := float64(years * 365 * 24 * time.Hour)
	ago := time.Duration(span * (1 - math.Cbrt(g.r.Float64())))
	d := g.now.Add(-ago)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

var cameras = [][3]string{
	{"Apple", "iPhone 15 Pro", "iPhone 15 Pro back triple camera 6.86mm f/1.78"},
	{"Apple", "iPhone 12", "iPhone 12 back dual wide camera 4.2mm f/1.6"},
	{"samsung", "SM-S918N", ""},
	{"Canon", "Canon EOS 5D Mark III", "EF24-105mm f/4L IS USM"},
	{"SONY", "ILCE-7M3", "FE 28-70mm F3.5-5.6 OSS"},
	{"NIKON CORPORATION", "NIKON D90", "18.0-105.0 mm f/3.5-5.6"},
	{"", "", ""}, // scans and screenshots
}

var places = [][5]any{
	{37.5665, 126.9780, "KR", "Seoul", "Seoul"},
	{35.1796, 129.0756, "KR", "Busan", "Busan"},
	{33.4996, 126.5312, "KR", "Jeju-do", "Jeju City"},
	{48.8566, 2.3522, "FR", "Île-de-France", "Paris"},
	{40.7128, -74.0060, "US", "New York", "New York City"},
}

var captions = []string{"", "", "", "", "", "", "birthday", "beach", "생일 파티", "제주도에서", "first day of school", "할머니 댁"}

func hexID(prefix string, i int64) string {
	s := sha256.Sum256([]byte(fmt.Sprintf("%s-%d", prefix, i)))
	return hex.EncodeToString(s[:])
}

// genCols are what Go draws for each photo, in the temporary table gen;
// SQL makes the rows of photos, photo_owners and remote_objects from
// them (binding every column of every row costs five times more).
var genCols = []string{"id", "taken_key", "taken_at", "precision", "video", "bytes", "duration_ms", "owner", "owner2",
	"camera", "place", "trashed_at", "caption", "synced"}

// fromGen are the statements that write a batch's rows from gen; ?1 is
// when they were imported.
var fromGen = []string{
	`INSERT INTO photos (id, sha256, path, original_name, type, format, mime, bytes, taken_at, taken_key,
		taken_source, offset_known, width, height, orientation, camera_make, camera_model, lens, lat, lon,
		duration_ms, thumbs, imported_at, state, trashed_at, taken_precision, caption, place_country, place_region, place_city)
	SELECT g.id, lower(hex(randomblob(32))),
		'originals/' || strftime('%Y/%Y-%m-%d/', g.taken_key / 1000, 'unixepoch') || g.id || '_' || g.name, g.name,
		iif(g.video, 'video', 'photo'), iif(g.video, 'mp4', 'jpeg'), iif(g.video, 'video/mp4', 'image/jpeg'), g.bytes,
		g.taken_at, g.taken_key, 'exif:DateTimeOriginal', 0, 4032, 3024, 1, coalesce(c.make, ''), coalesce(c.model, ''),
		coalesce(c.lens, ''), pl.lat + (g.id % 97) / 10000.0, pl.lon + (g.id % 89) / 10000.0, g.duration_ms, 'ok', ?1, 'ok',
		g.trashed_at, g.precision, g.caption, pl.country, pl.region, pl.city
	FROM (SELECT *, 'IMG_' || format('%04d', id % 10000) || iif(video, '.MP4', '.JPG') AS name FROM gen) g
		LEFT JOIN gen_cameras c ON c.id = g.camera LEFT JOIN gen_places pl ON pl.id = g.place
	ORDER BY g.id`,
	`INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
		SELECT id, owner, taken_key, ?1 FROM gen UNION ALL
		SELECT id, owner2, taken_key, ?1 FROM gen WHERE owner2 IS NOT NULL`,
	// Change numbers: 0 for what the remote holds (at or below its mark),
	// -1 for the rest, which derive numbers above the mark.
	`INSERT INTO photo_changes (photo_id, seq) SELECT id, iif(synced, 0, -1) FROM gen`,
	`INSERT INTO remote_objects (remote, key, sha256, size, synced_at)
		SELECT '` + remoteName + `', p.path, p.sha256, p.bytes, ?1 FROM gen g JOIN photos p ON p.id = g.id WHERE g.synced UNION ALL
		SELECT '` + remoteName + `', 'thumbs/' || substr(p.sha256, 1, 2) || '/' || p.sha256 || '-grid.jpg', '', 20000, ?1
			FROM gen g JOIN photos p ON p.id = g.id WHERE g.synced UNION ALL
		SELECT '` + remoteName + `', 'thumbs/' || substr(p.sha256, 1, 2) || '/' || p.sha256 || '-screen.jpg', '', 250000, ?1
			FROM gen g JOIN photos p ON p.id = g.id WHERE g.synced UNION ALL
		SELECT '` + remoteName + `', 'meta/' || p.sha256 || '.json', lower(hex(randomblob(32))), 900, ?1
			FROM gen g JOIN photos p ON p.id = g.id WHERE g.synced`,
	`DELETE FROM gen`,
}

// addPhotos writes the photos, their owners and what the remote holds of
// them, batch by batch.
func (g *gen) addPhotos(ctx context.Context) error {
	if err := g.lookupTables(ctx); err != nil {
		return err
	}
	n := g.o.photos
	g.taken = make([]int64, n)
	g.trash = make([]bool, n)
	cum := make([]float64, len(users))
	acc := 0.0
	for i, u := range users {
		acc += u.share
		cum[i] = acc
	}
	imported := catalog.FormatTime(g.now.Add(-24 * time.Hour))
	var day time.Time
	var left, cam int
	var clock time.Duration
	start := time.Now()
	for b := 0; b < n; b += batch {
		err := g.inTx(ctx, func(tx *sql.Tx) error {
			rows := newInserter(tx, "gen", genCols...)
			for i := b; i < min(b+batch, n); i++ {
				if left == 0 {
					day, clock = g.eventDay(), time.Duration(8+g.r.IntN(12))*time.Hour
					left = 1 + g.r.IntN(50)
					cam = 1 + g.r.IntN(len(cameras))
				}
				left--
				clock += time.Duration(1+g.r.IntN(90)) * time.Second
				id := g.first + int64(i)
				t := day.Add(clock)
				precision, takenAt := "", t.Format("2006-01-02T15:04:05")
				if cameras[cam-1][0] == "" && g.r.IntN(4) == 0 { // a scan dated by its year
					t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
					precision, takenAt = "year", t.Format("2006")
				}
				g.taken[i] = t.UnixMilli()
				video, size := false, 1_500_000+g.r.Int64N(4_500_000)
				var dur, place, trashedAt, owner2 any
				if g.r.IntN(20) == 0 {
					video, size, dur = true, 5_000_000+g.r.Int64N(200_000_000), 2000+g.r.IntN(120_000)
				}
				if cameras[cam-1][0] != "" && g.r.IntN(3) == 0 {
					place = 1 + g.r.IntN(len(places))
				}
				if g.r.IntN(200) == 0 {
					g.trash[i] = true
					trashedAt = catalog.FormatTime(g.now.Add(-time.Duration(g.r.IntN(20*24)) * time.Hour))
				}
				owner := g.users[0]
				if u := g.r.Float64(); u < acc {
					for k, c := range cum {
						if u < c {
							owner = g.users[k+1]
							break
						}
					}
				}
				if g.r.IntN(100) == 0 { // a copy imported by someone else too
					if other := g.users[g.r.IntN(len(g.users))]; other != owner {
						owner2 = other
					}
				}
				synced := g.r.IntN(1000) != 0 // one in 1,000 not synced yet
				if err := rows.add(ctx, id, g.taken[i], takenAt, precision, video, size, dur, owner, owner2,
					cam, place, trashedAt, captions[g.r.IntN(len(captions))], synced); err != nil {
					return err
				}
			}
			if err := rows.flush(ctx); err != nil {
				return err
			}
			for _, q := range fromGen {
				if _, err := tx.ExecContext(ctx, q, imported); err != nil {
					return fmt.Errorf("%.50s…: %w", strings.Join(strings.Fields(q), " "), err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done := min(b+batch, n)
		if done%(5*batch) == 0 || done == n {
			g.o.log("  %d photos, %.0f a second", done, float64(done)/time.Since(start).Seconds())
		}
	}
	_, err := g.db.ExecContext(ctx, `INSERT INTO remotes (name, bucket, prefix, endpoint, region, created_at)
		VALUES (?, 'family-photos', '', 'https://s3.invalid', '', ?) ON CONFLICT DO NOTHING`, remoteName, imported)
	return err
}

// lookupTables makes the temporary tables that addPhotos draws into and
// joins with: gen, the cameras and the places.
func (g *gen) lookupTables(ctx context.Context) error {
	stmts := []string{
		`CREATE TEMP TABLE gen (id INTEGER PRIMARY KEY, taken_key INTEGER, taken_at TEXT, precision TEXT, video INTEGER,
			bytes INTEGER, duration_ms INTEGER, owner INTEGER, owner2 INTEGER, camera INTEGER, place INTEGER,
			trashed_at TEXT, caption TEXT, synced INTEGER)`,
		`CREATE TEMP TABLE gen_cameras (id INTEGER PRIMARY KEY, make TEXT, model TEXT, lens TEXT)`,
		`CREATE TEMP TABLE gen_places (id INTEGER PRIMARY KEY, lat REAL, lon REAL, country TEXT, region TEXT, city TEXT)`,
	}
	for _, s := range stmts {
		if _, err := g.db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	for i, c := range cameras {
		if _, err := g.db.ExecContext(ctx, `INSERT INTO gen_cameras VALUES (?, ?, ?, ?)`, i+1, c[0], c[1], c[2]); err != nil {
			return err
		}
	}
	for i, p := range places {
		if _, err := g.db.ExecContext(ctx, `INSERT INTO gen_places VALUES (?, ?, ?, ?, ?, ?)`, append([]any{i + 1}, p[:]...)...); err != nil {
			return err
		}
	}
	return nil
}

// addAlbums makes the albums: a few of a hundredth of the library each (a
// child, a decade), spread over a stretch of it, and many small ones of a
// trip or a party, a run of consecutive photos each; about a fifth of the
// photos is in the small ones.
func (g *gen) addAlbums(ctx context.Context) error {
	n := int64(g.o.photos)
	smallMean := max(5, n/5/albums)
	return g.inTx(ctx, func(tx *sql.Tx) error {
		ap := newInserter(tx, "album_photos", "album_id", "photo_id", "taken_key", "added_at")
		added := catalog.FormatTime(g.now.Add(-12 * time.Hour))
		for k := range albums {
			var size, step int64
			name := fmt.Sprintf("Trip %d", k)
			if k < bigAlbums {
				size, step, name = max(1, n/100), 1+g.r.Int64N(5), fmt.Sprintf("Everything of %s %d", users[k%len(users)].name, k)
			} else {
				size, step = 1+g.r.Int64N(2*smallMean), 1
			}
			size = min(size, n/step)
			startAt := g.first + g.r.Int64N(n-size*step+1)
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO albums (name, created_at) VALUES (?, ?) RETURNING id`, name, added).Scan(&id); err != nil {
				return err
			}
			a := album{id: id}
			for j := range size {
				pid := startAt + j*step
				a.ids = append(a.ids, pid)
				if err := ap.add(ctx, id, pid, g.taken[pid-g.first], added); err != nil {
					return err
				}
			}
			g.albums = append(g.albums, a)
		}
		return ap.flush(ctx)
	})
}

// addShares makes 100 links: albums (the big ones first), selections of
// photos and years.
func (g *gen) addShares(ctx context.Context) error {
	created := catalog.FormatTime(g.now.Add(-6 * time.Hour))
	return g.inTx(ctx, func(tx *sql.Tx) error {
		sp := newInserter(tx, "share_photos", "share_id", "photo_id", "taken_key")
		id := int64(0)
		if err := tx.QueryRowContext(ctx, `SELECT last FROM share_ids`).Scan(&id); err != nil {
			return err
		}
		add := func(name string, albumID, year any) error {
			id++
			_, err := tx.ExecContext(ctx, `INSERT INTO shares (id, token_hash, name, album_id, year, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				id, hexID("token", id), name, albumID, year, created)
			return err
		}
		for k := range albumShares {
			a := &g.albums[(k*7)%len(g.albums)]
			if k < bigAlbums {
				a = &g.albums[k]
			}
			a.share = true
			if err := add(fmt.Sprintf("album link %d", k), a.id, nil); err != nil {
				return err
			}
		}
		for k := range selShares {
			if err := add(fmt.Sprintf("selection %d", k), nil, nil); err != nil {
				return err
			}
			size := 20 + g.r.Int64N(180)
			first := g.first + g.r.Int64N(max(1, int64(g.o.photos)-size))
			for pid := first; pid < min(first+size, g.first+int64(g.o.photos)); pid++ {
				if err := sp.add(ctx, id, pid, g.taken[pid-g.first]); err != nil {
					return err
				}
			}
		}
		for k := range yearShares {
			if err := add(fmt.Sprintf("year link %d", k), nil, g.now.Year()-k); err != nil {
				return err
			}
		}
		return sp.flush(ctx)
	})
}

// addActivity writes hearts (one photo in 500) and comments (one in
// 2,000) on photos of shared albums, each with its activity row, as a
// guest's device would through the album's link.
func (g *gen) addActivity(ctx context.Context) error {
	var shared []album
	shareOf := map[int64]int64{}
	err := each(ctx, g.db, `SELECT id, album_id FROM shares WHERE album_id IS NOT NULL`, nil, func(rows *sql.Rows) error {
		var s, a int64
		err := rows.Scan(&s, &a)
		shareOf[a] = s
		return err
	})
	if err != nil {
		return err
	}
	for _, a := range g.albums {
		if a.share {
			shared = append(shared, a)
		}
	}
	guests := []string{"이모", "Uncle Tom", "할아버지", "Sophie"}
	return g.inTx(ctx, func(tx *sql.Tx) error {
		hearts := newInserter(tx, "hearts", "photo_id", "device", "share_id", "name", "created_at")
		acts := newInserter(tx, "activity", "kind", "share_id", "photo_id", "photo_ids", "comment_id", "device", "name", "text", "at")
		at := g.now.Add(-5 * time.Hour)
		commentID := int64(0)
		for _, a := range shared {
			s := shareOf[a.id]
			for j, pid := range a.ids {
				if g.trash[pid-g.first] {
					continue
				}
				guest := j % len(guests)
				device := hexID("device", int64(guest))
				at = at.Add(time.Second)
				if j%500 == 7 {
					if err := hearts.add(ctx, pid, device, s, guests[guest], catalog.FormatTime(at)); err != nil {
						return err
					}
					if err := acts.add(ctx, "heart", s, pid, fmt.Sprintf("[%d]", pid), nil, device, guests[guest], "", catalog.FormatTime(at)); err != nil {
						return err
					}
				}
				if j%2000 == 11 {
					text := captions[6+j%(len(captions)-6)] + " 🙂"
					if err := tx.QueryRowContext(ctx, `INSERT INTO comments (photo_id, share_id, device, name, text, created_at)
						VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, pid, s, device, guests[guest], text, catalog.FormatTime(at)).Scan(&commentID); err != nil {
						return err
					}
					if err := acts.add(ctx, "comment", s, pid, fmt.Sprintf("[%d]", pid), commentID, device, guests[guest], text, catalog.FormatTime(at)); err != nil {
						return err
					}
				}
			}
		}
		return errors.Join(hearts.flush(ctx), acts.flush(ctx))
	})
}

// derive writes what the dropped triggers would have: the search rows of
// the new photos, every user's counters, catalog_version, share_ids, the
// day counters and the change numbers, with the remote's mark;
// then it sets quotas a quarter above each user's usage, and records a
// snapshot in the remote.
func (g *gen) derive(ctx context.Context) error {
	return g.inTx(ctx, func(tx *sql.Tx) error {
		for _, s := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO photo_search (rowid, name, text, album, camera, place)
				SELECT sk, name, text, album, camera, place FROM photo_search_rows WHERE id >= ?`, []any{g.first}},
			{`UPDATE users SET (used_bytes, trashed_bytes, photos, videos) = (SELECT coalesce(sum(p.bytes), 0),
				coalesce(sum(iif(p.trashed_at IS NULL, 0, p.bytes)), 0),
				coalesce(sum(p.trashed_at IS NULL AND p.type = 'photo'), 0),
				coalesce(sum(p.trashed_at IS NULL AND p.type = 'video'), 0)
				FROM photo_owners po JOIN photos p ON p.id = po.photo_id WHERE po.user_id = users.id)`, nil},
			{`UPDATE users SET quota_bytes = used_bytes + used_bytes / 4 + 1000000000`, nil},
			{`UPDATE albums SET (photos, videos) = (SELECT coalesce(sum(p.type = 'photo'), 0), coalesce(sum(p.type = 'video'), 0)
				FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id = albums.id AND p.trashed_at IS NULL)`, nil},
			{`UPDATE share_ids SET last = max(last, (SELECT coalesce(max(id), 0) FROM shares))`, nil},
			{`UPDATE settings SET value = value + 1 WHERE key = 'catalog_version'`, nil},
			{`INSERT INTO photo_dates (date, photos) SELECT substr(taken_at, 1, 10), count(*) FROM photos
				WHERE id >= ? AND trashed_at IS NULL GROUP BY 1 ON CONFLICT (date) DO UPDATE SET photos = photos + excluded.photos`, []any{g.first}},
			{`INSERT INTO photo_key_days (day, photos) SELECT (taken_key - (taken_key % 86400000 + 86400000) % 86400000) / 86400000, count(*)
				FROM photos WHERE id >= ? AND trashed_at IS NULL GROUP BY 1 ON CONFLICT (day) DO UPDATE SET photos = photos + excluded.photos`, []any{g.first}},
			// The remote's last sync reached every synced photo (number
			// 0), not the unsynced ones nor the real files imported
			// first, whose numbers are above 1.
			{`UPDATE settings SET value = value + 1 WHERE key = 'change_seq'`, nil},
			{`UPDATE photo_changes SET seq = (SELECT value FROM settings WHERE key = 'change_seq') WHERE seq = -1`, nil},
			{`UPDATE remotes SET synced_seq = 1 WHERE name = ?`, []any{remoteName}},
			{`UPDATE remotes SET last_upload_at = (SELECT max(synced_at) FROM remote_objects WHERE remote = remotes.name)`, nil},
			{`INSERT INTO remote_snapshots (remote, key, version, created_at)
				SELECT ?, 'catalog/' || strftime('%Y%m%dT%H%M%S.000Z', 'now', '-1 day') || '.db', value - 1, ? FROM settings
				WHERE key = 'catalog_version' ON CONFLICT DO NOTHING`, []any{remoteName, catalog.FormatTime(g.now.Add(-24 * time.Hour))}},
		} {
			if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
				return fmt.Errorf("%.60s…: %w", strings.Join(strings.Fields(s.sql), " "), err)
			}
		}
		return nil
	})
}

// timeSnapshot writes the catalog snapshot that sync uploads
// (Catalog.SnapshotTo: VACUUM INTO, then the password hashes locked) and
// returns how long it took in milliseconds, the catalog already open.
func timeSnapshot(ctx context.Context, dir, file string) (float64, error) {
	c, err := catalog.Open(ctx, filepath.Join(dir, library.CatalogFile))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	t := time.Now()
	err = c.SnapshotTo(ctx, file)
	return float64(time.Since(t).Microseconds()) / 1000, err
}

// check opens the catalog as picup does and runs SQLite's integrity and
// foreign key checks, FTS5's own check of the search index, a comparison
// of every search row with what the view makes of its photo, and the
// users' counters against a recount.
func check(ctx context.Context, path string) error {
	c, err := catalog.Open(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	problems, err := c.IntegrityCheck(ctx)
	if err != nil {
		return err
	}
	bad, err := c.CheckUsage(ctx)
	if err != nil {
		return err
	}
	for _, m := range bad {
		problems = append(problems, fmt.Sprintf("user %q: %s %d, counted %d", m.User, m.Counter, m.Recorded, m.Actual))
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO photo_search (photo_search) VALUES ('integrity-check')`); err != nil {
		problems = append(problems, "search index: "+err.Error())
	}
	var differ int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM photo_search_rows v
		LEFT JOIN photo_search s ON s.rowid = v.sk
		WHERE s.rowid IS NULL OR s.name IS NOT v.name OR s.text IS NOT v.text OR s.album IS NOT v.album
			OR s.camera IS NOT v.camera OR s.place IS NOT v.place`).Scan(&differ); err != nil {
		return err
	}
	var extra int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM photo_search) - (SELECT count(*) FROM photos)`).Scan(&extra); err != nil {
		return err
	}
	if differ != 0 || extra != 0 {
		problems = append(problems, fmt.Sprintf("search index: %d photos whose row is not what photo_search_rows makes, %d rows too many", differ, extra))
	}
	var albumsOff int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM albums a WHERE a.photos IS NOT
		(SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id WHERE ap.album_id = a.id AND p.type = 'photo' AND p.trashed_at IS NULL)
		OR a.videos IS NOT (SELECT count(*) FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
			WHERE ap.album_id = a.id AND p.type = 'video' AND p.trashed_at IS NULL)`).Scan(&albumsOff); err != nil {
		return err
	}
	if albumsOff != 0 {
		problems = append(problems, fmt.Sprintf("album counters: %d albums counted wrong", albumsOff))
	}
	var dates, days, changes int
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM (SELECT substr(taken_at, 1, 10) AS d, count(*) AS n FROM photos WHERE trashed_at IS NULL GROUP BY 1) r
			FULL JOIN (SELECT * FROM photo_dates WHERE photos != 0) c ON c.date = r.d WHERE c.photos IS NOT r.n),
		(SELECT count(*) FROM (SELECT (taken_key - (taken_key % 86400000 + 86400000) % 86400000) / 86400000 AS d, count(*) AS n
			FROM photos WHERE trashed_at IS NULL GROUP BY 1) r
			FULL JOIN (SELECT * FROM photo_key_days WHERE photos != 0) c ON c.day = r.d WHERE c.photos IS NOT r.n),
		(SELECT count(*) FROM photos p WHERE NOT EXISTS (SELECT 1 FROM photo_changes ch WHERE ch.photo_id = p.id AND ch.seq >= 0))`).
		Scan(&dates, &days, &changes); err != nil {
		return err
	}
	if dates != 0 || days != 0 || changes != 0 {
		problems = append(problems, fmt.Sprintf("day counters: %d dates and %d key days counted wrong; %d photos without a change number", dates, days, changes))
	}
	if len(problems) > 0 {
		return fmt.Errorf("the generated catalog fails its checks:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}
