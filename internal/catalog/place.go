package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// Place is where a photo was taken, as looked up from its position
// (pkg/places); the zero Place is none.
type Place struct {
	Country string // ISO 3166-1 alpha-2 code
	Region  string
	City    string
}

// placeCols are the columns scanPhoto reads for Photo.Place.
const placeCols = `p.place_country, p.place_region, p.place_city`

// placeDest gives scanPhoto the destinations of placeCols.
type placeDest struct{ country, region, city sql.NullString }

func (d *placeDest) dest() []any { return []any{&d.country, &d.region, &d.city} }

func (d *placeDest) finish(p *Photo) {
	p.Place = Place{Country: d.country.String, Region: d.region.String, City: d.city.String}
}

// setPlace writes a photo's place; a photo without a position is left
// unlooked-up.
func (tx *Tx) setPlace(ctx context.Context, id int64, p Photo) error {
	if p.Lat == nil || p.Lon == nil {
		return nil
	}
	return tx.SetPlace(ctx, id, p.Place)
}

// SetPlace records where a photo was taken; the zero Place records that
// its position is nowhere known (the open sea), so that it is not
// looked up again.
func (tx *Tx) SetPlace(ctx context.Context, id int64, pl Place) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET place_country = ?, place_region = ?, place_city = ? WHERE id = ?`,
		pl.Country, pl.Region, pl.City, id)
	if err != nil {
		return fmt.Errorf("photo %d: store its place: %w", id, err)
	}
	return nil
}

// PhotosWithoutPlace lists up to limit photos above id afterID that
// have a position whose place was never looked up, by id.
func (c *Catalog) PhotosWithoutPlace(ctx context.Context, afterID int64, limit int) ([]Photo, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT `+photoCols+` FROM photos p
		WHERE p.id > ? AND p.lat IS NOT NULL AND p.lon IS NOT NULL AND p.place_country IS NULL
		ORDER BY p.id LIMIT ?`, afterID, limit)
	return collect(rows, err, scanPhoto)
}

// SetPosition records where a photo was taken as its metadata says
// (latitude and longitude in degrees); its place is set apart (SetPlace).
func (tx *Tx) SetPosition(ctx context.Context, id int64, lat, lon float64) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET lat = ?, lon = ? WHERE id = ?`, lat, lon, id)
	if err != nil {
		return fmt.Errorf("photo %d: store its position: %w", id, err)
	}
	return nil
}
