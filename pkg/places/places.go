// Package places tells where a GPS position is, offline: the nearest
// city or town of more than 1,000 people, its region and its country,
// from GeoNames data (www.geonames.org, CC BY 4.0) embedded in the
// binary (cities.bin.gz, about 2.4 MB; scripts/gen-places makes it).
package places

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed cities.bin.gz
var data []byte

// Place is where a position is.
type Place struct {
	Country string // ISO 3166-1 alpha-2 code, such as "KR"
	Region  string // the first-level division, such as "Jeju-do"; "" when unknown
	City    string // the nearest city or town, such as "Jeju City"
}

// MaxDistanceKM is how far from its nearest town a position may be and
// still be said to be there: beyond, at sea or in the wilderness, there
// is no place.
const MaxDistanceKM = 100

// Lookup finds the place of a position (degrees, WGS 84); ok is false far
// from any town, and for a position that is not one.
func Lookup(lat, lon float64) (Place, bool) {
	t, err := table()
	if err != nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return Place{}, false
	}
	best, bestKM := -1, math.Inf(1)
	cy, cx := cell(lat, lon)
	// Rings of 1° cells around the position's, until the nearest town
	// found is nearer than any cell of the next ring can be.
	for r := 0; r <= 3; r++ {
		for dy := -r; dy <= r; dy++ {
			for dx := -r; dx <= r; dx++ {
				if max(abs(dx), abs(dy)) != r {
					continue
				}
				for _, i := range t.grid[key(cy+dy, wrap(cx+dx))] {
					c := &t.cities[i]
					if d := km(lat, lon, c.lat, c.lon); d < bestKM {
						best, bestKM = int(i), d
					}
				}
			}
		}
		// Ring r covers at least r cells of latitude, and of longitude at
		// most 111 km × cos(lat) each: stop once the best is that near.
		if best >= 0 && bestKM <= float64(r)*111*math.Cos(math.Min(math.Abs(lat)+float64(r), 89.9)*math.Pi/180) {
			break
		}
	}
	if best < 0 || bestKM > MaxDistanceKM {
		return Place{}, false
	}
	c := t.cities[best]
	p := Place{Country: c.country, City: c.name}
	if c.region != 0xFFFF {
		p.Region = t.regions[c.region]
	}
	return p, true
}

// String is the place in English: "Jeju City, Jeju-do, South Korea".
func (p Place) String() string { return p.Name(language.English) }

// Name is the place with the country named in lang; the city and region
// keep GeoNames' names, but for a place in Korea in Korean (korean.go):
// "Seogwipo, Jeju-do, South Korea" in English, "서귀포, 제주도, 대한민국"
// in Korean.
func (p Place) Name(lang language.Tag) string {
	if k, ok := p.korean(); ok && isKorean(lang) {
		p = k
	}
	parts := make([]string, 0, 3)
	for _, s := range []string{p.City, p.Region, CountryName(p.Country, lang)} {
		if s != "" && (len(parts) == 0 || parts[len(parts)-1] != s) {
			parts = append(parts, s)
		}
	}
	out := ""
	for i, s := range parts {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// Short is the name a day heading gives the place: its city, else its
// region; "" when neither is known. In Korean, a place in Korea is named
// in Korean: its city when korean.go has it ("제주"), else its region
// ("제주도" for Ido-dong, a quarter of Jeju City).
func (p Place) Short(lang language.Tag) string {
	if k, ok := p.korean(); ok && isKorean(lang) {
		p = k
	}
	if p.City != "" {
		return p.City
	}
	return p.Region
}

func isKorean(lang language.Tag) bool {
	base, _ := lang.Base()
	return base.String() == "ko"
}

// CountryName names an ISO 3166-1 alpha-2 code in lang; the code itself
// when it names no country.
func CountryName(code string, lang language.Tag) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(lang).Name(r); n != "" {
		return n
	}
	return code
}

type city struct {
	lat, lon float64
	country  string
	region   uint16
	name     string
}

type places struct {
	regions []string
	cities  []city
	grid    map[int32][]int32 // 1° cells by key: indexes into cities
}

// table decodes the embedded table, once.
var table = sync.OnceValues(func() (*places, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	r := bufio.NewReader(zr)
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "PLC1" {
		return nil, errors.New("places: not a table of places")
	}
	str := func() (string, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > 1<<10 {
			return "", errors.New("places: bad string")
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return string(b), err
	}
	t := &places{grid: map[int32][]int32{}}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	for range n {
		if _, err := str(); err != nil { // the region's code
			return nil, err
		}
		name, err := str()
		if err != nil {
			return nil, err
		}
		t.regions = append(t.regions, name)
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	t.cities = make([]city, n)
	for i := range t.cities {
		var rec struct {
			Lat, Lon int32
			Country  [2]byte
			Region   uint16
		}
		if err := binary.Read(r, binary.LittleEndian, &rec); err != nil {
			return nil, err
		}
		name, err := str()
		if err != nil {
			return nil, err
		}
		c := city{lat: float64(rec.Lat) / 1e5, lon: float64(rec.Lon) / 1e5, country: string(rec.Country[:]), region: rec.Region, name: name}
		if int(c.region) != 0xFFFF && int(c.region) >= len(t.regions) {
			return nil, errors.New("places: bad region")
		}
		t.cities[i] = c
		y, x := cell(c.lat, c.lon)
		t.grid[key(y, x)] = append(t.grid[key(y, x)], int32(i))
	}
	return t, nil
})

func cell(lat, lon float64) (int, int) { return int(math.Floor(lat)), int(math.Floor(lon)) }

func key(y, x int) int32 { return int32((y+90)*360 + (x + 180)) }

// wrap keeps a longitude cell within -180..179 across the antimeridian.
func wrap(x int) int { return ((x+180)%360+360)%360 - 180 }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// km is the great-circle distance between two positions.
func km(lat1, lon1, lat2, lon2 float64) float64 {
	const earth = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(a)))
}
