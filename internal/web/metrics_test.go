package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/picup/picup/internal/catalog"
)

// exposed is a parsed /metrics: sample values by their canonical key
// name{label="value",...} (labels sorted), and each family's type.
type exposed struct {
	values map[string]float64
	types  map[string]string
	order  []string // sample keys as they came
}

// parseExposition reads the Prometheus text format strictly: every
// sample belongs to a family announced by # HELP and # TYPE before it,
// label values are unescaped, and each key appears once.
func parseExposition(t *testing.T, body string) exposed {
	t.Helper()
	e := exposed{values: map[string]float64{}, types: map[string]string{}}
	helped := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ := strings.Cut(rest, " ")
			if helped[name] {
				t.Errorf("second HELP for %s", name)
			}
			helped[name] = true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if !helped[name] || e.types[name] != "" {
				t.Errorf("TYPE line %q: want exactly one, after its HELP", line)
			}
			if !slices.Contains([]string{"counter", "gauge", "histogram", "summary"}, typ) {
				t.Errorf("TYPE line %q: unknown type", line)
			}
			e.types[name] = typ
			continue
		}
		name, labels, value := parseSample(t, line)
		family := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suf); ok && (e.types[base] == "histogram" || e.types[base] == "summary" && suf != "_bucket") {
				family = base
			}
		}
		if e.types[family] == "summary" && name == family && labels["quantile"] == "" {
			t.Errorf("summary sample %q without a quantile", line)
		}
		if e.types[family] == "" {
			t.Errorf("sample %q before its family's TYPE", line)
		}
		if e.types[family] == "counter" && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
		key := canonical(name, labels)
		if _, dup := e.values[key]; dup {
			t.Errorf("sample %s twice", key)
		}
		e.values[key] = value
		e.order = append(e.order, key)
	}
	return e
}

func parseSample(t *testing.T, line string) (string, map[string]string, float64) {
	t.Helper()
	labels := map[string]string{}
	name, rest, hasLabels := strings.Cut(line, "{")
	if !hasLabels {
		name, rest, _ = strings.Cut(line, " ")
		rest = " " + rest
	} else {
		for {
			lname, after, ok := strings.Cut(rest, `="`)
			if !ok {
				t.Fatalf("bad labels in %q", line)
			}
			var val strings.Builder
			i := 0
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
					switch after[i] {
					case 'n':
						val.WriteByte('\n')
					case '\\', '"':
						val.WriteByte(after[i])
					default:
						t.Fatalf("bad escape in %q", line)
					}
					continue
				}
				val.WriteByte(after[i])
			}
			labels[lname] = val.String()
			rest = after[i+1:]
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			if !strings.HasPrefix(rest, ",") {
				t.Fatalf("bad labels in %q", line)
			}
			rest = rest[1:]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimPrefix(rest, " "), 64)
	if err != nil || !strings.HasPrefix(rest, " ") {
		t.Fatalf("bad value in %q: %v", line, err)
	}
	return name, labels, v
}

func canonical(name string, labels map[string]string) string {
	if len(labels) == 0 {
		return name
	}
	var parts []string
	for k, v := range labels {
		parts = append(parts, k+"="+strconv.Quote(v))
	}
	slices.Sort(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// get is a sample's value; labels are name, value pairs.
func (e exposed) get(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	m := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		m[labels[i]] = labels[i+1]
	}
	v, ok := e.values[canonical(name, m)]
	if !ok {
		t.Errorf("no sample %s", canonical(name, m))
	}
	return v
}

// checkHistograms checks every duration series: buckets cumulative in
// increasing le, ending with +Inf equal to _count.
func (e exposed) checkHistograms(t *testing.T) {
	t.Helper()
	const name = "picup_http_request_duration_seconds"
	type series struct {
		les    []float64
		counts []float64
	}
	all := map[string]*series{}
	for _, key := range e.order {
		rest, ok := strings.CutPrefix(key, name+"_bucket{")
		if !ok {
			continue
		}
		_, labels, _ := parseSample(t, name+"{"+rest+" 0")
		le, err := strconv.ParseFloat(labels["le"], 64)
		if err != nil {
			t.Fatalf("%s: le %q", key, labels["le"])
		}
		delete(labels, "le")
		id := canonical(name, labels)
		if all[id] == nil {
			all[id] = &series{}
		}
		all[id].les = append(all[id].les, le)
		all[id].counts = append(all[id].counts, e.values[key])
	}
	if len(all) == 0 {
		t.Fatal("no histogram series")
	}
	for id, s := range all {
		if !slices.IsSorted(s.les) || !slices.IsSorted(s.counts) || s.les[len(s.les)-1] != inf {
			t.Errorf("%s: le %v counts %v; want both increasing, ending at +Inf", id, s.les, s.counts)
		}
		count := e.values[strings.Replace(id, "_seconds{", "_seconds_count{", 1)]
		if s.counts[len(s.counts)-1] != count || count == 0 {
			t.Errorf("%s: +Inf bucket %v, _count %v", id, s.counts[len(s.counts)-1], count)
		}
	}
}

var inf, _ = strconv.ParseFloat("+Inf", 64)

// counterValue reads a counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func scrape(t *testing.T, url string) exposed {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("GET /metrics = %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return parseExposition(t, string(b))
}

