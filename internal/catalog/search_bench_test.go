package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchCatalog is a catalog of PICUP_BENCH_PHOTOS photos (default
// 1,000,000), built once per test binary with SQL alone: one recursive
// CTE inserts the photos (the search triggers index each), in a temp dir
// removed when the binary ends. Captions mix English and Korean words,
// one photo in 100,000 has the word "zanzibar", a third have a position
// and a place, one in 20 is a video; they were taken over 20 years from
// 2000. One photo in ten is in the album "Jeju 2019", one in ten in one
// of 200 albums "Birthday N".
var benchCatalog = sync.OnceValues(func() (*Catalog, error) {
	n := 1_000_000
	if s := os.Getenv("PICUP_BENCH_PHOTOS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "picup-search-bench-")
	if err != nil {
		return nil, err
	}
	benchDir = dir
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	err = c.Write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `
WITH RECURSIVE
  words(i, en, ko) AS (VALUES (0, 'beach', '제주도에서'), (1, 'birthday', '할머니와'), (2, 'mountain', '부산'),
    (3, 'wedding', '생일'), (4, 'snow', '바다'), (5, 'school', '가족'), (6, 'garden', '서울에서'), (7, 'dinner', '눈사람'),
    (8, 'picnic', '졸업식'), (9, 'river', '설날')),
  cities(i, city, region) AS (VALUES (0, 'Busan', 'Busan'), (1, 'Jeju City', 'Jeju'), (2, 'Seoul', 'Seoul'),
    (3, 'Paris', 'Ile-de-France'), (4, 'Osaka', 'Osaka')),
  x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < ?)
INSERT INTO photos (id, sha256, path, original_name, type, format, mime, bytes, taken_at, taken_key, taken_source,
    offset_known, width, height, camera_make, camera_model, lens, lat, lon, thumbs, imported_at, caption, keywords,
    place_country, place_region, place_city)
SELECT n, printf('%064d', n), printf('originals/x/%d.jpg', n), printf('IMG_%04d.JPG', n % 10000),
    CASE WHEN n % 20 = 0 THEN 'video' ELSE 'photo' END, 'jpeg', 'image/jpeg', 1000,
    strftime('%Y-%m-%dT%H:%M:%S', t / 1000, 'unixepoch'), t, 'exif:DateTimeOriginal', 0, 4000, 3000,
    CASE n % 5 WHEN 0 THEN 'Canon' WHEN 1 THEN 'Apple' WHEN 2 THEN 'Samsung' WHEN 3 THEN 'Sony' ELSE 'Fujifilm' END,
    'Model ' || (n % 7), 'Lens ' || (n % 3), CASE WHEN n % 3 = 0 THEN 33 + (n % 500) / 100.0 END,
    CASE WHEN n % 3 = 0 THEN 126 + (n % 300) / 100.0 END, 'ok', '2024-01-01T00:00:00Z',
    (SELECT en FROM words WHERE i = n % 10) || ' ' || (SELECT ko FROM words WHERE i = (n / 10) % 10) ||
        CASE WHEN n % 100000 = 7 THEN ' zanzibar' ELSE '' END,
    '["' || (SELECT en FROM words WHERE i = (n / 100) % 10) || '"]',
    CASE WHEN n % 3 = 0 THEN 'KR' END, CASE WHEN n % 3 = 0 THEN (SELECT region FROM cities WHERE i = n % 5) END,
    CASE WHEN n % 3 = 0 THEN (SELECT city FROM cities WHERE i = n % 5) END
FROM (SELECT n, 946684800000 + (n * 7919 % ?) * (631152000000 / ?) AS t FROM x)`, n, n, n)
		if err != nil {
			return err
		}
		// Albums: "Jeju 2019" holds one photo in ten, and 200 albums
		// "Birthday N" hold one in 2,000 each (one photo in ten in all).
		_, err = tx.ExecContext(ctx, `
INSERT INTO albums (id, name, created_at) SELECT 1, 'Jeju 2019', '2024-01-01T00:00:00Z';
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 200)
INSERT INTO albums (id, name, created_at) SELECT i + 1, 'Birthday ' || i, '2024-01-01T00:00:00Z' FROM k;
INSERT INTO album_photos (album_id, photo_id, taken_key, added_at)
SELECT CASE WHEN id % 10 = 3 THEN 1 ELSE 2 + (id / 10) % 200 END, id, taken_key, '2024-01-01T00:00:00Z'
FROM photos WHERE id % 10 = 3 OR id % 10 = 4`)
		return err
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "built a catalog of %d photos in %s\n", n, time.Since(start).Round(time.Second))
	return c, nil
})

// benchDir holds benchCatalog's catalog once it is built.
var benchDir string

// TestMain removes benchCatalog's directory when the binary ends (1.7 GB
// at 1M photos).
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		if c, err := benchCatalog(); err == nil {
			c.Close()
		}
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkSearch times the first page (50 photos) of a query at 1M
// photos: go test ./internal/catalog -run '^$' -bench Search -benchtime 20x
func BenchmarkSearch(b *testing.B) {
	c, err := benchCatalog()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, query := range []string{
		"zanzibar",                  // 10 photos
		"beach",                     // 190,000 (a caption or a keyword)
		"제주",                        // 100,000, by prefix of 제주도에서
		"birthday 2019",             // a word and a year
		"할머니 camera:canon 2015-05",  // a word, a camera and a month
		"place:busan type:video",    // two filters
		"snow near:33.5,126.5,20",   // a word near a point
		"2012-03-01..2012-03-31",    // dates alone
		`"school 가족"`,               // a phrase
		"zanzibar beach place:jeju", // rare and common together
		"album:jeju",                // an album of 100,000
		"jeju",                      // that album, and a city in places
		"birthday",                  // a word of captions that names 200 albums
		"wedding jeju",              // a word, and a word that names an album
		"zanzibar birthday",         // rare, and a word that names albums
	} {
		q, err := ParseQuery(query)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(query, func(b *testing.B) {
			found := 0
			for b.Loop() {
				ps, err := c.Search(ctx, q, nil, 50)
				if err != nil {
					b.Fatal(err)
				}
				found = len(ps)
			}
			b.ReportMetric(float64(found), "found")
		})
	}
}
