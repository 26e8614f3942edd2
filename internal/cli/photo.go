package cli

import (
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/thumb"
)

// photoJSON is the stable JSON form of a photo (docs/cli.md).
type photoJSON struct {
	ID            int64             `json:"id"`
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
	Thumbs        map[string]string `json:"thumbs"`
	ThumbsState   string            `json:"thumbs_state"`
	State         string            `json:"state"`
	ImportedAt    string            `json:"imported_at"`
	Offloaded     *string           `json:"offloaded"`
	Owner         string            `json:"owner"`
	Owners        []string          `json:"owners"`
	Cursor        string            `json:"cursor"`
}

func toJSON(p catalog.Photo) photoJSON {
	thumbs := map[string]string{}
	for _, s := range thumb.Sizes {
		thumbs[s.Name] = library.ThumbPath(p.SHA256, s.Name)
	}
	owners := p.Owners
	if owners == nil {
		owners = []string{}
	}
	owner := ""
	if len(owners) > 0 {
		owner = owners[0]
	}
	var offloaded *string
	if p.Offloaded != "" {
		offloaded = &p.Offloaded
	}
	return photoJSON{
		ID: p.ID, SHA256: p.SHA256, Path: p.Path, OriginalName: p.OriginalName, Type: p.Type,
		Format: p.Format, MIME: p.MIME, Bytes: p.Bytes, TakenAt: p.TakenAt, TakenAtSource: p.TakenSource,
		Width: p.Width, Height: p.Height, Orientation: p.Orientation, CameraMake: p.CameraMake,
		CameraModel: p.CameraModel, Lens: p.Lens, Lat: p.Lat, Lon: p.Lon, Altitude: p.Altitude,
		DurationMS: p.DurationMS, Thumbs: thumbs, ThumbsState: p.Thumbs, State: p.State,
		ImportedAt: p.ImportedAt, Offloaded: offloaded, Owner: owner, Owners: owners, Cursor: catalog.CursorOf(p).String(),
	}
}
