package cli

import (
	"context"
	"fmt"

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

type albumCreateOptions struct {
	name string
}

func newAlbumCreateCmd(e *env) *cobra.Command {
	o := &albumCreateOptions{}
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create an empty album",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runAlbumCreate(cmd.Context(), e, o)
		},
	}
}

func runAlbumCreate(ctx context.Context, e *env, o *albumCreateOptions) error {
	if err := checkName("album", o.name); err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if err := a.CreateAlbum(ctx, o.name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created album %q\n", o.name)
		return nil
	})
}

type albumJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Photos    int    `json:"photos"` // photos and videos, as everywhere
	Videos    int    `json:"videos"` // of them, videos
	FirstAt   string `json:"first_taken_at"`
	LastAt    string `json:"last_taken_at"`
	CreatedAt string `json:"created_at"`
}

func albumToJSON(a catalog.Album) albumJSON {
	return albumJSON{ID: a.ID, Name: a.Name, Photos: a.Photos + a.Videos, Videos: a.Videos, FirstAt: a.FirstAt, LastAt: a.LastAt, CreatedAt: catalog.FormatTime(a.CreatedAt)}
}

type albumLsOptions struct {
	json bool
}

func newAlbumLsCmd(e *env) *cobra.Command {
	o := &albumLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List albums",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAlbumLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runAlbumLs(ctx context.Context, e *env, o *albumLsOptions) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		albums, err := lib.Catalog.Albums(ctx)
		if err != nil {
			return err
		}
		if o.json {
			out := make([]albumJSON, 0, len(albums))
			for _, a := range albums {
				out = append(out, albumToJSON(a))
			}
			return writeJSON(e.stdout, out)
		}
		tw := newTable(e.stdout, "NAME", "PHOTOS", "VIDEOS", "FROM", "TO")
		for _, a := range albums {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", a.Name, a.Photos, a.Videos, dateOnly(a.FirstAt), dateOnly(a.LastAt))
		}
		return tw.Flush()
	})
}

func newAlbumRenameCmd(e *env) *cobra.Command {
	return newRenameCmd(e, "album", "Rename an album", (*archive.Archive).RenameAlbum)
}

// renameOptions are those of "album rename" and "user rename".
type renameOptions struct {
	what     string // album or user
	name, to string
	rename   func(a *archive.Archive, ctx context.Context, name, to string) error
}

func newRenameCmd(e *env, what, short string, rename func(*archive.Archive, context.Context, string, string) error) *cobra.Command {
	o := &renameOptions{what: what, rename: rename}
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: short,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name, o.to = args[0], args[1]
			return runRename(cmd.Context(), e, o)
		},
	}
}

func runRename(ctx context.Context, e *env, o *renameOptions) error {
	if err := checkName(o.what, o.to); err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		err := o.rename(a, ctx, o.name, o.to)
		if err == nil {
			fmt.Fprintf(e.stdout, "renamed %s %q to %q\n", o.what, o.name, o.to)
		}
		return err
	})
}

// albumPhotosOptions are those of "album add" and "album remove".
type albumPhotosOptions struct {
	album  string
	photos []string // ids or paths, as findPhoto reads them
	remove bool     // take the photos out of the album, instead of adding them
}

func newAlbumAddCmd(e *env) *cobra.Command {
	return newAlbumPhotosCmd(e, &albumPhotosOptions{}, "add NAME ID|PATH...", "Add photos to an album (created if needed)")
}

func newAlbumRemoveCmd(e *env) *cobra.Command {
	return newAlbumPhotosCmd(e, &albumPhotosOptions{remove: true}, "remove NAME ID|PATH...", "Take photos out of an album (they stay in the library)")
}

func newAlbumPhotosCmd(e *env, o *albumPhotosOptions, use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.album, o.photos = args[0], args[1:]
			return runAlbumPhotos(cmd.Context(), e, o)
		},
	}
}

// runAlbumPhotos adds photos to an album, or takes them out of it.
func runAlbumPhotos(ctx context.Context, e *env, o *albumPhotosOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		// Ids are checked in one query: an album of 100,000 is made with
		// one command.
		ids, err := photoIDs(ctx, a.Library(), o.photos)
		if err == nil {
			err = checkPhotoIDs(ctx, a.Library(), ids)
		}
		if err != nil {
			return err
		}
		if o.remove {
			c, err := a.RemoveFromAlbum(ctx, o.album, ids)
			if err == nil {
				fmt.Fprintf(e.stdout, "removed %s from %q%s\n", plural(c.Changed, "photo"), o.album, aside(c.Unchanged, "not in it"))
			}
			return err
		}
		c, err := a.AddToAlbum(ctx, o.album, ids)
		if err == nil {
			album := fmt.Sprintf("%q", o.album)
			if c.Created {
				album = fmt.Sprintf("the new album %q", o.album)
			}
			fmt.Fprintf(e.stdout, "added %s to %s%s\n", plural(c.Changed, "photo"), album, aside(c.Unchanged, "already in it"))
		}
		return err
	})
}

type albumRmOptions struct {
	name string
}

func newAlbumRmCmd(e *env) *cobra.Command {
	o := &albumRmOptions{}
	return &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove an album (its photos stay in the library)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runAlbumRm(cmd.Context(), e, o)
		},
	}
}

func runAlbumRm(ctx context.Context, e *env, o *albumRmOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		err := a.DeleteAlbum(ctx, o.name)
		if err == nil {
			fmt.Fprintf(e.stdout, "removed album %q; its photos are still in the library\n", o.name)
		}
		return err
	})
}

type albumShowOptions struct {
	name string
	lsOptions
}

func newAlbumShowCmd(e *env) *cobra.Command {
	o := &albumShowOptions{}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "List an album's photos, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runAlbumShow(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array of photos")
	f.IntVar(&o.limit, "limit", 0, "list at most N photos (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor")
	return cmd
}

func runAlbumShow(ctx context.Context, e *env, o *albumShowOptions) error {
	after, err := afterCursor(o.after)
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		a, err := lib.Catalog.AlbumByName(ctx, o.name)
		if err != nil {
			return err
		}
		return listPages(ctx, e, &o.lsOptions, after, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
			return lib.Catalog.AlbumPhotos(ctx, a.ID, after, n)
		}, "picup album show "+quoteArg(o.name))
	})
}
