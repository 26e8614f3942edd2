package web

import (
	"fmt"
	"hash/maphash"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimit is a token bucket per client address: Rate requests a second
// on average and Burst at once.
type RateLimit struct {
	Rate  float64
	Burst int
}

// The limits used when Options leaves them zero. Every thumbnail is a
// request, and a tablet flung through an album loads them as fast as the
// network goes: the share limit's burst covers every thumbnail of a
// 2,000-photo album at once, and then 100 a second, while a flood soon
// meets it. The password limit allows a few mistyped passwords, not a
// guessing run.
//
// Hearts and comments have two more: per client address, enough for a
// grandmother hearting a whole album in one sitting but not for a script,
// and per link, whatever the addresses, so that a link that leaked cannot
// fill the catalog with comments.
var (
	DefaultShareLimit    = RateLimit{Rate: 100, Burst: 2500}
	DefaultPasswordLimit = RateLimit{Rate: 5.0 / 60, Burst: 5}
	DefaultGuestLimit    = RateLimit{Rate: 0.5, Burst: 60}
	DefaultLinkLimit     = RateLimit{Rate: 2, Burst: 300}
)

// limiter keeps a token bucket per key (a client's address, a link), in
// shards to spread the lock.
// A bucket that has filled up again is dropped (a new one would be the
// same), and a shard never holds more than maxPerShard buckets, so memory
// stays bounded however many addresses ask.
type limiter[K comparable] struct {
	rate, burst float64
	idle        time.Duration // time for an empty bucket to fill
	now         func() time.Time
	seed        maphash.Seed
	shards      [limiterShards]limiterShard[K]
}

const (
	limiterShards = 64
	maxPerShard   = 1024
	sweepEvery    = time.Minute
)

type limiterShard[K comparable] struct {
	mu    sync.Mutex
	m     map[K]bucket
	swept time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter[K comparable](l RateLimit, now func() time.Time) *limiter[K] {
	return &limiter[K]{
		rate: l.Rate, burst: float64(l.Burst), now: now, seed: maphash.MakeSeed(),
		idle: time.Duration(float64(l.Burst) / l.Rate * float64(time.Second)),
	}
}

// take takes a token from key's bucket. When there is none it returns
// false and how long until there is one.
func (l *limiter[K]) take(key K) (bool, time.Duration) {
	now := l.now()
	sh := &l.shards[maphash.Comparable(l.seed, key)%limiterShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.m[key]
	if ok {
		b.tokens = min(l.burst, b.tokens+max(0, now.Sub(b.at).Seconds())*l.rate)
	} else {
		sh.makeRoom(now, l.idle)
		b.tokens = l.burst
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		sh.m[key] = b
		return true, 0
	}
	sh.m[key] = b
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// makeRoom drops the full buckets once in a while, and arbitrary ones
// when the shard is full of busy clients.
func (sh *limiterShard[K]) makeRoom(now time.Time, idle time.Duration) {
	if sh.m == nil {
		sh.m = map[K]bucket{}
	}
	since := now.Sub(sh.swept)
	if since < sweepEvery && len(sh.m) < maxPerShard {
		return
	}
	if since >= time.Second {
		sh.swept = now
		for k, b := range sh.m {
			if now.Sub(b.at) >= idle {
				delete(sh.m, k)
			}
		}
	}
	for k := range sh.m {
		if len(sh.m) < maxPerShard {
			break
		}
		delete(sh.m, k)
	}
}

// clientKey is the bucket of an address: IPv6 clients by /64, the block
// one household or phone gets.
func clientKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().Addr()
	}
	return ip
}

// limitOf names the limit a route falls under: password tries, the rest
// of a share (page, JSON, media, downloads), or none (health, static files).
func limitOf(route string) string {
	if route == "POST /s/{token}" {
		return limitPassword
	}
	path := route
	if _, p, ok := strings.Cut(route, " "); ok {
		path = p
	}
	if strings.HasPrefix(path, "/s/") || strings.HasPrefix(path, "/m/") {
		return limitShare
	}
	return ""
}

// limits holds the server's limiters, and its bounds on password checks
// and zip downloads; nil when rate limits are off.
type limits struct {
	share, password, guest *limiter[netip.Addr]
	link                   *limiter[int64] // by share id
	passwords              *passwordGuard
	zips                   *zipSlots
	proxyHint              sync.Once
}

func newLimits(o Options) *limits {
	if o.NoRateLimits {
		return nil
	}
	orDefault := func(l, d RateLimit) RateLimit {
		if l.Rate <= 0 || l.Burst <= 0 {
			return d
		}
		return l
	}
	return &limits{
		share:     newLimiter[netip.Addr](orDefault(o.ShareLimit, DefaultShareLimit), time.Now),
		password:  newLimiter[netip.Addr](orDefault(o.PasswordLimit, DefaultPasswordLimit), time.Now),
		guest:     newLimiter[netip.Addr](orDefault(o.GuestLimit, DefaultGuestLimit), time.Now),
		link:      newLimiter[int64](orDefault(o.LinkLimit, DefaultLinkLimit), time.Now),
		passwords: newPasswordGuard(),
		zips:      newZipSlots(zipsPerClient, zipsTotal),
	}
}

// takePart takes a token for a heart or a comment from the client's
// bucket and the link's. When either is empty it returns the limit's
// name and how long until it holds one again; "" when the action may go
// ahead.
func (s *server) takePart(r *http.Request, shareID int64) (string, time.Duration) {
	if s.limits == nil {
		return "", 0
	}
	if ip := s.clientAddr(r); ip.IsValid() {
		if ok, wait := s.limits.guest.take(clientKey(ip)); !ok {
			return limitGuest, wait
		}
	}
	if ok, wait := s.limits.link.take(shareID); !ok {
		return limitLink, wait
	}
	return "", 0
}

// limited refuses requests over their client's limit with 429 Too Many
// Requests and a Retry-After.
func (s *server) limited(h http.Handler) http.Handler {
	if s.limits == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := limitOf(s.route(r))
		if name == "" {
			h.ServeHTTP(w, r)
			return
		}
		l := s.limits.share
		if name == limitPassword {
			l = s.limits.password
		}
		ip := s.clientAddr(r)
		if !ip.IsValid() {
			h.ServeHTTP(w, r)
			return
		}
		s.hintProxy(r, ip)
		if ok, wait := l.take(clientKey(ip)); !ok {
			s.metrics.rateLimited(name)
			tooManyRequests(w, r, name, wait)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hintProxy logs once when requests seem to come through a proxy on this
// machine that is not trusted: every client then shares one limit.
func (s *server) hintProxy(r *http.Request, ip netip.Addr) {
	if ip.IsLoopback() && r.Header.Get("X-Forwarded-For") != "" {
		s.limits.proxyHint.Do(func() {
			s.log.Warn("a request from this machine carries X-Forwarded-For: if a reverse proxy here forwards to picup, start it with --trusted-proxy " +
				netip.PrefixFrom(ip, ip.BitLen()).String() + " so that rate limits and logs see each client")
		})
	}
}

// tooManyRequests is the 429 answer: short, in the reader's language,
// saying how long to wait.
func tooManyRequests(w http.ResponseWriter, r *http.Request, limit string, wait time.Duration) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	lang := pickLang(r.Header.Get("Accept-Language"))
	var title, body string
	switch {
	case lang == "ko" && limit == limitPassword:
		title, body = "잠시 기다려 주세요", fmt.Sprintf("비밀번호를 너무 많이 입력했습니다. %d초 후에 다시 해 주세요.", secs)
	case lang == "ko":
		title, body = "잠시 기다려 주세요", fmt.Sprintf("요청이 너무 많습니다. %d초 후에 다시 해 주세요.", secs)
	case limit == limitPassword:
		title, body = "Please wait", fmt.Sprintf("Too many password tries. Please wait %d seconds and try again.", secs)
	default:
		title, body = "Please wait", fmt.Sprintf("Too many requests at once. Please wait %d seconds and try again.", secs)
	}
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, "<!doctype html>\n<html lang=\"%s\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"+
		"<title>%s</title><h1>%s</h1><p>%s</p></html>\n", lang, title, title, body)
}

// clientAddr is the address of the request's client: the peer's, or, when
// the peer is a trusted proxy, the last address in X-Forwarded-For that
// is not a trusted proxy itself (addresses further left are whatever the
// client claimed).
func (s *server) clientAddr(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	ip := peer.Addr().Unmap()
	if !s.trustedProxy(ip) {
		return ip
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parseHop(parts[j])
			if !ok {
				return ip
			}
			ip = a
			if !s.trustedProxy(ip) {
				return ip
			}
		}
	}
	return ip
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a
// port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func (s *server) trustedProxy(ip netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// route is the pattern of the mux route a request goes to, "unmatched"
// when none.
func (s *server) route(r *http.Request) string {
	if s.mux != nil {
		if _, p := s.mux.Handler(r); p != "" {
			return p
		}
	}
	return "unmatched"
}

// ParseTrustedProxy reads an address or CIDR block for
// Options.TrustedProxies.
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR block such as 127.0.0.1/32 or 10.0.0.0/8", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
