package web

import (
	"net/netip"
	"runtime"
	"sync"
	"time"
)

// passwordGuard holds back password guessing on the server as a whole,
// whatever the addresses it comes from: it counts each link's wrong
// passwords (in memory: a restart forgets them) and bounds how many
// passwords are checked at once, each check being a CPU-heavy KDF.
type passwordGuard struct {
	checks chan struct{} // a slot for each check under way
	mu     sync.Mutex
	links  map[int64]linkFailures // by share id, links with wrong passwords only
}

// linkFailures are a link's wrong passwords since its last right one.
type linkFailures struct {
	n     int
	until time.Time // no password is checked before then
}

// Past freeFailures wrong passwords, a link checks no password for a
// while after each wrong one: firstDelay, doubling with each wrong one up
// to maxDelay.
const (
	freeFailures = 5
	firstDelay   = time.Second
	maxDelay     = 15 * time.Minute
)

func newPasswordGuard() *passwordGuard {
	return &passwordGuard{checks: make(chan struct{}, 2*runtime.GOMAXPROCS(0)), links: map[int64]linkFailures{}}
}

// wait is how long the link must wait before a password is checked; 0
// when one may be now.
func (g *passwordGuard) wait(shareID int64, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(0, g.links[shareID].until.Sub(now))
}

// enter takes a slot to check a password; false when every slot is
// taken. Call leave after the check.
func (g *passwordGuard) enter() bool {
	select {
	case g.checks <- struct{}{}:
		return true
	default:
		return false
	}
}

func (g *passwordGuard) leave() { <-g.checks }

// checked records the outcome of a check of the link's password.
func (g *passwordGuard) checked(shareID int64, right bool, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if right {
		delete(g.links, shareID)
		return
	}
	f := g.links[shareID]
	f.n++
	if f.n >= freeFailures {
		f.until = now.Add(min(maxDelay, firstDelay<<min(f.n-freeFailures, 20)))
	}
	g.links[shareID] = f
}

// zipSlots bounds the zip downloads streaming at once: perClient for an
// address (by clientKey), total for the server.
type zipSlots struct {
	perClient, total int
	mu               sync.Mutex
	open             int
	byClient         map[netip.Addr]int
}

// The zip downloads that may stream at once, and the Retry-After of a
// download refused for want of a slot.
const (
	zipsPerClient = 2
	zipsTotal     = 8
	zipRetry      = 30 * time.Second
)

func newZipSlots(perClient, total int) *zipSlots {
	return &zipSlots{perClient: perClient, total: total, byClient: map[netip.Addr]int{}}
}

// take takes a slot for a download by ip; false when the client or the
// server has none left. release gives it back.
func (z *zipSlots) take(ip netip.Addr) (release func(), ok bool) {
	key := clientKey(ip)
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.open >= z.total || z.byClient[key] >= z.perClient {
		return nil, false
	}
	z.open++
	z.byClient[key]++
	return sync.OnceFunc(func() {
		z.mu.Lock()
		defer z.mu.Unlock()
		z.open--
		if z.byClient[key]--; z.byClient[key] == 0 {
			delete(z.byClient, key)
		}
	}), true
}
