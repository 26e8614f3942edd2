package archive

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/picup/picup/internal/catalog"
)

func TestSearchAndSearchForShare(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	if _, err := a.AddToAlbum(ctx, "제주 여행 2019", ids[:2]); err != nil {
		t.Fatal(err)
	}
	ps, err := a.Search(ctx, "album:제주", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range ps {
		got = append(got, p.ID)
	}
	if !slices.Equal(got, ids[:2]) {
		t.Errorf("album:제주 found %v; want %v (newest first)", got, ids[:2])
	}
	share, err := a.SearchForShare(ctx, "여행")
	if err != nil || !slices.Equal(share, ids[:2]) {
		t.Errorf("SearchForShare(여행) = %v, %v; want %v", share, err, ids[:2])
	}

	var qe *catalog.QueryError
	if _, err := a.Search(ctx, `"unclosed`, nil, 10); !errors.As(err, &qe) {
		t.Errorf("an unclosed quote: %v; want a query error", err)
	}
	if _, err := a.SearchForShare(ctx, "nothingmatchesthis"); err == nil || !strings.Contains(err.Error(), "finds no photo") {
		t.Errorf("a search that finds nothing: %v", err)
	}
	defer func(n int) { searchShareCap = n }(searchShareCap)
	searchShareCap = 1
	if _, err := a.SearchForShare(ctx, "album:제주"); err == nil || !strings.Contains(err.Error(), "more than 1 photos") {
		t.Errorf("a search beyond the cap: %v; want it refused", err)
	}
}
