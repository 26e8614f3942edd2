package cli

import (
	"context"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
)

// Shell completion ("picup completion bash|zsh|fish|powershell") of what
// the archive holds: album, user and remote names, share ids (with what
// each opens) and setting keys, for the first argument of the commands
// that take one and for the flags that name one, on every command.

// names lists what a completion offers, each "VALUE" or
// "VALUE\tdescription".
type names func(ctx context.Context, lib *library.Library) ([]string, error)

// argNames are the first arguments completed from the archive, by command.
var argNames = map[string]names{
	"picup album add": completeAlbums, "picup album remove": completeAlbums, "picup album rename": completeAlbums,
	"picup album rm": completeAlbums, "picup album show": completeAlbums, "picup share": completeAlbums,
	"picup share extend": completeShares, "picup share password": completeShares, "picup share revoke": completeShares,
	"picup user rename": completeUsers, "picup user rm": completeUsers, "picup user set-quota": completeUsers,
	"picup remote rm": completeRemotes, "picup remote test": completeRemotes, "picup sync": completeRemotes,
	"picup config get": completeSettings, "picup config set": completeSettings, "picup config unset": completeSettings,
}

// flagNames are the flags completed from the archive, by flag name.
var flagNames = map[string]names{
	"album": completeAlbums, "user": completeUsers, "owner": completeUsers, "upload-as": completeUsers, "transfer-to": completeUsers,
	"remote": completeRemotes, "media-from": completeRemotes, "share": completeShares,
}

// addCompletions sets the completions of c and its subcommands.
func addCompletions(e *env, c *cobra.Command) {
	if n, ok := argNames[c.CommandPath()]; ok {
		c.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveDefault // ids and paths after an album's name
			}
			return e.complete(cmd.Context(), n)
		}
	}
	c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		if n, ok := flagNames[f.Name]; ok {
			_ = c.RegisterFlagCompletionFunc(f.Name, func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return e.complete(cmd.Context(), n)
			}) // fails only for a flag registered twice, which the walk never does
		}
	})
	for _, sub := range c.Commands() {
		addCompletions(e, sub)
	}
}

// complete lists n from the library, without making one where there is
// none and without the housekeeping commands do: a TAB must be quick and
// change nothing. Errors complete nothing.
func (e *env) complete(ctx context.Context, n names) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	root, err := e.libraryRoot()
	if err != nil || !library.Exists(filepath.Join(root, library.CatalogFile)) {
		return nil, none
	}
	lib, err := library.Open(ctx, root)
	if err != nil {
		return nil, none
	}
	defer lib.Close()
	out, err := n(ctx, lib)
	if err != nil {
		return nil, none
	}
	return out, none
}

func completeAlbums(ctx context.Context, lib *library.Library) ([]string, error) {
	list, err := lib.Catalog.Albums(ctx)
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Name+"\t"+plural(a.Photos, "photo")+", "+plural(a.Videos, "video"))
	}
	return out, err
}

func completeUsers(ctx context.Context, lib *library.Library) ([]string, error) {
	list, err := lib.Catalog.Users(ctx)
	out := make([]string, 0, len(list))
	for _, u := range list {
		out = append(out, u.Name)
	}
	return out, err
}

func completeRemotes(ctx context.Context, lib *library.Library) ([]string, error) {
	list, err := lib.Catalog.Remotes(ctx)
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, r.Name)
	}
	return out, err
}

// completeShares lists the links not revoked, each with what it opens.
func completeShares(ctx context.Context, lib *library.Library) ([]string, error) {
	list, err := lib.Catalog.Shares(ctx)
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !s.RevokedAt.IsZero() {
			continue // an expired link can still be extended
		}
		desc := s.Scope()
		if s.Name != "" {
			desc = s.Name + ": " + desc
		}
		out = append(out, strconv.FormatInt(s.ID, 10)+"\t"+desc)
	}
	return out, err
}

func completeSettings(ctx context.Context, lib *library.Library) ([]string, error) {
	list, err := archive.New(lib).Settings(ctx)
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.Key+"\t"+s.About)
	}
	return out, err
}
