// Package redate records again what photos already in the library say
// about themselves, or a capture time given by hand: it reads an
// original's metadata again (with its .xmp sidecars), says what of it the
// catalog does not have yet, and records it, moving the original and its
// sidecars into their new date folder together with the catalog.
//
// "picup redate" (internal/archive) and "picup verify --repair"
// (internal/verify) both go through it, so that a photo re-read by either
// ends the same.
package redate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/media"
	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/filetype"
	"github.com/picup/picup/pkg/places"
)

// Change is what to record of a photo. A zero field changes nothing.
type Change struct {
	// Taken is the new capture time; none when Taken.Source is "".
	Taken capturetime.Candidate
	// Described is the new title, caption, keywords, people and rating.
	Described *catalog.Described
	// Position is where the photo was taken, with its place looked up.
	Position *Position
}

// Position is a photo's position and the place it is in (the zero Place
// when it is nowhere known, such as the open sea).
type Position struct {
	Lat, Lon float64
	Place    catalog.Place
}

// Read reads the metadata of photo p's original again, with its .xmp
// sidecars, as an import does; now bounds plausible dates. A file whose
// structure is broken gives what could be read of it.
func Read(ctx context.Context, lib *library.Library, p catalog.Photo, now time.Time) (media.Metadata, error) {
	abs := lib.Abs(p.Path)
	f, err := os.Open(abs)
	if err != nil {
		return media.Metadata{}, fmt.Errorf("read %s: %w", p.Path, err)
	}
	h := make([]byte, filetype.HeaderSize)
	n, _ := io.ReadFull(f, h)
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return media.Metadata{}, fmt.Errorf("read %s: %w", p.Path, err)
	}
	ft := filetype.Detect(h[:n], filepath.Base(abs))
	if ft.Kind == filetype.Unknown {
		return media.Metadata{}, fmt.Errorf("%s is not a photo or video; see \"picup verify\"", p.Path)
	}
	scs, err := lib.Catalog.Sidecars(ctx, p.ID)
	if err != nil {
		return media.Metadata{}, err
	}
	var sidecars []string
	for _, sc := range scs {
		sidecars = append(sidecars, lib.Abs(sc.Path))
	}
	md, err := media.Read(abs, ft, fi.ModTime(), now, sidecars...)
	if err != nil && !errors.Is(err, media.ErrCorrupt) {
		return md, err
	}
	return md, nil
}

// FromMetadata is what metadata md read again says of photo p:
//
//   - its capture time, unless md has none but the library copy's
//     modification time, which says nothing the catalog does not know
//     better;
//   - its title, keywords, people and rating where md has them, and its
//     caption where the catalog has none (a caption in the catalog may
//     have been typed with "picup caption", and is kept); what md does
//     not say is kept;
//   - its position where md has one, and the place it is in.
func FromMetadata(p catalog.Photo, md media.Metadata) Change {
	var c Change
	if md.TakenSource != "" && md.TakenSource != capturetime.SourceMtime {
		c.Taken = capturetime.Candidate{Source: md.TakenSource, Time: md.Taken, OffsetKnown: md.OffsetKnown, Precision: md.TakenPrecision}
	}
	d := p.Described
	if md.Title != "" {
		d.Title = md.Title
	}
	if d.Caption == "" {
		d.Caption = md.Caption
	}
	if len(md.Keywords) > 0 {
		d.Keywords = md.Keywords
	}
	if len(md.People) > 0 {
		d.People = md.People
	}
	if md.Rating != nil {
		d.Rating = md.Rating
	}
	c.Described = &d
	if md.Lat != nil && md.Lon != nil {
		pos := Position{Lat: *md.Lat, Lon: *md.Lon}
		if pl, ok := places.Lookup(pos.Lat, pos.Lon); ok {
			pos.Place = catalog.Place{Country: pl.Country, Region: pl.Region, City: pl.City}
		}
		c.Position = &pos
	}
	return c
}

// taken is c's capture time as the catalog keeps it.
func (c Change) taken() catalog.Taken {
	var t catalog.Taken
	t.At, t.Key = capturetime.Format(c.Taken.Time, c.Taken.OffsetKnown, c.Taken.Precision)
	t.Source, t.OffsetKnown, t.Precision = c.Taken.Source, c.Taken.OffsetKnown, c.Taken.Precision
	return t
}

// Differences says, in words, what recording c would change of photo p:
// "capture time 2020-01-02T12:00:00 (mtime) → 1962-07-14
// (xmp:photoshop:DateCreated)", "caption", "keywords", "position",
// "place Busan → Jeju City"…; none when p already says what c says.
func (c Change) Differences(p catalog.Photo) []string {
	var out []string
	if c.Taken.Source != "" {
		t := c.taken()
		if t.At != p.TakenAt || t.Source != p.TakenSource || t.Precision != p.TakenPrecision {
			out = append(out, fmt.Sprintf("capture time %s (%s) → %s (%s)", p.TakenAt, p.TakenSource, t.At, t.Source))
		}
	}
	if d := c.Described; d != nil {
		for _, f := range []struct {
			name string
			same bool
		}{
			{"title", d.Title == p.Title},
			{"caption", d.Caption == p.Caption},
			{"keywords", slices.Equal(d.Keywords, p.Keywords)},
			{"people", slices.Equal(d.People, p.People)},
			{"rating", (d.Rating == nil) == (p.Rating == nil) && (d.Rating == nil || *d.Rating == *p.Rating)},
		} {
			if !f.same {
				out = append(out, f.name)
			}
		}
	}
	if pos := c.Position; pos != nil {
		if p.Lat == nil || p.Lon == nil || !near(*p.Lat, pos.Lat) || !near(*p.Lon, pos.Lon) {
			out = append(out, "position")
		}
		if pos.Place != p.Place {
			out = append(out, fmt.Sprintf("place %s → %s", placeName(p.Place), placeName(pos.Place)))
		}
	}
	return out
}

// near reports whether two coordinates are the same as stored (a REAL
// keeps a float64 whole; the margin is far below a metre).
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func placeName(pl catalog.Place) string {
	switch {
	case pl.City != "":
		return pl.City
	case pl.Region != "":
		return pl.Region
	case pl.Country != "":
		return pl.Country
	}
	return "none"
}
