package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

type findOptions struct {
	query string
	json  bool
	limit int
	after string
}

func newFindCmd(e *env) *cobra.Command {
	o := &findOptions{}
	cmd := &cobra.Command{
		Use:   "find QUERY",
		Short: "Find photos by words, dates, camera, album, place and more",
		Long: `Find photos and videos by what is known of them, newest first by capture
time: words in file names, titles, captions, keywords, people, album
names, camera and lens, place names and comments; "quoted phrases"; and
filters, all of which a photo must match:

  2019, 2019-05, 2019-05-01..2019-06-30   taken then (local date; 2019.. and ..2019-06 too)
  camera:WORD   album:WORD   place:WORD   in that field only (album:"Jeju 2019")
  user:NAME     type:photo|video   has:gps   near:LAT,LON,KM

A word matches a whole word, case and accents ignored; beach* also finds
beaches. A Korean word also finds the word with any particle after it
(제주 finds 제주도에서). A number of four digits is a year: "2041" in
quotes finds the word. The words of several arguments are one query.

Results are paged with a cursor like "picup ls": --after CURSOR continues
after a photo, and when --limit cuts the list the command for the next
page is printed on stderr. A query that cannot be read is a usage error
(exit 2) saying what to write.`,
		Example: `  picup find 제주 2019
  picup find 'grandpa "at the beach"' --limit 20
  picup find place:Busan type:video
  picup find near:33.45,126.57,10 2019-05-01..2019-06-30 --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("say what to find: %s", catalog.QueryHelp)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.query = strings.Join(args, " ")
			return runFind(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array of photos")
	f.IntVar(&o.limit, "limit", 0, "list at most N photos (default: all)")
	f.StringVar(&o.after, "after", "", "continue after this cursor (from a previous listing)")
	return cmd
}

func runFind(ctx context.Context, e *env, o *findOptions) error {
	if o.limit < 0 {
		return usageErrorf("--limit must be positive, not %d", o.limit)
	}
	after, err := afterCursor(o.after)
	if err != nil {
		return err
	}
	q, err := catalog.ParseQuery(o.query)
	if err != nil {
		return queryUsageError(err)
	}
	command := "picup find " + quoteArg(o.query)
	if o.json {
		command += " --json"
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		// The first page is read before anything is printed, so that a
		// query the catalog refuses (an unknown user:) prints no "[]".
		if _, err := lib.Catalog.Search(ctx, q, after, 1); err != nil {
			return queryUsageError(err)
		}
		return listPages(ctx, e, &lsOptions{json: o.json, limit: o.limit}, after,
			func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
				return lib.Catalog.Search(ctx, q, after, n)
			}, command)
	})
}

// queryUsageError makes a query that cannot be read a usage error.
func queryUsageError(err error) error {
	var qe *catalog.QueryError
	if errors.As(err, &qe) {
		return &UsageError{Err: err}
	}
	return err
}
