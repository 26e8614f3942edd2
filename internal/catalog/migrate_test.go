package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMigrationsByNumber(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	for _, tt := range []struct {
		name  string
		files []string
		want  string // numbers and names in order, or the start of the error
	}{
		{"in order", []string{"0001_a.sql", "0002_b.sql"}, "1 0001_a.sql, 2 0002_b.sql"},
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, "1 0001_a.sql, 3 0003_c.sql"},
		{"by number, not by name", []string{"10_j.sql", "9_i.sql", "0002_b.sql"}, "2 0002_b.sql, 9 9_i.sql, 10 10_j.sql"},
		{"none", nil, ""},
		{"same number", []string{"0001_a.sql", "0002_b.sql", "0002_c.sql"}, "error: migrations 0002_b.sql and 0002_c.sql have the same number 2"},
		{"same number, other width", []string{"0002_b.sql", "2_c.sql"}, "error: migrations 0002_b.sql and 2_c.sql have the same number 2"},
		{"no number", []string{"0001_a.sql", "init.sql"}, "error: migration init.sql: name must start with its number"},
		{"no underscore", []string{"0001.sql"}, "error: migration 0001.sql: name must start with its number"},
		{"zero", []string{"0000_a.sql"}, "error: migration 0000_a.sql: name must start with its number (1 or more)"},
		{"sign", []string{"+001_a.sql"}, "error: migration +001_a.sql: name must start with its number"},
	} {
		fsys := fstest.MapFS{"migrations/README": &fstest.MapFile{Data: []byte("not a migration")}}
		for _, f := range tt.files {
			fsys["migrations/"+f] = file
		}
		list, err := migrations(fsys)
		var parts []string
		for _, m := range list {
			parts = append(parts, fmt.Sprintf("%d %s", m.n, m.name))
		}
		got := strings.Join(parts, ", ")
		if err != nil {
			got = "error: " + err.Error()
		}
		if wantErr := strings.HasPrefix(tt.want, "error: "); wantErr && !strings.HasPrefix(got, tt.want) || !wantErr && got != tt.want {
			t.Errorf("%s: migrations(%q) = %q; want %q", tt.name, tt.files, got, tt.want)
		}
	}
}

