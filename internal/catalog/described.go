package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Described is what a photo's metadata says beyond its camera: title,
// caption, keywords, people (named in face regions or as persons shown) and
// rating, as read from XMP and IPTC at import or by redate --from-metadata.
type Described struct {
	Title    string
	Caption  string
	Keywords []string
	People   []string
	Rating   *int
}

// describedCols are the columns scanDescribed reads, from photos aliased p.
const describedCols = `p.taken_precision, p.title, p.caption, p.keywords, p.people, p.rating`

// describedDest gives scanPhoto the destinations of describedCols; finish
// decodes them into p once the row is scanned.
type describedDest struct {
	precision, title, caption, keywords, people string
	rating                                      sql.NullInt64
}

func (d *describedDest) dest() []any {
	return []any{&d.precision, &d.title, &d.caption, &d.keywords, &d.people, &d.rating}
}

func (d *describedDest) finish(p *Photo) error {
	p.TakenPrecision, p.Title, p.Caption = d.precision, d.title, d.caption
	var err error
	if p.Keywords, err = decodeList(d.keywords); err != nil {
		return fmt.Errorf("photo %d: keywords: %w", p.ID, err)
	}
	if p.People, err = decodeList(d.people); err != nil {
		return fmt.Errorf("photo %d: people: %w", p.ID, err)
	}
	if d.rating.Valid {
		r := int(d.rating.Int64)
		p.Rating = &r
	}
	return nil
}

func decodeList(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var l []string
	err := json.Unmarshal([]byte(s), &l)
	return l, err
}

func encodeList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func nullRating(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// setDescribed writes p's precision and described columns.
func (tx *Tx) setDescribed(ctx context.Context, id int64, p Photo) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET taken_precision = ?, title = ?, caption = ?, keywords = ?,
		people = ?, rating = ? WHERE id = ?`,
		p.TakenPrecision, p.Title, p.Caption, encodeList(p.Keywords), encodeList(p.People), nullRating(p.Rating), id)
	if err != nil {
		return fmt.Errorf("photo %d: store metadata: %w", id, err)
	}
	return nil
}

// SetDescribed replaces what a photo's metadata says (title, caption,
// keywords, people, rating), leaving its capture time alone.
func (tx *Tx) SetDescribed(ctx context.Context, id int64, d Described) error {
	_, err := tx.ExecContext(ctx, `UPDATE photos SET title = ?, caption = ?, keywords = ?, people = ?, rating = ? WHERE id = ?`,
		d.Title, d.Caption, encodeList(d.Keywords), encodeList(d.People), nullRating(d.Rating), id)
	if err != nil {
		return fmt.Errorf("photo %d: store metadata: %w", id, err)
	}
	return nil
}

// Taken is a photo's capture time as the catalog keeps it (see Photo).
type Taken struct {
	At          string // taken_at
	Key         int64  // taken_key
	Source      string
	OffsetKnown bool
	Precision   string
}

// SetTaken records a new capture time of a photo and the path its
// original has under it (the date folder follows the date).
func (tx *Tx) SetTaken(ctx context.Context, id int64, t Taken, path string) error {
	res, err := tx.ExecContext(ctx, `UPDATE photos SET taken_at = ?, taken_key = ?, taken_source = ?, offset_known = ?,
		taken_precision = ?, path = ? WHERE id = ?`, t.At, t.Key, t.Source, t.OffsetKnown, t.Precision, path, id)
	if err != nil {
		return fmt.Errorf("photo %d: set capture time: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("photo %d: %w", id, ErrNotFound)
	}
	return nil
}

// SidecarsOf lists a photo's sidecars inside the transaction.
func (tx *Tx) SidecarsOf(ctx context.Context, photoID int64) ([]Sidecar, error) {
	return sidecarsOf(ctx, tx, photoID)
}

// MoveSidecar records a sidecar's new library path.
func (tx *Tx) MoveSidecar(ctx context.Context, from, to string) error {
	_, err := tx.ExecContext(ctx, `UPDATE sidecars SET path = ? WHERE path = ?`, to, from)
	if err != nil {
		return fmt.Errorf("sidecar %s: %w", from, err)
	}
	return nil
}

// PhotoIDs lists the ids of every photo not in the trash, oldest id first.
func (c *Catalog) PhotoIDs(ctx context.Context) ([]int64, error) {
	rows, err := c.r.QueryContext(ctx, `SELECT id FROM photos WHERE trashed_at IS NULL ORDER BY id`)
	return collect(rows, err, scanID)
}
