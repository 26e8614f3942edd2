package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// fakeStore answers Head and Put with queued errors, then with success.
type fakeStore struct {
	Store
	errs  []error
	calls int
	puts  []string // the content each Put read
}

func (f *fakeStore) next() error {
	f.calls++
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func (f *fakeStore) Head(ctx context.Context, key string) (Info, error) {
	if err := f.next(); err != nil {
		return Info{}, err
	}
	return Info{Key: key}, nil
}

func (f *fakeStore) Put(ctx context.Context, key string, r io.Reader, size int64, sha256, contentType string) error {
	b, _ := io.ReadAll(r)
	f.puts = append(f.puts, string(b))
	return f.next()
}

func (f *fakeStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := fn(Info{Key: "a"}); err != nil {
		return err
	}
	return f.next()
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestRetry(f *fakeStore, p RetryPolicy) (*retryStore, *fakeClock, *[]time.Duration) {
	r := WithRetry(f, p).(*retryStore)
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	var sleeps []time.Duration
	r.now = clock.now
	r.sleep = func(ctx context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return ctx.Err()
	}
	return r, clock, &sleeps
}

var (
	errTransient = errors.New("connection reset by peer")
	errForGood   = &kindError{msg: "credentials rejected", err: errors.New("InvalidAccessKeyId"), kind: ErrPermanent}
	errMissing   = &kindError{msg: "no such object", err: errors.New("NoSuchKey"), kind: fs.ErrNotExist}
)

func TestRetryHead(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   error
	}{
		{"success", nil, 1, nil},
		{"transient then success", []error{errTransient, errTransient}, 3, nil},
		{"transient every time", []error{errTransient, errTransient, errTransient, errTransient}, 4, errTransient},
		{"permanent", []error{errForGood, nil}, 1, ErrPermanent},
		{"missing", []error{errMissing, nil}, 1, fs.ErrNotExist},
		{"transient then permanent", []error{errTransient, errForGood}, 2, ErrPermanent},
	}
	for _, tt := range tests {
		f := &fakeStore{errs: tt.errs}
		r, _, sleeps := newTestRetry(f, RetryPolicy{Attempts: 4, Base: 100 * time.Millisecond, Max: 150 * time.Millisecond, BreakAfter: 100})
		_, err := r.Head(t.Context(), "k")
		if f.calls != tt.wantCalls || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("%s: Head() = %v after %d calls; want %v after %d", tt.name, err, f.calls, tt.wantErr, tt.wantCalls)
		}
		for i, d := range *sleeps {
			if limit := min(150*time.Millisecond, 100*time.Millisecond<<i); d <= 0 || d > limit {
				t.Errorf("%s: backoff %d = %v; want in (0, %v]", tt.name, i, d, limit)
			}
		}
	}
}

func TestRetryPut(t *testing.T) {
	// A seekable reader is rewound for each attempt.
	f := &fakeStore{errs: []error{errTransient}}
	r, _, _ := newTestRetry(f, RetryPolicy{Attempts: 3})
	if err := r.Put(t.Context(), "k", strings.NewReader("content"), 7, "", ""); err != nil {
		t.Errorf("Put(seekable) = %v; want nil", err)
	}
	if want := []string{"content", "content"}; strings.Join(f.puts, ",") != strings.Join(want, ",") {
		t.Errorf("Put(seekable) read %q; want %q", f.puts, want)
	}

	// Any other reader gets one attempt.
	f = &fakeStore{errs: []error{errTransient}}
	r, _, _ = newTestRetry(f, RetryPolicy{Attempts: 3})
	if err := r.Put(t.Context(), "k", io.MultiReader(bytes.NewReader([]byte("x"))), 1, "", ""); !errors.Is(err, errTransient) || f.calls != 1 {
		t.Errorf("Put(not seekable) = %v after %d calls; want %v after 1", err, f.calls, errTransient)
	}
}

func TestRetryList(t *testing.T) {
	// An error of the callback is returned as is and not retried.
	stop := errors.New("stop")
	f := &fakeStore{}
	r, _, _ := newTestRetry(f, RetryPolicy{Attempts: 3, BreakAfter: 1})
	if err := r.List(t.Context(), "", func(Info) error { return stop }); err != stop {
		t.Errorf("List() = %v; want %v", err, stop)
	}
	// A listing that failed after it began is not repeated.
	f = &fakeStore{errs: []error{errTransient}}
	r, _, _ = newTestRetry(f, RetryPolicy{Attempts: 3, BreakAfter: 10})
	n := 0
	if err := r.List(t.Context(), "", func(Info) error { n++; return nil }); !errors.Is(err, errTransient) || n != 1 {
		t.Errorf("List() = %v after %d keys; want %v after 1", err, n, errTransient)
	}
}

func TestCircuitBreaker(t *testing.T) {
	f := &fakeStore{errs: []error{errTransient, errTransient, errTransient}}
	r, clock, _ := newTestRetry(f, RetryPolicy{Attempts: 2, BreakAfter: 3, Cooldown: time.Minute})

	// Two calls, three failures: the circuit opens during the second.
	_, _ = r.Head(t.Context(), "k") // fails, and opens the circuit
	_, err := r.Head(t.Context(), "k")
	if !errors.Is(err, ErrCircuitOpen) || f.calls != 3 {
		t.Fatalf("Head() = %v after %d calls; want ErrCircuitOpen after 3", err, f.calls)
	}
	want := "remote unreachable after 3 failures: connection reset by peer"
	if err.Error() != want {
		t.Errorf("Head() = %q; want %q", err, want)
	}
	if errors.Is(err, ErrPermanent) {
		t.Errorf("Head() = %v is ErrPermanent; want it not to be", err)
	}

	// Open: fail fast without calling the store.
	clock.t = clock.t.Add(59 * time.Second)
	if _, err := r.Head(t.Context(), "k"); !errors.Is(err, ErrCircuitOpen) || f.calls != 3 {
		t.Errorf("Head() while open = %v after %d calls; want ErrCircuitOpen after 3", err, f.calls)
	}

	// After the cooldown one trial call goes through; it fails, the
	// circuit opens again at once.
	f.errs = []error{errTransient}
	clock.t = clock.t.Add(2 * time.Second)
	if _, err := r.Head(t.Context(), "k"); !errors.Is(err, ErrCircuitOpen) || f.calls != 4 {
		t.Errorf("Head() failed trial = %v after %d calls; want ErrCircuitOpen after 4", err, f.calls)
	}

	// The next trial succeeds and closes the circuit.
	clock.t = clock.t.Add(time.Minute)
	if _, err := r.Head(t.Context(), "k"); err != nil || f.calls != 5 {
		t.Errorf("Head() trial = %v after %d calls; want nil after 5", err, f.calls)
	}
	f.errs = []error{errTransient}
	if _, err := r.Head(t.Context(), "k"); err != nil || f.calls != 7 {
		t.Errorf("Head() closed = %v after %d calls; want nil after 7 (one retry)", err, f.calls)
	}
}

func TestRetryCancelled(t *testing.T) {
	f := &fakeStore{errs: []error{context.Canceled}}
	r, _, _ := newTestRetry(f, RetryPolicy{Attempts: 3, BreakAfter: 1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Head(ctx, "k"); !errors.Is(err, context.Canceled) || f.calls != 1 {
		t.Errorf("Head(cancelled) = %v after %d calls; want context.Canceled after 1", err, f.calls)
	}
	if _, err := r.Head(t.Context(), "k"); err != nil {
		t.Errorf("Head() after a cancelled call = %v; want nil (the circuit stays closed)", err)
	}
}
