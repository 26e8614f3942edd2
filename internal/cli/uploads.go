package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

func newUploadsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "uploads",
		Short: "List what relatives uploaded through share links; approve or reject it",
		Long: `A link made with "picup share ALBUM --upload-as NAME" lets whoever opens
it add photos and videos to the album, owned by and charged to the user
NAME. With --upload-review they wait until approved here (or in the
terminal browser): "uploads approve" adds them to the album, "uploads
reject" turns them away (a photo that only the upload brought goes to the
trash).`,
		Example: "  picup uploads ls --pending\n  picup uploads approve 4 5\n  picup uploads reject 6",
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newUploadsLsCmd(e), newUploadsDecideCmd(e, true), newUploadsDecideCmd(e, false))
	return cmd
}

type uploadsLsOptions struct {
	pending bool
	share   int64
	json    bool
	limit   int
	after   string
}

func newUploadsLsCmd(e *env) *cobra.Command {
	o := &uploadsLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List uploads, newest first, with who sent them and what became of them",
		Long: `List uploads newest first: the link, who sent the file and its name,
its size, the photo it became, and its state: added (in the album),
pending (waits for "picup uploads approve"), rejected, duplicate (it was
in the library already) or refused (nothing stored: the owner's space was
full, or it was not a photo or video).

Paged with a cursor: when --limit cuts the list, stderr says how to get
the next page.`,
		Example: "  picup uploads ls\n  picup uploads ls --pending\n  picup uploads ls --share 3 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUploadsLs(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.pending, "pending", false, "only uploads waiting for approval")
	f.Int64Var(&o.share, "share", 0, `only uploads through this link (an id from "picup share ls")`)
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.IntVar(&o.limit, "limit", 0, "list at most N uploads (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	return cmd
}

// uploadJSON is an upload as "picup uploads ls --json" prints it.
type uploadJSON struct {
	ID        int64   `json:"id"`
	ShareID   *int64  `json:"share_id"`
	Album     string  `json:"album"`
	PhotoID   *int64  `json:"photo_id"`
	User      string  `json:"user"` // charged to
	Name      string  `json:"name"` // who sent it
	FileName  string  `json:"file_name"`
	Bytes     int64   `json:"bytes"`
	Status    string  `json:"status"`
	Reason    string  `json:"reason"`
	CreatedAt string  `json:"created_at"`
	DecidedAt *string `json:"decided_at"`
}

func uploadToJSON(u catalog.Upload) uploadJSON {
	j := uploadJSON{ID: u.ID, Album: u.AlbumName, User: u.UserName, Name: u.Name, FileName: u.FileName, Bytes: u.Bytes,
		Status: u.Status, Reason: u.Reason, CreatedAt: catalog.FormatTime(u.CreatedAt), DecidedAt: optional(catalog.FormatTime(u.DecidedAt))}
	if u.ShareID != 0 {
		j.ShareID = &u.ShareID
	}
	if u.PhotoID != 0 {
		j.PhotoID = &u.PhotoID
	}
	return j
}

type uploadCursor int64

func (c uploadCursor) String() string { return strconv.FormatInt(int64(c), 10) }

func runUploadsLs(ctx context.Context, e *env, o *uploadsLsOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	f := catalog.UploadFilter{ShareID: o.share}
	if o.pending {
		f.Status = catalog.UploadPending
	}
	before, err := idCursor(o.after, "picup uploads ls")
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if o.share != 0 {
			if _, err := lib.Catalog.ShareByID(ctx, o.share); err != nil {
				return err
			}
		}
		list := []uploadJSON{}
		tw := newTable(e.stdout, "ID", "LINK", "ALBUM", "FROM", "FILE", "SIZE", "PHOTO", "STATE", "WHEN")
		page := func(after uploadCursor, n int) ([]catalog.Upload, error) {
			f.Before, f.Limit = int64(after), n
			return lib.Catalog.Uploads(ctx, f)
		}
		emit := func(u catalog.Upload) error {
			if o.json {
				list = append(list, uploadToJSON(u))
				return nil
			}
			link, photo, state := "-", "-", u.Status
			if u.ShareID != 0 {
				link = strconv.FormatInt(u.ShareID, 10)
			}
			if u.PhotoID != 0 {
				photo = strconv.FormatInt(u.PhotoID, 10)
			}
			if u.Reason != "" {
				state += " (" + u.Reason + ")"
			}
			_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, link, orDash(u.AlbumName), oneLine(u.Name, 40),
				oneLine(u.FileName, 40), bytesize.Format(u.Bytes), photo, state, u.CreatedAt.Local().Format("2006-01-02 15:04"))
			return err
		}
		cursor := func(u catalog.Upload) uploadCursor { return uploadCursor(u.ID) }
		if err := pages(ctx, e, "picup uploads ls", o.limit, uploadCursor(before), page, cursor, emit, func() error { return nil }); err != nil {
			return err
		}
		if o.json {
			return writeJSON(e.stdout, list)
		}
		return tw.Flush()
	})
}

type uploadsDecideOptions struct {
	idsOrAllOptions
	approve bool
	now     func() time.Time
}

func newUploadsDecideCmd(e *env, approve bool) *cobra.Command {
	o := &uploadsDecideOptions{approve: approve}
	cmd := &cobra.Command{
		Use:     "approve ID... | --all",
		Short:   "Let uploads waiting for review join their album",
		Example: "  picup uploads approve 4 5\n  picup uploads approve --all",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return runUploadsDecide(cmd.Context(), e, o)
		},
	}
	if !approve {
		cmd.Use = "reject ID... | --all"
		cmd.Short = "Turn uploads waiting for review away (what only they brought goes to the trash)"
		cmd.Example = "  picup uploads reject 6\n  picup uploads reject --all"
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "every upload waiting for review")
	return cmd
}

func runUploadsDecide(ctx context.Context, e *env, o *uploadsDecideOptions) error {
	verb := "reject"
	if o.approve {
		verb = "approve"
	}
	ids, err := idsOrAll(&o.idsOrAllOptions, "upload", "picup uploads ls --pending")
	if err != nil {
		return err
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if o.all {
			pending, err := a.Library().Catalog.Uploads(ctx, catalog.UploadFilter{Status: catalog.UploadPending, Limit: 1 << 30})
			if err != nil {
				return err
			}
			for _, u := range pending {
				ids = append(ids, u.ID)
			}
		}
		var n int
		if o.approve {
			n, err = a.ApproveUploads(ctx, ids, now())
		} else {
			n, err = a.RejectUploads(ctx, ids, now())
		}
		if err != nil {
			return err
		}
		past := map[bool]string{true: "approved", false: "rejected"}[o.approve]
		if n == 0 {
			fmt.Fprintf(e.stdout, "no uploads to %s\n", verb)
			return nil
		}
		fmt.Fprintf(e.stdout, "%s %s\n", past, plural(n, "upload"))
		return nil
	})
}
