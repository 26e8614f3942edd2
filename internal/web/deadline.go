package web

import (
	"io"
	"net/http"
	"time"
)

// The server's ReadTimeout and WriteTimeout (see viewerLimits) fit a
// page, its JSON and a thumbnail. Routes that take long set their own
// deadlines through http.ResponseController: a video or an original
// (streamDeadline), the zip download (zipWriter), the live-update
// stream (events: a write deadline for each flush) and tus uploads
// (tusd extends its read deadline as the bytes of a PATCH come in). A
// request without a body, or whose body was read, is left with no read
// deadline by net/http.
const (
	// minStreamRate is the slowest a client may take a video or an
	// original on average, on top of streamGrace, before it is cut off.
	minStreamRate = 16 << 10 // bytes a second
	streamGrace   = time.Minute
	// zipStall is how long the zip download waits for one write to the
	// client.
	zipStall = time.Minute
)

// streamDeadline gives the response of a file of size bytes the time
// that a client at minStreamRate needs. Writers without deadlines
// (tests' recorders) are left alone.
func streamDeadline(w http.ResponseWriter, size int64) {
	d := streamGrace + time.Duration(size/minStreamRate)*time.Second
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

// zipWriter is the zip download's response: each write may take
// zipStall, however long the whole download takes.
type zipWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func newZipWriter(w http.ResponseWriter) *zipWriter {
	return &zipWriter{w: w, rc: http.NewResponseController(w)}
}

func (z *zipWriter) Write(p []byte) (int, error) {
	_ = z.rc.SetWriteDeadline(time.Now().Add(zipStall))
	return z.w.Write(p)
}
