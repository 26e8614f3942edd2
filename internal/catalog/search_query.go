package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Query is a parsed search (picup find, the terminal browser's "/",
// share --search): words matched in the full-text index and filters,
// all of which a photo must satisfy.
type Query struct {
	// Filter holds the dates and the type, as ls takes them.
	Filter PhotoFilter
	// User is the name of a user the photo must belong to ("" for any).
	User string
	// HasGPS: only photos with a position.
	HasGPS bool
	// Near: only photos within Near.KM kilometres of a point.
	Near *Near
	// terms are the query's words, all of which a photo must match;
	// none when the query has filters only.
	terms []term
}

// term is one word or phrase of a query as FTS5 expressions built from
// quoted strings: on the photos' own rows (photo_search) and on album
// names (album_search, migration 0025); "" where it cannot match that
// way. A photo matches a term when its row matches photo or it is in an
// album whose name matches album.
type term struct{ photo, album string }

// Near is a circle on the earth.
type Near struct{ Lat, Lon, KM float64 }

// QueryError is a query that cannot be read; its message says what to
// write instead. Front ends report it as a usage error.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

func queryErrorf(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// Limits on a query, so that no query is costly to read or to run.
const (
	maxQueryBytes = 1000
	maxQueryTerms = 32
)

// QueryHelp is the grammar in one line, for error messages.
const QueryHelp = `words, "a phrase", 2019, 2019-05, 2019-05-01..2019-06-30, camera:WORD, user:NAME, album:WORD, ` +
	`place:WORD, type:photo|video, has:gps, near:LAT,LON,KM`

// syntaxChars are FTS5's own operators: a bare word holding one is
// refused, so that no input reaches FTS5 as syntax.
const syntaxChars = `*()^{}+:"`

// ParseQuery reads a search: words (each matched as a whole word in any
// indexed field; a word typed with * after it as the start of one; a
// Korean word as the start of one and, from two syllables, inside one),
// "quoted phrases" (matched as they are) and filters. Every term reaches
// FTS5 as a quoted string built here.
func ParseQuery(s string) (Query, error) {
	var q Query
	if len(s) > maxQueryBytes {
		return q, queryErrorf("the query is %d bytes long; at most %d", len(s), maxQueryBytes)
	}
	if !utf8.ValidString(s) {
		return q, queryErrorf("the query is not valid UTF-8 text")
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return q, queryErrorf("the query holds a control character (%U); type words, dates and filters", r)
	}
	tokens, err := splitQuery(s)
	if err != nil {
		return q, err
	}
	if len(tokens) == 0 {
		return q, queryErrorf("say what to find: %s", QueryHelp)
	}
	if len(tokens) > maxQueryTerms {
		return q, queryErrorf("the query has %d terms; at most %d", len(tokens), maxQueryTerms)
	}
	dates := false
	for _, t := range tokens {
		if t.quoted {
			term, err := phrase("", t.text, false)
			if err != nil {
				return q, err
			}
			q.terms = append(q.terms, term)
			continue
		}
		key, value, isFilter := strings.Cut(t.text, ":")
		if isFilter && t.valueQuoted == "" && value == "" {
			return q, queryErrorf("%q: say what %s: is to match, e.g. %s", t.text, key, filterExample(key))
		}
		if t.valueQuoted != "" {
			value = t.valueQuoted
		}
		if !isFilter {
			if since, until, ok, err := dateTerm(t.text); ok || err != nil {
				if err != nil {
					return q, err
				}
				if dates {
					return q, queryErrorf("%q: a query takes one date or range of dates (2019, 2019-05 or 2019-05-01..2019-06-30)", t.text)
				}
				dates = true
				q.Filter.Since, q.Filter.Until = since, until
				continue
			}
			word, star := strings.CutSuffix(t.text, "*")
			if strings.ContainsAny(word, syntaxChars) {
				return q, queryErrorf("%q: %s are not search words; put the word in double quotes to find it as it is (\"%s\")",
					t.text, showChars(word), strings.ReplaceAll(t.text, `"`, ``))
			}
			term, err := phrase("", word, star || hasHangul(word))
			if err != nil {
				return q, err
			}
			q.terms = append(q.terms, term)
			continue
		}
		switch strings.ToLower(key) {
		case "camera", "album", "place":
			word, star := strings.CutSuffix(value, "*")
			if t.valueQuoted != "" {
				word, star = value, false
			} else if strings.ContainsAny(word, syntaxChars) {
				return q, queryErrorf("%q: %s are not search words; put the value in double quotes (%s:\"%s\")",
					t.text, showChars(word), key, strings.ReplaceAll(value, `"`, ``))
			}
			term, err := phrase(strings.ToLower(key), word, star || (t.valueQuoted == "" && hasHangul(word)))
			if err != nil {
				return q, err
			}
			q.terms = append(q.terms, term)
		case "user":
			if q.User != "" && q.User != value {
				return q, queryErrorf("user:%s and user:%s: a photo is looked up for one user at a time", q.User, value)
			}
			q.User = value
		case "type":
			switch v := strings.ToLower(value); v {
			case "photo", "video":
				if q.Filter.Type != "" && q.Filter.Type != v {
					return q, queryErrorf("type:%s and type:%s: nothing is both", q.Filter.Type, v)
				}
				q.Filter.Type = v
			default:
				return q, queryErrorf("%q: want type:photo or type:video", t.text)
			}
		case "has":
			if strings.ToLower(value) != "gps" {
				return q, queryErrorf("%q: has: takes gps (has:gps, the photos with a position)", t.text)
			}
			q.HasGPS = true
		case "near":
			n, err := parseNear(value)
			if err != nil {
				return q, err
			}
			q.Near = &n
		default:
			return q, queryErrorf("%q: no filter is called %s:; the filters are camera:, user:, album:, place:, type:, has:gps and near: "+
				"(to find a word with a colon, put it in double quotes)", t.text, key)
		}
	}
	return q, nil
}

// token is one term of a query: a word, a "quoted phrase", or a filter
// whose value may be quoted (album:"Jeju 2019").
type token struct {
	text        string
	quoted      bool   // the whole token was in quotes
	valueQuoted string // key:"value": the value
}

// splitQuery splits a query on spaces outside double quotes.
func splitQuery(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		if r == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, queryErrorf(`a double quote is not closed: %s; close it ("grandpa at the beach") or leave quotes out`, s[i:])
			}
			out = append(out, token{text: s[i+1 : i+1+end], quoted: true})
			i += end + 2
			continue
		}
		start := i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			if r == '"' {
				key := s[start:i]
				if strings.HasSuffix(key, ":") && strings.Count(key, ":") == 1 {
					end := strings.IndexByte(s[i+1:], '"')
					if end < 0 {
						return nil, queryErrorf(`a double quote is not closed: %s; close it (album:"Jeju 2019")`, s[start:])
					}
					value := s[i+1 : i+1+end]
					if strings.TrimSpace(value) == "" {
						return nil, queryErrorf(`%s"": say what %s is to match`, key, key)
					}
					out = append(out, token{text: key + value, valueQuoted: value})
					i += end + 2
					start = -1
					break
				}
				return nil, queryErrorf(`%s: a double quote inside a word; quote the whole phrase ("%s")`, s[start:], strings.ReplaceAll(s[start:], `"`, ""))
			}
			i += size
		}
		if start >= 0 {
			out = append(out, token{text: s[start:i]})
		}
	}
	return out, nil
}