// TestMetrics scrapes /metrics over a real listener before and after
// requests, and reads back what changed.
func TestMetrics(t *testing.T) {
	f := newFixture(t)
	token, _ := f.share(t, catalog.Share{})
	ctx := context.Background()
	if err := f.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.AddRemote(ctx, catalog.Remote{Name: "b2", Bucket: "photos", Endpoint: "s3.example.org"})
	}); err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	var logs bytes.Buffer
	srv := httptest.NewServer(NewServer(f.lib, Options{Metrics: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()

	before := scrape(t, srv.URL)
	if v := before.get(t, "picup_share_views_total"); v != 0 {
		t.Errorf("share views before any = %v", v)
	}
	if v := before.get(t, "picup_http_requests_in_flight"); v != 1 {
		t.Errorf("in flight during a scrape = %v; want 1, the scrape", v)
	}
	photos := float64(len(f.inside) + 1)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"picup_library_items", []string{"type", "photo", "state", "live"}, photos},
		{"picup_library_items", []string{"type", "video", "state", "live"}, 0},
		{"picup_library_items", []string{"type", "photo", "state", "trash"}, 0},
		{"picup_jobs_queued", []string{"state", "pending"}, 0},
		{"picup_jobs_queued", []string{"state", "dead"}, 0},
		{"picup_http_rate_limited_total", []string{"limit", "share"}, 0},
		{"picup_http_rate_limited_total", []string{"limit", "password"}, 0},
		{"picup_remote_pending_originals", []string{"remote", "b2"}, photos},
	} {
		if got := before.get(t, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	if v := before.get(t, "picup_library_bytes", "state", "live"); v <= 0 {
		t.Errorf("library bytes = %v", v)
	}

	for _, path := range []string{"/s/" + token, "/s/" + token, "/no/such/page", "/healthz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	m.JobRan(catalog.JobSync, "done")
	m.Synced(`b2 "main"\eu`, 12, 3456)

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(raw), token) || strings.Contains(logs.String(), token) {
		t.Error("the share token leaked into the metrics or the log")
	}
	after := parseExposition(t, string(raw))
	after.checkHistograms(t)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"picup_share_views_total", nil, 2},
		{"picup_http_request_duration_seconds_count", []string{"route", "GET /s/{token}", "code", "200"}, 2},
		{"picup_http_request_duration_seconds_count", []string{"route", "/", "code", "404"}, 1},
		{"picup_http_request_duration_seconds_count", []string{"route", "GET /healthz", "code", "200"}, 1},
		{"picup_http_request_duration_seconds_count", []string{"route", "GET /metrics", "code", "200"}, 1},
		{"picup_http_response_bytes_total", []string{"route", "GET /healthz"}, 3},
		{"picup_jobs_run_total", []string{"kind", "sync", "result", "done"}, 1},
		{"picup_sync_uploaded_objects_total", []string{"remote", `b2 "main"\eu`}, 12},
		{"picup_sync_uploaded_bytes_total", []string{"remote", `b2 "main"\eu`}, 3456},
	} {
		if got := after.get(t, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
	if v := after.get(t, "picup_http_response_bytes_total", "route", "GET /s/{token}"); v < 1000 {
		t.Errorf("bytes served for two share pages = %v", v)
	}
	if v := after.get(t, "picup_http_request_duration_seconds_sum", "route", "GET /s/{token}", "code", "200"); v <= 0 {
		t.Errorf("duration sum = %v", v)
	}
	started := after.get(t, "picup_server_start_time_seconds")
	if d := time.Since(time.UnixMilli(int64(started * 1000))); d < 0 || d > time.Hour {
		t.Errorf("start time %v is %v ago", started, d)
	}

	// Every family keeps the type docs/viewer.md gives it, and nothing else
	// of picup's is there.
	types := map[string]string{
		"picup_http_request_duration_seconds": "histogram",
		"picup_http_response_bytes_total":     "counter",
		"picup_http_requests_in_flight":       "gauge",
		"picup_http_rate_limited_total":       "counter",
		"picup_share_views_total":             "counter",
		"picup_jobs_run_total":                "counter",
		"picup_sync_uploaded_objects_total":   "counter",
		"picup_sync_uploaded_bytes_total":     "counter",
		"picup_library_items":                 "gauge",
		"picup_library_bytes":                 "gauge",
		"picup_jobs_queued":                   "gauge",
		"picup_remote_pending_originals":      "gauge",
		"picup_server_start_time_seconds":     "gauge",
	}
	for name, typ := range after.types {
		if strings.HasPrefix(name, "picup_") && types[name] != typ {
			t.Errorf("family %s is a %s; want %q", name, typ, types[name])
		}
	}
	for name, typ := range types {
		if after.types[name] != typ {
			t.Errorf("family %s: type %q; want %s", name, after.types[name], typ)
		}
	}

	// The Go runtime's and the process's metrics.
	if v := after.get(t, "go_goroutines"); v < 1 {
		t.Errorf("go_goroutines = %v", v)
	}
	if v := after.get(t, "go_info", "version", runtime.Version()); v != 1 {
		t.Errorf("go_info = %v", v)
	}
	if v := after.get(t, "go_memstats_heap_alloc_bytes"); v <= 0 {
		t.Errorf("go_memstats_heap_alloc_bytes = %v", v)
	}
	if after.types["go_gc_duration_seconds"] != "summary" {
		t.Errorf("go_gc_duration_seconds: type %q; want summary", after.types["go_gc_duration_seconds"])
	}
	if runtime.GOOS == "linux" {
		if v := after.get(t, "process_resident_memory_bytes"); v <= 0 {
			t.Errorf("process_resident_memory_bytes = %v", v)
		}
		if v := after.get(t, "process_open_fds"); v < 3 {
			t.Errorf("process_open_fds = %v", v)
		}
		if v := after.get(t, "process_start_time_seconds"); math.Abs(v-started) > 3600 {
			t.Errorf("process_start_time_seconds = %v; the server started at %v", v, started)
		}
		if after.types["process_cpu_seconds_total"] != "counter" {
			t.Errorf("process_cpu_seconds_total: type %q", after.types["process_cpu_seconds_total"])
		}
	}
}

// /metrics answers loopback clients that come directly, and no one else;
// with its own listener, no one on the main one.
func TestMetricsOnlyLoopback(t *testing.T) {
	f := newFixture(t)
	m := NewMetrics()
	for _, c := range []struct {
		name     string
		separate bool
		remote   string
		header   []string
		want     int
	}{
		{"loopback", false, "127.0.0.1:4000", nil, 200},
		{"loopback v6", false, "[::1]:4000", nil, 200},
		{"tablet on the LAN", false, "192.168.1.23:4000", nil, 404},
		{"through a proxy here", false, "127.0.0.1:4000", []string{"X-Forwarded-For", "203.0.113.9"}, 404},
		{"through a Forwarded proxy", false, "127.0.0.1:4000", []string{"Forwarded", "for=203.0.113.9"}, 404},
		{"through X-Real-IP", false, "127.0.0.1:4000", []string{"X-Real-IP", "203.0.113.9"}, 404},
		{"own listener", true, "127.0.0.1:4000", nil, 404},
		{"Host 127.0.0.1", false, "127.0.0.1:4000", []string{"Host", "127.0.0.1:8080"}, 200},
		{"Host [::1]", false, "[::1]:4000", []string{"Host", "[::1]:8080"}, 200},
		{"Host of a proxy here that adds no header", false, "127.0.0.1:4000", []string{"Host", "photos.example.org"}, 404},
		{"Host that starts with localhost", false, "127.0.0.1:4000", []string{"Host", "localhost.example.org"}, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := NewServer(f.lib, Options{Metrics: m, SeparateMetrics: c.separate})
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.RemoteAddr = c.remote
			req.Host = "localhost:8080"
			for i := 0; i+1 < len(c.header); i += 2 {
				if c.header[i] == "Host" {
					req.Host = c.header[i+1]
					continue
				}
				req.Header.Set(c.header[i], c.header[i+1])
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.want {
				t.Errorf("GET /metrics from %s = %d; want %d", c.remote, w.Code, c.want)
			}
			if c.want == 404 && w.Body.String() != "not found\n" {
				t.Errorf("refused /metrics says %q; want the plain 404", w.Body.String())
			}
		})
	}

	srv := httptest.NewServer(m.Handler(f.lib))
	defer srv.Close()
	if v := scrape(t, srv.URL).get(t, "picup_http_request_duration_seconds_count", "route", "GET /metrics", "code", "404"); v != 7 {
		t.Errorf("the metrics listener counts %v refused scrapes; want them all", v)
	}
	resp, err := http.Get(srv.URL + "/s/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("metrics listener: GET /s/x = %d; want 404", resp.StatusCode)
	}
}

// The text the library writes escapes HELP and label values, and reads
// back as it was.
func TestExpositionEscaping(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "x_total", Help: `a \ b` + "\nc"}, []string{"remote", "kind"})
	reg.MustRegister(c)
	c.WithLabelValues("we\"ird\\\nname", "sync").Add(1)
	c.WithLabelValues("plain", "sync").Add(2)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var e exposition
	if err := e.families(mfs); err != nil {
		t.Fatal(err)
	}
	want := "# HELP x_total a \\\\ b\\nc\n# TYPE x_total counter\n" +
		`x_total{kind="sync",remote="plain"} 2` + "\n" +
		`x_total{kind="sync",remote="we\"ird\\\nname"} 1` + "\n"
	if e.String() != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", e.String(), want)
	}
	p := parseExposition(t, e.String())
	if v := p.get(t, "x_total", "remote", "we\"ird\\\nname", "kind", "sync"); v != 1 {
		t.Errorf("parsed back %v", p.values)
	}
}

// A request's duration lands in the buckets of the documented bounds, 1 ms
// to 10 s, each bound inclusive, with the exact sum.
func TestHistogramBuckets(t *testing.T) {
	m := NewMetrics()
	for _, d := range []time.Duration{500 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, time.Minute} {
		m.observe("GET /x", 200, d, 10)
	}
	var e exposition
	if err := m.write(&e); err != nil {
		t.Fatal(err)
	}
	p := parseExposition(t, e.String())
	p.checkHistograms(t)
	// 0.5 ms and exactly 1 ms are both "le 0.001"; a minute is over every bound.
	for le, want := range map[string]float64{"0.001": 2, "0.0025": 2, "0.005": 3, "10": 3, "+Inf": 4} {
		if got := p.get(t, "picup_http_request_duration_seconds_bucket", "route", "GET /x", "code", "200", "le", le); got != want {
			t.Errorf("bucket le=%s: %v; want %v", le, got, want)
		}
	}
	var les []string
	for _, key := range p.order {
		if rest, ok := strings.CutPrefix(key, "picup_http_request_duration_seconds_bucket{"); ok {
			_, labels, _ := parseSample(t, "x{"+rest+" 0")
			les = append(les, labels["le"])
		}
	}
	if want := []string{"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}; !slices.Equal(les, want) {
		t.Errorf("bucket bounds %q; want %q", les, want)
	}
	if got := p.get(t, "picup_http_request_duration_seconds_sum", "route", "GET /x", "code", "200"); math.Abs(got-60.0045) > 1e-9 {
		t.Errorf("sum = %v; want 60.0045", got)
	}
	if got := p.get(t, "picup_http_response_bytes_total", "route", "GET /x"); got != 40 {
		t.Errorf("bytes = %v; want 40", got)
	}
}

// Labels that are not valid UTF-8 (a remote named so by hand) are not
// counted, and break nothing: the library would refuse to write them.
func TestMetricsRefusedLabels(t *testing.T) {
	m := NewMetrics()
	m.Synced("bad\xff", 1, 1)
	m.JobRan("sync", "bad\xff")
	m.observe("GET /\xff", 200, time.Millisecond, 1)
	m.Synced("good", 1, 1)
	var e exposition
	if err := m.write(&e); err != nil {
		t.Fatalf("write after refused labels: %v", err)
	}
	p := parseExposition(t, e.String())
	if v := p.get(t, "picup_sync_uploaded_objects_total", "remote", "good"); v != 1 {
		t.Errorf("good remote: %v", v)
	}
	if strings.Contains(e.String(), "\xff") {
		t.Error("a label that is not UTF-8 was written")
	}
}

// BenchmarkMetricsObserve is what the metrics add to every request: one
// observation of its route, status code, duration and size, from all
// cores at once.
func BenchmarkMetricsObserve(b *testing.B) {
	m := NewMetrics()
	routes := []string{"GET /s/{token}", "GET /m/{sig}/{photo}/{kind}", "GET /healthz", "/"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.observe(routes[i%len(routes)], 200, time.Duration(i%5000)*time.Microsecond, 38_000)
			i++
		}
	})
}
