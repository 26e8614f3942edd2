package cli

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/testenv"
)

// guestLibrary imports the samples into album Family, shares it with
// uploads as mom (reviewed), and has a guest heart and comment and upload
// through the link, as the viewer would. It returns the photos and the
// link.
func guestLibrary(t *testing.T, te *testEnv) ([]listedPhoto, catalog.Share, archive.Guest) {
	t.Helper()
	ctx := context.Background()
	photos := te.importSamples(t, "")
	te.steps(t, []step{
		{name: "user add mom", run: func(ctx context.Context, e *env) error {
			return runUserAdd(ctx, e, &userAddOptions{name: "mom", quota: "none"})
		},
			stdout: "added user \"mom\" (quota unlimited)\n"},
		{name: "album add", run: func(ctx context.Context, e *env) error {
			return runAlbumPhotos(ctx, e, &albumPhotosOptions{album: "Family", photos: []string{idString(photos[0]), idString(photos[1])}})
		}, stdout: "added 2 photos to the new album \"Family\"\n"},
	})
	te.stdout.Reset()
	err := runShare(ctx, te.env, &shareOptions{album: "Family", expires: "30d", json: true, uploadAs: "mom", uploadReview: true, noHearts: false})
	if err != nil {
		t.Fatalf("share --upload-as mom --upload-review: %v", err)
	}
	var created shareCreatedJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(ctx, te.libraryFlag)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	sh, err := lib.Catalog.ShareByID(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	g := archive.Guest{Share: sh, Device: "device-of-aunt", Name: "Aunt Sue"}
	a := archive.New(lib)
	if _, err := a.ToggleHeart(ctx, g, photos[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Comment(ctx, g, photos[0].ID, "That's uncle Bong-su\nsummer 1962"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "IMG_9.png")
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if up, err := a.ImportUpload(ctx, g, archive.UploadedFile{TusID: "t1", Path: src, FileName: "IMG_9.png"}); err != nil || up.Status != catalog.UploadPending {
		t.Fatalf("upload: %+v, %v", up, err)
	}
	return photos, sh, g
}

func TestGuestCommands(t *testing.T) {
	te := newTestEnv(t)
	ctx := context.Background()
	photos, sh, _ := guestLibrary(t, te)

	te.stdout.Reset()
	if err := runShareLs(ctx, te.env, &shareLsOptions{json: true}); err != nil {
		t.Fatal(err)
	}
	var links []map[string]any
	if err := json.Unmarshal(te.stdout.Bytes(), &links); err != nil || len(links) != 1 {
		t.Fatalf("share ls --json: %v\n%s", err, te.stdout)
	}
	if l := links[0]; l["hearts"] != 1.0 || l["comments"] != 1.0 || l["uploads"] != 1.0 || l["upload_as"] != "mom" {
		t.Errorf("share ls --json = %v; want 1 heart, 1 comment, 1 upload, upload_as mom", l)
	}
	te.stdout.Reset()
	if err := runShareLs(ctx, te.env, &shareLsOptions{}); err != nil || !strings.Contains(te.stdout.String(), "upload-as=mom+review") {
		t.Errorf("share ls: %v\n%s\nwant the upload option", err, te.stdout)
	}

	te.stdout.Reset()
	if err := runActivity(ctx, te.env, &activityOptions{json: true}); err != nil {
		t.Fatal(err)
	}
	var feed []activityJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &feed); err != nil || len(feed) != 3 {
		t.Fatalf("activity --json: %v\n%s\nwant 3 items", err, te.stdout)
	}
	if feed[0].Kind != "comment" || feed[0].Name != "Aunt Sue" || feed[0].ShareID == nil || *feed[0].ShareID != sh.ID ||
		feed[1].Kind != "heart" || feed[2].Kind != "photos" || len(feed[2].PhotoIDs) != 2 || feed[2].ShareID != nil {
		t.Errorf("activity --json = %+v; want comment, heart (through link %d), then 2 photos added by a command", feed, sh.ID)
	}
	te.stdout.Reset()
	if err := runActivity(ctx, te.env, &activityOptions{share: sh.ID}); err != nil {
		t.Fatal(err)
	}
	if out := te.stdout.String(); strings.Count(out, "\n") != 2 || !strings.Contains(out, "Aunt Sue commented on photo") ||
		!strings.Contains(out, "Aunt Sue hearted photo") {
		t.Errorf("activity --share %d:\n%s\nwant the comment and the heart only", sh.ID, out)
	}
	te.stdout.Reset()
	te.stderr.Reset()
	if err := runActivity(ctx, te.env, &activityOptions{limit: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.stderr.String(), "more: picup activity --limit 1 --after ") {
		t.Errorf("activity --limit 1: stderr %q; want how to get the next page", te.stderr)
	}
	for _, o := range []*activityOptions{{since: "1m"}, {after: "x"}, {follow: true, limit: 2}, {limit: -1}} {
		var usage *UsageError
		if err := runActivity(ctx, te.env, o); !errors.As(err, &usage) {
			t.Errorf("activity %+v = %v; want a usage error", *o, err)
		}
	}
	if err := runActivity(ctx, te.env, &activityOptions{share: 99}); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("activity --share 99 = %v; want not found", err)
	}

	te.stdout.Reset()
	if err := runCommentsLs(ctx, te.env, &commentsLsOptions{photo: idString(photos[0]), json: true}); err != nil {
		t.Fatal(err)
	}
	var comments []commentJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &comments); err != nil || len(comments) != 1 || comments[0].Text != "That's uncle Bong-su\nsummer 1962" {
		t.Fatalf("comments ls --json: %v\n%s", err, te.stdout)
	}
	te.stdout.Reset()
	if err := runInfo(ctx, te.env, &infoOptions{ref: idString(photos[0])}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hearts:         1 (Aunt Sue)", "comment:        #", "                  summer 1962"} {
		if !strings.Contains(te.stdout.String(), want) {
			t.Errorf("info:\n%s\nlacks %q", te.stdout, want)
		}
	}
	te.stdout.Reset()
	if err := runInfo(ctx, te.env, &infoOptions{ref: idString(photos[0]), json: true}); err != nil {
		t.Fatal(err)
	}
	if s := te.stdout.String(); !strings.Contains(s, `"hearts": [`) || !strings.Contains(s, `"name": "Aunt Sue"`) || !strings.Contains(s, `"uploaded_by": []`) {
		t.Errorf("info --json lacks hearts, comments or uploaded_by:\n%s", s)
	}

	te.stdout.Reset()
	if err := runUploadsLs(ctx, te.env, &uploadsLsOptions{pending: true, json: true}); err != nil {
		t.Fatal(err)
	}
	var uploads []uploadJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &uploads); err != nil || len(uploads) != 1 || uploads[0].Status != "pending" ||
		uploads[0].User != "mom" || uploads[0].Name != "Aunt Sue" || uploads[0].Album != "Family" {
		t.Fatalf("uploads ls --pending --json: %v\n%s", err, te.stdout)
	}
	te.steps(t, []step{
		{name: "uploads approve nothing", run: func(ctx context.Context, e *env) error {
			return runUploadsDecide(ctx, e, &uploadsDecideOptions{approve: true})
		},
			err: `name upload ids or --all, not both or neither`, usage: true},
		{name: "uploads approve --all", run: func(ctx context.Context, e *env) error {
			return runUploadsDecide(ctx, e, &uploadsDecideOptions{approve: true, idsOrAllOptions: idsOrAllOptions{all: true}})
		}, stdout: "approved 1 upload\n"},
		{name: "uploads reject --all with none left", run: func(ctx context.Context, e *env) error {
			return runUploadsDecide(ctx, e, &uploadsDecideOptions{idsOrAllOptions: idsOrAllOptions{all: true}, now: time.Now})
		}, stdout: "no uploads to reject\n"},
		{name: "uploads reject x", run: func(ctx context.Context, e *env) error {
			return runUploadsDecide(ctx, e, &uploadsDecideOptions{idsOrAllOptions: idsOrAllOptions{ids: []string{"x"}}})
		},
			err: `"x" is not an upload id; see "picup uploads ls --pending"`, usage: true},
		{name: "comments rm", run: func(ctx context.Context, e *env) error {
			return runCommentsRm(ctx, e, &commentsRmOptions{ids: []string{"1"}})
		}, stdout: "removed 1 comment\n"},
		{name: "comments rm again", run: func(ctx context.Context, e *env) error {
			return runCommentsRm(ctx, e, &commentsRmOptions{ids: []string{"1"}})
		}, err: `no comment with id 1; see "picup comments ls": not found`},
		{name: "share --upload-as on a year", run: func(ctx context.Context, e *env) error {
			return runShare(ctx, e, &shareOptions{year: 2019, uploadAs: "mom", expires: "30d"})
		}, err: "--upload-as: uploads join an album, so only an album link takes them (picup share ALBUM --upload-as NAME)", usage: true},
		{name: "share --upload-review alone", run: func(ctx context.Context, e *env) error {
			return runShare(ctx, e, &shareOptions{album: "Family", uploadReview: true, expires: "30d"})
		}, err: "--upload-review and --upload-max go with --upload-as NAME (the user whose space uploads use)", usage: true},
		{name: "share --upload-max nonsense", run: func(ctx context.Context, e *env) error {
			return runShare(ctx, e, &shareOptions{album: "Family", uploadAs: "mom", uploadMax: "big", expires: "30d"})
		}, err: `--upload-max "big": want a size such as 500MB or 4GB`, usage: true},
	})
	te.stdout.Reset()
	if err := runActivity(ctx, te.env, &activityOptions{share: sh.ID, json: true}); err != nil {
		t.Fatal(err)
	}
	feed = nil
	if err := json.Unmarshal(te.stdout.Bytes(), &feed); err != nil || len(feed) != 2 || feed[0].Kind != "photos" || feed[0].Name != "Aunt Sue" {
		t.Errorf("activity after approving and removing the comment: %v\n%s\nwant Aunt Sue's approved photo, then the heart", err, te.stdout)
	}
}

