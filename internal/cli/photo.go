package cli

import (
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/photorecord"
)

// photoJSON is the stable JSON form of a photo in listings (docs/cli.md):
// the photo's record with what a listing adds.
type photoJSON struct {
	ID int64 `json:"id"`
	photorecord.Record
	State     string  `json:"state"`
	Offloaded *string `json:"offloaded"`
	Owner     string  `json:"owner"` // the first of the owners
	Cursor    string  `json:"cursor"`
}

func toJSON(p catalog.Photo) photoJSON {
	r := photorecord.Of(p)
	owner := ""
	if len(r.Owners) > 0 {
		owner = r.Owners[0]
	}
	var offloaded *string
	if p.Offloaded != "" {
		offloaded = &p.Offloaded
	}
	return photoJSON{ID: p.ID, Record: r, State: p.State, Offloaded: offloaded, Owner: owner, Cursor: catalog.CursorOf(p).String()}
}
