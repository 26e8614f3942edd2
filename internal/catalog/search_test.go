package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// searchIDs runs a query and returns the ids it finds, newest first.
func searchIDs(t *testing.T, c *Catalog, query string) []int64 {
	t.Helper()
	q, err := ParseQuery(query)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", query, err)
	}
	ps, err := c.Search(context.Background(), q, nil, 100)
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	ids := []int64{}
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func wantFound(t *testing.T, c *Catalog, query string, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if got := searchIDs(t, c, query); !slices.Equal(got, want) {
		t.Errorf("find %q = %v; want %v", query, got, want)
	}
}

func exec(t *testing.T, c *Catalog, query string, args ...any) {
	t.Helper()
	err := c.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.ExecContext(context.Background(), query, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// checkIndexExact: the index holds one row per photo, exactly what the
// photo's columns and comments make, and one row per album, its name;
// FTS5's own check passes on both.
func checkIndexExact(t *testing.T, c *Catalog) {
	t.Helper()
	var photos, rows, same, albums, albumRows, albumSame int
	err := c.r.QueryRow(`SELECT (SELECT count(*) FROM photos), (SELECT count(*) FROM photo_search),
		(SELECT count(*) FROM photo_search s JOIN photo_search_rows v ON v.sk = s.rowid
		 WHERE s.name = v.name AND s.text = v.text AND s.album = '' AND s.camera = v.camera AND s.place = v.place
		   AND s.bigrams = v.bigrams),
		(SELECT count(*) FROM albums), (SELECT count(*) FROM album_search),
		(SELECT count(*) FROM album_search s JOIN album_search_rows v ON v.id = s.rowid
		 WHERE s.name = v.name AND s.bigrams = v.bigrams)`).
		Scan(&photos, &rows, &same, &albums, &albumRows, &albumSame)
	if err != nil {
		t.Fatal(err)
	}
	if rows != photos || same != photos {
		t.Errorf("index: %d rows, %d of them as their photo says; want %d", rows, same, photos)
	}
	if albumRows != albums || albumSame != albums {
		t.Errorf("album index: %d rows, %d of them as their album says; want %d", albumRows, albumSame, albums)
	}
	exec(t, c, `INSERT INTO photo_search (photo_search) VALUES ('integrity-check')`)
	exec(t, c, `INSERT INTO album_search (album_search) VALUES ('integrity-check')`)
}

// TestSearchThroughAlbums: a word finds the photos whose own words hold
// it and the photos of the albums it names, together, in listing order,
// page by page in both directions and counted once each; with other
// words, each word is matched either way.
func TestSearchThroughAlbums(t *testing.T) {
	c := searchLibrary(t)
	ctx := context.Background()
	insert(t, c, testPhoto(5, 5000), testPhoto(6, 6000))
	exec(t, c, `UPDATE photos SET taken_key = 1556877600000, taken_at = '2019-05-03T10:00:00' WHERE id = 5`) // the second of photo 1
	mustWrite(t, c, func(tx *Tx) error {
		for name, ids := range map[string][]int64{"Beach days": {3, 5, 1}, "Grandpa's beach": {1}, "여름 바닷가": {4}} {
			id, err := tx.CreateAlbum(ctx, name)
			if err != nil {
				return err
			}
			for _, p := range ids {
				if _, err := tx.AddToAlbum(ctx, id, p, Actor{}); err != nil {
					return err
				}
			}
		}
		for i := range maxAlbumWalks + 1 { // more albums than a part walks one by one
			id, err := tx.CreateAlbum(ctx, fmt.Sprintf("Trip %d", i))
			if err != nil {
				return err
			}
			if _, err := tx.AddToAlbum(ctx, id, int64(i%3)+1, Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	checkIndexExact(t, c)
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"album:trip", []int64{3, 2, 1}},            // 17 albums: the index walked, their members kept
		{"trip 2019", []int64{2, 1}},                // and a date
		{"beach grandpa trip days", []int64{1}},     // four words that name albums: three split, one checked row by row
		{"beach grandpa trip days 할머니", []int64{1}}, // and a word of the caption
		{"beach", []int64{3, 2, 5, 1}},              // 2 by its caption, 3, 5 and 1 by their albums, 1 once
		{"album:beach", []int64{3, 5, 1}},           // album names only
		{"album:grandpa", []int64{1}},               // by "Grandpa's beach"
		{"grandpa", []int64{2, 1}},                  // a caption, an album
		{"grandpa beach", []int64{2, 1}},            // both words, each either way
		{"beach 할머니", []int64{1}},                   // an album's word and a caption's
		{"beach 2020", []int64{3}},                  // and a date
		{"beach type:video", nil},                   // and a type
		{"바닷가", []int64{4}},                         // a Korean album name
		{"바닷", []int64{4}},                          // its start
		{"닷가", []int64{4}},                          // inside it, by its syllable pairs
		{"album:닷가", nil},                           // album: takes a word's start only
		{"album:nowhere", nil},                      // no album: nothing, fast
		{"album:nowhere beach", nil},                // and with other words
		{"beach album:\"beach days\"", []int64{3, 5, 1}},
	} {
		wantFound(t, c, tc.query, tc.want...)
		q, err := ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := c.CountSearch(ctx, q, nil); err != nil || n != len(tc.want) {
			t.Errorf("CountSearch(%q) = %d, %v; want %d", tc.query, n, err, len(tc.want))
		}
	}

	// Page by page, one photo a page, forwards and then backwards.
	q, err := ParseQuery("beach")
	if err != nil {
		t.Fatal(err)
	}
	var forward []int64
	var after *Cursor
	for range 10 {
		ps, err := c.Search(ctx, q, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			break
		}
		forward = append(forward, ps[0].ID)
		cur := CursorOf(ps[0])
		after = &cur
		if n, err := c.CountSearch(ctx, q, after); err != nil || n != len(forward)-1 {
			t.Errorf("CountSearch before photo %d = %d, %v; want %d", ps[0].ID, n, err, len(forward)-1)
		}
	}
	if !slices.Equal(forward, []int64{3, 2, 5, 1}) {
		t.Errorf("beach, a page at a time: %v; want [3 2 5 1]", forward)
	}
	var backward []int64
	before := after
	for range 10 {
		ps, err := c.SearchBefore(ctx, q, before, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			break
		}
		backward = append(backward, ps[0].ID)
		cur := CursorOf(ps[0])
		before = &cur
	}
	if !slices.Equal(backward, []int64{5, 2, 3}) {
		t.Errorf("beach, a page at a time backwards from 1: %v; want [5 2 3]", backward)
	}
	if ps, err := c.SearchBefore(ctx, q, after, 2); err != nil || !slices.Equal(photoIDs(ps), []int64{2, 5}) {
		t.Errorf("the 2 before photo 1: %v, %v; want [2 5]", photoIDs(ps), err)
	}
	ids, err := c.SearchIDsBetween(ctx, q, CursorOf(Photo{ID: 2, TakenKey: 1561935600000}), *after)
	if err != nil || !slices.Equal(ids, []int64{2, 5, 1}) {
		t.Errorf("from 2 to 1: %v, %v; want [2 5 1]", ids, err)
	}

	// Removing an album, renaming it, taking a photo out: found at once,
	// and no photo's search row is written.
	var before0 int
	if err := c.r.QueryRow(`SELECT count(*) FROM photo_search_data`).Scan(&before0); err != nil {
		t.Fatal(err)
	}
	beach, err := c.AlbumByName(ctx, "Beach days")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, c, func(tx *Tx) error { return tx.RenameAlbum(ctx, beach.ID, "Sea days") })
	wantFound(t, c, "beach", 2, 1)
	wantFound(t, c, "sea", 3, 5, 1)
	mustWrite(t, c, func(tx *Tx) error { _, err := tx.RemoveFromAlbum(ctx, beach.ID, []int64{3}); return err })
	wantFound(t, c, "sea", 5, 1)
	mustWrite(t, c, func(tx *Tx) error { return tx.DeleteAlbum(ctx, beach.ID) })
	wantFound(t, c, "sea")
	var after0 int
	if err := c.r.QueryRow(`SELECT count(*) FROM photo_search_data`).Scan(&after0); err != nil {
		t.Fatal(err)
	}
	if after0 != before0 {
		t.Errorf("the photos' index went from %d to %d records: a photo's row was written", before0, after0)
	}
	checkIndexExact(t, c)
}

func float(f float64) *float64 { return &f }

// searchLibrary: 1 a Korean caption, 2 an English one, 3 a file name and
// a Korean keyword, 4 a video with a position in Busan.
func searchLibrary(t *testing.T) *Catalog {
	c := openTest(t)
	p1 := testPhoto(1, 1000)
	p1.TakenAt, p1.Caption, p1.People = "2019-05-03T10:00:00", "제주도에서 할머니와 함께", []string{"김영희"}
	p2 := testPhoto(2, 2000)
	p2.TakenAt, p2.Title, p2.Caption, p2.CameraMake, p2.CameraModel = "2019-06-30T23:00:00", "Haeundae", "Grandpa at the beach, summer", "Canon", "EOS 5D"
	p3 := testPhoto(3, 3000)
	p3.TakenAt, p3.OriginalName, p3.Keywords, p3.Lens = "2020-01-01T09:00:00", "IMG_2041.JPG", []string{"부산", "family"}, "EF 50mm f/1.8"
	p4 := testPhoto(4, 4000)
	p4.TakenAt, p4.Type, p4.OriginalName, p4.Lat, p4.Lon = "2021-08-15T12:00:00", "video", "MVI_0001.MOV", float(35.1796), float(129.0756)
	for _, p := range []*Photo{&p1, &p2, &p3, &p4} {
		at, err := time.Parse("2006-01-02T15:04:05", p.TakenAt)
		if err != nil {
			t.Fatal(err)
		}
		p.TakenKey = at.UnixMilli()
	}
	insert(t, c, p1, p2, p3, p4)
	exec(t, c, `UPDATE photos SET place_country = 'KR', place_region = 'Busan', place_city = 'Haeundae-gu' WHERE id = 4`)
	return c
}

func TestSearchKoreanAndEnglish(t *testing.T) {
	c := searchLibrary(t)
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"제주", []int64{1}},    // the start of 제주도에서
		{"제주도에서", []int64{1}}, // the particle is taken off: "제주도"*
		{"제주도", []int64{1}},
		{"할머니", []int64{1}},  // 할머니와
		{"할머니가", []int64{1}}, // another particle than the caption's
		{"김영희", []int64{1}},  // people
		{"부산", []int64{3}},   // a keyword
		{"부산에서", []int64{3}},
		{"서울", nil},
		{"grandpa", []int64{2}},
		{"GRANDPA Beach", []int64{2}}, // case, and every word
		{"grandpa 제주", nil},
		{"beac", nil},                  // a word finds itself
		{"beac*", []int64{2}},          // and with * the words it starts
		{`"at the beach"`, []int64{2}}, // a phrase
		{`"the at beach"`, nil},
		{"haeundae", []int64{4, 2}}, // a title, and a city
		{"img_2041", []int64{3}},    // a file name
		{`"2041"`, []int64{3}},      // quoted: 2041 alone is a year
		{"camera:canon", []int64{2}},
		{"camera:50mm", []int64{3}}, // the lens
		{"camera:eos", []int64{2}},
		{"canon 2019", []int64{2}},
		{"place:busan", []int64{4}},
		{"place:busan*", []int64{4}},
		{"place:haeundae-gu", []int64{4}},
		{"place:kr", []int64{4}},
		{"type:video", []int64{4}},
		{"has:gps", []int64{4}},
		{"near:35.16,129.06,5", []int64{4}},
		{"near:33.5,126.5,50", nil}, // Jeju is 280 km away
		{"2019", []int64{2, 1}},
		{"2019-05", []int64{1}},
		{"2019-05-04..2019-06-30", []int64{2}},
		{"2020..", []int64{4, 3}},
		{"..2019-05", []int64{1}},
		{"family 2020", []int64{3}},
		{"family 2019", nil},
	} {
		wantFound(t, c, tc.query, tc.want...)
	}
	checkIndexExact(t, c)
}

func TestSearchIndexFollowsChanges(t *testing.T) {
	c := searchLibrary(t)
	ctx := context.Background()
	var albumID int64
	err := c.Write(ctx, func(tx *Tx) error {
		var err error
		if albumID, err = tx.CreateAlbum(ctx, "Jeju 2019"); err != nil {
			return err
		}
		_, err = tx.AddToAlbum(ctx, albumID, 1, Actor{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFound(t, c, "album:jeju", 1)
	wantFound(t, c, `album:"jeju 2019"`, 1)
	wantFound(t, c, "jeju", 1) // a word finds album names too
	checkIndexExact(t, c)

	mustWrite(t, c, func(tx *Tx) error { return tx.RenameAlbum(ctx, albumID, "여름 휴가") })
	wantFound(t, c, "album:jeju")
	wantFound(t, c, "album:여름", 1)
	checkIndexExact(t, c)

	var comment Comment
	mustWrite(t, c, func(tx *Tx) error {
		var err error
		comment, err = tx.AddComment(ctx, Comment{PhotoID: 2, Device: "d", Name: "Mom", Text: "맛있는 귤 and lovely sunset"})
		return err
	})
	wantFound(t, c, "귤", 2)
	wantFound(t, c, "sunset grandpa", 2)
	checkIndexExact(t, c)
	mustWrite(t, c, func(tx *Tx) error { _, err := tx.DeleteComment(ctx, comment.ID, "d"); return err })
	wantFound(t, c, "sunset")
	checkIndexExact(t, c)

	mustWrite(t, c, func(tx *Tx) error { return tx.SetDescribed(ctx, 2, Described{Caption: "Seoraksan in autumn"}) })
	wantFound(t, c, "grandpa")
	wantFound(t, c, "seoraksan", 2)
	exec(t, c, `UPDATE photos SET place_city = 'Busanjin-gu', camera_make = 'Fujifilm' WHERE id = 4`)
	wantFound(t, c, "place:busanjin*", 4)
	wantFound(t, c, "camera:fujifilm", 4)
	checkIndexExact(t, c)

	mustWrite(t, c, func(tx *Tx) error { _, err := tx.RemoveFromAlbum(ctx, albumID, []int64{1}); return err })
	wantFound(t, c, "album:여름")
	mustWrite(t, c, func(tx *Tx) error { _, err := tx.AddToAlbum(ctx, albumID, 3, Actor{}); return err })
	mustWrite(t, c, func(tx *Tx) error { return tx.DeleteAlbum(ctx, albumID) })
	wantFound(t, c, "album:여름")
	checkIndexExact(t, c)

	// The trash hides a photo; purging it takes its row away.
	mustWrite(t, c, func(tx *Tx) error { _, err := tx.Trash(ctx, []int64{3}); return err })
	wantFound(t, c, "부산")
	mustWrite(t, c, func(tx *Tx) error {
		_, err := tx.Purge(ctx, []int64{3}, func(Photo, []Sidecar) []string { return nil })
		return err
	})
	wantFound(t, c, "부산")
	checkIndexExact(t, c)
}

func mustWrite(t *testing.T, c *Catalog, fn func(tx *Tx) error) {
	t.Helper()
	if err := c.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestSearchUserAndPaging(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	var ps []Photo
	for i := 1; i <= 7; i++ {
		// Two seconds, and ties on taken_key, where the ids' order is
		// not taken_key's: the search sorts within a second.
		p := testPhoto(i, int64(1900-600*(i%4)))
		p.Caption = "birthday cake"
		ps = append(ps, p)
	}
	insert(t, c, ps...)
	var mom int64
	mustWrite(t, c, func(tx *Tx) error {
		var err error
		if mom, err = tx.CreateUser(ctx, "mom", nil); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO photo_owners (photo_id, user_id, taken_key, added_at)
			SELECT id, ?, taken_key, '2024-01-01T00:00:00Z' FROM photos WHERE id IN (2, 5)`, mom)
		return err
	})
	wantFound(t, c, "user:mom cake", 5, 2)
	q, _ := ParseQuery("user:nobody cake")
	var qe *QueryError
	if _, err := c.Search(ctx, q, nil, 10); !errors.As(err, &qe) || !strings.Contains(err.Error(), "no user is called nobody") {
		t.Errorf("an unknown user: %v; want a query error naming it", err)
	}

	all := searchIDs(t, c, "birthday")
	q, _ = ParseQuery("birthday")
	var paged []int64
	var after *Cursor
	for {
		page, err := c.Search(ctx, q, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			paged = append(paged, p.ID)
		}
		if len(page) < 3 {
			break
		}
		cur := CursorOf(page[len(page)-1])
		after = &cur
	}
	if len(all) != 7 || !slices.Equal(paged, all) {
		t.Errorf("pages of 3: %v; in one page %v", paged, all)
	}
	// taken_key 1900: 4; 1300: 5, 1; 700: 6, 2; 100: 7, 3.
	want := []int64{4, 5, 1, 6, 2, 7, 3}
	if !slices.Equal(all, want) {
		t.Errorf("order %v; want newest first by taken_key, then id: %v", all, want)
	}
	ids, err := c.SearchIDs(ctx, q, 2)
	if err != nil || !slices.Equal(ids, []int64{4, 5}) {
		t.Errorf("SearchIDs(2) = %v, %v", ids, err)
	}
	byID := map[int64]Photo{}
	for _, p := range ps {
		p.ID = int64(len(byID) + 1)
		byID[p.ID] = p
	}
	cur := func(id int64) *Cursor { c := CursorOf(byID[id]); return &c }
	before, err := c.SearchBefore(ctx, q, cur(7), 3)
	if err != nil || !slices.Equal(photoIDs(before), []int64{1, 6, 2}) {
		t.Errorf("3 before photo 7: %v, %v; want [1 6 2]", photoIDs(before), err)
	}
	before, err = c.SearchBefore(ctx, q, cur(5), 3)
	if err != nil || !slices.Equal(photoIDs(before), []int64{4}) {
		t.Errorf("3 before photo 5: %v, %v; want [4]", photoIDs(before), err)
	}
	between, err := c.SearchIDsBetween(ctx, q, *cur(1), *cur(7))
	if err != nil || !slices.Equal(between, []int64{1, 6, 2, 7}) {
		t.Errorf("between 1 and 7: %v, %v", between, err)
	}
	for id, want := range map[int64]int{4: 0, 1: 2, 3: 6} {
		if n, err := c.CountSearch(ctx, q, cur(id)); err != nil || n != want {
			t.Errorf("count before photo %d = %d, %v; want %d", id, n, err, want)
		}
	}
	if n, err := c.CountSearch(ctx, q, nil); err != nil || n != 7 {
		t.Errorf("count = %d, %v; want 7", n, err)
	}
	q2, _ := ParseQuery("birthday user:mom")
	if n, err := c.CountSearch(ctx, q2, nil); err != nil || n != 2 {
		t.Errorf("count of user:mom = %d, %v; want 2", n, err)
	}
}

// TestSearchMigrationIndexesExistingRows: a catalog at 0014 with photos,
// albums and comments opens with 0015, and its old rows are found.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	ctx := context.Background()
	before := fstest.MapFS{}
	err := fs.WalkDir(migrationFiles, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) >= "0015" {
			return err
		}
		b, err := migrationFiles.ReadFile(path)
		before[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	old, err := open(ctx, path, before)
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, old.r); v != 14 {
		t.Fatalf("user_version without 0015 = %d", v)
	}
	p := testPhoto(1, 1000)
	p.Caption = "제주도에서"
	insert(t, old, p, testPhoto(2, 2000))
	mustWrite(t, old, func(tx *Tx) error {
		id, err := tx.CreateAlbum(ctx, "Summer")
		if err == nil {
			_, err = tx.AddToAlbum(ctx, id, 2, Actor{})
		}
		if err == nil {
			_, err = tx.AddComment(ctx, Comment{PhotoID: 2, Name: "Dad", Text: "what a wave"})
		}
		return err
	})
	old.Close()

	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wantFound(t, c, "제주", 1)
	wantFound(t, c, "album:summer wave", 2)
	checkIndexExact(t, c)
}

// TestTrigramMissesTwoSyllableWords is why the index uses unicode61 with
// prefix queries: this SQLite build has FTS5 and its trigram tokenizer,
// but trigram finds no word shorter than three characters, and most
// Korean place and family words are two syllables (제주, 부산, 엄마).
func TestTrigramMissesTwoSyllableWords(t *testing.T) {
	c := openTest(t)
	var n int
	err := c.r.QueryRow(`SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_FTS5'`).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("ENABLE_FTS5 compile option: %d, %v", n, err)
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "tri.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE VIRTUAL TABLE tri USING fts5(t, tokenize = 'trigram')`,
		`INSERT INTO tri VALUES ('제주도에서 할머니와 함께')`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	count := func(match string) int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM tri WHERE tri MATCH ?`, match).Scan(&n); err != nil {
			t.Fatalf("MATCH %s: %v", match, err)
		}
		return n
	}
	if count(`"제주도"`) != 1 || count(`"할머니"`) != 1 {
		t.Error("trigram does not find three-syllable words")
	}
	if count(`"제주"`) != 0 {
		t.Error("trigram found a two-syllable word: the reason for unicode61 is gone")
	}
}

func photoIDs(ps []Photo) []int64 {
	ids := []int64{}
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestSearchWalksTheIndexInOrder: FTS5 drives the search in search-key
// order, so a page never sorts every match (the 1M-photo benchmark's
// premise), with words, dates alone and a user; a word that names an
// album walks the album's members in listing order too.
func TestSearchWalksTheIndexInOrder(t *testing.T) {
	c := searchLibrary(t)
	ctx := context.Background()
	mustWrite(t, c, func(tx *Tx) error {
		id, err := tx.CreateAlbum(ctx, "Beach days")
		if err == nil {
			_, err = tx.AddToAlbum(ctx, id, 3, Actor{})
		}
		for i := range maxAlbumWalks + 1 {
			if err == nil {
				_, err = tx.CreateAlbum(ctx, fmt.Sprintf("Trip %d", i))
			}
		}
		return err
	})
	for _, tc := range []struct {
		query string
		parts []string // how each part of the plan starts
	}{
		{"beach", []string{"SCAN s VIRTUAL TABLE", "SEARCH ap USING COVERING INDEX album_photos_by_taken"}},
		{"album:beach", []string{"SEARCH ap USING COVERING INDEX album_photos_by_taken"}},
		{"grandpa beach", []string{"SCAN s VIRTUAL TABLE", "SCAN s VIRTUAL TABLE"}},
		{"album:trip", []string{"SCAN s VIRTUAL TABLE"}}, // too many albums to walk one by one
		{"trip beach grandpa", []string{"SCAN s VIRTUAL TABLE", "SCAN s VIRTUAL TABLE", "SCAN s VIRTUAL TABLE", "SCAN s VIRTUAL TABLE"}},
		{"2019-05", []string{"SCAN s VIRTUAL TABLE"}},
		{"제주 user:nobody type:video near:33.4,126.5,10", []string{"SCAN s VIRTUAL TABLE"}},
	} {
		q, err := ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		q.User = "" // no such user: leave it out to plan the rest
		plan, err := c.searchPlan(ctx, q, searchRange{limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != len(tc.parts) {
			t.Errorf("%q is planned in %d parts; want %d", tc.query, len(plan), len(tc.parts))
			continue
		}
		for i, s := range plan {
			query := `SELECT s.rowid, p.id, p.taken_key ` + s.from + ` ORDER BY s.rowid DESC LIMIT 50`
			args := s.args
			if len(s.albums) > 0 { // as albumPart reads each album
				query = `SELECT ap.photo_id, ap.taken_key FROM album_photos ap JOIN photos p ON p.id = ap.photo_id
					WHERE ap.album_id = ? AND ` + s.where + ` ORDER BY ap.taken_key DESC, ap.photo_id DESC LIMIT 50`
				args = append([]any{s.albums[0]}, args[1:]...)
			}
			rows, err := c.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
			details, err := collect(rows, err, func(sc scanner) (string, error) {
				var id, parent, notused int
				var d string
				err := sc.Scan(&id, &parent, &notused, &d)
				return d, err
			})
			if err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(details, "; ")
			// A photo's albums are read by its id, not sought once for
			// each album a word names.
			if strings.Contains(plan, "photo_id=? AND album_id=?") {
				t.Errorf("plan of %q, part %d: %s; want a photo's albums read by photo_id alone", tc.query, i, plan)
			}
			if !strings.HasPrefix(plan, tc.parts[i]) || strings.Contains(plan, "FOR ORDER BY") {
				t.Errorf("plan of %q, part %d: %s; want it to start %s, in order, and no sort", tc.query, i, plan, tc.parts[i])
			}
		}
	}
}