func TestActivityFollow(t *testing.T) {
	te := newTestEnv(t)
	photos := te.importSamples(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &testenv.Buffer{}
	te.env.stdout = out
	done := make(chan error, 1)
	go func() {
		done <- runActivity(ctx, te.env, &activityOptions{follow: true, json: true, every: 10 * time.Millisecond})
	}()
	// Until following has started, what happens is not new to it: add
	// photos one at a time until one is printed.
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; !strings.Contains(out.String(), `"kind":"photos"`); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("activity --follow printed %q; want the photos added", out.String())
		}
		name := "Album " + idString(photos[i%len(photos)]) + strings.Repeat("x", i)
		if err := runAlbumPhotos(context.Background(), &env{stdin: strings.NewReader(""), stdout: &testenv.Buffer{}, stderr: &testenv.Buffer{}, libraryFlag: te.libraryFlag},
			&albumPhotosOptions{album: name, photos: []string{idString(photos[i%len(photos)])}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("activity --follow after Ctrl-C = %v; want nil", err)
	}
	line := strings.SplitN(out.String(), "\n", 2)[0]
	var item activityJSON
	if err := json.Unmarshal([]byte(line), &item); err != nil || item.Kind != "photos" || item.AlbumID == nil {
		t.Fatalf("first line of activity --follow --json = %q, %v; want one JSON object per line", line, err)
	}
}
