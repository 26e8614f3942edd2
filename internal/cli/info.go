package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/photorecord"
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
	d, err := archive.New(lib).PhotoDetails(ctx, p.ID)
	if err != nil {
		return err
	}
	if o.json {
		j := toJSON(p)
		j.TakingPart = photorecord.TakingPartOf(d.TakingPart)
		return writeJSON(e.stdout, infoJSON{photoJSON: j, TrashedAt: catalog.FormatTime(p.TrashedAt), Albums: d.Albums, Sidecars: d.Sidecars})
	}
	j := toJSON(p)
	w := e.stdout
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, infoRow, k+":", v)
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
	if j.Place != nil {
		row("place", j.Place.Name)
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
	if !p.TrashedAt.IsZero() {
		row("trashed", catalog.FormatTime(p.TrashedAt)+` (restore with "picup trash restore`+fmt.Sprintf(" %d", p.ID)+`")`)
	}
	row("albums", strings.Join(d.Albums, ", "))
	for _, s := range d.Sidecars {
		row("sidecar", s.Path)
	}
	row("imported", catalog.FormatTime(p.ImportedAt))
	printTakingPart(w, d.TakingPart)
	return nil
}

// infoRow is a line of "picup info": the key, padded so that every value
// starts in the same column (the longest key is "original name:").
const infoRow = "%-15s %s\n"

// printTakingPart shows what guests did to a photo: who hearted it, its
// comments (oldest first, each line of a comment indented), who uploaded
// it.
func printTakingPart(w io.Writer, tp catalog.TakingPart) {
	if len(tp.Hearts) > 0 {
		names := make([]string, len(tp.Hearts))
		for i, h := range tp.Hearts {
			names[i] = h.Name
		}
		fmt.Fprintf(w, infoRow, "hearts:", fmt.Sprintf("%d (%s)", len(tp.Hearts), strings.Join(names, ", ")))
	}
	for _, u := range tp.Uploads {
		fmt.Fprintf(w, infoRow, "uploaded by:", fmt.Sprintf("%s, %s (%s)", u.Name, u.CreatedAt.Local().Format("2006-01-02 15:04"), u.Status))
	}
	for _, c := range tp.Comments {
		fmt.Fprintf(w, infoRow, "comment:", fmt.Sprintf("#%d %s, %s:", c.ID, c.Name, c.CreatedAt.Local().Format("2006-01-02 15:04")))
		for _, line := range strings.Split(c.Text, "\n") {
			fmt.Fprintf(w, infoRow, "", "  "+line)
		}
	}
}
