// Package ctxio makes long reads stop when their context ends.
package ctxio

import (
	"context"
	"io"
)

// Reader wraps r so that every Read first checks ctx and fails with its
// error once it is done: a long copy stops promptly at the next read. A Read
// already under way is not interrupted.
func Reader(ctx context.Context, r io.Reader) io.Reader { return reader{ctx, r} }

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