// phrase is the term for text: a quoted string (quotes doubled), with
// prefix a prefix query (a word finds the words it starts: a word typed
// with * after it, and every Korean word), and limited to a column when
// column is not "" (album: is looked for in album names only, camera:
// and place: in the photos' rows only). Hangul words lose a trailing
// particle (제주도에서 → "제주도"*) so that they find the word with any
// other particle. Other words are whole tokens: a prefix longer than the
// index's prefixes (3 characters) makes FTS5 gather every match before
// the first, which a common word at 1M photos makes slow.
//
// A term with Hangul in it and no column is kept to the columns people
// wrote (textColumns), off the syllable pairs of the bigrams column
// (migration 0017); a Korean word of 2 to maxBigramSyllables syllables
// also matches as the phrase of its pairs there, so that it is found
// inside a compound (여행 in 가족여행): ("여행"* OR bigrams : "여행"). An
// album name is looked for the same way, in album_search's name and
// bigrams columns.
func phrase(column, text string, prefix bool) (term, error) {
	if !strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
		if column != "" {
			return term{}, queryErrorf("%s:%s has no letters or digits to find", column, text)
		}
		return term{}, queryErrorf("%q has no letters or digits to find; search for words", text)
	}
	if prefix {
		text = stripParticle(text)
	}
	quoted := quote(text)
	if prefix {
		quoted += "*"
	}
	switch column {
	case "album":
		return term{album: "name : " + quoted}, nil
	case "":
	default:
		return term{photo: column + " : " + quoted}, nil
	}
	if !hasHangul(text) {
		return term{photo: quoted, album: "name : " + quoted}, nil
	}
	t := term{photo: textColumns + " : " + quoted, album: "name : " + quoted}
	if pairs := bigrams(text); prefix && pairs != "" {
		t.photo = "(" + t.photo + " OR bigrams : " + quote(pairs) + ")"
		t.album = "(" + t.album + " OR bigrams : " + quote(pairs) + ")"
	}
	return t, nil
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// textColumns are the columns of photo_search that hold what people
// wrote and named, as an FTS5 column set: all but bigrams, and album,
// which is empty since migration 0025.
const textColumns = "{name text camera place}"

// maxBigramSyllables is the longest word looked for by its syllable
// pairs: a longer one (no Korean word is) is looked for by its start
// alone, so that a query of 1000 bytes is not a phrase of 300 pairs.
const maxBigramSyllables = 16

