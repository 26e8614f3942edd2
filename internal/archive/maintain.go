package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/picup/picup/internal/jobs"
	"github.com/picup/picup/internal/trash"
)

// maintainJobs bounds how long Maintain runs queued jobs: long enough
// for the deletions an everyday purge queues, short enough that a
// command started while a big purge's outbox waits is not held up by it
// (at ten million photos, 2 s before). serve's loop, sync, import and
// trash empty run the queue for longer.
const maintainJobs = 250 * time.Millisecond

// maintainPlaces is how many photos' places Maintain looks up at most.
const maintainPlaces = 5000

// Maintain is the housekeeping every command starts with: it purges what
// has been in the trash longer than the retention, looks up the places of
// photos imported before places existed (FillPlaces), then, when jobs are
// queued, runs those that are due for a moment. What was purged is
// reported even with an error; an interrupted job run is not an error
// (the job stays queued).
func (a *Archive) Maintain(ctx context.Context, now time.Time) (trash.Report, error) {
	purged, err := trash.PurgeExpired(ctx, a.lib, now)
	if err != nil {
		return purged, fmt.Errorf("purge the trash: %w", err)
	}
	// Places for photos imported before they were looked up, a few
	// thousand a command (about 5 µs each).
	if _, err := a.FillPlaces(ctx, maintainPlaces); err != nil {
		return purged, fmt.Errorf("look up places: %w", err)
	}
	runner := jobs.NewRunner(a.lib)
	due, err := runner.Due(ctx)
	if err != nil || !due {
		return purged, err
	}
	_, err = runner.RunDue(ctx, time.Now().Add(maintainJobs))
	if err != nil && !errors.Is(err, context.Canceled) {
		return purged, fmt.Errorf("run queued jobs: %w", err)
	}
	return purged, nil
}
