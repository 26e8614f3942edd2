package photorecord

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
)

func TestRoundTrip(t *testing.T) {
	lat, lon, alt, dur := 33.45, 126.56, 12.0, int64(3100)
	p := catalog.Photo{
		SHA256: "ab12", Path: "originals/2019/2019-05-03/IMG_1.JPG", OriginalName: "IMG_1.JPG", Type: "photo",
		Format: "jpeg", MIME: "image/jpeg", Bytes: 1234, TakenAt: "2019-05-03T10:00:00+09:00", TakenSource: "exif",
		Width: 4000, Height: 3000, Orientation: 6, CameraMake: "Apple", CameraModel: "iPhone 8", Lens: "4mm",
		Lat: &lat, Lon: &lon, Altitude: &alt, DurationMS: &dur, Thumbs: "ok", ImportedAt: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC),
		Owners: []string{"mom", "dad"}, TakenPrecision: "day",
	}
	three := 3
	p.Described = catalog.Described{Title: "Haeundae", Caption: "Grandpa", Keywords: []string{"beach"}, People: []string{"Grandpa"}, Rating: &three}
	if got, err := Of(p).Photo(); err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("Of(p).Photo() = %+v, %v; want %+v", got, err, p)
	}
	if r := Of(p); r.ImportedAt != "2026-12-05T10:00:00Z" {
		t.Errorf("imported_at = %q; want 2026-12-05T10:00:00Z", r.ImportedAt)
	}
	bad := Of(p)
	bad.ImportedAt = "yesterday"
	if _, err := bad.Photo(); err == nil || !strings.Contains(err.Error(), `imported_at "yesterday"`) {
		t.Errorf("Photo() of imported_at \"yesterday\" = %v; want an error naming it", err)
	}
	if r := Of(catalog.Photo{SHA256: "cd34"}); r.Owners == nil || r.Thumbs["grid"] == "" || r.Thumbs["screen"] == "" {
		t.Fatalf("Of(no owners) = %+v; want an empty owner list and both thumbnail paths", r)
	}
}

// The JSON names are a documented interface (docs/cli.md, docs/sync.md).
func TestJSONNames(t *testing.T) {
	b, err := json.Marshal(Of(catalog.Photo{SHA256: "ab"}))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	want := []string{"altitude", "bytes", "camera_make", "camera_model", "duration_ms", "format", "height", "imported_at",
		"lat", "lens", "lon", "mime", "orientation", "original_name", "owners", "path", "sha256", "taken_at",
		"taken_at_source", "thumbs", "thumbs_state", "type", "width"}
	if !slices.Equal(got, want) {
		t.Fatalf("JSON names = %v; want %v", got, want)
	}
}

func TestTakingPart(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	tp := catalog.TakingPart{
		Hearts:   []catalog.Heart{{Name: "엄마", CreatedAt: at}},
		Comments: []catalog.Comment{{ID: 7, Name: "Aunt Sue", Text: "<b>1962</b>\nHaeundae", CreatedAt: at}},
		Uploads:  []catalog.Upload{{Name: "Aunt Sue", FileName: "IMG_1.HEIC", Status: catalog.UploadAdded, CreatedAt: at}},
	}
	r := Of(catalog.Photo{SHA256: "ab"})
	r.TakingPart = TakingPartOf(tp)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"hearts":[{"name":"엄마","at":"2026-12-05T10:00:00Z"}]`,
		`"comments":[{"id":7,"name":"Aunt Sue","text":"\u003cb\u003e1962\u003c/b\u003e\nHaeundae","created_at":"2026-12-05T10:00:00Z"}]`,
		`"uploaded_by":[{"name":"Aunt Sue","file_name":"IMG_1.HEIC","status":"added","at":"2026-12-05T10:00:00Z"}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s\nlacks %s", b, want)
		}
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.TakingPart.Catalog()
	if err != nil || len(got.Hearts) != 1 || got.Hearts[0].Name != "엄마" || !got.Hearts[0].CreatedAt.Equal(at) ||
		len(got.Comments) != 1 || got.Comments[0].Text != tp.Comments[0].Text || len(got.Uploads) != 1 || got.Uploads[0].Status != "added" {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, tp)
	}
	back.TakingPart.Comments[0].CreatedAt = "soon"
	if _, err := back.TakingPart.Catalog(); err == nil || !strings.Contains(err.Error(), `"soon"`) {
		t.Errorf("Catalog() of a bad time = %v; want an error naming it", err)
	}
	if b, _ := json.Marshal(Of(catalog.Photo{SHA256: "ab"})); strings.Contains(string(b), "hearts") {
		t.Errorf("a record without taking part = %s; want no hearts field", b)
	}
}

// The fields read from XMP and IPTC are named when they say something and
// left out when they do not.
func TestDescribedJSON(t *testing.T) {
	two := 2
	p := catalog.Photo{SHA256: "ab", TakenAt: "1962-07-14", TakenPrecision: "day",
		Described: catalog.Described{Title: "T", Caption: "C", Keywords: []string{"k"}, People: []string{"P"}, Rating: &two}}
	b, err := json.Marshal(Of(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"taken_at":"1962-07-14"`, `"taken_at_precision":"day"`, `"title":"T"`, `"caption":"C"`,
		`"keywords":["k"]`, `"people":["P"]`, `"rating":2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s\nlacks %s", b, want)
		}
	}
}
