package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
	"github.com/picup/picup/internal/syncer"
)

// openRemote finds the remote named name and opens its bucket.
func (a *Archive) openRemote(ctx context.Context, name string) (catalog.Remote, blob.Store, *blob.S3, error) {
	r, err := a.lib.Catalog.RemoteByName(ctx, name)
	if err != nil {
		return r, nil, nil, err
	}
	store, s3, err := remote.Open(ctx, r, remote.Options{})
	return r, store, s3, err
}

// ProbeRemote checks that the named remote works for picup (see
// blob.S3.Probe), within a minute, and returns the remote and how far
// its clock is ahead of this machine's.
func (a *Archive) ProbeRemote(ctx context.Context, name string) (catalog.Remote, time.Duration, error) {
	r, _, s3, err := a.openRemote(ctx, name)
	if err != nil {
		return r, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	skew, err := s3.Probe(ctx)
	if err != nil {
		return r, 0, fmt.Errorf("remote %q: %w", r.Name, err)
	}
	return r, skew, nil
}

// RemoteCheck is what VerifyRemote found, and did.
type RemoteCheck struct {
	syncer.RemoteReport
	Reuploaded int // objects uploaded again after a repair
	// Remaining counts the problems left: every one, or after a repair
	// the objects the catalog does not know (which it leaves alone).
	Remaining int
}

// VerifyRemote checks that the named remote holds every object the
// catalog needs (see syncer.VerifyRemote). With o.Repair, what is
// missing or corrupt is then uploaded again.
func (a *Archive) VerifyRemote(ctx context.Context, name string, o syncer.VerifyOptions) (RemoteCheck, error) {
	r, store, _, err := a.openRemote(ctx, name)
	if err != nil {
		return RemoteCheck{}, err
	}
	rep, err := syncer.VerifyRemote(ctx, a.lib, r, store, o)
	c := RemoteCheck{RemoteReport: rep, Remaining: len(rep.Problems)}
	if err != nil || !rep.Repaired {
		return c, err
	}
	sum, err := syncer.Sync(ctx, a.lib, r, store, syncer.Options{})
	if err != nil {
		return c, fmt.Errorf("re-upload: %w", err)
	}
	c.Reuploaded, c.Remaining = sum.Uploaded, 0
	for _, p := range rep.Problems {
		if p.Kind == "unknown" {
			c.Remaining++
		}
	}
	return c, nil
}
