package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
)

type captionOptions struct {
	photo  string  // an id, a path in the library, or a file with the same content
	text   *string // nil: print the caption
	remove bool
}

func newCaptionCmd(e *env) *cobra.Command {
	o := &captionOptions{}
	cmd := &cobra.Command{
		Use:   "caption ID|PATH [TEXT | --remove]",
		Short: "Show, set or remove a photo's caption",
		Long: `Show, set or remove the caption of a photo: a line or two for the family,
such as "Grandpa at Haeundae, summer 1962". The share page shows it under
the photo in large type, in the slideshow too; the photo's sidecar meta
carries it to the remotes. A caption read from the file's XMP or IPTC at
import is shown the same way, and replaced by one set here.

Without TEXT it prints the caption. Line breaks are kept; control
characters and those that reorder text are dropped; at most 1,000
characters.`,
		Example: `  picup caption 42 "Grandpa at Haeundae, summer 1962"
  picup caption 42
  picup caption 42 --remove`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.photo = args[0]
			if len(args) == 2 {
				o.text = &args[1]
			}
			return runCaption(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.remove, "remove", false, "remove the caption")
	return cmd
}

func runCaption(ctx context.Context, e *env, o *captionOptions) error {
	if o.remove && o.text != nil {
		return usageErrorf("give a TEXT or --remove, not both")
	}
	return withLibrary(ctx, e, func(lib *library.Library) error {
		p, err := findPhoto(ctx, lib, o.photo)
		if err != nil {
			return err
		}
		if o.text == nil && !o.remove {
			if p.Caption == "" {
				fmt.Fprintf(e.stderr, "photo %d has no caption; set one with \"picup caption %d TEXT\"\n", p.ID, p.ID)
				return nil
			}
			fmt.Fprintln(e.stdout, p.Caption)
			return nil
		}
		text := ""
		if o.text != nil {
			text = *o.text
		}
		c, err := archive.New(lib).SetCaption(ctx, p.ID, text)
		var bad *archive.InputError
		if errors.As(err, &bad) {
			return usageErrorf("%v", err)
		}
		if err != nil {
			return err
		}
		if c == "" {
			fmt.Fprintf(e.stdout, "photo %d has no caption now\n", p.ID)
		} else {
			fmt.Fprintf(e.stdout, "photo %d: %s\n", p.ID, c)
		}
		return nil
	})
}
