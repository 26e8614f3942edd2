package cli

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/pkg/bytesize"
	"github.com/picup/picup/pkg/phash"
)

type dupesOptions struct {
	threshold int
	json      bool
	apply     bool
}

func newDupesCmd(e *env) *cobra.Command {
	o := &dupesOptions{}
	cmd := &cobra.Command{
		Use:   "dupes [--threshold N] [--json] [--apply]",
		Short: "Find photos that look alike (resized or re-encoded copies, scans of one print, bursts)",
		Long: `Find photos that look alike though their bytes differ: the same photo
resized or re-encoded (sent back through WhatsApp, a screenshot of it),
the same print scanned twice, a burst of nearly the same shot. Exact
copies are never stored twice; these are the ones that slipped through.

Each photo has a perceptual hash of its grid thumbnail (made at import;
dupes makes the missing ones of photos imported before). Photos whose
hashes differ in at most --threshold of their 64 bits are grouped (10
by default: resized, re-encoded or 10 %-cropped copies stay within it,
distinct photos are further apart; bursts with a different exposure may
need 12 or more, at the price of grouping some photos that only look
alike). Each group names the photo to keep, and why: the most pixels,
then the most metadata (date, camera, lens, position), then the first
imported.

--apply moves every other photo of the groups to the trash, from which
"picup trash restore" brings any back.`,
		Example: `  picup dupes
  picup dupes --json
  picup dupes --threshold 12
  picup dupes --apply`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDupes(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.threshold, "threshold", phash.DefaultThreshold, "how many of the 64 bits of two hashes may differ (0 to 32)")
	f.BoolVar(&o.json, "json", false, "print the groups as JSON")
	f.BoolVar(&o.apply, "apply", false, "move all but the keeper of each group to the trash")
	return cmd
}

// dupeJSON is a group as "picup dupes --json" prints it.
type dupeJSON struct {
	Keep   photoJSON   `json:"keep"`
	Why    string      `json:"why"`
	Others []photoJSON `json:"others"`
}

func runDupes(ctx context.Context, e *env, o *dupesOptions) error {
	if o.threshold > 32 {
		return usageErrorf("--threshold %d: want 0 to 32 bits (%d by default)", o.threshold, phash.DefaultThreshold)
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		var done atomic.Int64
		stop := drawProgress(e.progress(), func(time.Time) string {
			return fmt.Sprintf("hashing photos imported before: %d", done.Load())
		})
		h, err := a.HashMissing(ctx, func(n int) { done.Store(int64(n)) })
		stop()
		if err != nil {
			return err
		}
		if h.Hashed+h.Plain > 0 && !e.quiet {
			fmt.Fprintf(e.stderr, "hashed %s imported before (%d too plain to compare)\n", plural(h.Hashed+h.Plain, "photo"), h.Plain)
		}
		if h.Failed > 0 {
			fmt.Fprintf(e.stderr, "%s could not be read; \"picup verify --repair\" makes them again\n", plural(h.Failed, "grid thumbnail"))
		}
		groups, err := a.Dupes(ctx, o.threshold)
		if err != nil {
			return err
		}
		if err := printDupes(e, o, groups); err != nil {
			return err
		}
		if !o.apply || len(groups) == 0 {
			return nil
		}
		n, err := a.TrashDupes(ctx, groups)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "moved %s to the trash; \"picup trash restore ID\" brings one back\n", plural(n, "photo"))
		return nil
	})
}

// printDupes prints the groups: as JSON, or each as its keeper's line
// and the others' below it.
func printDupes(e *env, o *dupesOptions, groups []archive.DupeGroup) error {
	if o.json {
		out := make([]dupeJSON, 0, len(groups))
		for _, g := range groups {
			d := dupeJSON{Keep: toJSON(g.Photos[0]), Why: g.Why, Others: []photoJSON{}}
			for _, p := range g.Photos[1:] {
				d.Others = append(d.Others, toJSON(p))
			}
			out = append(out, d)
		}
		return writeJSON(e.stdout, out)
	}
	if len(groups) == 0 {
		fmt.Fprintln(e.stderr, "no photos look alike")
		return nil
	}
	tw := newTable(e.stdout, "GROUP", "", "ID", "TAKEN", "SIZE", "DIMENSIONS", "PATH")
	others, bytes := 0, int64(0)
	for i, g := range groups {
		for j, p := range g.Photos {
			mark := "trash"
			if j == 0 {
				mark = "keep: " + g.Why
			} else {
				others++
				bytes += p.Bytes
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%dx%d\t%s\n", i+1, mark, p.ID, p.TakenAt, bytesize.Format(p.Bytes), p.Width, p.Height, p.Path)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verb := `"picup dupes --apply" moves them to the trash`
	if o.apply {
		verb = "moving them to the trash"
	}
	fmt.Fprintf(e.stderr, "%s of photos that look alike; %s besides the keepers (%s): %s\n",
		plural(len(groups), "group"), plural(others, "photo"), bytesize.Format(bytes), verb)
	return nil
}
