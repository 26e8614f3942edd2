// Package archive is the layer of operations: every action a person can
// take on a library — from the command line, the terminal browser or the
// web viewer — is one method of Archive, with its checks, its catalog
// transaction and its follow-up jobs. Front ends parse, call one method
// and present the result; they never open a catalog transaction
// themselves (a test in this package keeps it so). A new action is a new
// method here, in the file of its domain: albums, trash, shares, users,
// remotes and jobs.
package archive

import (
	"context"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Archive acts on one open library.
type Archive struct {
	lib *library.Library
}

// New returns the operations on lib.
func New(lib *library.Library) *Archive { return &Archive{lib: lib} }

// Library is the library the archive acts on.
func (a *Archive) Library() *library.Library { return a.lib }

// count runs fn in a write transaction and returns the number it reports
// (photos moved, jobs retried …).
func (a *Archive) count(ctx context.Context, fn func(tx *catalog.Tx) (int, error)) (int, error) {
	n := 0
	err := a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		var err error
		n, err = fn(tx)
		return err
	})
	return n, err
}
