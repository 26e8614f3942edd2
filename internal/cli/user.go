package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
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

type userAddOptions struct {
	name  string
	quota string // a size, or none
}

func newUserAddCmd(e *env) *cobra.Command {
	o := &userAddOptions{}
	cmd := &cobra.Command{
		Use:     "add NAME",
		Short:   "Add a family member",
		Example: `  picup user add mom --quota 50GB`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runUserAdd(cmd.Context(), e, o)
		},
	}
	quotaVar(cmd.Flags(), &o.quota, "quota", "none", "storage quota: 500MB, 50GB, 1.5TB, 20GiB, or none")
	return cmd
}

func runUserAdd(ctx context.Context, e *env, o *userAddOptions) error {
	if err := checkName("user", o.name); err != nil {
		return err
	}
	q, err := parseQuota(o.quota)
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		if err := a.AddUser(ctx, o.name, q); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added user %q (quota %s)\n", o.name, quotaString(q))
		return nil
	})
}

type userJSON struct {
	Name          string `json:"name"`
	QuotaBytes    *int64 `json:"quota_bytes"`
	UsedBytes     int64  `json:"used_bytes"`
	TrashedBytes  int64  `json:"trashed_bytes"`
	ReservedBytes int64  `json:"reserved_bytes"`
	Photos        int    `json:"photos"` // photos and videos, as everywhere
	Videos        int    `json:"videos"` // of them, videos
	CreatedAt     string `json:"created_at"`
}

type userLsOptions struct {
	json bool
}

func newUserLsCmd(e *env) *cobra.Command {
	o := &userLsOptions{}
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List family members with usage and quota",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUserLs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runUserLs(ctx context.Context, e *env, o *userLsOptions) error {
	return withLibrary(ctx, e, func(lib *library.Library) error {
		users, err := lib.Catalog.Users(ctx)
		if err != nil {
			return err
		}
		if o.json {
			out := make([]userJSON, 0, len(users))
			for _, u := range users {
				out = append(out, userJSON{Name: u.Name, QuotaBytes: u.QuotaBytes, UsedBytes: u.UsedBytes,
					TrashedBytes: u.TrashedBytes, ReservedBytes: u.ReservedBytes, Photos: u.Photos + u.Videos, Videos: u.Videos, CreatedAt: catalog.FormatTime(u.CreatedAt)})
			}
			return writeJSON(e.stdout, out)
		}
		tw := newTable(e.stdout, "NAME", "USED", "QUOTA", "FREE", "IN TRASH", "PHOTOS", "VIDEOS")
		for _, u := range users {
			free := "-"
			if u.QuotaBytes != nil {
				free = freeOf(*u.QuotaBytes, u.UsedBytes+u.ReservedBytes)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", u.Name, bytesize.Format(u.UsedBytes), quotaString(u.QuotaBytes),
				free, bytesize.Format(u.TrashedBytes), u.Photos, u.Videos)
		}
		return tw.Flush()
	})
}

// freeOf is what a quota leaves free, or how far a user is over it (a
// quota lowered below what they use): "over by 1.9 MB".
func freeOf(quota, used int64) string {
	if used > quota {
		return "over by " + bytesize.Format(used-quota)
	}
	return bytesize.Format(quota - used)
}

type userSetQuotaOptions struct {
	name  string
	quota string // a size, or none
}

func newUserSetQuotaCmd(e *env) *cobra.Command {
	o := &userSetQuotaOptions{}
	return &cobra.Command{
		Use:     "set-quota NAME SIZE|none",
		Short:   "Change a family member's quota",
		Long:    "Change a family member's quota. A quota below the current usage is allowed: nothing is deleted, new imports are refused until there is room.",
		Example: "  picup user set-quota mom 60GB\n  picup user set-quota dad none",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name, o.quota = args[0], args[1]
			return runUserSetQuota(cmd.Context(), e, o)
		},
	}
}

func runUserSetQuota(ctx context.Context, e *env, o *userSetQuotaOptions) error {
	q, err := parseQuota(o.quota)
	if err != nil {
		return err
	}
	return withArchive(ctx, e, func(a *archive.Archive) error {
		u, err := a.SetQuota(ctx, o.name, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "quota of %q is now %s (%s used)\n", u.Name, quotaString(q), bytesize.Format(u.UsedBytes))
		if q != nil && u.UsedBytes > *q {
			fmt.Fprintf(e.stderr, "%q is over this quota by %s: nothing is deleted, but their imports are refused until there is room\n", u.Name, bytesize.Format(u.UsedBytes-*q))
		}
		return nil
	})
}

func newUserRenameCmd(e *env) *cobra.Command {
	return newRenameCmd(e, "user", "Rename a family member", (*archive.Archive).RenameUser)
}

type userRmOptions struct {
	name       string
	transferTo string // the user who gets name's photos; "" for none
}

func newUserRmCmd(e *env) *cobra.Command {
	o := &userRmOptions{}
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a family member (refused while they own photos, unless --transfer-to)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runUserRm(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.transferTo, "transfer-to", "", "give the user's photos to this user first")
	return cmd
}

func runUserRm(ctx context.Context, e *env, o *userRmOptions) error {
	return withArchive(ctx, e, func(a *archive.Archive) error {
		moved, err := a.RemoveUser(ctx, o.name, o.transferTo)
		if errors.Is(err, archive.ErrTransferToSelf) {
			return &UsageError{Err: err}
		}
		if err != nil {
			return err
		}
		if o.transferTo != "" {
			fmt.Fprintf(e.stdout, "removed user %q; %q now also owns their photos (+%s)\n", o.name, o.transferTo, bytesize.Format(moved))
		} else {
			fmt.Fprintf(e.stdout, "removed user %q\n", o.name)
		}
		return nil
	})
}
