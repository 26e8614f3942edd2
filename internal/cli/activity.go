package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/period"
)

type activityOptions struct {
	share  int64
	since  string
	follow bool
	json   bool
	limit  int
	after  string
	every  time.Duration // how often --follow looks; 0 means a second
	now    func() time.Time
}

func newActivityCmd(e *env) *cobra.Command {
	o := &activityOptions{}
	cmd := &cobra.Command{
		Use:   "activity",
		Short: "The family feed: photos added, hearts and comments, newest first",
		Long: `List what happened in the library's albums and share links, newest
first: photos added to an album (by a command, the terminal browser or a
relative's upload through a link, a run of them as one line), hearts and
comments, each with who, when, which photos and through which link.

--share ID keeps what came through one link ("picup share ls" lists
them); --since 7d keeps the last week (` + seeDurations + `).

--follow prints what happens from then on as it happens, like tail -f,
until Ctrl-C: whichever process does it (a "picup serve" taking a
comment, an import into an album in another terminal). With --json it
prints one JSON object per line.

Paged with a cursor: when --limit cuts the list, stderr says how to get
the next page.`,
		Example: `  picup activity
  picup activity --since 7d
  picup activity --share 3 --json
  picup activity --follow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runActivity(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&o.share, "share", 0, `only what came through this link (an id from "picup share ls")`)
	durationVar(f, &o.since, "since", "only what happened within this long: 7d, 12h ... ("+seeDurations+")")
	f.BoolVar(&o.follow, "follow", false, "keep printing what happens, as it happens, until Ctrl-C")
	f.BoolVar(&o.json, "json", false, "print JSON (with --follow: one object per line)")
	f.IntVar(&o.limit, "limit", 0, "list at most N items (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	return cmd
}

// activityJSON is one item of the feed (docs/cli.md, docs/viewer.md).
type activityJSON struct {
	ID       int64   `json:"id"`
	Kind     string  `json:"kind"` // photos, heart, comment
	Name     string  `json:"name"`
	PhotoIDs []int64 `json:"photo_ids"`
	Text     string  `json:"text"`
	At       string  `json:"at"`
	ShareID  *int64  `json:"share_id"` // null: a command or the terminal browser
	AlbumID  *int64  `json:"album_id"` // photos: the album they joined
}

func activityToJSON(a catalog.Activity) activityJSON {
	j := activityJSON{ID: a.ID, Kind: a.Kind, Name: a.Name, PhotoIDs: a.PhotoIDs, Text: a.Text, At: catalog.FormatTime(a.At)}
	if a.ShareID != 0 {
		j.ShareID = &a.ShareID
	}
	if a.AlbumID != 0 {
		j.AlbumID = &a.AlbumID
	}
	return j
}

// activityLine is an item of the feed in words.
func activityLine(a catalog.Activity, albums map[int64]string) string {
	var what string
	switch a.Kind {
	case catalog.ActivityPhotos:
		what = fmt.Sprintf("added %s to %q", plural(len(a.PhotoIDs), "photo"), albums[a.AlbumID])
		if len(a.PhotoIDs) <= 5 {
			what += " (" + joinIDs(a.PhotoIDs) + ")"
		}
	case catalog.ActivityHeart:
		what = fmt.Sprintf("hearted photo %d", a.PhotoID)
	default:
		what = fmt.Sprintf("commented on photo %d: %s", a.PhotoID, oneLine(a.Text, 60))
	}
	via := ""
	if a.ShareID != 0 {
		via = fmt.Sprintf(" (link %d)", a.ShareID)
	}
	return fmt.Sprintf("%s  %s %s%s", a.At.Local().Format("2006-01-02 15:04"), a.Name, what, via)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// oneLine is text on one line, cut to n characters with an ellipsis.
func oneLine(text string, n int) string {
	s := strings.Join(strings.Fields(text), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// activityCursor is the cursor of the feed: the id of an item.
type activityCursor int64

func (c activityCursor) String() string { return strconv.FormatInt(int64(c), 10) }

func runActivity(ctx context.Context, e *env, o *activityOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	if o.follow && (o.limit != 0 || o.after != "") {
		return usageErrorf("--follow prints everything from now on: leave out --limit and --after")
	}
	var f catalog.ActivityFilter
	f.ShareID = o.share
	if o.since != "" {
		d, err := period.Parse(o.since)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--since: %w", err)}
		}
		now := time.Now
		if o.now != nil {
			now = o.now
		}
		f.Since = now().Add(-d)
	}
	before, err := idCursor(o.after, "picup activity")
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if o.share != 0 {
			if _, err := lib.Catalog.ShareByID(ctx, o.share); err != nil {
				return err
			}
		}
		albums, err := albumNames(ctx, lib)
		if err != nil {
			return err
		}
		if o.follow {
			return followActivity(ctx, e, o, lib, f, albums)
		}
		var items []activityJSON
		n := 0
		page := func(after activityCursor, limit int) ([]catalog.Activity, error) {
			f.Before, f.Limit = int64(after), limit
			return lib.Catalog.Activities(ctx, f)
		}
		emit := func(a catalog.Activity) error {
			n++
			if o.json {
				items = append(items, activityToJSON(a))
				return nil
			}
			_, err := fmt.Fprintln(e.stdout, activityLine(a, albums))
			return err
		}
		cursor := func(a catalog.Activity) activityCursor { return activityCursor(a.ID) }
		if err := pages(ctx, e, "picup activity", o.limit, activityCursor(before), page, cursor, emit, func() error { return nil }); err != nil {
			return err
		}
		if o.json {
			if items == nil {
				items = []activityJSON{}
			}
			return writeJSON(e.stdout, items)
		}
		if n == 0 {
			fmt.Fprintln(e.stderr, "nothing has happened yet: photos added to albums, hearts and comments show here")
		}
		return ctx.Err()
	})
}

// followActivity prints the feed from now on until ctx ends (Ctrl-C),
// which is how it is meant to end.
func followActivity(ctx context.Context, e *env, o *activityOptions, lib *library.Library, f catalog.ActivityFilter, albums map[int64]string) error {
	last, err := lib.Catalog.LatestActivity(ctx)
	if err != nil {
		return err
	}
	every := o.every
	if every <= 0 {
		every = time.Second
	}
	enc := json.NewEncoder(e.stdout)
	err = archive.New(lib).FollowActivity(ctx, last, every, func(a catalog.Activity) error {
		if f.ShareID != 0 && a.ShareID != f.ShareID {
			return nil
		}
		if o.json {
			return enc.Encode(activityToJSON(a))
		}
		if _, ok := albums[a.AlbumID]; !ok && a.AlbumID != 0 {
			fresh, err := albumNames(ctx, lib)
			if err != nil {
				return err
			}
			albums = fresh
		}
		_, err := fmt.Fprintln(e.stdout, activityLine(a, albums))
		return err
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// albumNames maps album ids to names.
func albumNames(ctx context.Context, lib *library.Library) (map[int64]string, error) {
	albums, err := lib.Catalog.Albums(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(albums))
	for _, a := range albums {
		m[a.ID] = a.Name
	}
	return m, nil
}
