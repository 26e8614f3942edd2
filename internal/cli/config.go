package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
)

func newConfigCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show and change the library's saved settings",
		Long: `Show and change the settings the library keeps: the address share links
start with (serve.public_url, which "picup serve --public-url" also
saves) and how long photos stay in the trash (trash.retention). A wrong
saved value is fixed with "config set", or forgotten with "config unset",
after which the default applies again.`,
		Example: `  picup config ls
  picup config get serve.public_url
  picup config set serve.public_url https://photos.example.org
  picup config set trash.retention 60d
  picup config unset serve.public_url`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newConfigLsCmd(e), newConfigGetCmd(e), newConfigSetCmd(e), newConfigUnsetCmd(e))
	return cmd
}

type configLsOptions struct{ json bool }

func newConfigLsCmd(e *env) *cobra.Command {
	o := &configLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the settings, their values and defaults",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON: [{key, value, default, saved, about}]")
	return cmd
}

func runConfigLs(ctx context.Context, e *env, o *configLsOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		list, err := a.Settings(ctx)
		if err != nil {
			return err
		}
		if o.json {
			return writeJSON(e.stdout, list)
		}
		tw := newTable(e.stdout, "KEY", "VALUE", "DEFAULT", "ABOUT")
		for _, s := range list {
			v := s.Value
			if !s.Saved {
				v = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Key, v, s.Default, s.About)
		}
		return tw.Flush()
	})
}

type configKeyOptions struct {
	key   string
	value string // config set
}

func newConfigGetCmd(e *env) *cobra.Command {
	o := &configKeyOptions{}
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print the value of a setting that applies (saved, else the default)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.key = args[0]
			return runConfigGet(cmd.Context(), e, o)
		},
	}
}

func runConfigGet(ctx context.Context, e *env, o *configKeyOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		s, err := a.Setting(ctx, o.key)
		if err != nil {
			return settingError(err)
		}
		fmt.Fprintln(e.stdout, s.Value)
		return nil
	})
}

func newConfigSetCmd(e *env) *cobra.Command {
	o := &configKeyOptions{}
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Save a setting",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.key, o.value = args[0], args[1]
			return runConfigSet(cmd.Context(), e, o)
		},
	}
}

func runConfigSet(ctx context.Context, e *env, o *configKeyOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		v, err := a.SetSetting(ctx, o.key, o.value)
		if err != nil {
			return settingError(err)
		}
		fmt.Fprintf(e.stdout, "%s = %s\n", o.key, v)
		return nil
	})
}

func newConfigUnsetCmd(e *env) *cobra.Command {
	o := &configKeyOptions{}
	return &cobra.Command{
		Use:   "unset KEY",
		Short: "Forget a saved setting: its default applies again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.key = args[0]
			return runConfigUnset(cmd.Context(), e, o)
		},
	}
}

func runConfigUnset(ctx context.Context, e *env, o *configKeyOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		was, err := a.UnsetSetting(ctx, o.key)
		if err != nil {
			return settingError(err)
		}
		s, err := a.Setting(ctx, o.key)
		if err != nil {
			return err
		}
		if was {
			fmt.Fprintf(e.stdout, "%s is back to its default, %s\n", o.key, s.Default)
		} else {
			fmt.Fprintf(e.stdout, "%s was not set; its default, %s, applies\n", o.key, s.Default)
		}
		return nil
	})
}

// settingError makes an unknown key or a bad value a usage error.
func settingError(err error) error {
	var unknown *archive.UnknownSettingError
	var bad *archive.BadSettingError
	if errors.As(err, &unknown) || errors.As(err, &bad) {
		return &UsageError{Err: err}
	}
	return err
}
