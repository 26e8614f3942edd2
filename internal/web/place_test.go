package web

import (
	"testing"

	"github.com/picup/picup/internal/catalog"
)

// TestPlaceSuffix: a day heading ends with where its first photo was
// taken, a place in Korea named in Korean on a Korean page.
func TestPlaceSuffix(t *testing.T) {
	for _, tc := range []struct {
		place  catalog.Place
		en, ko string
	}{
		{catalog.Place{Country: "KR", Region: "Jeju-do", City: "Jeju City"}, " · Jeju City", " · 제주"},
		{catalog.Place{Country: "KR", Region: "Jeju-do", City: "Ido-dong"}, " · Ido-dong", " · 제주도"},
		{catalog.Place{Country: "KR", Region: "Busan", City: "Busan"}, " · Busan", " · 부산"},
		{catalog.Place{Country: "KR", Region: "Gyeonggi-do", City: "Su-dong"}, " · Su-dong", " · 경기도"},
		{catalog.Place{Country: "SK", Region: "Košice", City: "Margecany"}, " · Margecany", " · Margecany"},
		{catalog.Place{}, "", ""},
	} {
		if got := english.placeSuffix(tc.place); got != tc.en {
			t.Errorf("English heading of %+v: %q; want %q", tc.place, got, tc.en)
		}
		if got := korean.placeSuffix(tc.place); got != tc.ko {
			t.Errorf("Korean heading of %+v: %q; want %q", tc.place, got, tc.ko)
		}
	}
	if got := korean.dayHeading("2019-05-03") + korean.placeSuffix(catalog.Place{Country: "KR", Region: "Jeju-do", City: "Jeju City"}); got != "2019년 5월 3일 (금) · 제주" {
		t.Errorf("a Korean day heading in Jeju: %q", got)
	}
}
