package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func newAlbumCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "album",
		Short: "Create, list, rename, fill and remove albums",
		Long: `Albums are named sets of photos ("Jeju 2019", "Grandpa's 70th"). A photo can
be in any number of albums; removing an album keeps its photos. Album names
compare case-insensitively.`,
	}
	cmd.AddCommand(newAlbumCreateCmd(e), newAlbumLsCmd(e), newAlbumRenameCmd(e),
		newAlbumAddCmd(e), newAlbumRemoveCmd(e), newAlbumShowCmd(e), newAlbumRmCmd(e))
	return cmd
}

func newAlbumCreateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create an empty album",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("album", args[0]); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				if err := a.CreateAlbum(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "created album %q\n", args[0])
				return nil
			})
		},
	}
}

type albumJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Photos    int    `json:"photos"`
	Videos    int    `json:"videos"`
	FirstAt   string `json:"first_taken_at"`
	LastAt    string `json:"last_taken_at"`
	CreatedAt string `json:"created_at"`
}

func albumToJSON(a catalog.Album) albumJSON {
	return albumJSON{ID: a.ID, Name: a.Name, Photos: a.Photos, Videos: a.Videos, FirstAt: a.FirstAt, LastAt: a.LastAt, CreatedAt: a.CreatedAt}
}

func newAlbumLsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List albums",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				albums, err := lib.Catalog.Albums(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					out := make([]albumJSON, 0, len(albums))
					for _, a := range albums {
						out = append(out, albumToJSON(a))
					}
					return writeJSON(e.stdout, out)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tPHOTOS\tVIDEOS\tFROM\tTO")
				for _, a := range albums {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", a.Name, a.Photos, a.Videos, dateOnly(a.FirstAt), dateOnly(a.LastAt))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newAlbumRenameCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "Rename an album",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("album", args[1]); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				err := a.RenameAlbum(ctx, args[0], args[1])
				if err == nil {
					fmt.Fprintf(e.stdout, "renamed album %q to %q\n", args[0], args[1])
				}
				return err
			})
		},
	}
}

// albumMembership adds photos to an album or removes them from it.
func albumMembership(e *env, add bool) func(cmd *cobra.Command, args []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		return withLibrary(ctx, e, func(lib *library.Library) error {
			ids := make([]int64, 0, len(args)-1)
			for _, ref := range args[1:] {
				p, err := findPhoto(ctx, lib, ref)
				if err != nil {
					return err
				}
				ids = append(ids, p.ID)
			}
			a := archive.New(lib)
			if add {
				c, err := a.AddToAlbum(ctx, args[0], ids)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "added %d photos to %q (%d were already in it)\n", c.Changed, args[0], c.Unchanged)
				return nil
			}
			c, err := a.RemoveFromAlbum(ctx, args[0], ids)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed %d photos from %q (%d were not in it)\n", c.Changed, args[0], c.Unchanged)
			return nil
		})
	}
}

func newAlbumAddCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "add NAME ID|PATH...",
		Short: "Add photos to an album (created if needed)",
		Args:  cobra.MinimumNArgs(2),
		RunE:  albumMembership(e, true),
	}
}

func newAlbumRemoveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME ID|PATH...",
		Short: "Take photos out of an album (they stay in the library)",
		Args:  cobra.MinimumNArgs(2),
		RunE:  albumMembership(e, false),
	}
}

func newAlbumRmCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove an album (its photos stay in the library)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				err := a.DeleteAlbum(ctx, args[0])
				if err == nil {
					fmt.Fprintf(e.stdout, "removed album %q; its photos are still in the library\n", args[0])
				}
				return err
			})
		},
	}
}

func newAlbumShowCmd(e *env) *cobra.Command {
	o := &lsOptions{}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "List an album's photos, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var after *catalog.Cursor
			if o.after != "" {
				c, err := catalog.ParseCursor(o.after)
				if err != nil {
					return &UsageError{Err: err}
				}
				after = &c
			}
			return withLibrary(ctx, e, func(lib *library.Library) error {
				a, err := lib.Catalog.AlbumByName(ctx, args[0])
				if err != nil {
					return err
				}
				return listPages(ctx, e, o, after, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
					return lib.Catalog.AlbumPhotos(ctx, a.ID, after, n)
				}, "picup album show "+quoteArg(args[0]))
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array of photos")
	f.IntVar(&o.limit, "limit", 0, "list at most N photos (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor")
	return cmd
}
