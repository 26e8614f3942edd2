package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/pkg/bytesize"
)

func TestRunUser(t *testing.T) {
	te := newTestEnv(t)
	ctx := context.Background()
	te.steps(t, []step{
		{name: "add without a name", run: func(ctx context.Context, e *env) error {
			return runUserAdd(ctx, e, &userAddOptions{name: "", quota: "none"})
		}, err: "user name cannot be empty", usage: true},
		{name: "add with a quota that does not read", run: func(ctx context.Context, e *env) error {
			return runUserAdd(ctx, e, &userAddOptions{name: "mom", quota: "lots"})
		}, err: `invalid size "lots": use a number and a unit, such as 500MB, 50GB, 1.5TB or 20GiB, or none for no limit`, usage: true},
		{name: "set-quota without a unit", run: func(ctx context.Context, e *env) error {
			return runUserSetQuota(ctx, e, &userSetQuotaOptions{name: "mom", quota: "50 "})
		}, err: `invalid size "50 ": the unit is missing: write 50B for bytes, or 50MB, 50GB, 50MiB ... (B, kB, MB, GB, TB, PB in powers of 1000; KiB, MiB, GiB, TiB, PiB in powers of 1024), or none for no limit`, usage: true},
		{name: "set-quota 0", run: func(ctx context.Context, e *env) error {
			return runUserSetQuota(ctx, e, &userSetQuotaOptions{name: "mom", quota: "0MB"})
		}, err: `invalid size "0MB": a size must be more than 0 bytes, or none for no limit`, usage: true},
		{name: "set-quota in bits", run: func(ctx context.Context, e *env) error {
			return runUserSetQuota(ctx, e, &userSetQuotaOptions{name: "mom", quota: "50Gb"})
		}, err: `invalid size "50Gb": "Gb" is in bits (a small b); picup counts bytes: write 50GB, or none for no limit`, usage: true},
		{name: "add", run: func(ctx context.Context, e *env) error {
			return runUserAdd(ctx, e, &userAddOptions{name: "mom", quota: "50MB"})
		}, stdout: "added user \"mom\" (quota 50.0 MB)\n"},
		{name: "set-quota", run: func(ctx context.Context, e *env) error {
			return runUserSetQuota(ctx, e, &userSetQuotaOptions{name: "mom", quota: "none"})
		}, stdout: "quota of \"mom\" is now unlimited (0 B used)\n"},
		{name: "rename to nothing", run: func(ctx context.Context, e *env) error {
			return runRename(ctx, e, &renameOptions{what: "user", name: "mom", to: "", rename: (*archive.Archive).RenameUser})
		}, err: "user name cannot be empty", usage: true},
	})

	photos := te.importSamples(t, "mom")
	var total int64
	for _, p := range photos {
		total += p.Bytes
	}
	if err := runUserLs(ctx, te.env, &userLsOptions{json: true}); err != nil {
		t.Fatal(err)
	}
	var users []userJSON
	if err := json.Unmarshal(te.stdout.Bytes(), &users); err != nil || len(users) != 2 {
		t.Fatalf("user ls --json: %v; want the first user and mom\n%s", err, te.stdout)
	}
	first, mom := users[0], users[1]
	if mom.Name != "mom" || mom.QuotaBytes != nil || mom.UsedBytes != total || mom.Photos != 5 || first.Photos != 0 {
		t.Fatalf("user ls --json = %+v; want the first user with no photos, and mom, unlimited, with 5 photos of %d bytes", users, total)
	}

	te.steps(t, []step{
		{name: "rm giving the photos to the same user", run: func(ctx context.Context, e *env) error {
			return runUserRm(ctx, e, &userRmOptions{name: "mom", transferTo: "mom"})
		}, err: archive.ErrTransferToSelf.Error(), usage: true},
		{name: "rm a user who owns photos", run: func(ctx context.Context, e *env) error {
			return runUserRm(ctx, e, &userRmOptions{name: "mom"})
		}, err: fmt.Sprintf(`user "mom" owns 5 photos (%s); give them to someone with "picup user rm mom --transfer-to OTHER"`, bytesize.Format(total))},
		{name: "rename", run: func(ctx context.Context, e *env) error {
			return runRename(ctx, e, &renameOptions{what: "user", name: "mom", to: "mum", rename: (*archive.Archive).RenameUser})
		}, stdout: "renamed user \"mom\" to \"mum\"\n"},
		{name: "rm giving the photos to the first user", run: func(ctx context.Context, e *env) error {
			return runUserRm(ctx, e, &userRmOptions{name: "mum", transferTo: first.Name})
		}, stdout: fmt.Sprintf("removed user \"mum\"; %q now also owns their photos (+%s)\n", first.Name, bytesize.Format(total))},
		{name: "rm a user who is not there", run: func(ctx context.Context, e *env) error {
			return runUserRm(ctx, e, &userRmOptions{name: "mum"})
		}, err: `no user named "mum"; see "picup user ls" or add one with "picup user add mum": not found`},
	})
}
