package syncer

import (
	"encoding/json"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// Meta is the sidecar stored as meta/<sha256>.json next to the objects of
// a photo: everything the catalog knows about it, readable without picup,
// and enough to rebuild the catalog when no snapshot is usable.
type Meta struct {
	Version      int               `json:"version"`
	SHA256       string            `json:"sha256"`
	Path         string            `json:"path"`
	OriginalName string            `json:"original_name"`
	Type         string            `json:"type"`
	Format       string            `json:"format"`
	MIME         string            `json:"mime"`
	Bytes        int64             `json:"bytes"`
	TakenAt      string            `json:"taken_at"`
	TakenKey     int64             `json:"taken_key"`
	TakenSource  string            `json:"taken_at_source"`
	OffsetKnown  bool              `json:"offset_known"`
	Width        int               `json:"width"`
	Height       int               `json:"height"`
	Orientation  int               `json:"orientation"`
	CameraMake   string            `json:"camera_make"`
	CameraModel  string            `json:"camera_model"`
	Lens         string            `json:"lens"`
	Lat          *float64          `json:"lat"`
	Lon          *float64          `json:"lon"`
	Altitude     *float64          `json:"altitude"`
	DurationMS   *int64            `json:"duration_ms"`
	Thumbs       map[string]string `json:"thumbs"`
	ThumbsState  string            `json:"thumbs_state"`
	ImportedAt   string            `json:"imported_at"`
	TrashedAt    string            `json:"trashed_at,omitempty"`
	Owners       []string          `json:"owners"`
	Albums       []string          `json:"albums"`
	Sidecars     []catalog.Sidecar `json:"sidecars"`
}

// MetaKey is where a photo's sidecar lives in a remote.
func MetaKey(sha string) string { return "meta/" + sha + ".json" }

// MetaOf builds the sidecar of a photo.
func MetaOf(p catalog.Photo, albums []string, sidecars []catalog.Sidecar) Meta {
	thumbs := map[string]string{}
	for _, s := range thumb.Sizes {
		thumbs[s.Name] = library.ThumbPath(p.SHA256, s.Name)
	}
	if albums == nil {
		albums = []string{}
	}
	if sidecars == nil {
		sidecars = []catalog.Sidecar{}
	}
	owners := p.Owners
	if owners == nil {
		owners = []string{}
	}
	return Meta{
		Version: 1, SHA256: p.SHA256, Path: p.Path, OriginalName: p.OriginalName, Type: p.Type, Format: p.Format,
		MIME: p.MIME, Bytes: p.Bytes, TakenAt: p.TakenAt, TakenKey: p.TakenKey, TakenSource: p.TakenSource,
		OffsetKnown: p.OffsetKnown, Width: p.Width, Height: p.Height, Orientation: p.Orientation,
		CameraMake: p.CameraMake, CameraModel: p.CameraModel, Lens: p.Lens, Lat: p.Lat, Lon: p.Lon,
		Altitude: p.Altitude, DurationMS: p.DurationMS, Thumbs: thumbs, ThumbsState: p.Thumbs,
		ImportedAt: p.ImportedAt, TrashedAt: p.TrashedAt, Owners: owners, Albums: albums, Sidecars: sidecars,
	}
}

// Photo turns a sidecar back into a catalog row (without id).
func (m Meta) Photo() catalog.Photo {
	return catalog.Photo{
		SHA256: m.SHA256, Path: m.Path, OriginalName: m.OriginalName, Type: m.Type, Format: m.Format, MIME: m.MIME,
		Bytes: m.Bytes, TakenAt: m.TakenAt, TakenKey: m.TakenKey, TakenSource: m.TakenSource, OffsetKnown: m.OffsetKnown,
		Width: m.Width, Height: m.Height, Orientation: m.Orientation, CameraMake: m.CameraMake,
		CameraModel: m.CameraModel, Lens: m.Lens, Lat: m.Lat, Lon: m.Lon, Altitude: m.Altitude,
		DurationMS: m.DurationMS, Thumbs: m.ThumbsState, ImportedAt: m.ImportedAt, State: "ok",
	}
}

func (m Meta) encode() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }
