package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/pkg/bytesize"
)

// Progress lines: drawn on stderr, only when it is a terminal.

// drawProgress redraws line(now) on one line of w every 200 ms when w is
// a terminal, and returns the function that stops and clears it.
func drawProgress(w io.Writer, line func(now time.Time) string) func() {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprint(w, "\r\033[K"+line(time.Now()))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// startProgress draws an import's progress (see drawProgress).
func startProgress(w io.Writer, p *importer.Progress) func() {
	return drawProgress(w, func(now time.Time) string { return progressLine(p, now) })
}

func progressLine(p *importer.Progress, now time.Time) string {
	files, bytes := p.DoneFiles.Load(), p.DoneBytes.Load()
	rate := bytesPerSecond(bytes, now.Sub(p.Started))
	line := fmt.Sprintf("importing %d", files)
	if p.Counted.Load() {
		total, totalBytes := p.TotalFiles.Load(), p.TotalBytes.Load()
		line = fmt.Sprintf("importing %d/%d files, %s/%s, %s/s", files, total,
			bytesize.Format(bytes), bytesize.Format(totalBytes), bytesize.Format(int64(rate)))
		if rate > 0 && totalBytes > bytes {
			eta := time.Duration(float64(totalBytes-bytes) / rate * float64(time.Second)).Round(time.Second)
			line += fmt.Sprintf(", ETA %s", eta)
		}
	} else {
		line += fmt.Sprintf(" files, %s, %s/s", bytesize.Format(bytes), bytesize.Format(int64(rate)))
	}
	return line
}

// startSyncProgress draws a sync's progress (see drawProgress).
func startSyncProgress(w io.Writer, p *syncer.Progress) func() {
	return drawProgress(w, func(now time.Time) string {
		done := p.DoneBytes.Load()
		return fmt.Sprintf("syncing %d/%d objects, %s/%s, %s/s", p.DoneObjects.Load(), p.TotalObjects.Load(),
			bytesize.Format(done), bytesize.Format(p.TotalBytes.Load()), bytesize.Format(int64(bytesPerSecond(done, now.Sub(p.Started)))))
	})
}

// bytesPerSecond is the rate of n bytes in elapsed, 0 before any time passed.
func bytesPerSecond(n int64, elapsed time.Duration) float64 {
	if s := elapsed.Seconds(); s > 0 {
		return float64(n) / s
	}
	return 0
}
