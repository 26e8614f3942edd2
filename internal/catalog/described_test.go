package catalog

import (
	"context"
	"reflect"
	"testing"
)

func TestDescribedRoundTrip(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	p := testPhoto(1, 10)
	p.TakenAt, p.TakenPrecision = "1962-07-14", "day"
	four := 4
	p.Described = Described{Title: "Haeundae", Caption: "Grandpa at Haeundae, summer 1962",
		Keywords: []string{"beach", "부산"}, People: []string{"Grandpa"}, Rating: &four}
	insert(t, c, p, testPhoto(2, 20))
	got, err := c.PhotoBySHA(ctx, p.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.TakenAt != "1962-07-14" || got.TakenPrecision != "day" || !reflect.DeepEqual(got.Described, p.Described) {
		t.Errorf("read back %q at %q, %+v; want %+v", got.TakenAt, got.TakenPrecision, got.Described, p.Described)
	}
	plain, err := c.PhotoBySHA(ctx, testPhoto(2, 20).SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if plain.TakenPrecision != "" || plain.Keywords != nil || plain.Rating != nil || plain.Title != "" {
		t.Errorf("a photo without metadata reads back %+v, precision %q", plain.Described, plain.TakenPrecision)
	}

	err = c.Write(ctx, func(tx *Tx) error {
		if err := tx.SetTaken(ctx, got.ID, Taken{At: "1962-07", Key: -235872000000, Source: "manual", Precision: "month"}, "originals/1962/1962-07-01/IMG.JPG"); err != nil {
			return err
		}
		return tx.SetDescribed(ctx, got.ID, Described{Caption: "new"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.PhotoByID(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TakenAt != "1962-07" || got.TakenSource != "manual" || got.TakenPrecision != "month" || got.Path != "originals/1962/1962-07-01/IMG.JPG" ||
		got.Caption != "new" || got.Title != "" || got.Keywords != nil || got.Rating != nil {
		t.Errorf("after SetTaken and SetDescribed: %+v", got)
	}
	if err := c.Write(ctx, func(tx *Tx) error { return tx.SetTaken(ctx, 999, Taken{}, "x") }); err == nil {
		t.Error("SetTaken of an unknown photo: no error")
	}
}
