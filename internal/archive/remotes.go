package archive

import (
	"context"
	"fmt"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/syncer"
)

// AddRemote records a remote in the library.
func (a *Archive) AddRemote(ctx context.Context, r catalog.Remote) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.AddRemote(ctx, r) })
}

// RemoveRemote forgets a remote; its bucket is not touched.
func (a *Archive) RemoveRemote(ctx context.Context, name string) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.DeleteRemote(ctx, name) })
}

// SyncOptions says how to sync.
type SyncOptions struct {
	syncer.Options
	BytesPerSec int64 // bandwidth limit; 0 for none
	// BucketCreated, when not nil, learns that the bucket was created.
	BucketCreated func(bucket string)
}

// Sync uploads to the named remote what it lacks: the remote is opened,
// its bucket made when missing (not on a dry run), then synced.
func (a *Archive) Sync(ctx context.Context, name string, o SyncOptions) (syncer.Summary, catalog.Remote, error) {
	r, err := a.lib.Catalog.RemoteByName(ctx, name)
	if err != nil {
		return syncer.Summary{}, r, err
	}
	store, s3, err := remote.Open(ctx, r, remote.Options{BytesPerSec: o.BytesPerSec})
	if err != nil {
		return syncer.Summary{}, r, err
	}
	if !o.DryRun {
		created, err := s3.EnsureBucket(ctx)
		if err != nil {
			return syncer.Summary{}, r, fmt.Errorf("remote %q: %w", r.Name, err)
		}
		if created && o.BucketCreated != nil {
			o.BucketCreated(r.Bucket)
		}
	}
	sum, err := syncer.Sync(ctx, a.lib, r, store, o.Options)
	return sum, r, err
}

// SeveralRemotesError is a remote left unnamed in a library that has
// more than one.
type SeveralRemotesError struct{ N int }

func (e *SeveralRemotesError) Error() string {
	return fmt.Sprintf("the library has %d remotes; name one (see \"picup remote ls\")", e.N)
}

// PickRemote returns the remote named name, or for "" the library's only
// one (remote.ErrNoRemote when it has none).
func (a *Archive) PickRemote(ctx context.Context, name string) (catalog.Remote, error) {
	if name != "" {
		return a.lib.Catalog.RemoteByName(ctx, name)
	}
	rs, err := a.lib.Catalog.Remotes(ctx)
	if err != nil {
		return catalog.Remote{}, err
	}
	switch len(rs) {
	case 0:
		return catalog.Remote{}, remote.ErrNoRemote
	case 1:
		return rs[0], nil
	}
	return catalog.Remote{}, &SeveralRemotesError{N: len(rs)}
}
