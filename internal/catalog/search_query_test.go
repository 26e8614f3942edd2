package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestParseQueryRefusesBadQueries(t *testing.T) {
	for _, tc := range []struct{ query, says string }{
		{"", "say what to find"},
		{"   ", "say what to find"},
		{`"grandpa at`, "double quote is not closed"},
		{`album:"Jeju`, "double quote is not closed"},
		{`gran"dpa`, "a double quote inside a word"},
		{"be*ach", `put the word in double quotes`},
		{"beach**", `put the word in double quotes`},
		{"camera:can(on", `put the value in double quotes`},
		{"(beach OR sea)", `put the word in double quotes`},
		{"^start", `put the word in double quotes`},
		{"a+b", `put the word in double quotes`},
		{"name:IMG", "no filter is called name:"},
		{"http://x", "no filter is called http:"},
		{"camera:", "say what camera: is to match"},
		{`album:""`, "say what album: is to match"},
		{"...", "no letters or digits"},
		{`"!!"`, "no letters or digits"},
		{"camera:***", "put the value in double quotes"},
		{"2019-13", "is not a date"},
		{"2019-02-30", "is not a date"},
		{"2019-5", "is not a date"},
		{"0999", "is not a date"},
		{"2019-06..2019-05", "is after"},
		{"2019 2020", "one date or range"},
		{"type:audio", "type:photo or type:video"},
		{"type:photo type:video", "nothing is both"},
		{"has:faces", "has: takes gps"},
		{"near:33.4", "near:LAT,LON,KM"},
		{"near:a,b,c", "near:LAT,LON,KM"},
		{"near:91,0,1", "latitude 91"},
		{"near:0,181,1", "longitude 181"},
		{"near:0,0,0", "distance 0 km"},
		{"near:0,0,NaN", "near:LAT,LON,KM"},
		{"user:a user:b", "one user at a time"},
		{strings.Repeat("a ", 40), "at most 32"},
		{strings.Repeat("a", 1001), "at most 1000"},
		{"\xff", "not valid UTF-8"},
	} {
		_, err := ParseQuery(tc.query)
		var qe *QueryError
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseQuery(%q) = %v; want a query error saying %q", tc.query, err, tc.says)
		}
	}
}

func TestParseQueryQuotesEveryTerm(t *testing.T) {
	// Each term as "PHOTO | ALBUM": its expression on the photos' rows and
	// on album names, terms joined by " AND ".
	for query, want := range map[string]string{
		"beach": `"beach" | name : "beach"`,
		"beac*": `"beac"* | name : "beac"*`,
		"제주도에서 Grandpa": `({name text camera place} : "제주도"* OR bigrams : "제주 주도") | (name : "제주도"* OR bigrams : "제주 주도")` +
			` AND "Grandpa" | name : "Grandpa"`,
		"집 제주": `{name text camera place} : "집"* | name : "집"*` +
			` AND ({name text camera place} : "제주"* OR bigrams : "제주") | (name : "제주"* OR bigrams : "제주")`,
		`"가족 여행" album:여행`: `{name text camera place} : "가족 여행" | name : "가족 여행" AND  | name : "여행"*`,
		"제주2019":           `{name text camera place} : "제주2019"* | name : "제주2019"*`,
		"가나다라마바사아자차카타파하가나다라": `{name text camera place} : "가나다라마바사아자차카타파하가나다라"* | name : "가나다라마바사아자차카타파하가나다라"*`, // 17 syllables: no phrase of 16 pairs
		`"AND" OR NOT`:                    `"AND" | name : "AND" AND "OR" | name : "OR" AND "NOT" | name : "NOT"`,
		`"say ""hi"" now"`:                `"say " | name : "say " AND "hi" | name : "hi" AND " now" | name : " now"`,
		`album:"Jeju 2019" camera:EOS-5`:  ` | name : "Jeju 2019" AND camera : "EOS-5" | `,
		`place:Busan 2019 has:gps`:        `place : "Busan" | `,
		`'quoted' it's`:                   `"'quoted'" | name : "'quoted'" AND "it's" | name : "it's"`,
		`type:video near:33.45,126.57,10`: ``,
	} {
		q, err := ParseQuery(query)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", query, err)
			continue
		}
		var got []string
		for _, t := range q.terms {
			got = append(got, t.photo+" | "+t.album)
		}
		if g := strings.Join(got, " AND "); g != want {
			t.Errorf("ParseQuery(%q) terms = %s; want %s", query, g, want)
		}
	}
	q, err := ParseQuery("2019-05-01..2019-06-30 type:VIDEO user:mom has:GPS near:33.45,126.57,10")
	if err != nil {
		t.Fatal(err)
	}
	if q.Filter.Since != "2019-05-01" || q.Filter.Until != "2019-06-30" || q.Filter.Type != "video" || q.User != "mom" ||
		!q.HasGPS || q.Near == nil || *q.Near != (Near{33.45, 126.57, 10}) {
		t.Errorf("filters read as %+v, near %v", q, q.Near)
	}
}

// FuzzParseQuery: whatever is typed, the parser either refuses it with a
// query error or builds an expression that FTS5 runs without a syntax
// error, against a real catalog.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"beach", `"grandpa at" 2019`, "제주도에서", `album:"Jeju 2019" place:Busan`, "near:1,2,3 has:gps",
		`a"b`, "NEAR(a b)", "a OR b", "-x", "col:x", "x*", `""`, "\x00", "2019-05-01..", "user:mom", `camera:"a""b"`, "{a b}:c", "a AND ( b", "0\x00",
		"가족여행 집", "가나다라마바사아자차카타파하가나다라", `"가족 여행" 여행*`, "ㆍ", "bigrams:여행"} {
		f.Add(s)
	}
	c, err := Open(context.Background(), t0(f))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	p := testPhoto(1, 1000)
	p.Caption = "제주도에서 grandpa at the beach"
	if err := c.Write(context.Background(), func(tx *Tx) error { _, err := tx.InsertPhoto(context.Background(), p); return err }); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q): %v is not a query error", s, err)
			}
			return
		}
		if _, err := c.Search(context.Background(), q, nil, 5); err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) { // an unknown user: a query error too
				t.Fatalf("Search(%q) with terms %q: %v", s, q.terms, err)
			}
		}
	})
}

func t0(f *testing.F) string { return f.TempDir() + "/catalog.db" }
