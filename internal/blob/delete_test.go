package blob

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// batchStore deletes keys in batches, failing a key with the errors
// queued for it, one per call, then succeeding.
type batchStore struct {
	Store
	errs    map[string][]error
	batches [][]string // the keys of each DeleteObjects call
	single  []string   // the keys of each Delete call
}

func (b *batchStore) next(key string) error {
	q := b.errs[key]
	if len(q) == 0 {
		return nil
	}
	b.errs[key] = q[1:]
	return q[0]
}

func (b *batchStore) DeleteObjects(ctx context.Context, keys []string) []error {
	b.batches = append(b.batches, slices.Clone(keys))
	errs := make([]error, len(keys))
	for i, k := range keys {
		errs[i] = b.next(k)
	}
	return errs
}

func (b *batchStore) Delete(ctx context.Context, key string) error {
	b.single = append(b.single, key)
	return b.next(key)
}

// singleStore is a store without batched deletions, deleting through b.
type singleStore struct {
	Store
	b *batchStore
}

func (s singleStore) Delete(ctx context.Context, key string) error { return s.b.Delete(ctx, key) }

// The retry wrapper sends again, together, only the keys that failed
// transiently; a permanent or missing key's error is final at once.
func TestRetryDeleteObjects(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	tests := []struct {
		name        string
		errs        map[string][]error
		wantBatches [][]string
		wantErrs    []error // by key
	}{
		{"all deleted", nil, [][]string{keys}, []error{nil, nil, nil, nil}},
		{"one transient once", map[string][]error{"b": {errTransient}},
			[][]string{keys, {"b"}}, []error{nil, nil, nil, nil}},
		{"two transient, one twice", map[string][]error{"b": {errTransient}, "d": {errTransient, errTransient}},
			[][]string{keys, {"b", "d"}, {"d"}}, []error{nil, nil, nil, nil}},
		{"permanent", map[string][]error{"c": {errForGood}},
			[][]string{keys}, []error{nil, nil, errForGood, nil}},
		{"transient to the end", map[string][]error{"a": {errTransient, errTransient, errTransient, errTransient}},
			[][]string{keys, {"a"}, {"a"}}, []error{errTransient, nil, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &batchStore{errs: tt.errs}
			r, _, sleeps := newTestRetry(&fakeStore{}, RetryPolicy{Attempts: 3})
			r.s = WithLimit(b, 1<<20) // the limit wrapper passes batches through too
			errs := r.DeleteObjects(t.Context(), keys)
			if !slices.EqualFunc(b.batches, tt.wantBatches, slices.Equal) || len(b.single) != 0 {
				t.Errorf("batches sent %q, single deletes %q; want %q and none", b.batches, b.single, tt.wantBatches)
			}
			for i, want := range tt.wantErrs {
				if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
					t.Errorf("key %q: %v; want %v", keys[i], errs[i], want)
				}
			}
			if len(*sleeps) != len(tt.wantBatches)-1 {
				t.Errorf("%d backoffs; want one before each batch sent again", len(*sleeps))
			}
		})
	}
}

// A store without batched deletions deletes key by key, each with its
// own error; an open circuit fails every key without a call.
func TestDeleteObjectsFallback(t *testing.T) {
	b := &batchStore{errs: map[string][]error{"b": {errForGood}}}
	errs := DeleteObjects(t.Context(), WithRetry(singleStore{b: b}, RetryPolicy{Attempts: 1}), []string{"a", "b", "c"})
	if !slices.Equal(b.single, []string{"a", "b", "c"}) || len(b.batches) != 0 {
		t.Errorf("single deletes %q, batches %q; want a, b, c one by one", b.single, b.batches)
	}
	if errs[0] != nil || !errors.Is(errs[1], ErrPermanent) || errs[2] != nil {
		t.Errorf("errors %v; want b's only", errs)
	}

	b = &batchStore{errs: map[string][]error{"a": {errTransient}, "b": {errTransient}}}
	r, _, _ := newTestRetry(&fakeStore{}, RetryPolicy{Attempts: 1, BreakAfter: 1})
	r.s = b
	r.DeleteObjects(t.Context(), []string{"a", "b"}) // opens the circuit
	errs = r.DeleteObjects(t.Context(), []string{"c", "d"})
	if len(b.batches) != 1 || !errors.Is(errs[0], ErrCircuitOpen) || !errors.Is(errs[1], ErrCircuitOpen) {
		t.Errorf("batches %q, errors %v; want one batch, then ErrCircuitOpen for c and d", b.batches, errs)
	}
}
