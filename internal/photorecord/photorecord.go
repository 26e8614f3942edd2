// Package photorecord is the one description of a photo that picup gives
// out: "picup ls --json" and "picup info --json" print it, the sidecar
// meta/<sha256>.json in a remote carries it (with what a rebuild of the
// catalog needs), and the terminal browser's detail pane shows it. Its
// JSON field names are a documented interface (docs/cli.md, docs/sync.md).
package photorecord

import (
	"fmt"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// Record is what a photo is: its file, its capture, its camera, its
// place and who owns it.
type Record struct {
	SHA256        string            `json:"sha256"`
	Path          string            `json:"path"`
	OriginalName  string            `json:"original_name"`
	Type          string            `json:"type"`
	Format        string            `json:"format"`
	MIME          string            `json:"mime"`
	Bytes         int64             `json:"bytes"`
	TakenAt       string            `json:"taken_at"`
	TakenAtSource string            `json:"taken_at_source"`
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	Orientation   int               `json:"orientation"`
	CameraMake    string            `json:"camera_make"`
	CameraModel   string            `json:"camera_model"`
	Lens          string            `json:"lens"`
	Lat           *float64          `json:"lat"`
	Lon           *float64          `json:"lon"`
	Altitude      *float64          `json:"altitude"`
	DurationMS    *int64            `json:"duration_ms"`
	Thumbs        map[string]string `json:"thumbs"` // size name -> library path
	ThumbsState   string            `json:"thumbs_state"`
	ImportedAt    string            `json:"imported_at"` // RFC 3339 UTC, as the catalog stores it
	Owners        []string          `json:"owners"`
	// What the photo's XMP and IPTC metadata say, each left out when
	// empty: the precision of a capture time that is a date alone ("day",
	// "month", "year"), title, caption, keywords, people, rating.
	TakenAtPrecision string   `json:"taken_at_precision,omitempty"`
	Title            string   `json:"title,omitempty"`
	Caption          string   `json:"caption,omitempty"`
	Keywords         []string `json:"keywords,omitempty"`
	People           []string `json:"people,omitempty"`
	Rating           *int     `json:"rating,omitempty"`
	// What guests did through share links: present in "picup info" and,
	// when there is any, in the sidecar; "picup ls" leaves it out.
	*TakingPart `json:",omitempty"`
}

// TakingPart is what people did to a photo through share links.
type TakingPart struct {
	Hearts     []Heart    `json:"hearts"`
	Comments   []Comment  `json:"comments"`
	UploadedBy []Uploader `json:"uploaded_by"`
}

// Heart is someone's heart on the photo.
type Heart struct {
	Name string `json:"name"`
	At   string `json:"at"` // RFC 3339 UTC
}

// Comment is what someone wrote under the photo.
type Comment struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"` // RFC 3339 UTC
}

// Uploader is someone who uploaded the photo through a link.
type Uploader struct {
	Name     string `json:"name"`
	FileName string `json:"file_name"`
	Status   string `json:"status"` // added, pending or duplicate
	At       string `json:"at"`     // RFC 3339 UTC
}

// TakingPartOf describes what guests did to a photo.
func TakingPartOf(tp catalog.TakingPart) *TakingPart {
	out := &TakingPart{Hearts: []Heart{}, Comments: []Comment{}, UploadedBy: []Uploader{}}
	for _, h := range tp.Hearts {
		out.Hearts = append(out.Hearts, Heart{Name: h.Name, At: catalog.FormatTime(h.CreatedAt)})
	}
	for _, c := range tp.Comments {
		out.Comments = append(out.Comments, Comment{ID: c.ID, Name: c.Name, Text: c.Text, CreatedAt: catalog.FormatTime(c.CreatedAt)})
	}
	for _, u := range tp.Uploads {
		out.UploadedBy = append(out.UploadedBy, Uploader{Name: u.Name, FileName: u.FileName, Status: u.Status, At: catalog.FormatTime(u.CreatedAt)})
	}
	return out
}

