package archive

import (
	"context"
	"fmt"

	"github.com/picup/picup/internal/catalog"
)

// MaxSearchShare is how many photos a link made from a search
// (picup share --search) may hold: a search that finds more is refused,
// so that a link never holds a surprise. Narrow the search (a year, an
// album:, a place:) or share an album or a year instead.
const MaxSearchShare = 2000

// searchShareCap is MaxSearchShare, lowered by tests.
var searchShareCap = MaxSearchShare

// Search reads query (catalog.ParseQuery: words, phrases and filters)
// and lists the photos it finds, newest first after the cursor, limit
// at most. A query that cannot be read is a *catalog.QueryError.
func (a *Archive) Search(ctx context.Context, query string, after *catalog.Cursor, limit int) ([]catalog.Photo, error) {
	q, err := catalog.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	return a.lib.Catalog.Search(ctx, q, after, limit)
}

// SearchForShare is the ids of every photo query finds, newest first,
// for a selection link: an error when it finds none or more than
// MaxSearchShare.
func (a *Archive) SearchForShare(ctx context.Context, query string) ([]int64, error) {
	q, err := catalog.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	ids, err := a.lib.Catalog.SearchIDs(ctx, q, searchShareCap+1)
	if err != nil {
		return nil, err
	}
	switch {
	case len(ids) == 0:
		return nil, fmt.Errorf("the search %q finds no photo; try it with \"picup find\"", query)
	case len(ids) > searchShareCap:
		return nil, fmt.Errorf("the search %q finds more than %d photos, the most a search link takes; "+
			"narrow it (a year, album:, place:) or share an album or a year", query, searchShareCap)
	}
	return ids, nil
}