// The embedded migrations are numbered without a repeat, and the newest
// is the version a fresh catalog gets.
func TestEmbeddedMigrations(t *testing.T) {
	list, err := migrations(migrationFiles)
	if err != nil || len(list) == 0 {
		t.Fatalf("embedded migrations: %v, %v", list, err)
	}
	c := openTest(t)
	if v := userVersion(t, c.r); v != list[len(list)-1].n {
		t.Errorf("a fresh catalog has user_version %d; want %d, the highest migration number", v, list[len(list)-1].n)
	}
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A gap in the numbering is no missing migration: the catalog takes the
// highest number as its version, a reopen applies nothing, and a later
// migration is applied on top.
func TestMigrateWithGap(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE gap_a (x);")},
		"migrations/0003_c.sql": {Data: []byte("CREATE TABLE gap_c (x);")},
	}
	path := filepath.Join(t.TempDir(), "gap.db")
	gc, err := open(ctx, path, fsys)
	if err != nil {
		t.Fatalf("open with migrations 0001 and 0003: %v", err)
	}
	if v := userVersion(t, gc.r); v != 3 {
		t.Errorf("user_version after 0001 and 0003 = %d; want 3", v)
	}
	gc.Close()
	if gc, err = open(ctx, path, fsys); err != nil {
		t.Fatalf("reopen: %v", err) // 0001 or 0003 again would fail: the tables exist
	}
	gc.Close()
	fsys["migrations/0004_d.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE gap_d (x);")}
	if gc, err = open(ctx, path, fsys); err != nil {
		t.Fatalf("open with 0004 added: %v", err)
	}
	defer gc.Close()
	if v := userVersion(t, gc.r); v != 4 {
		t.Errorf("user_version after 0004 = %d; want 4", v)
	}
	var tables string
	if err := gc.r.QueryRow(`SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != "gap_a gap_c gap_d" {
		t.Errorf("tables = %q; want gap_a gap_c gap_d", tables)
	}
}

// openRaw opens a SQLite file with no migration at all.
func openRaw(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, ""))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// A catalog written by a newer picup is refused with a message that says
// what to do, naming the highest migration this picup has.
func TestNewerCatalogRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := openRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	list, err := migrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	latest := list[len(list)-1].n
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", latest+5)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := Open(context.Background(), path)
	if err == nil {
		c.Close()
		t.Fatal("Open of a catalog from a newer picup succeeded")
	}
	want := fmt.Sprintf("catalog schema version %d is newer than this picup knows (%d); upgrade picup", latest+5, latest)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open = %v; want it to say %q", err, want)
	}
}

// v1Photos are photos as picup wrote them with the first schema, varied
// where the columns allow: GPS or none, a video with its duration, a
// placeholder thumbnail, a missing original, a capture time without an
// offset.
func v1Photos() []Photo {
	f := func(x float64) *float64 { return &x }
	dur := int64(12_345)
	return []Photo{
		{SHA256: strings.Repeat("a", 64), Path: "originals/2019/2019-07-14/IMG_0001.JPG", OriginalName: "IMG_0001.JPG",
			Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: 2_345_678, TakenAt: "2019-07-14T10:11:12+02:00",
			TakenKey: 1563091872000, TakenSource: "exif:DateTimeOriginal", OffsetKnown: true, Width: 4032, Height: 3024,
			Orientation: 6, CameraMake: "Apple", CameraModel: "iPhone XS", Lens: "iPhone XS back dual camera 4.25mm f/1.8",
			Lat: f(48.8584), Lon: f(2.2945), Altitude: f(35.5), Thumbs: "ok", ImportedAt: mustTime("2020-01-02T03:04:05Z"), State: "ok"},
		{SHA256: strings.Repeat("b", 64), Path: "originals/2019/2019-07-14/IMG_0001_2.JPG", OriginalName: "IMG_0001.JPG",
			Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: 1_000_000, TakenAt: "2019-07-14T10:11:12",
			TakenKey: 1563099072000, TakenSource: "filename", Width: 3000, Height: 2000, Orientation: 1,
			Thumbs: "ok", ImportedAt: mustTime("2020-01-02T03:04:06Z"), State: "missing"},
		{SHA256: strings.Repeat("c", 64), Path: "originals/2020/2020-12-24/MVI_0042.MP4", OriginalName: "MVI_0042.MP4",
			Type: "video", Format: "mp4", MIME: "video/mp4", Bytes: 98_765_432, TakenAt: "2020-12-24T18:00:00Z",
			TakenKey: 1608832800000, TakenSource: "quicktime:CreateDate", OffsetKnown: true, Width: 1920, Height: 1080,
			Orientation: 1, CameraMake: "Canon", CameraModel: "EOS R6", DurationMS: &dur,
			Thumbs: "placeholder", ImportedAt: mustTime("2021-01-01T00:00:00Z"), State: "ok"},
		{SHA256: strings.Repeat("d", 64), Path: "originals/2021/2021-03-01/DSC_7777.NEF", OriginalName: "DSC_7777.NEF",
			Type: "photo", Format: "nef", MIME: "image/x-nikon-nef", Bytes: 25_000_000, TakenAt: "2021-03-01T09:30:00-05:00",
			TakenKey: 1614609000000, TakenSource: "exif:DateTimeOriginal", OffsetKnown: true, Width: 6000, Height: 4000,
			Orientation: 8, CameraMake: "NIKON CORPORATION", CameraModel: "NIKON D750", Lens: "24.0-120.0 mm f/4.0",
			Lat: f(-33.8568), Lon: f(151.2153), Thumbs: "ok", ImportedAt: mustTime("2021-03-02T00:00:00Z"), State: "corrupt"},
	}
}

// firstSchemaCatalog writes a catalog with migration 0001 only, as the
// first picup left it, filled with v1Photos, a sidecar, the sources they
// came from and two albums.
func firstSchemaCatalog(t *testing.T, path string) {
	t.Helper()
	body, err := migrationFiles.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := openRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(string(body))
	exec("PRAGMA user_version = 1")
	for i, p := range v1Photos() {
		exec(`INSERT INTO photos (id, sha256, path, original_name, type, format, mime, bytes, taken_at, taken_key,
			taken_source, offset_known, width, height, orientation, camera_make, camera_model, lens, lat, lon,
			altitude, duration_ms, thumbs, imported_at, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			i+1, p.SHA256, p.Path, p.OriginalName, p.Type, p.Format, p.MIME, p.Bytes, p.TakenAt, p.TakenKey,
			p.TakenSource, p.OffsetKnown, p.Width, p.Height, p.Orientation, p.CameraMake, p.CameraModel, p.Lens,
			nullFloat(p.Lat), nullFloat(p.Lon), nullFloat(p.Altitude), p.DurationMS, p.Thumbs, FormatTime(p.ImportedAt), p.State)
		exec(`INSERT INTO sources (path, size, mtime_ns, inode, sha256) VALUES (?, ?, ?, ?, ?)`,
			"/media/sdcard/DCIM/"+p.OriginalName+fmt.Sprint(i), p.Bytes, 1_600_000_000_000_000_000+int64(i), 1000+i, p.SHA256)
	}
	exec(`INSERT INTO sidecars (path, photo_id, bytes, sha256) VALUES (?, 1, 512, ?)`,
		"originals/2019/2019-07-14/IMG_0001.XMP", strings.Repeat("e", 64))
	exec(`INSERT INTO albums (id, name, created_at) VALUES (1, 'Summer 2019', '2020-01-03T00:00:00Z'), (2, 'Empty', '2020-01-04T00:00:00Z')`)
	exec(`INSERT INTO album_photos (album_id, photo_id, taken_key, added_at) VALUES
		(1, 1, 1563091872000, '2020-01-03T00:00:00Z'), (1, 2, 1563099072000, '2020-01-03T00:00:00Z'),
		(1, 3, 1608832800000, '2020-01-03T00:00:01Z')`)
}