// Catalog is what TakingPartOf described, for restoring it; a time that
// is not RFC 3339 is an error.
func (tp *TakingPart) Catalog() (catalog.TakingPart, error) {
	var out catalog.TakingPart
	if tp == nil {
		return out, nil
	}
	for _, h := range tp.Hearts {
		at, err := catalog.ParseTime(h.At)
		if err != nil {
			return out, fmt.Errorf("heart of %q: at %q is not an RFC 3339 time", h.Name, h.At)
		}
		out.Hearts = append(out.Hearts, catalog.Heart{Name: h.Name, CreatedAt: at})
	}
	for _, c := range tp.Comments {
		at, err := catalog.ParseTime(c.CreatedAt)
		if err != nil {
			return out, fmt.Errorf("comment of %q: created_at %q is not an RFC 3339 time", c.Name, c.CreatedAt)
		}
		out.Comments = append(out.Comments, catalog.Comment{Name: c.Name, Text: c.Text, CreatedAt: at})
	}
	for _, u := range tp.UploadedBy {
		at, err := catalog.ParseTime(u.At)
		if err != nil {
			return out, fmt.Errorf("upload by %q: at %q is not an RFC 3339 time", u.Name, u.At)
		}
		out.Uploads = append(out.Uploads, catalog.Upload{Name: u.Name, FileName: u.FileName, Status: u.Status, CreatedAt: at})
	}
	return out, nil
}

// Of describes a catalog photo.
func Of(p catalog.Photo) Record {
	thumbs := map[string]string{}
	for _, s := range thumb.Sizes {
		thumbs[string(s.Name)] = library.ThumbPath(p.SHA256, s.Name)
	}
	owners := p.Owners
	if owners == nil {
		owners = []string{}
	}
	return Record{
		SHA256: p.SHA256, Path: p.Path, OriginalName: p.OriginalName, Type: p.Type, Format: p.Format,
		MIME: p.MIME, Bytes: p.Bytes, TakenAt: p.TakenAt, TakenAtSource: p.TakenSource,
		Width: p.Width, Height: p.Height, Orientation: p.Orientation, CameraMake: p.CameraMake,
		CameraModel: p.CameraModel, Lens: p.Lens, Lat: p.Lat, Lon: p.Lon, Altitude: p.Altitude,
		DurationMS: p.DurationMS, Thumbs: thumbs, ThumbsState: p.Thumbs, ImportedAt: catalog.FormatTime(p.ImportedAt), Owners: owners,
		TakenAtPrecision: p.TakenPrecision, Title: p.Title, Caption: p.Caption, Keywords: p.Keywords, People: p.People, Rating: p.Rating,
	}
}

// Photo is the catalog photo the record describes, without what a record
// does not carry (id, state, trash, offload); an imported_at that is not an
// RFC 3339 time is an error.
func (r Record) Photo() (catalog.Photo, error) {
	imported, err := catalog.ParseTime(r.ImportedAt)
	if err != nil {
		return catalog.Photo{}, fmt.Errorf("photo %s: imported_at %q is not an RFC 3339 time", r.SHA256, r.ImportedAt)
	}
	return catalog.Photo{
		SHA256: r.SHA256, Path: r.Path, OriginalName: r.OriginalName, Type: r.Type, Format: r.Format, MIME: r.MIME,
		Bytes: r.Bytes, TakenAt: r.TakenAt, TakenSource: r.TakenAtSource, Width: r.Width, Height: r.Height,
		Orientation: r.Orientation, CameraMake: r.CameraMake, CameraModel: r.CameraModel, Lens: r.Lens,
		Lat: r.Lat, Lon: r.Lon, Altitude: r.Altitude, DurationMS: r.DurationMS, Thumbs: r.ThumbsState,
		ImportedAt: imported, Owners: r.Owners, TakenPrecision: r.TakenAtPrecision,
		Described: catalog.Described{Title: r.Title, Caption: r.Caption, Keywords: r.Keywords, People: r.People, Rating: r.Rating},
	}, nil
}
