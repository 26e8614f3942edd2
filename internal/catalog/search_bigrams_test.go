package catalog

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// bigramLibrary: Korean compounds, words with particles, two words whose
// syllable pairs would meet across the space, an English caption, and a
// Korean file name and album name.
func bigramLibrary(t *testing.T) *Catalog {
	t.Helper()
	ctx := context.Background()
	c := openTest(t)
	captions := []string{
		1: "가족여행 제주도에서",
		2: "우리제주 여행을 떠났다",
		3: "외할머니와 함께",
		4: "family trip to the beach",
		5: "가나 나다",
		6: "우리집에서 파티",
		7: "집에서 쉬는 날",
		8: "",
	}
	var ps []Photo
	for id := 1; id < len(captions); id++ {
		p := testPhoto(id, int64(id)*1000)
		p.Caption = captions[id]
		ps = append(ps, p)
	}
	ps[7].OriginalName = "서울여행.jpg"
	insert(t, c, ps...)
	mustWrite(t, c, func(tx *Tx) error {
		id, err := tx.CreateAlbum(ctx, "여름휴가")
		if err == nil {
			_, err = tx.AddToAlbum(ctx, id, 3, Actor{})
		}
		return err
	})
	return c
}

// TestSearchKoreanCompounds: a Korean word of two syllables or more is
// found inside a compound, with its particles or another's, and nowhere
// across a space; a word of one syllable and English words find what
// they found before.
func TestSearchKoreanCompounds(t *testing.T) {
	c := bigramLibrary(t)
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"여행", []int64{8, 2, 1}},   // a file name, 여행을, 가족여행
		{"제주", []int64{2, 1}},      // 우리제주, 제주도에서
		{"제주도", []int64{2, 1}},     // 도 may be a particle (제주도 reads as 제주)
		{"제주도에서", []int64{1}},      // the particle taken off
		{"우리제주에서", []int64{2}},     // a compound with a particle
		{"할머니", []int64{3}},        // 외할머니와: three syllables, the phrase 할머 머니
		{"할머니가", []int64{3}},       // another particle
		{"휴가", []int64{3}},         // inside an album name
		{"가족여행", []int64{1}},       // the compound itself
		{"족여행", []int64{1}},        // any part of it: what pairs cost
		{"가나다", nil},               // 가나 나다: not across the space
		{"나나", nil},                // nor the syllables around it
		{"여행제주", nil},              // nor across two compounds
		{"집", []int64{7}},          // one syllable: the start of a word only
		{"집에서", []int64{7, 6}},     // two: inside 우리집에서 too
		{"여행 제주", []int64{2, 1}},   // every word
		{"여행 family", nil},         // every word, in one photo
		{"family", []int64{4}},     // English as before
		{"trip beach", []int64{4}}, // every word
		{"tri", nil},               // a whole word
		{"tri*", []int64{4}},       // or its start with *
		{"album:휴가", nil},          // a filter finds the start of a word only
		{"album:여름", []int64{3}},   // as before
		{`"여행을 떠났다"`, []int64{2}},  // a phrase as it is written
	} {
		wantFound(t, c, tc.query, tc.want...)
	}
	checkIndexExact(t, c)
}

// TestSearchBigramsColumn: what the bigrams column holds for a text: the
// pairs of every run of two Hangul syllables or more, each run closed by
// ㆍ.
func TestSearchBigramsColumn(t *testing.T) {
	c := openTest(t)
	for i, tc := range []struct{ caption, want string }{
		{"가족여행", "가족 족여 여행 ㆍ"},
		{"가나 나다", "가나 ㆍ 나다 ㆍ"},
		{"제주2019여행!", "제주 ㆍ 여행 ㆍ"},
		{"집 a 밥", ""}, // no run of two syllables
		{"beach", ""}, // no Hangul
		{"ㄱㄴ 한", ""},  // jamo are no syllables
		{"", ""},
	} {
		p := testPhoto(i+1, int64(i))
		p.Caption = tc.caption
		insert(t, c, p)
		var got string
		if err := c.r.QueryRow(`SELECT bigrams FROM photo_search_rows WHERE id = ?`, i+1).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("bigrams of %q = %q; want %q", tc.caption, got, tc.want)
		}
	}
	checkIndexExact(t, c)
}

// TestSearchBigramsLimit: the pairs are made of the first 2000 characters
// of a photo's name, albums and text, so that a photo with long comments
// costs a write no more than that; a word beyond is still found by its
// start.
func TestSearchBigramsLimit(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	p := testPhoto(1, 1000)
	p.Caption = "우리가족 " + strings.Repeat("하하 ", 700) + "제주여행"
	insert(t, c, p)
	mustWrite(t, c, func(tx *Tx) error {
		for range 50 {
			if _, err := tx.AddComment(ctx, Comment{PhotoID: 1, Name: "Mom", Text: strings.Repeat("호호", 1000)}); err != nil {
				return err
			}
		}
		return nil
	})
	var grams string
	if err := c.r.QueryRow(`SELECT bigrams FROM photo_search WHERE rowid & ? = 1`, searchIDMask).Scan(&grams); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(grams); n > 3*2000 {
		t.Errorf("the bigrams column holds %d characters; want at most the pairs of 2000", n)
	}
	wantFound(t, c, "가족", 1)   // within the first 2000 characters
	wantFound(t, c, "여행")      // beyond them: not inside the compound
	wantFound(t, c, "제주여행", 1) // but still by its start
	checkIndexExact(t, c)
}

// TestSearchBigramsMigration: a catalog made before the bigrams column
// opens with it, and its photos are found inside compounds.
func TestSearchBigramsMigration(t *testing.T) {
	ctx := context.Background()
	list, err := migrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var bigrams int
	for _, m := range list {
		if strings.HasSuffix(m.name, "_search_bigrams.sql") {
			bigrams = m.n
		}
	}
	before := fstest.MapFS{}
	for _, m := range list {
		if m.n >= bigrams {
			continue
		}
		b, err := fs.ReadFile(migrationFiles, "migrations/"+m.name)
		if err != nil {
			t.Fatal(err)
		}
		before["migrations/"+m.name] = &fstest.MapFile{Data: b}
	}
	path := filepath.Join(t.TempDir(), "catalog.db")
	old, err := open(ctx, path, before)
	if err != nil {
		t.Fatal(err)
	}
	p := testPhoto(1, 1000)
	p.Caption = "가족여행"
	insert(t, old, p, testPhoto(2, 2000))
	old.Close()

	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wantFound(t, c, "여행", 1)
	checkIndexExact(t, c)
}