// bigrams is the overlapping syllable pairs of a word of 2 to
// maxBigramSyllables Hangul syllables, as migration 0017 indexes them
// (가족여행 → "가족 족여 여행"); "" for any other word.
func bigrams(word string) string {
	rs := []rune(word)
	if len(rs) < 2 || len(rs) > maxBigramSyllables || !isSyllables(word) {
		return ""
	}
	pairs := make([]string, 0, len(rs)-1)
	for i := range len(rs) - 1 {
		pairs = append(pairs, string(rs[i:i+2]))
	}
	return strings.Join(pairs, " ")
}

// isSyllables reports whether s is made of Hangul syllables only
// (U+AC00..U+D7A3), the characters whose pairs the index holds.
func isSyllables(s string) bool {
	for _, r := range s {
		if r < 0xAC00 || r > 0xD7A3 {
			return false
		}
	}
	return true
}

// particles are the Korean particles (josa) that attach to a word,
// longest first.
var particles = []string{"에서는", "에서도", "에게서", "으로는", "에서", "에게", "으로", "까지", "부터", "처럼", "하고",
	"이랑", "한테", "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "만", "랑"}

// stripParticle takes one particle off the end of a Hangul word when at
// least two syllables remain.
func stripParticle(w string) string {
	for _, p := range particles {
		stem, ok := strings.CutSuffix(w, p)
		if ok && utf8.RuneCountInString(stem) >= 2 && isHangul(stem) {
			return stem
		}
	}
	return w
}

func hasHangul(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) })
}

func isHangul(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Hangul, r) {
			return false
		}
	}
	return true
}

func showChars(s string) string {
	var seen []string
	for _, r := range syntaxChars {
		if strings.ContainsRune(s, r) {
			seen = append(seen, string(r))
		}
	}
	return strings.Join(seen, " ")
}

func filterExample(key string) string {
	switch strings.ToLower(key) {
	case "camera":
		return "camera:canon"
	case "user":
		return "user:mom"
	case "album":
		return `album:"Jeju 2019"`
	case "place":
		return "place:Busan"
	case "type":
		return "type:video"
	case "has":
		return "has:gps"
	case "near":
		return "near:33.45,126.57,10"
	}
	return `"` + key + `:" in double quotes to find the word`
}

// dateTerm reads 2019, 2019-05, 2019-05-01 or a range A..B of them (an
// open end allowed: 2019.. or ..2019-06) as local dates. ok is false
// when the term is no date.
func dateTerm(s string) (since, until string, ok bool, err error) {
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		from, to = s, s
	}
	if !looksLikeDate(from) || !looksLikeDate(to) || (from == "" && to == "") {
		return "", "", false, nil
	}
	if since, err = dateBound(from, false); err != nil {
		return "", "", true, err
	}
	if until, err = dateBound(to, true); err != nil {
		return "", "", true, err
	}
	if since != "" && until != "" && since > until {
		return "", "", true, queryErrorf("%s: %s is after %s; write the earlier date first", s, from, to)
	}
	return since, until, true, nil
}

// looksLikeDate: digits and dashes starting with four digits, or "".
func looksLikeDate(s string) bool {
	if s == "" {
		return true
	}
	if len(s) < 4 || strings.Trim(s, "0123456789-") != "" {
		return false
	}
	return strings.Trim(s[:4], "0123456789") == ""
}

// dateBound is the first (or with last, the last) day of a year, month
// or day, by PeriodDates.
func dateBound(s string, last bool) (string, error) {
	if s == "" {
		return "", nil
	}
	from, to, err := PeriodDates(s)
	if err != nil || from < "1000" {
		return "", queryErrorf("%q is not a date: write a year (2019), a month (2019-05), a day (2019-05-01) or a range (2019-05-01..2019-06-30)", s)
	}
	if last {
		return to, nil
	}
	return from, nil
}

func parseNear(v string) (Near, error) {
	bad := queryErrorf("near:%s: write near:LAT,LON,KM in degrees and kilometres, e.g. near:33.45,126.57,10", v)
	parts := strings.Split(v, ",")
	if len(parts) != 3 {
		return Near{}, bad
	}
	var f [3]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return Near{}, bad
		}
		f[i] = x
	}
	n := Near{Lat: f[0], Lon: f[1], KM: f[2]}
	switch {
	case n.Lat < -90 || n.Lat > 90:
		return n, queryErrorf("near:%s: the latitude %g is not between -90 and 90", v, n.Lat)
	case n.Lon < -180 || n.Lon > 180:
		return n, queryErrorf("near:%s: the longitude %g is not between -180 and 180", v, n.Lon)
	case n.KM <= 0 || n.KM > 20000:
		return n, queryErrorf("near:%s: the distance %g km is not between 0 and 20000", v, n.KM)
	}
	return n, nil
}
