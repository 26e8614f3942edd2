package web

import (
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Limits on what one client address does through one link, beside the
// share limit every request counts against: uploads sending bytes at
// once (the page sends three), and new uploads (60 at once, then one a
// second). Over either, the answer is 429 with Retry-After, and the page
// waits and tries again. Options.NoRateLimits turns them off too.
const uploadsAtOnce = 4

// DefaultUploadLimit is the pace of new uploads per client and link.
var DefaultUploadLimit = RateLimit{Rate: 1, Burst: 60}

// busyRetry is the Retry-After of a client with uploadsAtOnce uploads
// sending: the seconds after which one of them has likely moved on.
const busyRetry = 2 * time.Second

const limitUpload = "upload"

// clientLink is a client address (clientKey's) on one link.
type clientLink struct {
	client netip.Addr
	share  int64
}

// uploadGate counts the uploads each client sends through each link, and
// keeps the pace of new ones with a token bucket per client and link.
type uploadGate struct {
	mu      sync.Mutex
	sending map[clientLink]int // only while non-zero
	created *limiter[clientLink]
}

func newUploadGate() *uploadGate {
	return &uploadGate{sending: map[clientLink]int{}, created: newLimiter[clientLink](DefaultUploadLimit, time.Now)}
}

// allowCreate takes a token for a new upload, or answers 429.
func (u *uploads) allowCreate(w http.ResponseWriter, r *http.Request, c *uploadCall) bool {
	if u.gate == nil || !c.client.client.IsValid() {
		return true
	}
	ok, wait := u.gate.created.take(c.client)
	if !ok {
		u.tooBusy(w, r, wait)
	}
	return ok
}

// enter counts an upload sending through the link, or answers 429 when
// the client has uploadsAtOnce sending already. release ends it.
func (u *uploads) enter(w http.ResponseWriter, r *http.Request, c *uploadCall) (release func(), ok bool) {
	if u.gate == nil || !c.client.client.IsValid() {
		return func() {}, true
	}
	g, k := u.gate, c.client
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sending[k] >= uploadsAtOnce {
		u.tooBusy(w, r, busyRetry)
		return nil, false
	}
	g.sending[k]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.sending[k]--; g.sending[k] == 0 {
			delete(g.sending, k)
		}
	}, true
}

// tooBusy is the 429 of the upload limits.
func (u *uploads) tooBusy(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	u.s.metrics.rateLimited(limitUpload)
	fail(w, r, http.StatusTooManyRequests, codeRateLimited, wait)
}
