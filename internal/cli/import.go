package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
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
free space, and the files it did not reach are counted as not tried.`,
		Example: `  picup import /media/sdcard/DCIM
  picup import --album "Jeju 2019" ~/Pictures/jeju
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
	return cmd
}

func runImport(ctx context.Context, e *env, o *importOptions) error {
	if o.jobs < 0 {
		return usageErrorf("--jobs must be 1 or more (or 0 for one per core), not %d", o.jobs)
	}
	if o.dryRun && o.move {
		return usageErrorf("--dry-run and --move cannot be used together")
	}
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()

	prog := &importer.Progress{}
	stopProgress := startProgress(e.stderr, prog)
	s, err := importer.Run(ctx, lib, o.paths, importer.Options{
		Jobs: o.jobs, DryRun: o.dryRun, Album: o.album, Move: o.move, User: o.user, Progress: prog,
	})
	stopProgress()
	if err != nil {
		return err
	}
	if o.json {
		if err := writeJSON(e.stdout, s); err != nil {
			return err
		}
	} else {
		printImportSummary(e.stdout, e.stderr, s)
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
		return &PartialError{Err: fmt.Errorf("%d of %d files failed; the rest were imported", s.Failed, s.Failed+s.Imported+s.Duplicates+s.Unchanged)}
	}
	return nil
}

func printImportSummary(stdout, stderr io.Writer, s importer.Summary) {
	for _, f := range s.Failures {
		fmt.Fprintf(stderr, "failed: %s: %s\n", f.Path, f.Error)
	}
	verb := "imported"
	if s.DryRun {
		verb = "would import"
	}
	notTried := ""
	if s.NotTried > 0 {
		notTried = fmt.Sprintf(", %d not tried", s.NotTried)
	}
	fmt.Fprintf(stdout, "%s %d (%s), %d duplicates, %d unchanged, %d skipped, %d failed%s in %.1fs\n",
		verb, s.Imported, bytesize.Format(s.Bytes), s.Duplicates, s.Unchanged, s.Skipped, s.Failed, notTried, s.Seconds)
	if s.Moved > 0 {
		fmt.Fprintf(stdout, "removed %d source files after verifying their copies\n", s.Moved)
	}
	if s.Album != "" && !s.DryRun {
		fmt.Fprintf(stdout, "album %q updated\n", s.Album)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
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
