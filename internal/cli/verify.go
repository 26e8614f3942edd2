package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/verify"
	"github.com/picup/picup/pkg/bytesize"
)

type verifyOptions struct {
	json     bool
	repair   bool
	jobs     int
	remote   string
	sample   string
	readData bool
	metadata bool
}

func newVerifyCmd(e *env) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every original, thumbnail and catalog row; --repair fixes what it can",
		Long: `Check the library against its catalog: every original is re-hashed and
compared with the catalog, every thumbnail must be present, every file in
originals/ and thumbs/ must belong to a catalog row, and the SQLite
database must pass its integrity check.

With --repair: thumbnails are regenerated (placeholders too, once a decoder
such as ffmpeg is installed), files without a catalog row are adopted (or
removed when the same content is stored elsewhere), leftovers of
interrupted writes are removed, missing or corrupt originals are flagged
in the catalog (their bytes can only come back from a backup), and every
original's metadata is read again: what it says that the catalog
does not (a date from a source picup did not read when the photo came in,
a caption, keywords, people, a position, a place) is recorded as "picup
redate ID --from-metadata" does, moving the original to its new date
folder. Photos dated by hand (redate --at) are left alone.

--metadata reads the metadata again without --repair, to see what it
would change (stale-metadata). A plain verify does not: parsing every
file costs more than the other checks.

With --remote NAME the remote is checked instead: every object the catalog
needs (originals, sidecars, thumbnails, photo sidecars) must be there with
the right size and SHA-256 (from the object's metadata, or by downloading
it with --read-data; --sample 5% checks a random part); objects the
catalog does not know are listed. --repair uploads what is missing or
corrupt again.

Exit status: 0 when everything is consistent (or was repaired), 1 when
problems remain.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the report as JSON")
	f.BoolVar(&o.repair, "repair", false, "fix what can be fixed")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "parallel workers (default: one per CPU core)")
	f.StringVar(&o.remote, "remote", "", "check this remote instead of the local library")
	f.Var(&percentValue{&o.sample}, "sample", "with --remote: check the checksums of this share of the objects (5%)")
	f.BoolVar(&o.readData, "read-data", false, "with --remote: download objects to hash them")
	f.BoolVar(&o.metadata, "metadata", false, "read every original's metadata again and report what the catalog says otherwise (--repair does it too)")
	return cmd
}

func runVerify(ctx context.Context, e *env, o *verifyOptions) error {
	if o.remote != "" {
		if o.metadata {
			return usageErrorf("--metadata checks the local library: leave out --remote, or --metadata")
		}
		return runVerifyRemote(ctx, e, o)
	}
	if o.sample != "" || o.readData {
		return usageErrorf("--sample and --read-data go with --remote NAME")
	}
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()
	rep, err := verify.Run(ctx, lib, verify.Options{Repair: o.repair, Jobs: o.jobs, Metadata: o.metadata})
	if err != nil {
		return err
	}
	if o.json {
		if err := writeJSON(e.stdout, struct {
			verify.Report
			OK bool `json:"ok"`
		}{rep, rep.OK()}); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			status := "problem"
			switch {
			case p.Repaired:
				status = "repaired"
			case p.LeftAlone:
				status = "left alone"
			}
			fmt.Fprintf(e.stdout, "%s: %s: %s: %s; %s\n", status, p.Kind, p.Path, p.Detail, p.Action)
		}
		line := fmt.Sprintf("checked %s (%s): %s, %d repaired, %d remaining",
			plural(rep.Photos, "file"), bytesize.Format(rep.Bytes), plural(len(rep.Problems)-rep.LeftAlone, "problem"), rep.Repaired, rep.Remaining)
		if rep.LeftAlone > 0 {
			line += fmt.Sprintf(", %d left alone", rep.LeftAlone)
		}
		fmt.Fprintln(e.stdout, line)
		if rep.ToRepair() && !o.repair {
			fmt.Fprintln(e.stderr, `run "picup verify --repair" to fix what it can (each line says what it will do)`)
		}
	}
	if !rep.OK() {
		return &SilentError{Code: 1}
	}
	return nil
}

func runVerifyRemote(ctx context.Context, e *env, o *verifyOptions) error {
	sample := 1.0
	if o.sample != "" {
		var err error
		if sample, err = parsePercent(o.sample); err != nil {
			return usageErrorf("--sample: %v", err)
		}
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		c, err := a.VerifyRemote(ctx, o.remote, syncer.VerifyOptions{Sample: sample, ReadData: o.readData, Repair: o.repair})
		if err != nil {
			return err
		}
		if c.Repaired {
			fmt.Fprintf(e.stderr, "re-uploaded %d objects\n", c.Reuploaded)
		}
		if o.json {
			if err := writeJSON(e.stdout, struct {
				syncer.RemoteReport
				OK bool `json:"ok"`
			}{c.RemoteReport, c.Remaining == 0}); err != nil {
				return err
			}
		} else {
			for _, p := range c.Problems {
				fmt.Fprintf(e.stdout, "%s: %s: %s\n", p.Kind, p.Key, p.Detail)
			}
			fmt.Fprintf(e.stdout, "checked %d objects in %q: %d problems\n", c.Checked, c.Remote, len(c.Problems))
		}
		if c.Remaining > 0 {
			return &SilentError{Code: 1}
		}
		return nil
	})
}
