package archive

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
)

func TestCleanName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "  엄마 ", want: "엄마"},
		{in: "Aunt\tSue\n", want: "Aunt Sue"},
		{in: "Jin\u202Egnp.exe", want: "Jingnp.exe"},                         // right-to-left override removed
		{in: "e\u0301mile", want: "\u00e9mile"},                              // NFC
		{in: "bad\xffutf8", want: "badutf8"},                                 // invalid UTF-8 dropped
		{in: "a\x00b\x1bc", want: "abc"},                                     // controls dropped
		{in: "<script>alert(1)</script>", want: "<script>alert(1)</script>"}, // kept as text; never HTML
		{in: "   ", bad: true},
		{in: "\u202E\u2066", bad: true},
		{in: strings.Repeat("가", 40), want: strings.Repeat("가", 40)},
		{in: strings.Repeat("가", 41), bad: true},
	} {
		got, err := CleanName(tc.in)
		if tc.bad {
			var ie *InputError
			if !errors.As(err, &ie) || ie.What != "name" {
				t.Errorf("CleanName(%q) = %q, %v; want a name InputError", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCleanComment(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "That's uncle Bong-su!\r\nSummer 1962", want: "That's uncle Bong-su!\nSummer 1962"},
		{in: "\n\n a \n\n\n\n\nb  \n", want: "a\n\nb"},
		{in: "x\u2067y\u200Fz", want: "xyz"},
		{in: "\t", bad: true},
		{in: strings.Repeat("a", MaxCommentLen), want: strings.Repeat("a", MaxCommentLen)},
		{in: strings.Repeat("a", MaxCommentLen+1), bad: true},
	} {
		got, err := CleanComment(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("CleanComment(%q) = %q; want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CleanComment(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// shareAlbum makes an album of photos and a link to it, and returns the
// link's row.
func shareAlbum(t *testing.T, a *Archive, album string, ids []int64, spec sharelink.Spec) catalog.Share {
	t.Helper()
	ctx := context.Background()
	if _, err := a.AddToAlbum(ctx, album, ids); err != nil {
		t.Fatal(err)
	}
	spec.Album = album
	link, err := a.CreateShare(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := a.Library().Catalog.ShareByID(ctx, link.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func TestCommentsAndHearts(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	cat := a.Library().Catalog
	sh := shareAlbum(t, a, "Family", ids[:2], sharelink.Spec{})
	mom := Guest{Share: sh, Device: "d-mom", Name: "엄마"}
	jin := Guest{Share: sh, Device: "d-jin", Name: "Jin"}

	if _, err := a.Comment(ctx, Guest{Share: sh, Device: "d-x"}, ids[0], "hi"); !errors.Is(err, ErrNoName) {
		t.Fatalf("comment without a name = %v; want ErrNoName", err)
	}
	if _, err := a.Comment(ctx, mom, ids[2], "hi"); !errors.Is(err, ErrNotShared) {
		t.Fatalf("comment on a photo outside the link = %v; want ErrNotShared", err)
	}
	c1, err := a.Comment(ctx, mom, ids[0], " That's uncle Bong-su \u202E")
	if err != nil || c1.ID == 0 || c1.Text != "That's uncle Bong-su" || c1.Name != "엄마" {
		t.Fatalf("Comment = %+v, %v", c1, err)
	}
	c2, err := a.Comment(ctx, jin, ids[0], "yes!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteOwnComment(ctx, jin, c1.ID); !errors.Is(err, catalog.ErrNotYours) {
		t.Fatalf("deleting another device's comment = %v; want ErrNotYours", err)
	}
	if _, err := a.DeleteOwnComment(ctx, jin, c2.ID); err != nil {
		t.Fatal(err)
	}
	list, err := cat.Comments(ctx, ids[0], 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != c1.ID {
		t.Fatalf("Comments = %+v, %v; want only mom's", list, err)
	}

	st, err := a.ToggleHeart(ctx, mom, ids[1])
	if err != nil || !st.Hearted || st.Count != 1 || len(st.Names) != 1 || st.Names[0] != "엄마" {
		t.Fatalf("ToggleHeart = %+v, %v; want hearted by 엄마", st, err)
	}
	if st, err = a.ToggleHeart(ctx, jin, ids[1]); err != nil || st.Count != 2 || !st.Hearted {
		t.Fatalf("second heart = %+v, %v", st, err)
	}
	if st, err = a.ToggleHeart(ctx, mom, ids[1]); err != nil || st.Hearted || st.Count != 1 || st.Names[0] != "Jin" {
		t.Fatalf("un-heart = %+v, %v; want Jin's heart left", st, err)
	}
	counts, err := cat.PhotoCounts(ctx, ids)
	if err != nil || counts[ids[0]] != (catalog.Counts{Comments: 1}) || counts[ids[1]] != (catalog.Counts{Hearts: 1}) || len(counts) != 2 {
		t.Fatalf("PhotoCounts = %+v, %v", counts, err)
	}

	off := shareAlbum(t, a, "Quiet", ids[:1], sharelink.Spec{NoComments: true, NoHearts: true})
	if _, err := a.Comment(ctx, Guest{Share: off, Device: "d", Name: "x"}, ids[0], "hi"); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("comment on a --no-comments link = %v; want ErrNotAllowed", err)
	}
	if _, err := a.ToggleHeart(ctx, Guest{Share: off, Device: "d", Name: "x"}, ids[0]); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("heart on a --no-hearts link = %v; want ErrNotAllowed", err)
	}
	if n, err := a.RemoveComments(ctx, []int64{c1.ID}); err != nil || n != 1 {
		t.Fatalf("RemoveComments = %d, %v", n, err)
	}
	if _, err := a.RemoveComments(ctx, []int64{c1.ID}); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("RemoveComments(gone) = %v; want not found", err)
	}
}

func TestShareFeed(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	cat := a.Library().Catalog
	sh := shareAlbum(t, a, "Family", ids[:2], sharelink.Spec{})
	before, err := cat.LatestActivity(ctx)
	if err != nil || before == 0 {
		t.Fatalf("LatestActivity = %d, %v; want the album's photos recorded", before, err)
	}
	first, err := cat.ActivityAfter(ctx, 0, 10)
	if err != nil || len(first) != 1 || first[0].Kind != catalog.ActivityPhotos || len(first[0].PhotoIDs) != 2 {
		t.Fatalf("feed after adding 2 photos = %+v, %v; want one row of 2 photos", first, err)
	}
	// A third photo added by the same person a moment later joins that
	// row, under a new id.
	if _, err := a.AddToAlbum(ctx, "Family", ids[2:3]); err != nil {
		t.Fatal(err)
	}
	rows, err := cat.ShareActivity(ctx, sh, 0, 0, 10)
	if err != nil || len(rows) != 1 || len(rows[0].PhotoIDs) != 3 || rows[0].ID <= before {
		t.Fatalf("feed after a third photo = %+v, %v; want one newer row of 3", rows, err)
	}
	mark := rows[0].ID
	mom := Guest{Share: sh, Device: "d-mom", Name: "엄마"}
	if _, err := a.Comment(ctx, mom, ids[0], "hello"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ToggleHeart(ctx, mom, ids[0]); err != nil {
		t.Fatal(err)
	}
	photos, comments, err := cat.NewSince(ctx, sh, mark)
	if err != nil || photos != 0 || comments != 1 {
		t.Fatalf("NewSince = %d photos, %d comments, %v; want 0 and 1", photos, comments, err)
	}
	if photos, _, err = cat.NewSince(ctx, sh, 0); err != nil || photos != 3 {
		t.Fatalf("NewSince(0) = %d photos, %v; want 3", photos, err)
	}
	rows, err = cat.ShareActivity(ctx, sh, 0, 0, 2)
	if err != nil || len(rows) != 2 || rows[0].Kind != catalog.ActivityHeart || rows[1].Kind != catalog.ActivityComment {
		t.Fatalf("newest two = %+v, %v; want heart then comment", rows, err)
	}
	older, err := cat.ShareActivity(ctx, sh, rows[1].ID, 0, 10)
	if err != nil || len(older) != 1 || older[0].Kind != catalog.ActivityPhotos {
		t.Fatalf("next page = %+v, %v; want the photos row", older, err)
	}
	// Taking the heart back takes its row out of the feed.
	if _, err := a.ToggleHeart(ctx, mom, ids[0]); err != nil {
		t.Fatal(err)
	}
	if rows, _ = cat.ShareActivity(ctx, sh, 0, 0, 10); len(rows) != 2 {
		t.Fatalf("feed after un-heart = %+v; want the comment and the photos", rows)
	}
	// Another link's feed does not show this album's photos.
	other := shareAlbum(t, a, "Other", ids[3:4], sharelink.Spec{})
	if rows, _ = cat.ShareActivity(ctx, other, 0, 0, 10); len(rows) != 1 || rows[0].PhotoIDs[0] != ids[3] {
		t.Fatalf("other link's feed = %+v; want only its own photo", rows)
	}
	// A photo in the trash leaves the feed.
	if _, err := a.Trash(ctx, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if _, comments, _ = cat.NewSince(ctx, sh, mark); comments != 0 {
		t.Fatalf("NewSince after trashing the photo = %d comments; want 0", comments)
	}
}

func TestFollowActivity(t *testing.T) {
	a, ids := newArchive(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan catalog.Activity, 10)
	done := make(chan error, 1)
	go func() {
		done <- a.FollowActivity(ctx, 0, 10*time.Millisecond, func(r catalog.Activity) error {
			got <- r
			return nil
		})
	}()
	if _, err := a.AddToAlbum(ctx, "Family", ids[:1]); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.Kind != catalog.ActivityPhotos || r.PhotoIDs[0] != ids[0] {
			t.Fatalf("followed %+v; want the added photo", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FollowActivity did not report the added photo")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("FollowActivity after cancel = %v", err)
	}
}

func TestImportUpload(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	cat := a.Library().Catalog
	small := int64(1)
	if err := a.AddUser(ctx, "mom", nil); err != nil {
		t.Fatal(err)
	}
	if err := a.AddUser(ctx, "tiny", &small); err != nil {
		t.Fatal(err)
	}
	sh := shareAlbum(t, a, "Family", ids[:1], sharelink.Spec{UploadAs: "mom"})
	aunt := Guest{Share: sh, Device: "d-aunt", Name: "Aunt Sue"}
	src := writeUploadPNG(t)

	if err := a.CheckUpload(ctx, Guest{Share: sh}, 10); !errors.Is(err, ErrNoName) {
		t.Fatalf("CheckUpload without a name = %v", err)
	}
	if err := a.CheckUpload(ctx, aunt, DefaultUploadMax+1); err == nil {
		t.Fatal("CheckUpload over the size cap passed")
	}
	up, err := a.ImportUpload(ctx, aunt, UploadedFile{TusID: "t1", Path: src, FileName: "../../etc/IMG_1.png"})
	if err != nil || up.Status != catalog.UploadAdded || up.PhotoID == 0 || !up.NewPhoto || up.FileName != "IMG_1.png" {
		t.Fatalf("ImportUpload = %+v, %v; want added as IMG_1.png", up, err)
	}
	if own, err := cat.Owns(ctx, up.PhotoID, sh.UploadUserID); err != nil || !own {
		t.Fatalf("uploaded photo owned by mom = %v, %v", own, err)
	}
	if f, err := cat.SharedFile(ctx, sh, up.PhotoID); err != nil || !strings.HasSuffix(f.Path, "IMG_1.png") {
		t.Fatalf("uploaded photo in the album: %+v, %v", f, err)
	}
	again, err := a.ImportUpload(ctx, aunt, UploadedFile{TusID: "t1", Path: src, FileName: "IMG_1.png"})
	if err != nil || again.ID != up.ID {
		t.Fatalf("the same upload finished twice = %+v, %v; want the first result", again, err)
	}
	dup, err := a.ImportUpload(ctx, aunt, UploadedFile{TusID: "t2", Path: src, FileName: "copy.png"})
	if err != nil || dup.Status != catalog.UploadDuplicate || dup.PhotoID != up.PhotoID {
		t.Fatalf("duplicate upload = %+v, %v", dup, err)
	}
	rows, err := cat.ShareActivity(ctx, sh, 0, 0, 1)
	if err != nil || len(rows) != 1 || rows[0].Name != "Aunt Sue" || rows[0].ShareID != sh.ID {
		t.Fatalf("feed after the upload = %+v, %v; want Aunt Sue's photos", rows, err)
	}

	text := filepath.Join(t.TempDir(), "notes.jpg")
	if err := os.WriteFile(text, []byte("not a photo at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, err := a.ImportUpload(ctx, aunt, UploadedFile{TusID: "t3", Path: text, FileName: "notes.jpg"})
	if err != nil || ref.Status != catalog.UploadRefused || ref.Reason != RefusedNotMedia || ref.PhotoID != 0 {
		t.Fatalf("text named .jpg = %+v, %v; want refused as not media", ref, err)
	}

	full := shareAlbum(t, a, "Tiny", ids[:1], sharelink.Spec{UploadAs: "tiny", UploadReview: true})
	g := Guest{Share: full, Device: "d", Name: "x"}
	var qe *QuotaFullError
	if err := a.CheckUpload(ctx, g, 100); !errors.As(err, &qe) || qe.User != "tiny" || qe.Quota != 1 {
		t.Fatalf("CheckUpload over quota = %v; want a QuotaFullError of tiny", err)
	}
	other := writeUploadPNG(t, 2)
	before, _ := cat.UserByName(ctx, "tiny")
	ref, err = a.ImportUpload(ctx, g, UploadedFile{TusID: "t4", Path: other, FileName: "big.png"})
	if err != nil || ref.Status != catalog.UploadRefused || ref.Reason != RefusedQuota {
		t.Fatalf("over-quota upload = %+v, %v; want refused for the quota", ref, err)
	}
	after, _ := cat.UserByName(ctx, "tiny")
	if after.UsedBytes != before.UsedBytes || after.ReservedBytes != 0 {
		t.Fatalf("usage after a refused upload: %+v; was %+v", after, before)
	}
}

func TestReviewUploads(t *testing.T) {
	a, ids := newArchive(t)
	ctx := context.Background()
	cat := a.Library().Catalog
	if err := a.AddUser(ctx, "mom", nil); err != nil {
		t.Fatal(err)
	}
	sh := shareAlbum(t, a, "Family", ids[:1], sharelink.Spec{UploadAs: "mom", UploadReview: true})
	g := Guest{Share: sh, Device: "d", Name: "Aunt Sue"}
	up1, err := a.ImportUpload(ctx, g, UploadedFile{TusID: "a", Path: writeUploadPNG(t, 3), FileName: "a.png"})
	if err != nil || up1.Status != catalog.UploadPending {
		t.Fatalf("upload on a review link = %+v, %v; want pending", up1, err)
	}
	up2, err := a.ImportUpload(ctx, g, UploadedFile{TusID: "b", Path: writeUploadPNG(t, 4), FileName: "b.png"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.SharedFile(ctx, sh, up1.PhotoID); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("a pending upload is in the album: %v", err)
	}
	now := time.Now()
	if n, err := a.ApproveUploads(ctx, []int64{up1.ID}, now); err != nil || n != 1 {
		t.Fatalf("ApproveUploads = %d, %v", n, err)
	}
	if _, err := cat.SharedFile(ctx, sh, up1.PhotoID); err != nil {
		t.Fatalf("an approved upload is not in the album: %v", err)
	}
	if n, err := a.RejectUploads(ctx, []int64{up2.ID}, now); err != nil || n != 1 {
		t.Fatalf("RejectUploads = %d, %v", n, err)
	}
	p, err := cat.PhotoByID(ctx, up2.PhotoID)
	if err != nil || p.TrashedAt.IsZero() {
		t.Fatalf("a rejected upload's photo = %+v, %v; want it in the trash", p, err)
	}
	if _, err := a.ApproveUploads(ctx, []int64{up2.ID}, now); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("approving a rejected upload = %v; want it refused", err)
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_0001.HEIC":                  "IMG_0001.HEIC",
		"C:\\Users\\me\\a.jpg":           "a.jpg",
		"../../.bashrc":                  "bashrc",
		"..":                             "upload",
		"":                               "upload",
		"a\u202Egpj.exe":                 "agpj.exe",
		strings.Repeat("가", 60) + ".jpg": strings.Repeat("가", 38) + ".jpg",
	} {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q; want %q", in, got, want)
		}
	}
}

// writeUploadPNG writes a small PNG whose pixels depend on seed (so that
// different seeds make different content) and returns its path.
func writeUploadPNG(t *testing.T, seed ...int) string {
	t.Helper()
	s := 1
	if len(seed) > 0 {
		s = seed[0]
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i*s + s)
	}
	p := filepath.Join(t.TempDir(), fmt.Sprintf("upload-%d.png", s))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// A long name is cut once, not a character at a time: the loop that took
// one rune off per pass copied the name each time, minutes for a name of
// a megabyte (what made a fuzz run of SafeFileName hang).
func TestSafeFileNameLong(t *testing.T) {
	got := SafeFileName(strings.Repeat("가", 1<<20) + ".jpeg")
	if want := strings.Repeat("가", 38) + ".jpeg"; got != want {
		t.Fatalf("SafeFileName(a megabyte of 가 + .jpeg) = %q (%d bytes); want %q", got[:min(len(got), 60)], len(got), want)
	}
}
