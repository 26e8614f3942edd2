// Package catalog keeps the library's SQLite catalog: one writer connection
// and a pool of readers over a WAL database, with embedded numbered
// migrations.
package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/picup/picup/pkg/diskspace"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Catalog is an open catalog database.
type Catalog struct {
	w *sql.DB // exactly one connection: every write goes through it
	r *sql.DB // readers

	path    string      // of the database file
	key     string      // the file's name in openDBs
	version versionGate // see CatalogVersion
}

// busyTimeout is how long a connection waits for another's lock.
const busyTimeout = 30 * time.Second

func dsn(path string, txlock string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL is durable against a crashed process; a power cut may lose
	// the last commits, whose files verify --repair then adopts.
	q.Add("_pragma", "synchronous(NORMAL)")
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating when needed) the catalog at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Catalog, error) {
	return open(ctx, path, migrationFiles)
}

// open is Open with the migrations of fsys.
func open(ctx context.Context, path string, fsys fs.FS) (*Catalog, error) {
	w, err := sql.Open("sqlite", dsn(path, "immediate"))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, ""))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	c := &Catalog{w: w, r: r, path: path, key: dbKey(path)}
	openDBs.add(c.key)
	if err := c.migrate(ctx, fsys); err != nil {
		c.Close()
		return nil, fmt.Errorf("catalog %s: %w", path, markFull(err))
	}
	return c, nil
}

// Close closes both pools.
func (c *Catalog) Close() error {
	errGate := c.closeVersionGate()
	err := errors.Join(c.r.Close(), c.w.Close())
	// Only once no connection to the file is open in this process, from
	// this Catalog or another (see walIndex).
	return errors.Join(errGate, err, openDBs.done(c.key, c.version.wal))
}

// openDBs counts the open Catalogs of each database file in this process.
// Closing any descriptor of a file drops every POSIX lock the process
// holds on it, SQLite's too, so a Catalog's WAL-index descriptor is
// closed only when the last Catalog of the same file closes.
var openDBs = &dbRegistry{open: map[string]int{}, held: map[string][]*walIndex{}}

type dbRegistry struct {
	mu   sync.Mutex
	open map[string]int
	held map[string][]*walIndex
}

// dbKey names a database file the same way whatever path reached it.
func dbKey(path string) string {
	if p, err := filepath.Abs(path); err == nil {
		path = p
	}
	dir, base := filepath.Split(path)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(d, base)
	}
	return path
}

func (r *dbRegistry) add(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open[key]++
}

// done records that a Catalog of key closed its connections; w is its
// WAL-index view, if any. It closes the held descriptors when no Catalog
// of key is open any more.
func (r *dbRegistry) done(key string, w *walIndex) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if w != nil {
		r.held[key] = append(r.held[key], w)
	}
	if r.open[key]--; r.open[key] > 0 {
		return nil
	}
	var errs []error
	for _, h := range r.held[key] {
		errs = append(errs, h.closeFile())
	}
	delete(r.open, key)
	delete(r.held, key)
	return errors.Join(errs...)
}

// migration is one embedded schema change.
type migration struct {
	n    int    // its number: the catalog's user_version once it is applied
	name string // its file name in migrations/, as "0003_remotes.sql"
}

// migrations reads the names of fsys's migrations/*.sql, each of which
// starts with its number and an underscore, and returns them in the order
// of their numbers. Numbers may have gaps; two files with the same number
// are refused.
func migrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 || strings.TrimLeft(num, "0123456789") != "" {
			return nil, fmt.Errorf("migration %s: name must start with its number (1 or more) and an underscore, as 0001_init.sql", base)
		}
		out = append(out, migration{n: n, name: base})
	}
	slices.SortFunc(out, func(a, b migration) int { return cmp.Compare(a.n, b.n) })
	for i := 1; i < len(out); i++ {
		if out[i].n == out[i-1].n {
			return nil, fmt.Errorf("migrations %s and %s have the same number %d", out[i-1].name, out[i].name, out[i].n)
		}
	}
	return out, nil
}

