package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

type importOptions struct {
	paths  []string
	json   bool
	dryRun bool
	jobs   int
	album  string
	move   bool
	user   string
	filter importer.Filter // --include, --exclude
}

func newImportCmd(e *env) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import photos and videos from files and folders",
		Long: `Import photos and videos from files and folders (recursively).

Files are recognised by their content, not their name. Each file's bytes are
stored once: a file already in the library (under any name) is counted as a
duplicate. Originals keep their bytes and names in
originals/YYYY/YYYY-MM-DD/ by capture date; .xmp and .aae sidecars travel
with their photo. Sources are never modified; with --move each is removed
only after its copy is committed and verified.

An interrupted import (Ctrl-C, a crash, a power cut) is resumed by running
it again: files already imported are recognised without being read. So is
one that the library's disk stopped: the first write that finds the disk
full ends the import (exit 3) with one message naming the disk and its
free space, and the files it did not reach are counted as not tried.

--include and --exclude GLOB (repeatable) pick the files: *, ? and [a-z]
match a name (of a file or a folder) without regard to case, or, with a
slash in the pattern, the path below the folder given (2019/*/IMG_*). An
excluded folder is not walked into; with --include only the files that
match one are taken. Sidecars travel with their photo. The summary
counts the files left out.

--dry-run --move says what would be imported and which sources would
then be removed, and changes nothing.`,
		Example: `  picup import /media/sdcard/DCIM
  picup import --album "Jeju 2019" ~/Pictures/jeju
  picup import --exclude '@eaDir' --exclude '*.tmp' /volume1/photo
  picup import --include '*.jpg' --include '*.heic' ~/Downloads
  picup import --dry-run --move /media/sdcard/DCIM
  picup import --dry-run --json ~/Downloads`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runImport(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	f.BoolVarP(&o.dryRun, "dry-run", "n", false, "show what would be imported, change nothing")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "parallel workers (default: one per CPU core)")
	f.StringVar(&o.album, "album", "", "add the imported photos to this album (created if needed)")
	f.BoolVar(&o.move, "move", false, "remove each source file after its copy is committed and verified")
	f.StringVar(&o.user, "user", "", "owner of the imported photos, charged to their quota (default: the library's first user)")
	f.StringArrayVar(&o.filter.Include, "include", nil, "only files whose name (or path below the folder) matches this `GLOB` (repeatable)")
	f.StringArrayVar(&o.filter.Exclude, "exclude", nil, "leave out files and folders whose name (or path) matches this `GLOB` (repeatable)")
	return cmd
}

func runImport(ctx context.Context, e *env, o *importOptions) error {
	if o.jobs < 0 {
		return usageErrorf("--jobs must be 1 or more (or 0 for one per core), not %d", o.jobs)
	}
	if err := o.filter.Check(); err != nil {
		return &UsageError{Err: err}
	}
	if err := checkImportPaths(o.paths); err != nil {
		return err
	}
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()
	albumIsNew := false
	if o.album != "" {
		_, err := lib.Catalog.AlbumID(ctx, o.album)
		albumIsNew = errors.Is(err, catalog.ErrNotFound)
	}

	prog := &importer.Progress{}
	stopProgress := startProgress(e.progress(), prog)
	s, err := importer.Run(ctx, lib, o.paths, importer.Options{
		Jobs: o.jobs, DryRun: o.dryRun, Album: o.album, Move: o.move, User: o.user, Progress: prog, Filter: o.filter,
	})
	stopProgress()
	if err != nil {
		return err
	}
	short := quotaShortfallOf(ctx, lib, s)
	if o.json {
		if err := writeJSON(e.stdout, s); err != nil {
			return err
		}
	} else {
		printImportSummary(e, s, albumIsNew)
	}
	if !s.DryRun && !s.Interrupted && s.Imported > 0 {
		if err := autoSync(ctx, e, lib); err != nil {
			return err
		}
	}
	switch {
	case s.Interrupted:
		return context.Canceled
	case s.Stopped != "":
		return &PartialError{Err: fmt.Errorf("import stopped after %d of %d files, %d not tried: %s, then run the same import again (what is stored is recognised, the rest is imported)",
			s.Failed+s.Imported+s.Duplicates+s.Unchanged, s.Failed+s.Imported+s.Duplicates+s.Unchanged+s.NotTried, s.NotTried, s.Stopped)}
	case s.Failed > 0:
		return &PartialError{Err: errors.New(importOutcome(s, short))}
	}
	return nil
}

