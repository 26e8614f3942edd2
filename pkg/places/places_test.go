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
	if got := p.Name(language.Korean); got != "제주, 제주도, 대한민국" {
		t.Errorf("Korean: %q", got)
	}
	if got := (Place{Country: "FR", Region: "Île-de-France", City: "Paris"}).Name(language.Korean); got != "Paris, Île-de-France, 프랑스" {
		t.Errorf("Korean, in France: %q", got)
	}
	if got := CountryName("ZZ9", language.English); got != "ZZ9" {
		t.Errorf("a code that is none: %q", got)
	}
}

// TestShort: a day heading names the city, else the region; a Korean
// page names a place in Korea in Korean, its region when the city is
// not one the table knows.
func TestShort(t *testing.T) {
	for _, tc := range []struct {
		place  Place
		en, ko string
	}{
		{Place{"KR", "Jeju-do", "Jeju City"}, "Jeju City", "제주"},
		{Place{"KR", "Jeju-do", "Ido-dong"}, "Ido-dong", "제주도"},
		{Place{"KR", "Jeju-do", "Seogwipo"}, "Seogwipo", "서귀포"},
		{Place{"KR", "Busan", "Busan"}, "Busan", "부산"},
		{Place{"KR", "Busan", "Dongnae"}, "Dongnae", "동래"},
		{Place{"KR", "Gangwon-do", "Dongnae"}, "Dongnae", "강원도"}, // another Dongnae: not 동래
		{Place{"KR", "Seoul", "Seoul"}, "Seoul", "서울"},
		{Place{"KR", "Gyeonggi-do", "Su-dong"}, "Su-dong", "경기도"},
		{Place{"KR", "Gyeonggi-do", "Gwangju"}, "Gwangju", "광주"},
		{Place{"KR", "North Chungcheong", ""}, "North Chungcheong", "충청북도"},
		{Place{"KR", "", "Somewhere"}, "Somewhere", "Somewhere"}, // no region: as GeoNames says
		{Place{"FR", "Île-de-France", "Paris"}, "Paris", "Paris"},
		{Place{"JP", "Osaka", ""}, "Osaka", "Osaka"},
		{Place{}, "", ""},
	} {
		if got := tc.place.Short(language.English); got != tc.en {
			t.Errorf("%+v in English: %q; want %q", tc.place, got, tc.en)
		}
		for _, ko := range []language.Tag{language.Korean, language.MustParse("ko-KR")} {
			if got := tc.place.Short(ko); got != tc.ko {
				t.Errorf("%+v in %s: %q; want %q", tc.place, ko, got, tc.ko)
			}
		}
	}
	for _, tc := range []struct {
		name     string
		lat, lon float64
		ko       string
	}{
		{"Seoul City Hall", 37.5663, 126.9779, "서울"},
		{"Jeju, by Jeju City's hall", 33.4996, 126.5312, "제주도"},
		{"Seogwipo harbour", 33.2400, 126.5600, "서귀포"},
		{"Gyeongju", 35.8562, 129.2247, "경주"},
	} {
		p, ok := Lookup(tc.lat, tc.lon)
		if got := p.Short(language.Korean); !ok || got != tc.ko {
			t.Errorf("%s: %+v in Korean: %q; want %q", tc.name, p, got, tc.ko)
		}
	}
}

// TestKoreanTablesMatchTheData: every region and city that korean.go
// names is one of the embedded table, so that no entry is dead, and every
// Korean region is named.
func TestKoreanTablesMatchTheData(t *testing.T) {
	tab, err := table()
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string]bool{}
	cities := map[[2]string]bool{}
	for _, c := range tab.cities {
		if c.country == "KR" && c.region != 0xFFFF {
			regions[tab.regions[c.region]] = true
			cities[[2]string{tab.regions[c.region], c.name}] = true
		}
	}
	for r := range regions {
		if koreanRegions[r] == "" {
			t.Errorf("the Korean region %q has no Korean name", r)
		}
	}
	for r := range koreanRegions {
		if !regions[r] {
			t.Errorf("koreanRegions names %q, which no town of the table is in", r)
		}
	}
	for k := range koreanCities {
		if !cities[k] {
			t.Errorf("koreanCities names %q in %q, which the table does not hold", k[1], k[0])
		}
	}
}

// BenchmarkLookup: one position's place, the table loaded.
func BenchmarkLookup(b *testing.B) {
	Lookup(0, 0)
	for range b.N {
		Lookup(33.4996, 126.5312)
	}
}
