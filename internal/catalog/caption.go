package catalog

import (
	"context"
	"fmt"
)

// SetCaption sets a photo's caption, "" to remove it (ErrNotFound for no
// such photo).
func (tx *Tx) SetCaption(ctx context.Context, id int64, caption string) error {
	res, err := tx.ExecContext(ctx, `UPDATE photos SET caption = ? WHERE id = ?`, caption, id)
	if err != nil {
		return fmt.Errorf("photo %d: set its caption: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no photo with id %d; see \"picup ls\": %w", id, ErrNotFound)
	}
	return nil
}
