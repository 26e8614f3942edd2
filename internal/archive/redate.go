package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/redate"
	"github.com/picup/picup/pkg/capturetime"
)

// RedateOptions says where a photo's new capture time comes from: its
// metadata read again (FromMetadata), or a date given by hand (At:
// "1962-07-14", "1962-07", "1962" or an RFC 3339 time).
type RedateOptions struct {
	FromMetadata bool
	At           string
	// KeepManual leaves alone the photos dated by hand (redate --all
	// --from-metadata); a photo named by id is re-read all the same.
	KeepManual bool
	Now        func() time.Time // bounds plausible dates; time.Now when nil
}

// Redated is what Redate did to one photo.
type Redated struct {
	ID               int64  `json:"id"`
	Path             string `json:"path"`
	OldPath          string `json:"old_path,omitempty"` // set when the original moved
	TakenAt          string `json:"taken_at"`
	TakenAtSource    string `json:"taken_at_source"`
	TakenAtPrecision string `json:"taken_at_precision,omitempty"`
	WasTakenAt       string `json:"was_taken_at"`
	WasSource        string `json:"was_taken_at_source"`
	Changed          bool   `json:"changed"` // the capture time changed
	Note             string `json:"note,omitempty"`
	Error            string `json:"error,omitempty"`
}

// ParseRedateAt checks a date given by hand; the error is a sentence for
// the user.
func ParseRedateAt(s string) (capturetime.Candidate, error) {
	c, ok := capturetime.ParseManual(s)
	if !ok {
		return c, fmt.Errorf("%q is not a date: give 1962-07-14, 1962-07, 1962 or an RFC 3339 time such as 1962-07-14T15:30:00+09:00", s)
	}
	return c, nil
}

// RedateAllIDs lists the photos "redate --all" goes through: every photo
// not in the trash.
func (a *Archive) RedateAllIDs(ctx context.Context) ([]int64, error) {
	return a.lib.Catalog.PhotoIDs(ctx)
}

// Redate sets the capture time of each photo, from its metadata read again
// or from opts.At, and with --from-metadata also its title, caption,
// keywords, people, rating, position and place as redate.FromMetadata
// says (a caption the catalog has is kept). When the date changes, the
// original (and its sidecars) move to the new date's folder
// (redate.Apply). One photo's failure does not
// stop the others: it is reported in its Redated.Error, and the returned
// count of failures is the number of such photos.
func (a *Archive) Redate(ctx context.Context, ids []int64, opts RedateOptions) ([]Redated, int, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var manual capturetime.Candidate
	if !opts.FromMetadata {
		var err error
		if manual, err = ParseRedateAt(opts.At); err != nil {
			return nil, 0, err
		}
		if !capturetime.Plausible(manual.Time, now()) {
			return nil, 0, fmt.Errorf("%s is in the future", opts.At)
		}
	}
	out := make([]Redated, 0, len(ids))
	failed := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, failed, err
		}
		r, err := a.redateOne(ctx, id, opts, manual, now())
		if err != nil {
			r.Error = err.Error()
			failed++
		}
		out = append(out, r)
	}
	return out, failed, nil
}

func (a *Archive) redateOne(ctx context.Context, id int64, opts RedateOptions, manual capturetime.Candidate, now time.Time) (Redated, error) {
	r := Redated{ID: id}
	p, err := a.lib.Catalog.PhotoByID(ctx, id)
	if err != nil {
		return r, err
	}
	r.Path, r.WasTakenAt, r.WasSource = p.Path, p.TakenAt, p.TakenSource
	r.TakenAt, r.TakenAtSource, r.TakenAtPrecision = p.TakenAt, p.TakenSource, p.TakenPrecision
	if p.Offloaded != "" {
		return r, fmt.Errorf("its original is offloaded to %s; bring it back with \"picup fetch %d\" first", p.Offloaded, id)
	}
	c := redate.Change{Taken: manual}
	if opts.FromMetadata {
		if opts.KeepManual && p.TakenSource == capturetime.SourceManual {
			r.Note = "dated by hand; kept"
			return r, nil
		}
		md, err := redate.Read(ctx, a.lib, p, now)
		if err != nil {
			return r, err
		}
		c = redate.FromMetadata(p, md)
		if c.Taken.Source == "" {
			r.Note = "no date in the metadata; capture time kept"
		}
	}
	res, err := redate.Apply(ctx, a.lib, p, c)
	if err != nil {
		return r, err
	}
	r.Path, r.OldPath, r.Changed = res.Path, res.OldPath, res.Changed
	r.TakenAt, r.TakenAtSource, r.TakenAtPrecision = res.Taken.At, res.Taken.Source, res.Taken.Precision
	if res.Note != "" {
		r.Note = res.Note
	}
	return r, nil
}
