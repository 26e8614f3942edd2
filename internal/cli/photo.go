package cli

import (
	"golang.org/x/text/language"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/photorecord"
	"github.com/picup/picup/pkg/places"
)

// photoJSON is the stable JSON form of a photo in listings (docs/cli.md):
// the photo's record with what a listing adds.
type photoJSON struct {
	ID int64 `json:"id"`
	photorecord.Record
	State     string  `json:"state"`
	Offloaded *string `json:"offloaded"`
	Owner     string  `json:"owner"` // the first of the owners
	Cursor    string  `json:"cursor"`
	// Place is where it was taken, looked up from its position (not in
	// the sidecar meta: it is made again from lat and lon).
	Place *placeJSON `json:"place,omitempty"`
}

// placeJSON is a photo's place: the country's code and English name, the
// region, the nearest city or town, and all of it as one line.
type placeJSON struct {
	Country     string `json:"country"`
	CountryName string `json:"country_name"`
	Region      string `json:"region"`
	City        string `json:"city"`
	Name        string `json:"name"`
}

func placeOf(pl catalog.Place) *placeJSON {
	if pl.Country == "" {
		return nil
	}
	p := places.Place{Country: pl.Country, Region: pl.Region, City: pl.City}
	return &placeJSON{Country: pl.Country, CountryName: places.CountryName(pl.Country, language.English), Region: pl.Region, City: pl.City, Name: p.String()}
}

func toJSON(p catalog.Photo) photoJSON {
	r := photorecord.Of(p)
	owner := ""
	if len(r.Owners) > 0 {
		owner = r.Owners[0]
	}
	var offloaded *string
	if p.Offloaded != "" {
		offloaded = &p.Offloaded
	}
	return photoJSON{ID: p.ID, Record: r, State: p.State, Offloaded: offloaded, Owner: owner, Cursor: catalog.CursorOf(p).String(), Place: placeOf(p.Place)}
}
