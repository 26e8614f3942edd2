package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/trash"
)

type trashLogOptions struct {
	json  bool
	limit int
	after string
}

func newTrashLogCmd(e *env) *cobra.Command {
	o := &trashLogOptions{}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List past purges: when, how many photos, why, and which",
		Long: `List the purges of the trash, newest first: when, how many photos and
bytes, why (expired after the retention, emptied by "picup trash empty",
or by "picup trash empty --older-than"), and each photo's id and path.

Every purge is recorded in the same transaction that purges, whichever
command did it (any command purges what has been in the trash longer than
the retention as it starts; "picup serve" every hour). The files of those
photos are deleted from the library and the remotes after the purge: only
a backup made before can bring them back, and the SHA-256 in --json finds
them there.

Paged with a cursor: when --limit cuts the list, stderr says how to get
the next page.`,
		Example: "  picup trash log\n  picup trash log --json --limit 10\n  picup trash log --limit 10 --after 42",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrashLog(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.IntVar(&o.limit, "limit", 0, "list at most N purges (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	return cmd
}

func runTrashLog(ctx context.Context, e *env, o *trashLogOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	before, err := idCursor(o.after, "picup trash log")
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		out := &trashLogPrinter{w: e.stdout, json: o.json, none: "no purges yet"}
		if before != 0 {
			out.none = "no purges before that one"
		}
		page := func(before logCursor, n int) ([]catalog.TrashLogEntry, error) {
			return a.Library().Catalog.TrashLog(ctx, int64(before), n)
		}
		cursor := func(e catalog.TrashLogEntry) logCursor { return logCursor(e.ID) }
		emit := func(e catalog.TrashLogEntry) error { return out.entry(ctx, a, e) }
		if err := pages(ctx, e, "picup trash log", o.limit, logCursor(before), page, cursor, emit, func() error { return nil }); err != nil {
			return err
		}
		if err := out.close(); err != nil {
			return err
		}
		return ctx.Err()
	})
}

// logCursor is the cursor of the trash log: the id of an entry.
type logCursor int64

func (c logCursor) String() string { return strconv.FormatInt(int64(c), 10) }

// trashLogPrinter streams the log as a JSON array or as text, a purge's
// photos page by page, so that a purge of any size uses bounded memory.
type trashLogPrinter struct {
	w    io.Writer
	json bool
	none string // the text when there is nothing to list
	n    int
}

func (p *trashLogPrinter) entry(ctx context.Context, a *archive.Archive, e catalog.TrashLogEntry) error {
	r := archive.PurgeRecordOf(e)
	p.n++
	if p.json {
		b, err := json.MarshalIndent(r, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if p.n == 1 {
			sep = "[\n  "
		}
		// The entry's fields, then "purged": its photos, one a line.
		b = bytes.TrimSuffix(bytes.TrimRight(b, "\n"), []byte("\n  }"))
		if _, err := fmt.Fprintf(p.w, "%s%s,\n    \"purged\": [", sep, b); err != nil {
			return err
		}
		first := true
		err = a.EachPurged(ctx, e.ID, func(ph archive.PurgedRecord) error {
			b, err := json.Marshal(ph)
			if err != nil {
				return err
			}
			sep := ",\n      "
			if first {
				sep, first = "\n      ", false
			}
			_, err = fmt.Fprintf(p.w, "%s%s", sep, b)
			return err
		})
		if err != nil {
			return err
		}
		end := "\n    ]\n  }"
		if first {
			end = "]\n  }"
		}
		_, err = io.WriteString(p.w, end)
		return err
	}
	if _, err := fmt.Fprintf(p.w, "%s  %s: %s\n", r.PurgedAt, trash.PurgedWords(e.Photos, e.Bytes), r.Why); err != nil {
		return err
	}
	return a.EachPurged(ctx, e.ID, func(ph archive.PurgedRecord) error {
		_, err := fmt.Fprintf(p.w, "  %d\t%s\n", ph.ID, ph.Path)
		return err
	})
}

func (p *trashLogPrinter) close() error {
	var err error
	switch {
	case p.json && p.n == 0:
		_, err = fmt.Fprintln(p.w, "[]")
	case p.json:
		_, err = fmt.Fprintln(p.w, "\n]")
	case p.n == 0:
		_, err = fmt.Fprintln(p.w, p.none)
	}
	return err
}