// checkImportPaths refuses, before any work starts, a path that does not
// exist or cannot be read: a mistyped path is a usage error (exit 2), not
// a failed file.
func checkImportPaths(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return usageErrorf("cannot read %s: %v; nothing was imported", p, err)
		}
		f.Close()
	}
	return nil
}

// importOutcome is the last line of an import in which files failed:
// how many, and what became of the others.
func importOutcome(s importer.Summary, short *quotaShortfall) string {
	total := s.Failed + s.Imported + s.Duplicates + s.Unchanged
	failed := plural(s.Failed, "file") + " failed"
	if s.Failed == total && total > 1 {
		failed = fmt.Sprintf("all %d files failed", total)
	} else if s.Failed < total {
		failed = fmt.Sprintf("%d of %d files failed", s.Failed, total)
	}
	var rest []string
	if s.Imported > 0 {
		if s.DryRun {
			rest = append(rest, fmt.Sprintf("%d would be imported", s.Imported))
		} else {
			rest = append(rest, fmt.Sprintf("%s imported", nWere(s.Imported)))
		}
	}
	if s.Duplicates > 0 {
		rest = append(rest, fmt.Sprintf("%d already in the library", s.Duplicates))
	}
	if s.Unchanged > 0 {
		rest = append(rest, fmt.Sprintf("%d unchanged since an earlier import", s.Unchanged))
	}
	msg := failed
	switch {
	case len(rest) > 0:
		msg += "; of the others, " + strings.Join(rest, ", ")
	case s.DryRun:
		msg += "; nothing would be imported"
	default:
		msg += "; nothing was imported"
	}
	if s.DryRun {
		msg += " (--dry-run: nothing was changed)"
	}
	if short != nil {
		msg += ". " + short.String()
	}
	return msg
}

func printImportSummary(e *env, s importer.Summary, albumIsNew bool) {
	stdout, stderr := e.stdout, e.stderr
	if e.verbose {
		for _, d := range s.DuplicateOf {
			switch {
			case d.PhotoPath != nil:
				fmt.Fprintf(stderr, "duplicate: %s is %s\n", d.Path, *d.PhotoPath)
			default:
				fmt.Fprintf(stderr, "duplicate: %s is the same as %s\n", d.Path, d.SameAs)
			}
		}
		for _, sk := range s.SkippedFiles {
			fmt.Fprintf(stderr, "skipped: %s: %s\n", sk.Path, sk.Reason)
		}
	}
	for _, f := range s.Failures {
		if !errors.Is(f.Err, catalog.ErrQuota) { // said once, with the total
			fmt.Fprintf(stderr, "failed: %s: %s\n", f.Path, f.Error)
		}
	}
	verb := "imported"
	if s.DryRun {
		verb = "would import"
	}
	notTried := ""
	if s.NotTried > 0 {
		notTried = fmt.Sprintf(", %d not tried", s.NotTried)
	}
	if s.Excluded > 0 {
		notTried += fmt.Sprintf(", %d excluded", s.Excluded)
	}
	fmt.Fprintf(stdout, "%s %d (%s), %s, %d unchanged, %d skipped, %d failed%s in %.1fs\n",
		verb, s.Imported, bytesize.Format(s.Bytes), plural(s.Duplicates, "duplicate"), s.Unchanged, s.Skipped, s.Failed, notTried, s.Seconds)
	switch {
	case s.Moved > 0 && s.DryRun:
		fmt.Fprintf(stdout, "would remove %s after verifying their copies (--move)\n", plural(s.Moved, "source file"))
	case s.Moved > 0:
		fmt.Fprintf(stdout, "removed %s after verifying their copies\n", plural(s.Moved, "source file"))
	}
	if s.Album != "" && !s.DryRun && s.Imported+s.Duplicates+s.Unchanged > 0 {
		if albumIsNew {
			fmt.Fprintf(stdout, "album %q created\n", s.Album)
		} else {
			fmt.Fprintf(stdout, "album %q updated\n", s.Album)
		}
	}
	if !e.quiet {
		for _, n := range s.Notes {
			fmt.Fprintf(stderr, "note: %s\n", n)
		}
	}
}

