package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

type lsOptions struct {
	json  bool
	limit int
	after string
	user  string
}

func newLsCmd(e *env) *cobra.Command {
	o := &lsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List photos and videos, newest first by capture time",
		Long: `List photos and videos, newest first by capture time.

Listings are paged with a cursor: every photo carries one ("cursor" in
--json), and "picup ls --after CURSOR" continues after that photo. When
--limit cuts the list, the cursor for the next page is printed on stderr.`,
		Example: `  picup ls --limit 20
  picup ls --json --limit 100 --after MTcwMDAwMDAwMDAwMC40Mg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLs(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array of photos")
	f.IntVar(&o.limit, "limit", 0, "list at most N photos (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	f.StringVar(&o.user, "user", "", "only the photos this user owns")
	return cmd
}

func runLs(ctx context.Context, e *env, o *lsOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	after, err := afterCursor(o.after)
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if o.user != "" {
			u, err := lib.Catalog.UserByName(ctx, o.user)
			if err != nil {
				return err
			}
			return listPages(ctx, e, o, after, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
				return lib.Catalog.UserPhotos(ctx, u.ID, after, n)
			}, "picup ls --user "+quoteArg(o.user))
		}
		return listPages(ctx, e, o, after, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
			return lib.Catalog.ListPhotos(ctx, after, n)
		}, "picup ls")
	})
}

// afterCursor reads --after: nil when it is empty.
func afterCursor(s string) (*catalog.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	c, err := catalog.ParseCursor(s)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("--after: %w", err)}
	}
	return &c, nil
}

// listPages prints photos page by page from a cursor-paged query; when
// --limit cuts the listing it prints how to get the next page on stderr.
func listPages(ctx context.Context, e *env, o *lsOptions, after *catalog.Cursor,
	page func(after *catalog.Cursor, n int) ([]catalog.Photo, error), command string) error {
	out := newPhotoPrinter(e.stdout, o.json)
	cursor := func(p catalog.Photo) *catalog.Cursor { c := catalog.CursorOf(p); return &c }
	if err := pages(ctx, e, command, o.limit, after, page, cursor, out.add, out.flush); err != nil {
		return err
	}
	if err := out.close(); err != nil {
		return err
	}
	return ctx.Err()
}

// photoPrinter streams photos as a JSON array or as a table, so that a
// listing of any size uses bounded memory.
type photoPrinter struct {
	w     io.Writer
	json  bool
	n     int
	table *tabwriter.Writer
}

func newPhotoPrinter(w io.Writer, asJSON bool) *photoPrinter {
	p := &photoPrinter{w: w, json: asJSON}
	if !asJSON {
		p.table = newTable(w, "ID", "TAKEN", "TYPE", "STATE", "SIZE", "DIMENSIONS", "CAMERA", "OWNER", "PATH")
	}
	return p
}

func (pp *photoPrinter) add(p catalog.Photo) error {
	if pp.json {
		sep := ",\n"
		if pp.n == 0 {
			sep = "[\n"
		}
		pp.n++
		b, err := marshalIndented(toJSON(p))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(pp.w, "%s  %s", sep, b)
		return err
	}
	pp.n++
	camera := p.CameraModel
	if camera == "" {
		camera = "-"
	}
	owner := strings.Join(p.Owners, ",")
	if owner == "" {
		owner = "-"
	}
	_, err := fmt.Fprintf(pp.table, "%d\t%s\t%s\t%s\t%s\t%dx%d\t%s\t%s\t%s\n", p.ID, p.TakenAt, p.Type, photoState(p),
		bytesize.Format(p.Bytes), p.Width, p.Height, camera, owner, p.Path)
	return err
}

// photoState is the STATE column of a listing: ok, or what "picup verify
// --repair" found wrong with the original (missing, corrupt); an original
// kept only in a remote is "offloaded".
func photoState(p catalog.Photo) string {
	if p.State == "ok" && p.Offloaded != "" {
		return "offloaded"
	}
	return p.State
}

// flush writes out the table rows buffered so far (a page at a time).
func (pp *photoPrinter) flush() error {
	if pp.table == nil {
		return nil
	}
	return pp.table.Flush()
}

func (pp *photoPrinter) close() error {
	if pp.json {
		if pp.n == 0 {
			_, err := fmt.Fprintln(pp.w, "[]")
			return err
		}
		_, err := fmt.Fprintln(pp.w, "\n]")
		return err
	}
	return pp.table.Flush()
}
