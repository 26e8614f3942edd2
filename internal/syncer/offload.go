package syncer

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// OffloadResult is what happened to one photo.
type OffloadResult struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	Done   bool   `json:"done"`
	Reason string `json:"reason,omitempty"` // why it was kept
}

// Offload drops the local original of each photo whose copy in the remote
// is verified now (present, same size, same SHA-256), keeping its
// thumbnails; the catalog records that the original lives in the remote,
// and Fetch brings it back. The local file goes only after that commit.
func Offload(ctx context.Context, lib *library.Library, r catalog.Remote, store blob.Store, photos []catalog.Photo, dryRun bool) ([]OffloadResult, error) {
	known, err := lib.Catalog.RemoteObjects(ctx, r.Name)
	if err != nil {
		return nil, err
	}
	var out []OffloadResult
	for _, p := range photos {
		res := OffloadResult{ID: p.ID, Path: p.Path, Bytes: p.Bytes}
		if o, ok := known[p.Path]; !ok || o.SHA256 != p.SHA256 {
			res.Reason = fmt.Sprintf("not synced to %q yet; run \"picup sync %s\" first", r.Name, r.Name)
			out = append(out, res)
			continue
		}
		info, err := store.Head(ctx, p.Path)
		switch {
		case blob.IsNotExist(err):
			res.Reason = "missing in the remote; run \"picup verify --remote " + r.Name + " --repair\""
		case err != nil:
			return out, fmt.Errorf("check %s in %q: %w", p.Path, r.Name, err)
		case info.Size != p.Bytes || info.SHA256 != p.SHA256:
			res.Reason = "the remote copy differs; run \"picup verify --remote " + r.Name + " --repair\""
		}
		if res.Reason != "" || dryRun {
			res.Done = res.Reason == ""
			out = append(out, res)
			continue
		}
		if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetOffloaded(ctx, p.ID, r.Name) }); err != nil {
			return out, err
		}
		if err := os.Remove(lib.Abs(p.Path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("remove local original %s: %w", p.Path, err)
		}
		res.Done = true
		out = append(out, res)
	}
	return out, nil
}

// Fetch brings an offloaded original back from its remote, checking its
// SHA-256, and records it as local again.
func Fetch(ctx context.Context, lib *library.Library, store blob.Store, p catalog.Photo) error {
	if err := fetch(ctx, store, p.Path, p.SHA256, lib.Abs(p.Path)); err != nil {
		return fmt.Errorf("fetch %s: %w", p.Path, err)
	}
	return lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetOffloaded(ctx, p.ID, "") })
}
