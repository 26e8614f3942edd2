package syncer

import (
	"encoding/json"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/photorecord"
)

// Meta is the sidecar stored as meta/<sha256>.json next to the objects of
// a photo: everything the catalog knows about it, readable without picup,
// and enough to rebuild the catalog when no snapshot is usable.
type Meta struct {
	Version int `json:"version"`
	photorecord.Record
	TakenKey    int64             `json:"taken_key"`
	OffsetKnown bool              `json:"offset_known"`
	TrashedAt   string            `json:"trashed_at,omitempty"`
	Albums      []string          `json:"albums"`
	Sidecars    []catalog.Sidecar `json:"sidecars"`
}

// MetaKey is where a photo's sidecar lives in a remote.
func MetaKey(sha string) string { return "meta/" + sha + ".json" }

// MetaOf builds the sidecar of a photo.
func MetaOf(p catalog.Photo, albums []string, sidecars []catalog.Sidecar) Meta {
	if albums == nil {
		albums = []string{}
	}
	if sidecars == nil {
		sidecars = []catalog.Sidecar{}
	}
	return Meta{Version: 1, Record: photorecord.Of(p), TakenKey: p.TakenKey, OffsetKnown: p.OffsetKnown,
		TrashedAt: p.TrashedAt, Albums: albums, Sidecars: sidecars}
}

// Photo turns a sidecar back into a catalog row (without id).
func (m Meta) Photo() catalog.Photo {
	p := m.Record.Photo()
	p.TakenKey, p.OffsetKnown, p.State = m.TakenKey, m.OffsetKnown, "ok"
	p.Owners = nil // owners are users, added by name
	return p
}

func (m Meta) encode() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }
