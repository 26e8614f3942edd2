package web

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Metrics are the server's counters, exposed in the Prometheus text format
// at /metrics together with the archive's totals read from the catalog at
// scrape time. The methods are safe for concurrent use, and do nothing on
// a nil *Metrics.
type Metrics struct {
	started    time.Time
	inFlight   atomic.Int64
	shareViews atomic.Uint64
	requests   vec[requestKey, histogram]
	bytes      vec[string, atomic.Uint64] // by route
	limited    vec[string, atomic.Uint64] // by limit
	jobs       vec[jobKey, atomic.Uint64]
	syncObj    vec[string, atomic.Uint64] // by remote
	syncBytes  vec[string, atomic.Uint64] // by remote

	statsMu sync.Mutex // one catalog count at a time
	statsAt time.Time
	stats   catalog.Stats
}

// statsTTL is how long the archive's totals are reused: counting them
// takes a fraction of a second in a large library, and they change slowly.
const statsTTL = 30 * time.Second

// catalogStats returns the archive's totals, counted at most once per
// statsTTL.
func (m *Metrics) catalogStats(ctx context.Context, lib *library.Library) (catalog.Stats, error) {
	m.statsMu.Lock()
	defer m.statsMu.Unlock()
	if !m.statsAt.IsZero() && time.Since(m.statsAt) < statsTTL {
		return m.stats, nil
	}
	st, err := lib.Catalog.Stats(ctx)
	if err != nil {
		return st, err
	}
	m.stats, m.statsAt = st, time.Now()
	return st, nil
}

type requestKey struct {
	route string
	code  int
}

type jobKey struct{ kind, result string }

// Limit names, the label of picup_http_rate_limited_total.
const (
	limitShare    = "share"
	limitPassword = "password"
)

// NewMetrics returns zeroed metrics.
func NewMetrics() *Metrics {
	m := &Metrics{started: time.Now()}
	m.limited.at(limitShare)
	m.limited.at(limitPassword)
	return m
}

// ShareViewed counts one opening of a share page.
func (m *Metrics) ShareViewed() {
	if m != nil {
		m.shareViews.Add(1)
	}
}

// JobRan counts one attempt at a queued job: result is jobs.ResultDone,
// ResultFailed or ResultDead.
func (m *Metrics) JobRan(kind, result string) {
	if m != nil {
		m.jobs.at(jobKey{kind, result}).Add(1)
	}
}

// Synced counts the objects and bytes a sync uploaded to a remote.
func (m *Metrics) Synced(remote string, objects int, bytes int64) {
	if m != nil {
		m.syncObj.at(remote).Add(uint64(max(objects, 0)))
		m.syncBytes.at(remote).Add(uint64(max(bytes, 0)))
	}
}

func (m *Metrics) rateLimited(limit string) {
	if m != nil {
		m.limited.at(limit).Add(1)
	}
}

// vec is a metric with labels: one value per key, made on first use. The
// keys are route patterns, status codes, job kinds and remote names, a
// bounded set.
type vec[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]*V
}

func (v *vec[K, V]) at(k K) *V {
	v.mu.RLock()
	x := v.m[k]
	v.mu.RUnlock()
	if x != nil {
		return x
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if x = v.m[k]; x == nil {
		if v.m == nil {
			v.m = map[K]*V{}
		}
		x = new(V)
		v.m[k] = x
	}
	return x
}

// each calls fn for every key, in order.
func (v *vec[K, V]) each(order func(a, b K) int, fn func(K, *V)) {
	v.mu.RLock()
	keys := make([]K, 0, len(v.m))
	for k := range v.m {
		keys = append(keys, k)
	}
	v.mu.RUnlock()
	slices.SortFunc(keys, order)
	for _, k := range keys {
		fn(k, v.at(k))
	}
}

// durationBuckets are the upper bounds (seconds) of the request duration
// histogram: thumbnails take a millisecond or two, a share page some ten.
var durationBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts [len(durationBuckets) + 1]atomic.Uint64 // per bucket, not cumulative; the last is above every bound
	nanos  atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	h.counts[sort.SearchFloat64s(durationBuckets[:], d.Seconds())].Add(1)
	h.nanos.Add(int64(d))
}

// observe records one finished request.
func (m *Metrics) observe(route string, code int, d time.Duration, n int64) {
	m.requests.at(requestKey{route, code}).observe(d)
	m.bytes.at(route).Add(uint64(n))
}

// exposition writes the Prometheus text format (version 0.0.4).
type exposition struct{ bytes.Buffer }

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func (e *exposition) family(name, typ, help string) {
	e.WriteString("# HELP " + name + " " + helpEscaper.Replace(help) + "\n")
	e.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one line; labels are name, value pairs.
func (e *exposition) sample(name string, value string, labels ...string) {
	e.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		if i == 0 {
			e.WriteByte('{')
		} else {
			e.WriteByte(',')
		}
		e.WriteString(labels[i] + `="` + labelEscaper.Replace(labels[i+1]) + `"`)
		if i+2 >= len(labels) {
			e.WriteByte('}')
		}
	}
	e.WriteString(" " + value + "\n")
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
func i64(v int64) string  { return strconv.FormatInt(v, 10) }
func f64(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// write writes the server's own metrics.
func (m *Metrics) write(e *exposition) {
	e.family("picup_http_requests_in_flight", "gauge", "Requests being served now.")
	e.sample("picup_http_requests_in_flight", i64(m.inFlight.Load()))

	const dur = "picup_http_request_duration_seconds"
	e.family(dur, "histogram", "Time to serve a request, by route pattern and status code.")
	m.requests.each(func(a, b requestKey) int {
		return cmp.Or(strings.Compare(a.route, b.route), cmp.Compare(a.code, b.code))
	}, func(k requestKey, h *histogram) {
		code := strconv.Itoa(k.code)
		var total uint64
		for i, le := range durationBuckets {
			total += h.counts[i].Load()
			e.sample(dur+"_bucket", u64(total), "route", k.route, "code", code, "le", f64(le))
		}
		total += h.counts[len(durationBuckets)].Load()
		e.sample(dur+"_bucket", u64(total), "route", k.route, "code", code, "le", "+Inf")
		e.sample(dur+"_sum", f64(time.Duration(h.nanos.Load()).Seconds()), "route", k.route, "code", code)
		e.sample(dur+"_count", u64(total), "route", k.route, "code", code)
	})

	counters := func(name, help, label string, v *vec[string, atomic.Uint64]) {
		e.family(name, "counter", help)
		v.each(strings.Compare, func(k string, n *atomic.Uint64) { e.sample(name, u64(n.Load()), label, k) })
	}
	counters("picup_http_response_bytes_total", "Bytes of response bodies sent, by route pattern.", "route", &m.bytes)
	counters("picup_http_rate_limited_total", "Requests refused with 429 Too Many Requests, by limit (share or password).", "limit", &m.limited)

	e.family("picup_share_views_total", "counter", "Share pages opened.")
	e.sample("picup_share_views_total", u64(m.shareViews.Load()))

	e.family("picup_jobs_run_total", "counter", "Attempts at queued jobs by this server, by kind and result (done, failed, dead).")
	m.jobs.each(func(a, b jobKey) int {
		return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.result, b.result))
	}, func(k jobKey, n *atomic.Uint64) {
		e.sample("picup_jobs_run_total", u64(n.Load()), "kind", k.kind, "result", k.result)
	})

	counters("picup_sync_uploaded_objects_total", "Objects uploaded by this server's sync jobs, by remote.", "remote", &m.syncObj)
	counters("picup_sync_uploaded_bytes_total", "Bytes uploaded by this server's sync jobs, by remote.", "remote", &m.syncBytes)

	e.family("picup_server_start_time_seconds", "gauge", "When this server started, in seconds since the Unix epoch.")
	e.sample("picup_server_start_time_seconds", f64(float64(m.started.UnixMilli())/1000))
}

// writeStats writes the archive's totals.
func writeStats(e *exposition, st catalog.Stats) {
	e.family("picup_library_items", "gauge", "Photos and videos in the library, by type and state (live or trash).")
	e.sample("picup_library_items", i64(st.Photos), "type", "photo", "state", "live")
	e.sample("picup_library_items", i64(st.Videos), "type", "video", "state", "live")
	e.sample("picup_library_items", i64(st.TrashPhotos), "type", "photo", "state", "trash")
	e.sample("picup_library_items", i64(st.TrashVideos), "type", "video", "state", "trash")
	e.family("picup_library_bytes", "gauge", "Bytes of originals in the library, by state (live or trash).")
	e.sample("picup_library_bytes", i64(st.Bytes), "state", "live")
	e.sample("picup_library_bytes", i64(st.TrashBytes), "state", "trash")
	e.family("picup_jobs_queued", "gauge", "Jobs in the queue, by state (pending, or dead until \"picup jobs retry\").")
	e.sample("picup_jobs_queued", i64(st.JobsPending), "state", "pending")
	e.sample("picup_jobs_queued", i64(st.JobsDead), "state", "dead")
	e.family("picup_remote_pending_originals", "gauge", "Originals a remote does not hold yet, by remote.")
	names := make([]string, 0, len(st.RemotePending))
	for name := range st.RemotePending {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		e.sample("picup_remote_pending_originals", i64(st.RemotePending[name]), "remote", name)
	}
}

// Handler serves the metrics and the library's totals to anyone who
// reaches it; picup serve --metrics-addr puts it on its own listener.
func (m *Metrics) Handler(lib *library.Library) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path != "/metrics" {
			notFound(w)
			return
		}
		serveMetrics(w, r, lib, m)
	})
}

func serveMetrics(w http.ResponseWriter, r *http.Request, lib *library.Library, m *Metrics) {
	st, err := m.catalogStats(r.Context(), lib)
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "read the catalog: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var e exposition
	m.write(&e)
	writeStats(&e, st)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.Copy(w, &e)
}

// metricsPage is /metrics on the main listener: for loopback clients that
// come directly, not through a proxy, and only when the metrics have no
// listener of their own. Everyone else gets the same 404 as any unknown
// path.
func (s *server) metricsPage(w http.ResponseWriter, r *http.Request) {
	if s.opts.SeparateMetrics || !directLoopback(r) {
		notFound(w)
		return
	}
	serveMetrics(w, r, s.lib, s.metrics)
}

// directLoopback reports whether a request comes from this machine and
// not through a reverse proxy on it (which would forward the world's
// requests from a loopback address, adding a forwarding header).
func directLoopback(r *http.Request) bool {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !peer.Addr().Unmap().IsLoopback() {
		return false
	}
	h := r.Header
	return h.Get("X-Forwarded-For") == "" && h.Get("Forwarded") == "" && h.Get("X-Real-Ip") == ""
}

// statusWriter records the status and body size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the connection's sendfile path for files served with
// http.ServeContent.
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, src)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrumented measures every request (metrics) and writes one access log
// line for it. It logs and counts the route pattern, never the path, so
// share tokens and signatures stay out of logs and metrics.
func (s *server) instrumented(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Add(1)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			d := time.Since(start)
			s.metrics.inFlight.Add(-1)
			switch {
			case sw.status != 0:
			case r.Context().Err() != nil:
				sw.status = statusClientClosed // nothing was sent: the client went away
			default:
				sw.status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = s.route(r)
			}
			s.metrics.observe(route, sw.status, d, sw.bytes)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes), slog.Duration("duration", d), slog.String("client", s.clientAddr(r).String()))
		}()
		h.ServeHTTP(sw, r)
	})
}