// TestUpgradeFromFirstSchema opens a catalog of the first schema, filled
// as the first picup filled it, with today's code: every row is still
// there and readable through today's API, the first user owns the old
// photos, the catalog takes new writes, and its schema is exactly a fresh
// catalog's.
func TestUpgradeFromFirstSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	firstSchemaCatalog(t, path)

	c, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open a first-schema catalog: %v", err)
	}
	defer c.Close()
	// What library.Open does next.
	if err := c.EnsureFirstUser(ctx, "grandma"); err != nil {
		t.Fatal(err)
	}

	if issues, err := c.IntegrityCheck(ctx); err != nil || len(issues) > 0 {
		t.Errorf("integrity check after the upgrade: %q, %v", issues, err)
	}
	list, err := migrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, c.r); v != list[len(list)-1].n {
		t.Errorf("user_version after the upgrade = %d; want %d", v, list[len(list)-1].n)
	}

	old := v1Photos()
	var total int64
	want := map[string]Photo{}
	for i, p := range old {
		p.ID = int64(i + 1)
		p.Owners = []string{"grandma"}
		want[p.SHA256] = p
		total += p.Bytes
	}
	got, err := c.ListPhotos(ctx, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(old) {
		t.Fatalf("ListPhotos after the upgrade: %d photos; want %d", len(got), len(old))
	}
	for i, p := range got {
		if !reflect.DeepEqual(p, want[p.SHA256]) {
			t.Errorf("photo %s after the upgrade:\n got %+v\nwant %+v", p.Path, p, want[p.SHA256])
		}
		if i > 0 && p.TakenKey > got[i-1].TakenKey {
			t.Errorf("ListPhotos not newest first: %s after %s", p.Path, got[i-1].Path)
		}
	}
	if p, err := c.PhotoByPath(ctx, old[2].Path); err != nil || p.DurationMS == nil || *p.DurationMS != 12_345 {
		t.Errorf("PhotoByPath(%s) = %+v, %v; want the video with its duration", old[2].Path, p, err)
	}

	scs, err := c.Sidecars(ctx, 1)
	if wantSC := []Sidecar{{Path: "originals/2019/2019-07-14/IMG_0001.XMP", Bytes: 512, SHA256: strings.Repeat("e", 64)}}; err != nil || !reflect.DeepEqual(scs, wantSC) {
		t.Errorf("Sidecars(1) = %+v, %v; want %+v", scs, err, wantSC)
	}
	for i, p := range old {
		src, err := c.LookupSource(ctx, "/media/sdcard/DCIM/"+p.OriginalName+fmt.Sprint(i))
		if err != nil || src.SHA256 != p.SHA256 || src.Size != p.Bytes || src.Inode != uint64(1000+i) || src.MtimeNS != 1_600_000_000_000_000_000+int64(i) {
			t.Errorf("source %d after the upgrade = %+v, %v", i, src, err)
		}
	}

	albums, err := c.Albums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantAlbums := []Album{
		{ID: 2, Name: "Empty", CreatedAt: mustTime("2020-01-04T00:00:00Z")},
		// The first is the earliest instant: 10:11:12 at +02:00 comes
		// before the same wall clock without an offset.
		{ID: 1, Name: "Summer 2019", CreatedAt: mustTime("2020-01-03T00:00:00Z"), Photos: 2, Videos: 1,
			FirstAt: "2019-07-14T10:11:12+02:00", LastAt: "2020-12-24T18:00:00Z"},
	}
	if !reflect.DeepEqual(albums, wantAlbums) {
		t.Errorf("Albums after the upgrade:\n got %+v\nwant %+v", albums, wantAlbums)
	}
	inAlbum, err := c.AlbumPhotos(ctx, 1, nil, 10)
	if err != nil || len(inAlbum) != 3 || inAlbum[0].ID != 3 || inAlbum[1].ID != 2 || inAlbum[2].ID != 1 {
		t.Errorf("AlbumPhotos(Summer 2019) = %v, %v; want photos 3, 2, 1", ids(inAlbum), err)
	}
	if names, err := c.PhotoAlbums(ctx, 1); err != nil || !reflect.DeepEqual(names, []string{"Summer 2019"}) {
		t.Errorf("PhotoAlbums(1) = %q, %v", names, err)
	}

	users, err := c.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Name != "grandma" || users[0].UsedBytes != total || users[0].Photos != 3 || users[0].Videos != 1 {
		t.Errorf("users after the upgrade = %+v; want grandma owning all 4 (%d bytes)", users, total)
	}
	if bad, err := c.CheckUsage(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckUsage after the upgrade = %+v, %v", bad, err)
	}
	if mine, err := c.UserPhotos(ctx, users[0].ID, nil, 10); err != nil || len(mine) != 4 {
		t.Errorf("UserPhotos(grandma) = %d photos, %v; want 4", len(mine), err)
	}

	// Today's writes work on the old rows: trash, a share of the old
	// album, and a new photo beside them; the change counter moves.
	v0, err := c.CatalogVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Write(ctx, func(tx *Tx) error {
		if n, err := tx.Trash(ctx, []int64{4}); err != nil || n != 1 {
			return fmt.Errorf("trash: %d, %w", n, err)
		}
		if _, err := tx.CreateShare(ctx, Share{TokenHash: HashToken("t"), AlbumID: 1, CreatedAt: Now()}, nil); err != nil {
			return err
		}
		p := testPhoto(99, 1)
		id, err := tx.InsertPhoto(ctx, p)
		if err != nil {
			return err
		}
		p.ID = id
		_, err = tx.Own(ctx, p, users[0].ID)
		return err
	})
	if err != nil {
		t.Fatalf("writes after the upgrade: %v", err)
	}
	if v1, err := c.CatalogVersion(ctx); err != nil || v1 <= v0 {
		t.Errorf("catalog_version %d after writes, %d before (%v); want it raised", v1, v0, err)
	}
	if live, err := c.ListPhotos(ctx, nil, 100); err != nil || len(live) != 4 {
		t.Errorf("ListPhotos after trashing one old photo and adding one = %d, %v; want 4", len(live), err)
	}
	if n, err := c.CountTrashed(ctx); err != nil || n != 1 {
		t.Errorf("CountTrashed = %d, %v; want 1", n, err)
	}

	fresh := openTest(t)
	if a, b := schema(t, c.r), schema(t, fresh.r); !reflect.DeepEqual(a, b) {
		t.Errorf("upgraded schema differs from a fresh one:\nupgraded:\n%s\nfresh:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// schema lists every table, index and trigger of a database with the SQL
// that makes it, and every table's columns as PRAGMA table_info says.
func schema(t *testing.T, db *sql.DB) []string {
	t.Helper()
	type object struct{ typ, name, tbl, sql string }
	rows, err := db.Query(`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	objects, err := collect(rows, err, func(s scanner) (object, error) {
		var o object
		err := s.Scan(&o.typ, &o.name, &o.tbl, &o.sql)
		return o, err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out, tables []string
	for _, o := range objects {
		out = append(out, o.typ+" "+o.name+" on "+o.tbl+": "+o.sql)
		if o.typ == "table" {
			tables = append(tables, o.name)
		}
	}
	for _, tbl := range tables {
		cols, err := db.Query(`SELECT cid, name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid`, tbl)
		lines, err := collect(cols, err, func(s scanner) (string, error) {
			var cid, notnull, pk int
			var name, typ, dflt string
			err := s.Scan(&cid, &name, &typ, &notnull, &dflt, &pk)
			return fmt.Sprintf("column %s.%d %s %s notnull=%d default=%q pk=%d", tbl, cid, name, typ, notnull, dflt, pk), err
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines...)
	}
	if len(tables) < 10 {
		t.Fatalf("schema: only tables %q", tables)
	}
	return out
}