// migrate applies fsys's migrations newer than the database's
// user_version in the order of their numbers, each in its own write
// transaction, and refuses a database whose version is above the highest
// number.
func (c *Catalog) migrate(ctx context.Context, fsys fs.FS) error {
	list, err := migrations(fsys)
	if err != nil {
		return err
	}
	for _, m := range list {
		body, err := fs.ReadFile(fsys, "migrations/"+m.name)
		if err != nil {
			return err
		}
		err = writeWhenFree(ctx, c, func(tx *Tx) error {
			var v int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
				return err
			}
			if v >= m.n {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.n))
			return err
		})
		if err != nil {
			return err
		}
	}
	var v int
	if err := c.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	latest := 0
	if len(list) > 0 {
		latest = list[len(list)-1].n
	}
	if v > latest {
		return fmt.Errorf("catalog schema version %d is newer than this picup knows (%d); upgrade picup", v, latest)
	}
	return nil
}

// writeWhenFree is Write, tried again while the database is busy, for at
// most the busy timeout. Catalogs that open a database nobody has
// written yet (commands started at once on a new library) race to make
// it a WAL database, and a loser's first write can fail with SQLITE_BUSY
// at once: SQLite does not always call the busy handler while the
// journal mode changes. Three importers opening a new library together
// (TestConcurrentImportersStoreOnce) failed so in 4 of 300 runs, and in
// 2 and 7 of 100 under the race detector.
func writeWhenFree(ctx context.Context, c *Catalog, fn func(tx *Tx) error) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := c.Write(ctx, fn)
		var se *sqlite.Error
		if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Tx is a write transaction.
type Tx struct {
	*sql.Tx
}

// Write runs fn in a write transaction (BEGIN IMMEDIATE, so it waits for
// other writers, in this process or another, up to the busy timeout) and
// commits when fn returns nil.
func (c *Catalog) Write(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", markFull(err))
	}
	if err := fn(&Tx{tx}); err != nil {
		return markFull(errors.Join(err, ignoreDone(tx.Rollback())))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", markFull(err))
	}
	return nil
}

// markFull makes SQLite's "database or disk is full", and its failure to
// grow the WAL index (which every connection needs) on a full disk, errors
// that diskspace.IsFull knows.
func markFull(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE) &&
		!errors.Is(err, diskspace.ErrFull) {
		return fmt.Errorf("%w (%w)", err, diskspace.ErrFull)
	}
	return err
}

// Savepoint runs fn inside a savepoint of the transaction: when fn fails,
// what it wrote is undone and the transaction can go on.
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT step"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, rerr := tx.ExecContext(ctx, "ROLLBACK TO step; RELEASE step")
		return errors.Join(err, rerr)
	}
	_, err := tx.ExecContext(ctx, "RELEASE step")
	return err
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// querier is what read helpers need: the reader pool or a write transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// IntegrityCheck runs SQLite's integrity and foreign key checks and returns
// what they report, empty when all is well. It runs on a connection of its
// own: on a pooled reader that an earlier search used, FTS5's check of the
// search index can judge against state it cached before the writer's
// last changes, and report a sound index as malformed.
func (c *Catalog) IntegrityCheck(ctx context.Context) ([]string, error) {
	db, err := sql.Open("sqlite", dsn(c.path, ""))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	problems, err := collect(rows, err, func(s scanner) (string, error) {
		var v string
		err := s.Scan(&v)
		return "integrity: " + v, err
	})
	if err != nil {
		return nil, err
	}
	if len(problems) == 1 && problems[0] == "integrity: ok" {
		problems = nil
	}
	rows, err = db.QueryContext(ctx, "PRAGMA foreign_key_check")
	fks, err := collect(rows, err, func(s scanner) (string, error) {
		var table, parent string
		var rowid, fkid sql.NullInt64
		err := s.Scan(&table, &rowid, &parent, &fkid)
		return fmt.Sprintf("foreign key: %s row %d points to a missing %s", table, rowid.Int64, parent), err
	})
	return append(problems, fks...), err
}