// quotaShortfall is what did not fit in the importing user's quota.
type quotaShortfall struct {
	user        string
	files       int
	bytes       int64 // of the files that did not fit
	shared      int   // of them, content already in the library, owned by another user
	quota, used int64 // the user's, after the import
	needed      int64 // the quota that makes them all fit
	dryRun      bool
}

// quotaShortfallOf adds up the files of s that failed on the user's
// quota; nil when none did.
func quotaShortfallOf(ctx context.Context, lib *library.Library, s importer.Summary) *quotaShortfall {
	q := &quotaShortfall{user: s.User, dryRun: s.DryRun}
	for _, f := range s.Failures {
		if !errors.Is(f.Err, catalog.ErrQuota) {
			continue
		}
		q.files++
		if fi, err := os.Stat(f.Path); err == nil {
			q.bytes += fi.Size()
		}
		if errors.Is(f.Err, importer.ErrOwnedByOthers) {
			q.shared++
		}
	}
	if q.files == 0 {
		return nil
	}
	u, err := lib.Catalog.UserByName(ctx, s.User)
	if err != nil || u.QuotaBytes == nil {
		return q
	}
	q.quota, q.used = *u.QuotaBytes, u.UsedBytes+u.ReservedBytes
	q.needed = roundUpSize(q.used + q.bytes)
	return q
}

// String is the one line that says it: "141 files (48.2 MB) did not fit
// in mom's quota of 5.0 MB (4.9 MB used); picup user set-quota mom 54MB
// makes room for all of them, then run the same import again".
func (q *quotaShortfall) String() string {
	files := plural(q.files, "file")
	msg := fmt.Sprintf("%s (%s) did not fit in %s's quota", files, bytesize.Format(q.bytes), q.user)
	if q.quota > 0 {
		msg += fmt.Sprintf(" of %s (%s used)", bytesize.Format(q.quota), bytesize.Format(q.used))
	}
	if q.shared > 0 {
		them := fmt.Sprintf("%d of them are", q.shared)
		if q.shared == 1 {
			them = "1 of them is"
		}
		msg += fmt.Sprintf("; %s already in the library, owned by another user, and would count in %s's quota too (a photo counts in the quota of each of its owners)", them, q.user)
	}
	if q.needed > 0 {
		size := strings.ReplaceAll(strings.Replace(bytesize.Format(q.needed), ".0 ", " ", 1), " ", "")
		msg += fmt.Sprintf(`; "picup user set-quota %s %s" makes room for all of them`, quoteArg(q.user), size)
		if !q.dryRun {
			msg += ", then run the same import again"
		}
	}
	return msg
}

// roundUpSize rounds n up to a size that prints in two significant digits
// (48,213,000 to 49 MB), so that a suggested quota is easy to type and
// never short of n.
func roundUpSize(n int64) int64 {
	step := int64(1)
	for v := n; v >= 100; v /= 10 {
		step *= 10
	}
	return (n + step - 1) / step * step
}

// autoSync queues a sync to every remote added with --auto and runs the
// queue; a sync that fails stays queued for the next command.
func autoSync(ctx context.Context, e *env, lib *library.Library) error {
	a := archive.New(lib)
	n, err := a.QueueAutoSyncs(ctx)
	if err != nil || n == 0 {
		return err
	}
	fmt.Fprintf(e.stderr, "syncing to %d remote(s) marked --auto\n", n)
	return runQueuedJobs(ctx, e, a)
}
