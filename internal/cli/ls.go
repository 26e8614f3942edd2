package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

type lsOptions struct {
	json   bool
	limit  int
	after  string
	user   string // --owner, or --user as before
	owner  string
	since  string // a day, month or year: YYYY[-MM[-DD]]
	until  string
	year   int
	typ    string
	album  string
	state  string
	fields string // comma-separated JSON field names
}

func newLsCmd(e *env) *cobra.Command {
	o := &lsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List photos and videos, newest first by capture time",
		Long: `List photos and videos, newest first by capture time.

Filters combine: --since and --until (a day 2019-05-01, a month 2019-05
or a year 2019; both included, by the local date the photo was taken),
--year, --type photo|video, --album NAME, --owner NAME, and --state
ok|missing|corrupt|offloaded (what "picup verify" found of the
original; offloaded: kept only in a remote).

--fields id,taken_at,path picks the columns of the table, or the keys of
each --json object, by their JSON names (docs/cli.md, "Photo JSON").

Listings are paged with a cursor: every photo carries one ("cursor" in
--json), and "picup ls --after CURSOR" continues after that photo. When
--limit cuts the list, the command for the next page (filters included)
is printed on stderr.`,
		Example: `  picup ls --limit 20
  picup ls --year 2019 --type video
  picup ls --since 2019-05 --until 2019-06 --album "Jeju 2019"
  picup ls --state corrupt --fields id,path,state
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
	f.StringVar(&o.owner, "owner", "", "only the photos this user `NAME` owns")
	f.StringVar(&o.user, "user", "", "the same as --owner")
	f.StringVar(&o.since, "since", "", "only photos taken on or after this `DATE` (2019-05-01, 2019-05 or 2019)")
	f.StringVar(&o.until, "until", "", "only photos taken on or before this `DATE` (2019-06-30, 2019-06 or 2019)")
	f.IntVar(&o.year, "year", 0, "only photos taken in this `YEAR` (2019)")
	choiceVar(f, &o.typ, "type", "", []string{"photo", "video"}, "only photos or only videos: `photo|video`")
	f.StringVar(&o.album, "album", "", "only the photos of this album `NAME`")
	choiceVar(f, &o.state, "state", "", catalog.States, "only photos in this `STATE`: ok, missing, corrupt or offloaded")
	f.StringVar(&o.fields, "fields", "", "the columns (or JSON keys) to print, by JSON name: `id,taken_at,path`")
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
	f, err := o.filter()
	if err != nil {
		return err
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if owner := cmp.Or(o.owner, o.user); owner != "" {
			u, err := lib.Catalog.UserByName(ctx, owner)
			if err != nil {
				return err
			}
			f.OwnerID = u.ID
		}
		if o.album != "" {
			id, err := lib.Catalog.AlbumID(ctx, o.album)
			if err != nil {
				return err
			}
			f.AlbumID = id
		}
		return listPages(ctx, e, o, after, func(after *catalog.Cursor, n int) ([]catalog.Photo, error) {
			return lib.Catalog.FilteredPhotos(ctx, f, after, n)
		}, o.command())
	})
}

// filter is the catalog filter of the options' dates, type and state.
func (o *lsOptions) filter() (catalog.PhotoFilter, error) {
	f := catalog.PhotoFilter{Type: o.typ, State: o.state}
	if o.owner != "" && o.user != "" && o.owner != o.user {
		return f, usageErrorf("--owner %q and --user %q: give one of them (they are the same filter)", o.owner, o.user)
	}
	var err error
	if f.Since, err = dayBound("--since", o.since, false); err != nil {
		return f, err
	}
	if f.Until, err = dayBound("--until", o.until, true); err != nil {
		return f, err
	}
	if o.year != 0 {
		if o.since != "" || o.until != "" {
			return f, usageErrorf("--year goes without --since and --until (--year 2019 is --since 2019 --until 2019)")
		}
		if o.year < 1000 || o.year > 9999 {
			return f, usageErrorf("--year %d: want a year such as 2019", o.year)
		}
		f.Since, f.Until = fmt.Sprintf("%04d-01-01", o.year), fmt.Sprintf("%04d-12-31", o.year)
	}
	if f.Since != "" && f.Until != "" && f.Since > f.Until {
		return f, usageErrorf("--since %s is after --until %s: nothing can be in between", o.since, o.until)
	}
	if _, err := o.fieldList(); err != nil {
		return f, err
	}
	return f, nil
}

// dayBound reads a --since or --until value: a day, a month or a year,
// as the first (or with last, the last) day it covers.
func dayBound(flag, s string, last bool) (string, error) {
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if last {
			switch layout {
			case "2006-01":
				t = t.AddDate(0, 1, -1)
			case "2006":
				t = t.AddDate(1, 0, -1)
			}
		}
		return t.Format(time.DateOnly), nil
	}
	return "", usageErrorf("%s %q: want a day (2019-05-01), a month (2019-05) or a year (2019)", flag, s)
}

// command is the ls command line that the filters make, for the hint
// of the next page.
func (o *lsOptions) command() string {
	var b strings.Builder
	b.WriteString("picup ls")
	for _, f := range [][2]string{{"--owner", cmp.Or(o.owner, o.user)}, {"--since", o.since}, {"--until", o.until},
		{"--type", o.typ}, {"--album", o.album}, {"--state", o.state}, {"--fields", o.fields}} {
		if f[1] != "" {
			b.WriteString(" " + f[0] + " " + quoteArg(f[1]))
		}
	}
	if o.year != 0 {
		fmt.Fprintf(&b, " --year %d", o.year)
	}
	if o.json {
		b.WriteString(" --json")
	}
	return b.String()
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
	fields, err := o.fieldList()
	if err != nil {
		return err
	}
	out := newPhotoPrinter(e.stdout, o.json)
	if len(fields) > 0 {
		out = newFieldPrinter(e.stdout, o.json, fields)
	}
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
	w      io.Writer
	json   bool
	n      int
	table  *tabwriter.Writer
	fields []string // --fields: only these JSON keys, as JSON or as columns
}

// photoFields are the JSON names of a listed photo's fields, in order.
var photoFields = func() []string {
	// A photo with every optional field set, so that each is named.
	rating := 1
	sample := photoJSON{Place: &placeJSON{}}
	sample.TakenAtPrecision, sample.Title, sample.Caption = "day", "t", "c"
	sample.Keywords, sample.People, sample.Rating = []string{"k"}, []string{"p"}, &rating
	b, err := json.Marshal(sample)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		panic(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			panic(err)
		}
		keys = append(keys, key.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			panic(err)
		}
	}
	return keys
}()

// fieldList reads --fields: JSON names of a photo's fields.
func (o *lsOptions) fieldList() ([]string, error) {
	if o.fields == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(o.fields, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(photoFields, f) {
			return nil, usageErrorf("--fields: no field %q; the fields are %s", f, strings.Join(photoFields, ","))
		}
		out = append(out, f)
	}
	return out, nil
}

// newFieldPrinter prints only fields of each photo: as JSON objects with
// those keys in that order, or as a table with those columns.
func newFieldPrinter(w io.Writer, asJSON bool, fields []string) *photoPrinter {
	p := &photoPrinter{w: w, json: asJSON, fields: fields}
	if !asJSON {
		cols := make([]string, len(fields))
		for i, f := range fields {
			cols[i] = strings.ToUpper(f)
		}
		p.table = newTable(w, cols...)
	}
	return p
}

// addFields prints a photo's chosen fields.
func (pp *photoPrinter) addFields(p catalog.Photo) error {
	b, err := json.Marshal(toJSON(p))
	if err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	vals := make([]string, len(pp.fields))
	for i, f := range pp.fields {
		raw := all[f]
		if len(raw) == 0 { // a field left out when empty
			raw = json.RawMessage("null")
		}
		switch {
		case pp.json:
			vals[i] = fmt.Sprintf("%q: %s", f, raw)
		case string(raw) == "null" || string(raw) == `""`:
			vals[i] = "-"
		case raw[0] == '{': // an object (the place): its name when it has one
			var named struct{ Name string }
			if json.Unmarshal(raw, &named) == nil && named.Name != "" {
				vals[i] = named.Name
			} else {
				vals[i] = string(raw)
			}
		case raw[0] == '"':
			var s string
			_ = json.Unmarshal(raw, &s) // a JSON string just made
			vals[i] = s
		default:
			vals[i] = string(raw)
		}
	}
	if !pp.json {
		pp.n++
		_, err := fmt.Fprintln(pp.table, strings.Join(vals, "\t"))
		return err
	}
	sep := ",\n"
	if pp.n == 0 {
		sep = "[\n"
	}
	pp.n++
	_, err = fmt.Fprintf(pp.w, "%s  {%s}", sep, strings.Join(vals, ", "))
	return err
}

func newPhotoPrinter(w io.Writer, asJSON bool) *photoPrinter {
	p := &photoPrinter{w: w, json: asJSON}
	if !asJSON {
		p.table = newTable(w, "ID", "TAKEN", "TYPE", "STATE", "SIZE", "DIMENSIONS", "CAMERA", "OWNER", "PATH")
	}
	return p
}

func (pp *photoPrinter) add(p catalog.Photo) error {
	if pp.fields != nil {
		return pp.addFields(p)
	}
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
