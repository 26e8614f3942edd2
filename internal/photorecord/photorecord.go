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
		ImportedAt: imported, Owners: r.Owners,
	}, nil
}
