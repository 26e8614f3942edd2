package archive

import (
	"context"
	"fmt"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/remote"
)

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
