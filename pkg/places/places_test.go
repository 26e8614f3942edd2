package places

import (
	"testing"

	"golang.org/x/text/language"
)

// TestLookup: known positions give their town, region and country; the
// open sea and nonsense give none.
func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat, lon float64
		country  string
		region   string
	}{
		{"Jeju, Korea", 33.4996, 126.5312, "KR", "Jeju-do"},
		{"Haeundae beach, Busan", 35.1587, 129.1604, "KR", "Busan"},
		{"Seoul City Hall", 37.5663, 126.9779, "KR", "Seoul"},
		{"Eiffel Tower", 48.8584, 2.2945, "FR", "Île-de-France"},
		{"Golden Gate Bridge", 37.8199, -122.4783, "US", "California"},
		{"Fiji, by the antimeridian", -16.78, 179.35, "FJ", "Northern"},
		{"Reykjavik", 64.1466, -21.9426, "IS", "Capital Region"},
	} {
		p, ok := Lookup(tc.lat, tc.lon)
		if !ok || p.Country != tc.country || p.Region != tc.region || p.City == "" {
			t.Errorf("%s: %+v %v; want country %s, region %s and a town", tc.name, p, ok, tc.country, tc.region)
			continue
		}
		t.Logf("%s: %s", tc.name, p)
	}
	for _, pos := range [][2]float64{{0, -30}, {-48.87, -123.39}, {91, 0}, {0, 181}} { // mid-Atlantic, Point Nemo, nonsense
		if p, ok := Lookup(pos[0], pos[1]); ok {
			t.Errorf("Lookup(%v) = %+v; want no place", pos, p)
		}
	}
}

// TestNames: the country is named in the page's language.
func TestNames(t *testing.T) {
	p := Place{Country: "KR", Region: "Jeju-do", City: "Jeju City"}
	if got := p.Name(language.English); got != "Jeju City, Jeju-do, South Korea" {
		t.Errorf("English: %q", got)
	}
	if got := p.Name(language.Korean); got != "Jeju City, Jeju-do, 대한민국" {
		t.Errorf("Korean: %q", got)
	}
	if got := CountryName("ZZ9", language.English); got != "ZZ9" {
		t.Errorf("a code that is none: %q", got)
	}
}

// BenchmarkLookup: one position's place, the table loaded.
func BenchmarkLookup(b *testing.B) {
	Lookup(0, 0)
	for range b.N {
		Lookup(33.4996, 126.5312)
	}
}
