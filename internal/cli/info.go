package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

type infoOptions struct {
	ref  string
	json bool
}

func newInfoCmd(e *env) *cobra.Command {
	o := &infoOptions{}
	cmd := &cobra.Command{
		Use:   "info ID|PATH",
		Short: "Show everything the catalog knows about one photo",
		Long: `Show everything the catalog knows about one photo or video.

The photo is named by its id (from "picup ls"), by its path inside the
library (originals/2024/2024-05-03/IMG_1234.JPG), or by any file outside
the library with the same content (it is hashed to find the photo).`,
		Example: `  picup info 42
  picup info --json originals/2019/2019-05-03/IMG_1234.JPG
  picup info ~/Pictures/IMG_1234.JPG`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			return runInfo(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type infoJSON struct {
	photoJSON
	TrashedAt string            `json:"trashed_at,omitempty"`
	Albums    []string          `json:"albums"`
	Sidecars  []catalog.Sidecar `json:"sidecars"`
}

func findPhoto(ctx context.Context, lib *library.Library, ref string) (catalog.Photo, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		p, err := lib.Catalog.PhotoByID(ctx, id)
		if errors.Is(err, catalog.ErrNotFound) {
			return p, fmt.Errorf("no photo with id %d; see \"picup ls\"", id)
		}
		return p, err
	}
	rels := []string{filepath.ToSlash(filepath.Clean(ref))}
	if abs, err := filepath.Abs(ref); err == nil {
		if r, ok := lib.Rel(abs); ok {
			rels = append(rels, r)
		}
	}
	for _, rel := range rels {
		if p, err := lib.Catalog.PhotoByPath(ctx, rel); !errors.Is(err, catalog.ErrNotFound) {
			return p, err
		}
	}
	sum, err := library.HashFile(ctx, ref)
	if err != nil {
		return catalog.Photo{}, fmt.Errorf("%q is not a photo id, a path in the library or a readable file: %w", ref, err)
	}
	p, err := lib.Catalog.PhotoBySHA(ctx, sum)
	if errors.Is(err, catalog.ErrNotFound) {
		return p, fmt.Errorf("%s is not in the library; import it with \"picup import %s\"", ref, ref)
	}
	return p, err
}

func runInfo(ctx context.Context, e *env, o *infoOptions) error {
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()
	p, err := findPhoto(ctx, lib, o.ref)
	if err != nil {
		return err
	}
	albums, err := lib.Catalog.PhotoAlbums(ctx, p.ID)
	if err != nil {
		return err
	}
	sidecars, err := lib.Catalog.Sidecars(ctx, p.ID)
	if err != nil {
		return err
	}
	if albums == nil {
		albums = []string{}
	}
	if sidecars == nil {
		sidecars = []catalog.Sidecar{}
	}
	if o.json {
		return writeJSON(e.stdout, infoJSON{photoJSON: toJSON(p), TrashedAt: p.TrashedAt, Albums: albums, Sidecars: sidecars})
	}
	j := toJSON(p)
	w := e.stdout
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-13s %s\n", k+":", v)
		}
	}
	row("id", strconv.FormatInt(p.ID, 10))
	row("path", p.Path)
	row("original name", p.OriginalName)
	row("type", fmt.Sprintf("%s (%s, %s)", p.Type, p.Format, p.MIME))
	row("size", fmt.Sprintf("%s (%d bytes)", bytesize.Format(p.Bytes), p.Bytes))
	row("sha256", p.SHA256)
	row("taken", fmt.Sprintf("%s (from %s)", p.TakenAt, p.TakenSource))
	row("dimensions", fmt.Sprintf("%dx%d, orientation %d", p.Width, p.Height, p.Orientation))
	row("camera", strings.TrimSpace(p.CameraMake+" "+p.CameraModel))
	row("lens", p.Lens)
	if p.Lat != nil && p.Lon != nil {
		row("location", fmt.Sprintf("%.6f, %.6f", *p.Lat, *p.Lon))
	}
	if p.DurationMS != nil {
		row("duration", fmt.Sprintf("%.1fs", float64(*p.DurationMS)/1000))
	}
	for _, name := range sortedKeys(j.Thumbs) {
		row("thumb "+name, j.Thumbs[name])
	}
	if p.Thumbs != "ok" {
		row("thumbnails", p.Thumbs)
	}
	if p.State != "ok" {
		row("state", p.State+` (see "picup verify")`)
	}
	row("owners", strings.Join(p.Owners, ", "))
	if p.TrashedAt != "" {
		row("trashed", p.TrashedAt+` (restore with "picup trash restore`+fmt.Sprintf(" %d", p.ID)+`")`)
	}
	row("albums", strings.Join(albums, ", "))
	for _, s := range sidecars {
		row("sidecar", s.Path)
	}
	row("imported", p.ImportedAt)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
