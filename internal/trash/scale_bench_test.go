package trash

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// BenchmarkScalePurge times purging the trash of a generated library
// (scripts/gen-catalog), one transaction's batch an iteration, as "trash
// empty" does, reported in ns a photo. It purges for good, so it runs
// only on a copy named by PICUP_SCALE_SCRATCH, and it stops when that
// copy's trash is used up; trash more of it first (picup rm --album) to
// time a long run.
//
//	cp -a /tmp/scale-1m /tmp/copy
//	PICUP_SCALE_SCRATCH=/tmp/copy go test ./internal/trash -run '^$' -bench ScalePurge -benchtime 20x
func BenchmarkScalePurge(b *testing.B) {
	dir := os.Getenv("PICUP_SCALE_SCRATCH")
	if dir == "" {
		b.Skip("PICUP_SCALE_SCRATCH is not set: copy a library made by scripts/gen-catalog (the benchmark purges its trash) and name the copy there")
	}
	ctx := context.Background()
	lib, err := library.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	const batch = purgeBatch
	purged := 0
	start := time.Now()
	for b.Loop() {
		ids, err := lib.Catalog.TrashedBefore(ctx, time.Time{}, batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(ids) < batch {
			b.Fatalf("%s has %d photos left in the trash: copy the library again, or trash more of it", dir, len(ids))
		}
		r := Report{Reason: Reason{Kind: catalog.PurgeEmptied}}
		if err := r.purge(ctx, lib, ids, nil); err != nil {
			b.Fatal(err)
		}
		purged += batch
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(purged), "ns/photo")
}
