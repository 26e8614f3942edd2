package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/sharelink"
)

func TestQuotaFullNamesTheKeeper(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	small := int64(10)
	if err := a.AddUser(ctx, "mom", &small); err != nil {
		t.Fatal(err)
	}
	keeper, err := a.Library().Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sh := shareAlbum(t, a, "Family", ids[:1], sharelink.Spec{UploadAs: "mom"})
	var qe *QuotaFullError
	err = a.CheckUpload(ctx, Guest{Share: sh, Device: "d", Name: "Aunt Sue"}, 11)
	if !errors.As(err, &qe) || qe.User != "mom" || qe.Keeper != keeper.Name || qe.Quota != 10 || qe.Need != 11 {
		t.Fatalf("CheckUpload over quota = %#v; want mom's space, kept by %s", err, keeper.Name)
	}
	qe, err = a.QuotaOf(ctx, "mom", 5)
	if err != nil || qe.Keeper != keeper.Name || qe.Quota != 10 {
		t.Fatalf("QuotaOf = %+v, %v", qe, err)
	}
}

// The importer names the original after a link to the upload in a
// scratch directory of the process: none is left behind.
func TestImportUploadLeavesNoScratch(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	if err := a.AddUser(ctx, "mom", nil); err != nil {
		t.Fatal(err)
	}
	sh := shareAlbum(t, a, "Family", ids[:1], sharelink.Spec{UploadAs: "mom"})
	src := writeUploadPNG(t, 7)
	up, err := a.ImportUpload(ctx, Guest{Share: sh, Device: "d", Name: "Aunt Sue"}, UploadedFile{TusID: "t", Path: src, FileName: "IMG_7.png"})
	if err != nil || up.PhotoID == 0 {
		t.Fatalf("ImportUpload = %+v, %v", up, err)
	}
	left, err := os.ReadDir(filepath.Join(a.Library().Root, library.TmpDir))
	if err != nil || len(left) != 0 {
		t.Fatalf("tmp/ after an upload holds %v (%v); want nothing", left, err)
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("the uploaded file itself: %v; it is the caller's to remove", err)
	}
}
