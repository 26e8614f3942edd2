package archive

import (
	"context"
	"fmt"
	"strconv"

	"github.com/picup/picup/internal/catalog"
)

// seenActivityKey is the setting that holds the newest feed row the
// terminal browser has shown.
const seenActivityKey = "tui_seen_activity"

// SeenActivity is the id of the newest feed row the terminal browser has
// shown (0 before it showed any): the rows after it are unread there.
func (a *Archive) SeenActivity(ctx context.Context) (int64, error) {
	v, err := a.lib.Catalog.Setting(ctx, seenActivityKey)
	if err != nil || v == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("setting %s: %q is not a feed id", seenActivityKey, v)
	}
	return id, nil
}

// SetSeenActivity remembers that the terminal browser has shown the feed
// up to the row id. The mark only moves forward: a browser that showed
// less than another one did leaves it.
func (a *Archive) SetSeenActivity(ctx context.Context, id int64) error {
	return a.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		seen, err := a.SeenActivity(ctx)
		if err != nil || id <= seen {
			return err
		}
		return tx.SetSetting(ctx, seenActivityKey, strconv.FormatInt(id, 10))
	})
}
