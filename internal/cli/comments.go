package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

func newCommentsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "comments",
		Short: "List and remove the comments relatives wrote through share links",
		Long: `Relatives write comments under photos on a share link's page ("picup
share", "picup serve"). "comments ls" lists them, "comments rm" removes
any of them: the page then no longer shows it.

A link made with --no-comments takes none.`,
		Example: "  picup comments ls\n  picup comments ls 12 --json\n  picup comments rm 5 6",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newCommentsLsCmd(e), newCommentsRmCmd(e))
	return cmd
}

type commentsLsOptions struct {
	photo string
	json  bool
	limit int
	after string
}

func newCommentsLsCmd(e *env) *cobra.Command {
	o := &commentsLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls [PHOTO]",
		Short: "List comments, newest first: all of them or one photo's",
		Long: `List comments newest first, with their id (for "picup comments rm"), the
photo, the link they came through, who wrote them and when. PHOTO is a
photo id from "picup ls": only its comments.

Paged with a cursor: when --limit cuts the list, stderr says how to get
the next page.`,
		Example: "  picup comments ls\n  picup comments ls 12\n  picup comments ls --json --limit 20",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.photo = args[0]
			}
			return runCommentsLs(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.IntVar(&o.limit, "limit", 0, "list at most N comments (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	return cmd
}

// commentJSON is a comment as "picup comments ls --json" prints it.
type commentJSON struct {
	ID        int64  `json:"id"`
	PhotoID   int64  `json:"photo_id"`
	ShareID   *int64 `json:"share_id"` // null once its link is gone, or restored from a sidecar
	Name      string `json:"name"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

type commentCursor int64

func (c commentCursor) String() string { return strconv.FormatInt(int64(c), 10) }

func runCommentsLs(ctx context.Context, e *env, o *commentsLsOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	var photo int64
	var err error
	if o.photo != "" {
		if photo, err = strconv.ParseInt(o.photo, 10, 64); err != nil || photo <= 0 {
			return usageErrorf("%q is not a photo id; see \"picup ls\"", o.photo)
		}
	}
	before, err := idCursor(o.after, "picup comments ls")
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if photo != 0 {
			if err := checkPhotoIDs(ctx, lib, []int64{photo}); err != nil {
				return err
			}
		}
		list := []commentJSON{}
		tw := newTable(e.stdout, "ID", "PHOTO", "LINK", "NAME", "WHEN", "TEXT")
		page := func(after commentCursor, n int) ([]catalog.Comment, error) {
			return lib.Catalog.AllComments(ctx, photo, int64(after), n)
		}
		emit := func(c catalog.Comment) error {
			if o.json {
				j := commentJSON{ID: c.ID, PhotoID: c.PhotoID, Name: c.Name, Text: c.Text, CreatedAt: catalog.FormatTime(c.CreatedAt)}
				if c.ShareID != 0 {
					j.ShareID = &c.ShareID
				}
				list = append(list, j)
				return nil
			}
			link := "-"
			if c.ShareID != 0 {
				link = strconv.FormatInt(c.ShareID, 10)
			}
			_, err := fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", c.ID, c.PhotoID, link, oneLine(c.Name, 40),
				c.CreatedAt.Local().Format("2006-01-02 15:04"), oneLine(c.Text, 60))
			return err
		}
		cursor := func(c catalog.Comment) commentCursor { return commentCursor(c.ID) }
		if err := pages(ctx, e, "picup comments ls", o.limit, commentCursor(before), page, cursor, emit, func() error { return nil }); err != nil {
			return err
		}
		if o.json {
			return writeJSON(e.stdout, list)
		}
		return tw.Flush()
	})
}

type commentsRmOptions struct {
	ids []string
}

func newCommentsRmCmd(e *env) *cobra.Command {
	o := &commentsRmOptions{}
	return &cobra.Command{
		Use:     "rm ID...",
		Short:   "Remove comments (ids from \"picup comments ls\")",
		Long:    "Remove comments for good, whoever wrote them; the share pages stop showing them.",
		Example: "  picup comments rm 5\n  picup comments rm 5 6 7",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return runCommentsRm(cmd.Context(), e, o)
		},
	}
}

func runCommentsRm(ctx context.Context, e *env, o *commentsRmOptions) error {
	ids, err := parseIDs(o.ids, "comment", "picup comments ls")
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		n, err := a.RemoveComments(ctx, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s\n", plural(n, "comment"))
		return nil
	})
}
