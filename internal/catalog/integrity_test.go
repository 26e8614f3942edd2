package catalog

import (
	"context"
	"testing"
)

// TestIntegrityCheckAfterWrites: the integrity check judges the catalog
// as it is, not as a reader connection last saw the search index: a
// check, a write that changes the index, and a check again find nothing.
func TestIntegrityCheckAfterWrites(t *testing.T) {
	ctx := context.Background()
	c := openTest(t)
	for i := 1; i <= 20; i++ {
		for range 4 { // each reader of the pool has seen the index
			if issues, err := c.IntegrityCheck(ctx); err != nil || len(issues) != 0 {
				t.Fatalf("after %d photos: %v, %v", i-1, issues, err)
			}
		}
		insert(t, c, testPhoto(i, int64(i)*1000))
		err := c.Write(ctx, func(tx *Tx) error { return tx.SetCaption(ctx, int64(i), "caption") })
		if err != nil {
			t.Fatal(err)
		}
	}
	if issues, err := c.IntegrityCheck(ctx); err != nil || len(issues) != 0 {
		t.Errorf("at the end: %v, %v", issues, err)
	}
}
