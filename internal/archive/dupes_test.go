package archive

import (
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
)

// writeVariant writes src resized by scale and re-encoded at quality.
func writeVariant(t *testing.T, src, dst string, scale float64, quality int) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
	draw.CatmullRom.Scale(out, out.Bounds(), img, b, draw.Src, nil)
	w, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := jpeg.Encode(w, out, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
}

// TestDupes: a resized and a re-encoded copy of a photo are grouped with
// it, the original is the keeper (the most pixels, then its metadata),
// photos that only share a camera are not grouped, and applying moves
// the copies to the trash, whence they come back.
func TestDupes(t *testing.T) {
	ctx := context.Background()
	lib, err := library.Open(ctx, filepath.Join(t.TempDir(), "lib"))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	src := t.TempDir()
	photos := filepath.Join("..", "..", "testdata", "photos", "jpeg", "drewnoakes")
	orig := filepath.Join(photos, "Nikon D5000.jpg")
	writeVariant(t, orig, filepath.Join(src, "small.jpg"), 0.5, 80)
	writeVariant(t, orig, filepath.Join(src, "whatsapp.jpg"), 0.8, 40)
	if _, err := importer.Run(ctx, lib, []string{photos, src}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	a := New(lib)
	// The import hashed what it stored; a library from before hashes
	// gets them from HashMissing.
	if h, err := a.HashMissing(ctx, nil); err != nil || h.Hashed != 0 || h.Failed != 0 {
		t.Errorf("HashMissing after an import: %+v, %v; want nothing to hash", h, err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM photo_hashes`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := a.HashMissing(ctx, nil); err != nil || h.Hashed < 3 || h.Failed != 0 {
		t.Fatalf("HashMissing of a library without hashes: %+v, %v", h, err)
	}
	if again, err := a.HashMissing(ctx, nil); err != nil || again != (HashedPhotos{}) {
		t.Errorf("a second HashMissing did %+v, %v; want nothing", again, err)
	}
	groups, err := a.Dupes(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 {
		for _, g := range groups {
			for _, p := range g.Photos {
				t.Logf("group: %s", p.OriginalName)
			}
		}
		t.Fatalf("%d groups; want the one of Nikon D5000.jpg and its two copies", len(groups))
	}
	g := groups[0]
	var names []string
	for _, p := range g.Photos {
		names = append(names, p.OriginalName)
	}
	if !slices.Equal(names, []string{"Nikon D5000.jpg", "whatsapp.jpg", "small.jpg"}) || g.Why == "" {
		t.Errorf("group %v (keeper first), why %q; want the original kept, the larger copy next", names, g.Why)
	}
	n, err := a.TrashDupes(ctx, groups)
	if err != nil || n != 2 {
		t.Fatalf("TrashDupes = %d, %v; want 2", n, err)
	}
	if after, err := a.Dupes(ctx, 10); err != nil || len(after) != 0 {
		t.Errorf("after applying, %d groups, %v; want none (the copies are in the trash)", len(after), err)
	}
	if back, err := a.Restore(ctx, []int64{g.Photos[1].ID}); err != nil || back != 1 {
		t.Errorf("restore a trashed copy: %d, %v", back, err)
	}
	if _, err := a.Dupes(ctx, 40); err == nil {
		t.Error("a threshold of 40 bits was accepted")
	}
}

// TestTrashFromGroup: the photos chosen from a group go to the trash and
// the others stay; a choice of none, of the whole group or of a photo
// from elsewhere is refused with nothing moved.
func TestTrashFromGroup(t *testing.T) {
	ctx := context.Background()
	a, ids := newArchive(t)
	var g DupeGroup
	for _, id := range ids[:3] {
		p, err := a.Library().Catalog.PhotoByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		g.Photos = append(g.Photos, p)
	}
	outside := ids[3:]
	if len(outside) == 0 {
		t.Fatal("the samples have no photo outside the group")
	}
	tests := []struct {
		name    string
		trash   []int64
		wantErr string
	}{
		{"none", nil, "no photo of the group"},
		{"all of the group", []int64{ids[0], ids[1], ids[2]}, "keep at least one"},
		{"a photo from elsewhere", []int64{ids[1], outside[0]}, "not in this group"},
		{"two of three", []int64{ids[1], ids[2]}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := a.TrashFromGroup(ctx, g, tt.trash)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || n != 0 {
					t.Fatalf("TrashFromGroup(%v) = %d, %v; want an error saying %q", tt.trash, n, err, tt.wantErr)
				}
			} else if err != nil || n != len(tt.trash) {
				t.Fatalf("TrashFromGroup(%v) = %d, %v; want %d", tt.trash, n, err, len(tt.trash))
			}
			trashed, err := a.Trashed(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range trashed.Photos {
				got = append(got, p.ID)
			}
			want := slices.Sorted(slices.Values(tt.trash))
			if tt.wantErr != "" {
				want = nil
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("the trash holds %v; want %v", got, want)
			}
		})
	}
}
