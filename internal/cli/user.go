package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/bytesize"
)

func newUserCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Family members and their storage quotas",
		Long: `Every photo has an owner: the family member who imported it (import
--user NAME; by default the library's first user, named after the account
that created the library). A user's usage is the size of the originals they
own; a photo imported by two users is stored once and counts for each.
Trashed photos count until they are purged.`,
	}
	cmd.AddCommand(newUserAddCmd(e), newUserLsCmd(e), newUserSetQuotaCmd(e), newUserRmCmd(e), newUserRenameCmd(e))
	return cmd
}

// parseQuota reads SIZE or "none" (unlimited).
func parseQuota(s string) (*int64, error) {
	if s == "none" || s == "unlimited" {
		return nil, nil
	}
	n, err := bytesize.Parse(s)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("%w, or none for no limit", err)}
	}
	return &n, nil
}

func quotaString(q *int64) string {
	if q == nil {
		return "unlimited"
	}
	return bytesize.Format(*q)
}

func newUserAddCmd(e *env) *cobra.Command {
	var quota string
	cmd := &cobra.Command{
		Use:     "add NAME",
		Short:   "Add a family member",
		Example: `  picup user add mom --quota 50GB`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("user", args[0]); err != nil {
				return err
			}
			q, err := parseQuota(quota)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				if err := a.AddUser(ctx, args[0], q); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "added user %q (quota %s)\n", args[0], quotaString(q))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&quota, "quota", "none", "storage quota: 500MB, 50GB, 1.5TB, 20GiB, or none")
	return cmd
}

type userJSON struct {
	Name          string `json:"name"`
	QuotaBytes    *int64 `json:"quota_bytes"`
	UsedBytes     int64  `json:"used_bytes"`
	TrashedBytes  int64  `json:"trashed_bytes"`
	ReservedBytes int64  `json:"reserved_bytes"`
	Photos        int    `json:"photos"`
	Videos        int    `json:"videos"`
	CreatedAt     string `json:"created_at"`
}

func newUserLsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List family members with usage and quota",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				users, err := lib.Catalog.Users(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					out := make([]userJSON, 0, len(users))
					for _, u := range users {
						out = append(out, userJSON{Name: u.Name, QuotaBytes: u.QuotaBytes, UsedBytes: u.UsedBytes,
							TrashedBytes: u.TrashedBytes, ReservedBytes: u.ReservedBytes, Photos: u.Photos, Videos: u.Videos, CreatedAt: u.CreatedAt})
					}
					return writeJSON(e.stdout, out)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tUSED\tQUOTA\tFREE\tIN TRASH\tPHOTOS\tVIDEOS")
				for _, u := range users {
					free := "-"
					if u.QuotaBytes != nil {
						free = bytesize.Format(max(0, *u.QuotaBytes-u.UsedBytes-u.ReservedBytes))
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", u.Name, bytesize.Format(u.UsedBytes), quotaString(u.QuotaBytes),
						free, bytesize.Format(u.TrashedBytes), u.Photos, u.Videos)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newUserSetQuotaCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "set-quota NAME SIZE|none",
		Short:   "Change a family member's quota",
		Long:    "Change a family member's quota. A quota below the current usage is allowed: nothing is deleted, new imports are refused until there is room.",
		Example: "  picup user set-quota mom 60GB\n  picup user set-quota dad none",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := parseQuota(args[1])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				u, err := a.SetQuota(ctx, args[0], q)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "quota of %q is now %s (%s used)\n", u.Name, quotaString(q), bytesize.Format(u.UsedBytes))
				return nil
			})
		},
	}
}

func newUserRenameCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "Rename a family member",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkName("user", args[1]); err != nil {
				return err
			}
			ctx := cmd.Context()
			return withArchive(ctx, e, func(a *archive.Archive) error {
				err := a.RenameUser(ctx, args[0], args[1])
				if err == nil {
					fmt.Fprintf(e.stdout, "renamed user %q to %q\n", args[0], args[1])
				}
				return err
			})
		},
	}
}

func newUserRmCmd(e *env) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a family member (refused while they own photos, unless --transfer-to)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withLibrary(ctx, e, func(lib *library.Library) error {
				return runUserRm(ctx, e, lib, args[0], to)
			})
		},
	}
	cmd.Flags().StringVar(&to, "transfer-to", "", "give the user's photos to this user first")
	return cmd
}

func runUserRm(ctx context.Context, e *env, lib *library.Library, name, to string) error {
	moved, err := archive.New(lib).RemoveUser(ctx, name, to)
	if errors.Is(err, archive.ErrTransferToSelf) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return err
	}
	if to != "" {
		fmt.Fprintf(e.stdout, "removed user %q; %q now also owns their photos (+%s)\n", name, to, bytesize.Format(moved))
	} else {
		fmt.Fprintf(e.stdout, "removed user %q\n", name)
	}
	return nil
}
