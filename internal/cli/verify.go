package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/verify"
	"github.com/picup/picup/pkg/bytesize"
)

type verifyOptions struct {
	json   bool
	repair bool
	jobs   int
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
interrupted writes are removed, and missing or corrupt originals are
flagged in the catalog (their bytes can only come back from a backup).

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
	return cmd
}

func runVerify(ctx context.Context, e *env, o *verifyOptions) error {
	lib, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer lib.Close()
	rep, err := verify.Run(ctx, lib, verify.Options{Repair: o.repair, Jobs: o.jobs})
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
			if p.Repaired {
				status = "repaired"
			}
			fmt.Fprintf(e.stdout, "%s: %s: %s: %s (%s)\n", status, p.Kind, p.Path, p.Detail, p.Action)
		}
		fmt.Fprintf(e.stdout, "checked %d files (%s): %d problems, %d repaired, %d remaining\n",
			rep.Photos, bytesize.Format(rep.Bytes), len(rep.Problems), rep.Repaired, rep.Remaining)
		if !rep.OK() && !o.repair {
			fmt.Fprintln(e.stderr, `run "picup verify --repair" to fix what can be fixed`)
		}
	}
	if !rep.OK() {
		return &SilentError{Code: 1}
	}
	return nil
}
