package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/picup/picup/internal/catalog"
)

// query is what "/" reads: words of the file name, album:NAME,
// camera:TEXT, user:NAME and one date or date range (2019, 2019-05,
// 2019-05-01..2019-06-30). Values with spaces are quoted: album:"Jeju 2019".
type query struct {
	Name, Camera, Album, User string
	From, To                  string // YYYY-MM-DD, inclusive
}

var dateToken = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// parseQuery reads a search line.
func parseQuery(s string) (query, error) {
	var q query
	var words []string
	dates := 0
	for _, tok := range splitQuoted(s) {
		key, val, ok := strings.Cut(tok, ":")
		switch {
		case ok && key == "album":
			q.Album = val
		case ok && key == "camera":
			q.Camera = val
		case ok && key == "user":
			q.User = val
		case isDates(tok):
			dates++
			first, last, _ := strings.Cut(tok, "..")
			if last == "" {
				last = first
			}
			var err error
			if q.From, _, err = catalog.PeriodDates(first); err != nil {
				return q, err
			}
			if _, q.To, err = catalog.PeriodDates(last); err != nil {
				return q, err
			}
			if q.From > q.To {
				return q, fmt.Errorf("date range %s ends before it starts", tok)
			}
		default:
			words = append(words, tok)
		}
	}
	if dates > 1 {
		return q, fmt.Errorf("give one date or one range such as 2019-05-01..2019-06-30")
	}
	for _, v := range []struct{ key, val string }{{"album", q.Album}, {"camera", q.Camera}, {"user", q.User}} {
		if v.val == "" && strings.Contains(" "+s, " "+v.key+":") {
			return q, fmt.Errorf("%s: needs a value, such as %s:\"Jeju 2019\"", v.key, v.key)
		}
	}
	q.Name = strings.Join(words, " ")
	return q, nil
}

func isDates(tok string) bool {
	first, last, isRange := strings.Cut(tok, "..")
	return dateToken.MatchString(first) && (!isRange || dateToken.MatchString(last))
}

// splitQuoted splits on spaces, keeping "quoted parts" (quotes removed)
// together.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				out = append(out, cur.String())
			}
			cur.Reset()
			started = false
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

// filter resolves the query's names into a catalog filter; period (a
// timeline period such as "2019-05") applies when the query has no dates.
func (q query) filter(ctx context.Context, cat *catalog.Catalog, period string) (catalog.Filter, error) {
	f := catalog.Filter{Name: q.Name, Camera: q.Camera, From: q.From, To: q.To}
	if f.From == "" && f.To == "" && period != "" {
		var err error
		if f.From, f.To, err = catalog.PeriodDates(period); err != nil {
			return f, err
		}
	}
	if q.Album != "" {
		a, err := cat.AlbumByName(ctx, q.Album)
		if err != nil {
			return f, err
		}
		f.AlbumID = a.ID
	}
	if q.User != "" {
		u, err := cat.UserByName(ctx, q.User)
		if err != nil {
			return f, err
		}
		f.UserID = u.ID
	}
	return f, nil
}

// quoteValue writes a query value, quoted when it has spaces.
func quoteValue(s string) string {
	if strings.ContainsAny(s, " \"") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}
