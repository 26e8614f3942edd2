package cli

import (
	"context"
	"fmt"
	"strconv"
)

// Listings read from the catalog a page at a time, so that a library of
// any size is listed in bounded memory.

// pageSize is how many rows a listing reads from the catalog at once.
const pageSize = 500

// pages reads a cursor-paged listing: page(after, n) returns at most n
// items after the cursor, cursor says an item's own. Each item goes to
// emit, and flush runs after each page. With limit > 0 it stops after
// limit items and, when more remain, says on stderr how to get the next
// page ("more: COMMAND --limit N --after CURSOR").
func pages[T any, C fmt.Stringer](ctx context.Context, e *env, command string, limit int, after C,
	page func(after C, n int) ([]T, error), cursor func(T) C, emit func(T) error, flush func() error) error {
	remaining := limit
	for {
		n := pageSize
		if limit > 0 {
			n = min(n, remaining)
		}
		items, err := page(after, n)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := emit(it); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if len(items) > 0 {
			after = cursor(items[len(items)-1])
		}
		if limit > 0 {
			if remaining -= len(items); remaining == 0 && len(items) > 0 {
				more, err := page(after, 1)
				if err != nil {
					return err
				}
				if len(more) > 0 {
					fmt.Fprintf(e.stderr, "more: %s --limit %d --after %s\n", command, limit, after)
				}
				return nil
			}
		}
		if len(items) < n || ctx.Err() != nil {
			return nil // the caller ends its output, then reports ctx.Err()
		}
	}
}

// idCursor reads --after of a listing whose cursor is a row's id: 0 when
// after is empty; command names the listing in the error.
func idCursor(after, command string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(after, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("--after %q: want a cursor from %q", after, command)
	}
	return id, nil
}
