package syncer

import (
	"encoding/json"
	"fmt"

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
	TrashedAt   string            `json:"trashed_at,omitempty"` // RFC 3339 UTC, "" when not in the trash
	Albums      []string          `json:"albums"`
	Sidecars    []catalog.Sidecar `json:"sidecars"`
}

// MetaKey is where a photo's sidecar lives in a remote.
func MetaKey(sha string) string { return "meta/" + sha + ".json" }

// MetaOf builds the sidecar of a photo; what guests did to it goes in
// only when there is any, so that the sidecars of photos nobody touched
// stay as they were.
func MetaOf(p catalog.Photo, albums []string, sidecars []catalog.Sidecar, tp catalog.TakingPart) Meta {
	if albums == nil {
		albums = []string{}
	}
	if sidecars == nil {
		sidecars = []catalog.Sidecar{}
	}
	m := Meta{Version: 1, Record: photorecord.Of(p), TakenKey: p.TakenKey, OffsetKnown: p.OffsetKnown,
		TrashedAt: catalog.FormatTime(p.TrashedAt), Albums: albums, Sidecars: sidecars}
	if !tp.Empty() {
		m.TakingPart = photorecord.TakingPartOf(tp)
	}
	return m
}

// Photo turns a sidecar back into a catalog row (without id); a time
// that is not RFC 3339 is an error.
func (m Meta) Photo() (catalog.Photo, error) {
	p, err := m.Record.Photo()
	if err != nil {
		return p, err
	}
	if p.TrashedAt, err = catalog.ParseTime(m.TrashedAt); err != nil {
		return p, fmt.Errorf("photo %s: trashed_at %q is not an RFC 3339 time", m.SHA256, m.TrashedAt)
	}
	p.TakenKey, p.OffsetKnown, p.State = m.TakenKey, m.OffsetKnown, "ok"
	p.Owners = nil // owners are users, added by name
	return p, nil
}

func (m Meta) encode() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }
