package archive

import (
	"context"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/pkg/places"
)

// FillPlaces looks up where the photos with a position but no place yet
// were taken (those imported before places existed), up to limit of them
// (0 for all), and says how many it looked up.
func (a *Archive) FillPlaces(ctx context.Context, limit int) (int, error) {
	done := 0
	var after int64
	for limit == 0 || done < limit {
		n := 500
		if limit > 0 {
			n = min(n, limit-done)
		}
		page, err := a.lib.Catalog.PhotosWithoutPlace(ctx, after, n)
		if err != nil || len(page) == 0 {
			return done, err
		}
		err = a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for _, p := range page {
				var pl catalog.Place // the open sea: looked up, nowhere
				if found, ok := places.Lookup(*p.Lat, *p.Lon); ok {
					pl = catalog.Place{Country: found.Country, Region: found.Region, City: found.City}
				}
				if err := tx.SetPlace(ctx, p.ID, pl); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(page)
		after = page[len(page)-1].ID
	}
	return done, nil
}
