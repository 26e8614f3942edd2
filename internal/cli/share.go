package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/qrterm"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/period"
)

type shareOptions struct {
	album     string
	ids       []int64
	year      int
	search    string // share what this search finds (a selection of its ids)
	expires   string // a period, or "never"
	password  bool
	download  bool
	bindIP    bool
	name      string
	publicURL string
	json      bool
	noQR      bool
	now       func() time.Time

	uploadAs     string
	uploadReview bool
	uploadMax    string // a size; "" for the default
	noComments   bool
	noHearts     bool
}

func newShareCmd(e *env) *cobra.Command {
	o := &shareOptions{}
	cmd := &cobra.Command{
		Use:   "share ALBUM | --ids ID,... | --year YYYY | --search QUERY",
		Short: "Make a link that opens an album in a browser, and manage links",
		Long: `Make a share link for an album, a selection of photos (--ids or what a
search finds: --search "place:Jeju 2019", as "picup find" reads it, at
most 2000 photos) or a whole year of the archive (--year): whoever opens
it sees those photos in
"picup serve", with no account. The link is printed once on stdout, with a
QR code on stderr for a tablet's camera; picup keeps only a hash of its
secret token, so a lost link cannot be printed again (make a new one and
revoke the old).

Links expire after --expires (30d by default; "never" for no expiry) and
can be revoked or extended later ("picup share extend" adds time, and
ends a link sooner only with --shorten). --password asks for a password (read
from stdin when it is not a terminal) that the viewer must type once.
--download lets the viewer download originals and the whole share as a
zip. --bind-ip makes the page's photo addresses work only from the
address that opened it, so a copied image address is useless elsewhere.

Whoever opens a link can heart photos and comment under them, after
typing a name once (--no-hearts, --no-comments turn that off). With
--upload-as NAME (album links only) they can also add their own photos
and videos to the album, owned by and charged to the user NAME, whose
quota applies; with --upload-review those wait for "picup uploads
approve". "picup activity" shows what they did.

The link starts with --public-url, else the URL saved by
"picup serve --public-url", else ` + sharelink.DefaultPublicURL + `. When
that address opens only on this computer (a loopback address) or on the
home network (a private address, a .local or bare name), share says so
on stderr, with the command that makes the link work from elsewhere.`,
		Example: `  picup share Family --name "For Mom and Dad" --expires 90d
  picup share --year 2024 --download
  picup share --ids 12,15,31 --expires 7d
  echo "s3cret" | picup share Family --password --json
  picup share "Jeju 2019" --upload-as mom --upload-review
  picup share ls
  picup share extend 3 30d
  picup share password 3
  picup share revoke 3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.album = args[0]
			}
			return runShare(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.Int64SliceVar(&o.ids, "ids", nil, "share these photos: their `ID,...` from \"picup ls\", comma-separated or repeated")
	f.Lookup("ids").DefValue = "" // none, rather than "[]"
	f.IntVar(&o.year, "year", 0, "share every photo taken in this `YEAR` (2024)")
	f.StringVar(&o.search, "search", "", "share the photos this `QUERY` finds, as \"picup find\" reads it (at most "+
		strconv.Itoa(archive.MaxSearchShare)+")")
	f.BoolVar(&o.bindIP, "bind-ip", false, "photo addresses work only from the address that opened the page")
	f.BoolVar(&o.noQR, "no-qr", false, "do not draw the QR code")
	f.StringVar(&o.expires, "expires", "30d", "how long the link works: a `DURATION` (30d, 12h, 90min ...) or \"never\" ("+seeDurations+")")
	f.BoolVar(&o.password, "password", false, "protect the link with a password (read from stdin when not a terminal)")
	f.BoolVar(&o.download, "download", false, "allow downloading originals and the whole share as a zip")
	f.StringVar(&o.name, "name", "", "a `NAME` for the link, shown in \"picup share ls\" (\"For Mom and Dad\")")
	publicURLVar(f, &o.publicURL, "base `URL` of the server the link points to (https://photos.example.org)")
	f.BoolVar(&o.json, "json", false, "print {id, url, expires_at} as JSON")
	f.StringVar(&o.uploadAs, "upload-as", "", "let guests add photos to the album, owned by and charged to this `USER`")
	f.BoolVar(&o.uploadReview, "upload-review", false, `with --upload-as: uploads wait for "picup uploads approve"`)
	sizeVar(f, &o.uploadMax, "upload-max", "", "with --upload-as: the largest file a guest may send, a `SIZE` (default 4GB)")
	f.BoolVar(&o.noComments, "no-comments", false, "guests cannot comment")
	f.BoolVar(&o.noHearts, "no-hearts", false, "guests cannot heart photos")
	cmd.AddCommand(newShareLsCmd(e), newShareRevokeCmd(e), newShareExtendCmd(e), newSharePasswordCmd(e))
	return cmd
}

// parseExpiry turns --expires into a time, the zero time for never.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	t, err := sharelink.ExpiresIn(s, now)
	if err != nil {
		return time.Time{}, usageErrorf("--expires: %v", err)
	}
	return t, nil
}

// checkPublicURL accepts an absolute http(s) URL and returns it without a
// trailing slash.
func checkPublicURL(s string) (string, error) {
	u, err := sharelink.CheckPublicURL(s)
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	return u, nil
}

// publicURL resolves the base of printed links.
func publicURL(ctx context.Context, lib *library.Library, flag string) (string, error) {
	if flag != "" {
		return checkPublicURL(flag)
	}
	return sharelink.BaseURL(ctx, lib)
}

// readPassword reads the share password: from the terminal without echo
// when stdin is one, else the first line of stdin.
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password for the link: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	if e.stdin == nil {
		return "", usageErrorf("no stdin to read the password from: pipe it in or run this on a terminal")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

type shareCreatedJSON struct {
	ID        int64   `json:"id"`
	URL       string  `json:"url"`
	ExpiresAt *string `json:"expires_at"`
}

func runShare(ctx context.Context, e *env, o *shareOptions) error {
	spec := sharelink.Spec{
		Name: o.name, Album: o.album, PhotoIDs: o.ids, Year: o.year,
		Download: o.download, BindIP: o.bindIP, PublicURL: o.publicURL,
		UploadAs: o.uploadAs, UploadReview: o.uploadReview, NoComments: o.noComments, NoHearts: o.noHearts,
	}
	if o.uploadMax != "" {
		n, err := bytesize.Parse(o.uploadMax)
		if err != nil || n <= 0 {
			return usageErrorf("--upload-max %q: want a size such as 500MB or 4GB", o.uploadMax)
		}
		spec.UploadMax = n
	}
	if err := spec.CheckGuests(); err != nil {
		return usageErrorf("%v", err)
	}
	if o.search != "" {
		if _, err := catalog.ParseQuery(o.search); err != nil {
			return &UsageError{Err: fmt.Errorf("--search: %w", err)}
		}
		if o.album != "" || len(o.ids) > 0 || o.year != 0 {
			return usageErrorf(`--search goes without an album, --ids and --year: it says what to share`)
		}
	} else if err := spec.Check(); err != nil {
		return usageErrorf(`%v (e.g. "picup share Family", "--ids 12,15", "--year 2024" or --search "place:Jeju 2019")`, err)
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	expires, err := parseExpiry(o.expires, now())
	if err != nil {
		return err
	}
	spec.Expires = expires
	if o.publicURL != "" {
		if _, err := checkPublicURL(o.publicURL); err != nil {
			return err
		}
	}
	if o.password {
		pw, err := readPassword(e)
		if err != nil {
			return err
		}
		if pw == "" {
			return usageErrorf("--password: the password is empty")
		}
		if spec.PasswordHash, err = sharelink.HashPassword(pw); err != nil {
			return err
		}
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		if o.search != "" {
			ids, err := archive.New(lib).SearchForShare(ctx, o.search)
			var qe *catalog.QueryError
			if errors.As(err, &qe) {
				return &UsageError{Err: fmt.Errorf("--search: %w", err)}
			} else if err != nil {
				return err
			}
			spec.PhotoIDs = ids
		}
		link, err := archive.New(lib).CreateShare(ctx, spec)
		if err != nil {
			return err
		}
		if w := link.EmptyWarning(); w != "" {
			defer fmt.Fprintln(e.stderr, w) // after the link and its summary
		}
		if base, _, ok := strings.Cut(link.URL, "/s/"); ok {
			if w := sharelink.ReachWarning(base); w != "" {
				defer fmt.Fprintln(e.stderr, w) // after the link and its summary
			}
		}
		if o.json {
			return writeJSON(e.stdout, shareCreatedJSON{ID: link.ID, URL: link.URL, ExpiresAt: optional(catalog.FormatTime(link.ExpiresAt))})
		}
		fmt.Fprintln(e.stdout, link.URL)
		if !o.noQR {
			if err := printQR(e, link.URL); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stderr, "share %d of %s; expires %s. Serve it with \"picup serve\"; revoke it with \"picup share revoke %d\".\n",
			link.ID, link.Scope, orNever(catalog.FormatTime(link.ExpiresAt)), link.ID)
		return nil
	})
}

// printQR draws url as a QR code on stderr: in colour on a terminal
// (unless NO_COLOR is set), plain otherwise.
func printQR(e *env, url string) error {
	style := qrterm.Plain
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == "" {
		style = qrterm.Color
	}
	code, err := qrterm.Render(url, style)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stderr, code)
	return err
}

type shareLsOptions struct {
	json bool
}

func newShareLsCmd(e *env) *cobra.Command {
	o := &shareLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List share links with their views, last opening and expiry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShareLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runShareLs(ctx context.Context, e *env, o *shareLsOptions) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		shares, err := lib.Catalog.Shares(ctx)
		if err != nil {
			return err
		}
		guests, err := lib.Catalog.ShareCounts(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		if o.json {
			out := make([]sharelink.Record, 0, len(shares))
			for _, s := range shares {
				out = append(out, sharelink.RecordOf(s, guests[s.ID], now))
			}
			return writeJSON(e.stdout, out)
		}
		tw := newTable(e.stdout, "ID", "OPENS", "NAME", "STATE", "EXPIRES", "VIEWS", "LAST OPENED", "♥", "COMMENTS", "UPLOADS", "OPTIONS")
		for _, s := range shares {
			g := guests[s.ID]
			var opts []string
			switch s.PasswordHash {
			case "":
			case catalog.PasswordLocked:
				opts = append(opts, "password-locked")
			default:
				opts = append(opts, "password")
			}
			if s.Download {
				opts = append(opts, "download")
			}
			if s.BindIP {
				opts = append(opts, "bind-ip")
			}
			opts = append(opts, guestOptions(s)...)
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t%s\n", s.ID, s.Scope(), orDash(s.Name), sharelink.State(s, now),
				orNever(catalog.FormatTime(s.ExpiresAt)), s.Views, orDash(catalog.FormatTime(s.LastOpenedAt)), g.Hearts, g.Comments, g.Uploads,
				orDash(strings.Join(opts, ",")))
		}
		return tw.Flush()
	})
}

func parseShareID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("share id %q: want a number from \"picup share ls\"", s)
	}
	return id, nil
}

type shareRevokeOptions struct {
	id string // as "picup share ls" prints it
}

func newShareRevokeCmd(e *env) *cobra.Command {
	o := &shareRevokeOptions{}
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Close a share link for good (its page then says so)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runShareRevoke(cmd.Context(), e, o)
		},
	}
}

func runShareRevoke(ctx context.Context, e *env, o *shareRevokeOptions) error {
	id, err := parseShareID(o.id)
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		was, err := a.RevokeShare(ctx, id, time.Now())
		if err != nil {
			return err
		}
		if was {
			fmt.Fprintf(e.stdout, "revoked share %d\n", id)
		} else {
			fmt.Fprintf(e.stdout, "share %d was already revoked\n", id)
		}
		return nil
	})
}

type shareExtendOptions struct {
	id        string  // as "picup share ls" prints it
	by        *string // DURATION or never; nil with --expires-at
	expiresAt string
	shorten   bool
	now       func() time.Time
}

func newShareExtendCmd(e *env) *cobra.Command {
	o := &shareExtendOptions{}
	cmd := &cobra.Command{
		Use:   "extend ID DURATION|never | ID --expires-at DATE [--shorten]",
		Short: "Make a share link work for longer: add a duration to its expiry, or never expire",
		Long: `Make a share link work for longer; it never ends sooner unless you say so.

DURATION (30d, 2w, 6mo ...; ` + seeDurations + `) is added to the link's
current expiry, or to now when it has already expired: "share extend 12
30d" on a link that expires in 5 days makes it expire in 35. "never"
makes it work until revoked.

--expires-at DATE sets a new expiry, which must be later than the current
one. DATE is a day (2027-02-04: midnight UTC as it begins) or an RFC 3339
time (2027-02-04T18:00:00+09:00). To make a link end sooner, give the
earlier DATE and --shorten; to close it now, use "picup share revoke".

It prints the old and the new expiry. A revoked link cannot be extended:
make a new one.`,
		Example: `  picup share extend 12 30d
  picup share extend 12 never
  picup share extend 12 --expires-at 2027-06-01
  picup share extend 12 --expires-at 2027-01-10 --shorten`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			if len(args) == 2 {
				o.by = &args[1]
			}
			return runShareExtend(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.expiresAt, "expires-at", "", "a new expiry, later than the current one: 2027-02-04 (midnight UTC) or an RFC 3339 time")
	f.BoolVar(&o.shorten, "shorten", false, "with --expires-at: allow an expiry earlier than the current one (the link ends sooner)")
	return cmd
}

func runShareExtend(ctx context.Context, e *env, o *shareExtendOptions) error {
	id, err := parseShareID(o.id)
	if err != nil {
		return err
	}
	var c sharelink.ExpiryChange
	switch {
	case (o.by != nil) == (o.expiresAt != ""):
		return usageErrorf("give a DURATION to add (30d), never, or --expires-at DATE, one of them")
	case o.shorten && o.expiresAt == "":
		return usageErrorf("--shorten goes with --expires-at DATE: a duration is always added to the expiry, never taken off")
	case o.expiresAt != "":
		if c.At, err = parseDate(o.expiresAt); err != nil {
			return err
		}
		c.Shorten = o.shorten
	case strings.EqualFold(strings.TrimSpace(*o.by), "never"):
		c.Never = true
	default:
		if c.Add, err = period.Parse(*o.by); err != nil {
			return &UsageError{Err: fmt.Errorf(`%w, or "never"`, err)}
		}
		if c.Add <= 0 {
			return usageErrorf("share extend %s: a link is extended by more than nothing", *o.by)
		}
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		t := now()
		ex, err := archive.New(lib).ExtendShare(ctx, id, c, t)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(e.stdout, ex.Words(t))
		return err
	})
}

// parseDate reads --expires-at: a day (midnight UTC as it begins) or an
// RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErrorf("--expires-at %q: want a day such as 2027-02-04 or an RFC 3339 time such as 2027-02-04T18:00:00+09:00", s)
}

// guestOptions are the words "share ls" shows for what a link lets guests
// do beyond hearts and comments, or takes away.
func guestOptions(s catalog.Share) []string {
	var opts []string
	if s.UploadUserID != 0 {
		opt := "upload-as=" + s.UploadUser
		if s.UploadReview {
			opt += "+review"
		}
		opts = append(opts, opt)
	}
	if s.NoComments {
		opts = append(opts, "no-comments")
	}
	if s.NoHearts {
		opts = append(opts, "no-hearts")
	}
	return opts
}

type sharePasswordOptions struct {
	id     string // as "picup share ls" prints it
	remove bool
}

func newSharePasswordCmd(e *env) *cobra.Command {
	o := &sharePasswordOptions{}
	cmd := &cobra.Command{
		Use:   "password ID [--remove]",
		Short: "Give a share link a new password, or take its password away",
		Long: `Give a share link a new password (read from the terminal without echo, or
the first line of stdin when it is not a terminal); whoever opened the
link before types the new one once. --remove takes the password away.

Catalog snapshots in a remote never carry the links' passwords: a library
restored from one has its password links locked ("password-locked" in
"picup share ls"), and they open for no one until given a new password
here.`,
		Example: `  picup share password 3
  echo "n3w s3cret" | picup share password 3
  picup share password 3 --remove`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runSharePassword(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.remove, "remove", false, "take the link's password away: anyone with the link opens it")
	return cmd
}

func runSharePassword(ctx context.Context, e *env, o *sharePasswordOptions) error {
	id, err := parseShareID(o.id)
	if err != nil {
		return err
	}
	pw := ""
	if !o.remove {
		if pw, err = readPassword(e); err != nil {
			return err
		}
		if pw == "" {
			return usageErrorf("the password is empty; to take the password away, use --remove")
		}
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if err := a.SetSharePassword(ctx, id, pw); err != nil {
			return err
		}
		if o.remove {
			fmt.Fprintf(e.stdout, "share %d has no password now: anyone with the link opens it\n", id)
		} else {
			fmt.Fprintf(e.stdout, "share %d has a new password\n", id)
		}
		return nil
	})
}
