package tui

import (
	"context"
	"strings"

	"github.com/picup/picup/internal/catalog"
)

// The "/" line is a search of the same engine as "picup find"
// (catalog.ParseQuery and catalog.Search): words, "phrases", dates and
// filters such as album:, camera:, user:, place:, type:, has:gps, near:.

// searchSource lists the photos outside the trash that a search finds,
// newest first by capture time.
type searchSource struct{ q catalog.Query }

func (s searchSource) after(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	return c.Search(ctx, s.q, cursorPtr(p), limit)
}

func (s searchSource) before(ctx context.Context, c *catalog.Catalog, p *catalog.Photo, limit int) ([]catalog.Photo, error) {
	return c.SearchBefore(ctx, s.q, cursorPtr(p), limit)
}

func (s searchSource) from(ctx context.Context, c *catalog.Catalog, p catalog.Photo, limit int) ([]catalog.Photo, error) {
	cur := catalog.Cursor{TakenKey: p.TakenKey, ID: p.ID + 1}
	return c.Search(ctx, s.q, &cur, limit)
}

func (s searchSource) count(ctx context.Context, c *catalog.Catalog) (int, error) {
	return c.CountSearch(ctx, s.q, nil)
}

func (s searchSource) position(ctx context.Context, c *catalog.Catalog, p catalog.Photo) (int, error) {
	return c.CountSearch(ctx, s.q, cursorPtr(&p))
}

func (s searchSource) between(ctx context.Context, c *catalog.Catalog, a, b catalog.Photo) ([]int64, error) {
	return c.SearchIDsBetween(ctx, s.q, catalog.CursorOf(a), catalog.CursorOf(b))
}

// timelineSource is what the timeline grid lists for a search line and
// a period of the timeline ("2019-05"; "" for all): every photo of the
// period without a search, else what the search finds, in the period
// when the search names no dates.
func timelineSource(line, period string) (source, error) {
	var f catalog.Filter
	if strings.TrimSpace(line) == "" {
		if period != "" {
			var err error
			if f.From, f.To, err = catalog.PeriodDates(period); err != nil {
				return nil, err
			}
		}
		return liveSource{f: f}, nil
	}
	q, err := catalog.ParseQuery(line)
	if err != nil {
		return nil, err
	}
	if period != "" && q.Filter.Since == "" && q.Filter.Until == "" {
		if q.Filter.Since, q.Filter.Until, err = catalog.PeriodDates(period); err != nil {
			return nil, err
		}
	}
	return searchSource{q: q}, nil
}

// quoteValue writes a query value, quoted when it has spaces.
func quoteValue(s string) string {
	if strings.ContainsAny(s, " \"") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}
