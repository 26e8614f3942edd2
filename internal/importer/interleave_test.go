package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// The tests in this file stop imports at chosen steps (hooks) to force the
// interleavings that concurrent imports only meet now and then.

// gate is a step where one import waits until the test lets it go.
type gate struct {
	reached chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{reached: make(chan struct{}), release: make(chan struct{})} }

// stop is the hook: it tells the test the import is here and waits.
func (g *gate) stop(string) {
	close(g.reached)
	<-g.release
}

// wait blocks until the import reaches the gate, or fails the test.
func (g *gate) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(30 * time.Second):
		t.Fatalf("the import never reached %s", what)
	}
}

type runResult struct {
	s   Summary
	err error
}

func startRun(lib *library.Library, opts Options, root string) <-chan runResult {
	done := make(chan runResult, 1)
	go func() {
		s, err := Run(context.Background(), lib, []string{root}, opts)
		done <- runResult{s, err}
	}()
	return done
}

func finished(t *testing.T, what string, done <-chan runResult) Summary {
	t.Helper()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("%s: %v", what, r.err)
		}
		return r.s
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not finish", what)
	}
	return Summary{}
}

// An import whose bytes another import stored first turns its reservation
// into its share of the stored copy. That reservation must end there: when
// it was also released afterwards, the release deleted a reservation that
// a third import had been given since (the same id), that import's bytes
// were charged without being counted, and a fourth import took the room:
// used_bytes went over the quota.
func TestQuotaHoldsWhenAnotherImportStoresTheSameBytesFirst(t *testing.T) {
	lib := newLib(t)
	ctx := context.Background()
	x, y, z := jpegBytes(t, 1), jpegBytes(t, 2), jpegBytes(t, 3)
	sx, sy, sz := int64(len(x)), int64(len(y)), int64(len(z))
	quota := sx + sy + sz - 1 // X and Y fit; X, Y and Z do not
	if 2*sx > quota {
		t.Fatalf("generated sizes %d, %d, %d leave no room to reserve X twice", sx, sy, sz)
	}
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { _, err := tx.CreateUser(ctx, "kid", &quota); return err }); err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	for name, data := range map[string][]byte{"a/x.jpg": x, "b/x-copy.jpg": x, "c/y.jpg": y, "d/z.jpg": z} {
		writeFile(t, filepath.Join(in, name), data)
	}

	// A reserves X and waits.
	aReserved, aStored := newGate(), newGate()
	a := startRun(lib, Options{User: "kid", Jobs: 1, hooks: hooks{reserved: aReserved.stop, stored: aStored.stop}}, filepath.Join(in, "a"))
	aReserved.wait(t, "A's reservation")
	// B stores X.
	if s := finished(t, "import B", startRun(lib, Options{User: "kid", Jobs: 1}, filepath.Join(in, "b"))); s.Imported != 1 {
		t.Fatalf("import B: %+v; want X imported", s)
	}
	// A finds X stored: its reservation becomes its share of it.
	close(aReserved.release)
	aStored.wait(t, "A's ownership of X")
	// C reserves Y and waits.
	cReserved := newGate()
	c := startRun(lib, Options{User: "kid", Jobs: 1, hooks: hooks{reserved: cReserved.stop}}, filepath.Join(in, "c"))
	cReserved.wait(t, "C's reservation")
	// A ends.
	close(aStored.release)
	if s := finished(t, "import A", a); s.Duplicates != 1 {
		t.Fatalf("import A: %+v; want X as a duplicate", s)
	}
	// D tries Z: with Y still reserved it does not fit.
	d := finished(t, "import D", startRun(lib, Options{User: "kid", Jobs: 1}, filepath.Join(in, "d")))
	close(cReserved.release)
	cs := finished(t, "import C", c)

	u, err := lib.Catalog.UserByName(ctx, "kid")
	if err != nil {
		t.Fatal(err)
	}
	if u.UsedBytes > quota {
		t.Errorf("used_bytes %d exceeds the quota %d", u.UsedBytes, quota)
	}
	if cs.Imported != 1 {
		t.Errorf("import C, which held a reservation for Y: %+v; want Y imported", cs)
	}
	if d.Imported != 0 || d.Failed != 1 || !strings.Contains(d.Failures[0].Error, "quota exceeded") {
		t.Errorf("import D: %+v; want Z refused by the quota (Y is reserved)", d)
	}
	if u.UsedBytes != sx+sy || u.ReservedBytes != 0 {
		t.Errorf("kid: used %d, reserved %d; want %d (X and Y), 0", u.UsedBytes, u.ReservedBytes, sx+sy)
	}
}

// A reservation is released at most once, and its id is never given to
// another reservation.
func TestReservationIDsAreNotReused(t *testing.T) {
	lib := newLib(t)
	ctx := context.Background()
	user, err := lib.Catalog.FirstUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reserve := func() int64 {
		var id int64
		err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			var err error
			id, err = tx.Reserve(ctx, user.ID, 10, "run-test")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := reserve()
	if err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.Release(ctx, first) }); err != nil {
		t.Fatal(err)
	}
	if second := reserve(); second == first {
		t.Fatalf("reservation id %d was given again after its release", first)
	}
}

// A worker that waits for another worker importing the same bytes leaves
// when the import is cancelled. It must not read the other worker's
// result, which that worker may still be writing: under -race (as
// ./scripts/test runs) this test fails if it does. The owner stores the
// bytes and records its result before the waiter leaves; they meet only
// through the file system, which the race detector does not count as
// synchronisation.
func TestCancelWhileWaitingForAnotherWorker(t *testing.T) {
	lib := newLib(t)
	in := t.TempDir()
	data := jpegBytes(t, 7)
	for i := range 6 {
		writeFile(t, filepath.Join(in, fmt.Sprintf("IMG_%04d.jpg", i)), data)
	}
	marker := filepath.Join(t.TempDir(), "owner-stored")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	h := hooks{
		stored: func(string) {
			if err := os.Mkdir(marker, 0o755); err != nil {
				t.Error(err)
			}
			<-ctx.Done()
		},
		waiting: func(string) {
			once.Do(func() {
				deadline := time.Now().Add(30 * time.Second)
				for !library.Exists(marker) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				cancel()
			})
		},
	}
	s, err := Run(ctx, lib, []string{in}, Options{Jobs: 4, hooks: h})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || s.Imported != 1 || s.Failed != 0 {
		t.Fatalf("summary %+v; want interrupted, the content imported once, nothing failed", s)
	}
	if !library.Exists(marker) {
		t.Fatal("no worker stored the content: the interleaving was not forced")
	}
	if got := libraryFiles(t, lib, library.OriginalsDir); len(got) != 1 {
		t.Fatalf("originals after the cancelled import: %v; want the one stored", got)
	}
	u, err := lib.Catalog.FirstUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.ReservedBytes != 0 || u.UsedBytes != int64(len(data)) {
		t.Fatalf("after the cancelled import: %+v; want %d bytes used, nothing reserved", u, len(data))
	}
}
