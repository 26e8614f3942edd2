package blob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/blob/blobtest"
	"github.com/picup/picup/internal/miniotest"
)

func newS3(t *testing.T, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewS3(%+v) = %v; want nil", cfg, err)
	}
	return s
}

func s3Config(srv miniotest.Server, bucket, prefix string) blob.S3Config {
	return blob.S3Config{
		Endpoint: srv.Endpoint, Region: "us-east-1", Bucket: bucket, Prefix: prefix,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: 5 << 20,
	}
}

// TestS3 runs the suite against a real MinIO server, one bucket per subtest,
// with keys under a prefix.
func TestS3(t *testing.T) {
	srv := miniotest.Start(t)
	var n atomic.Int64
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s := newS3(t, s3Config(srv, fmt.Sprintf("suite-%d", n.Add(1)), "backup/picup"))
		if created, err := s.EnsureBucket(t.Context()); err != nil || !created {
			t.Fatalf("EnsureBucket() = %v, %v; want true, nil", created, err)
		}
		return s
	})
}

func TestS3NoPrefix(t *testing.T) {
	srv := miniotest.Start(t)
	s := newS3(t, s3Config(srv, "bare", ""))
	if _, err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	if created, err := s.EnsureBucket(t.Context()); err != nil || created {
		t.Errorf("second EnsureBucket() = %v, %v; want false, nil", created, err)
	}
	if err := s.Put(t.Context(), "a/b", strings.NewReader("x"), 1, sumOf("x"), ""); err != nil {
		t.Fatal(err)
	}
	var keys []string
	err := s.List(t.Context(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil })
	if err != nil || len(keys) != 1 || keys[0] != "a/b" {
		t.Errorf("List(%q) = %q, %v; want [\"a/b\"], nil", "", keys, err)
	}
}

func TestS3Probe(t *testing.T) {
	srv := miniotest.Start(t)
	ok := newS3(t, s3Config(srv, "probe", "p"))
	if _, err := ok.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	skew, err := ok.Probe(t.Context())
	if err != nil {
		t.Fatalf("Probe() = %v; want nil", err)
	}
	// The server runs on this machine: its clock is ours, give or take the
	// one-second resolution of the Date header.
	if skew < -2*time.Second || skew > 2*time.Second {
		t.Errorf("Probe() skew = %v; want within 2s of 0", skew)
	}
	var left []string
	if err := ok.List(t.Context(), "", func(i blob.Info) error { left = append(left, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("Probe left %q behind", left)
	}

	badKey := s3Config(srv, "probe", "p")
	badKey.AccessKey = "nobody"
	badSecret := s3Config(srv, "probe", "p")
	badSecret.SecretKey = "wrong-secret"
	tests := []struct {
		name      string
		cfg       blob.S3Config
		want      string
		permanent bool
	}{
		{"unknown key", badKey, "credentials rejected (InvalidAccessKeyId); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", true},
		{"wrong secret", badSecret, "credentials rejected (SignatureDoesNotMatch); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", true},
		{"no bucket", s3Config(srv, "missing", ""), `bucket "missing" does not exist; "picup sync" creates it, or create it yourself`, true},
		{"unreachable", s3Config(miniotest.Server{Endpoint: "127.0.0.1:1", AccessKey: "a", SecretKey: "b"}, "x12", ""), "cannot reach 127.0.0.1:1: connection refused; check --endpoint and that the server runs", false},
	}
	for _, tt := range tests {
		_, err := newS3(t, tt.cfg).Probe(t.Context())
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || errors.Is(err, blob.ErrPermanent) != tt.permanent {
			t.Errorf("%s: Probe() = %v (permanent %v); want %q (permanent %v)", tt.name, err, errors.Is(err, blob.ErrPermanent), tt.want, tt.permanent)
		}
	}
	if _, err := blob.NewS3(t.Context(), s3Config(srv, "No_Such", "")); !errors.Is(err, blob.ErrPermanent) {
		t.Errorf("NewS3 with bucket %q = %v; want ErrPermanent", "No_Such", err)
	}
}

// TestS3Outage kills the server: calls fail transiently and then fast while
// the circuit is open; after a restart they work again.
func TestS3Outage(t *testing.T) {
	srv := miniotest.Start(t)
	s3 := newS3(t, s3Config(srv, "outage", ""))
	if _, err := s3.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := blob.WithRetry(s3, blob.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: 2 * time.Millisecond, BreakAfter: 3, Cooldown: 200 * time.Millisecond})
	if err := s.Put(t.Context(), "k", bytes.NewReader([]byte("x")), 1, sumOf("x"), ""); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	_, err := s.Head(t.Context(), "k")
	if err == nil || errors.Is(err, blob.ErrPermanent) || blob.IsNotExist(err) {
		t.Fatalf("Head during outage = %v; want a transient error", err)
	}
	_, err = s.Head(t.Context(), "k")
	if !errors.Is(err, blob.ErrCircuitOpen) || !strings.Contains(err.Error(), "remote unreachable after 3 failures: cannot reach") {
		t.Fatalf("Head during outage = %v; want ErrCircuitOpen", err)
	}
	srv.Restart()
	time.Sleep(250 * time.Millisecond) // the cooldown
	if info, err := s.Head(t.Context(), "k"); err != nil || info.SHA256 != sumOf("x") {
		t.Errorf("Head after restart = %+v, %v; want the object", info, err)
	}
}

func sumOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestS3DeleteObjects deletes 1,000 keys and more through a proxy that
// counts the requests: one DeleteObjects POST a thousand keys, none a key.
// The proxy also rewrites the server's answer, as a server that refuses
// one key and forgets another would give it: those keys alone fail.
func TestS3DeleteObjects(t *testing.T) {
	srv := miniotest.Start(t)
	to, err := url.Parse("http://" + srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var posts, deletes atomic.Int64
	refused := regexp.MustCompile(`<Deleted><Key>([^<]*refused/me)</Key>`)
	forgotten := regexp.MustCompile(`<Deleted><Key>[^<]*forgotten/me</Key></Deleted>`)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(to)
			r.Out.Host = r.In.Host // the host the request was signed for
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method != http.MethodPost {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			body = refused.ReplaceAll(body, []byte(`<Error><Key>$1</Key><Code>AccessDenied</Code><Message>Access Denied.</Message></Error><Deleted><Key>x</Key>`))
			body = forgotten.ReplaceAll(body, nil)
			resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			resp.Header.Del("Content-Length")
			return nil
		},
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Query().Has("delete"):
			posts.Add(1)
			if r.Header.Get("Content-Md5") == "" && r.Header.Get("X-Amz-Checksum-Crc32") == "" {
				t.Errorf("DeleteObjects request without Content-MD5: %v", r.Header)
			}
		case r.Method == http.MethodDelete:
			deletes.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	s := newS3(t, s3Config(miniotest.Server{Endpoint: strings.TrimPrefix(front.URL, "http://"), AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}, "bulk", "backup/picup"))
	if _, err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a & b/사진 1.jpg", `odd/<tag> "q" 'p'.jpg`, "refused/me", "forgotten/me"}
	for i := range 1001 {
		keys = append(keys, fmt.Sprintf("bulk/%04d.jpg", i))
	}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 8 {
		wg.Go(func() {
			for k := range work {
				if err := s.Put(t.Context(), k, strings.NewReader(k), int64(len(k)), sumOf(k), ""); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	posts.Store(0)

	errs := s.DeleteObjects(t.Context(), append(keys, "never/there", keys[0]))
	if len(errs) != len(keys)+2 {
		t.Fatalf("%d errors for %d keys", len(errs), len(keys)+2)
	}
	for i, err := range errs {
		k := append(keys, "never/there", keys[0])[i]
		switch k {
		case "refused/me":
			if !errors.Is(err, blob.ErrPermanent) || !strings.Contains(err.Error(), `delete "refused/me": access denied (AccessDenied)`) {
				t.Errorf("key %q: %v; want access denied, permanent", k, err)
			}
		case "forgotten/me":
			if err == nil || errors.Is(err, blob.ErrPermanent) || !strings.Contains(err.Error(), "did not mention this key") {
				t.Errorf("key %q: %v; want a transient error saying the answer left it out", k, err)
			}
		default:
			if err != nil {
				t.Errorf("key %q: %v; want deleted", k, err)
			}
		}
	}
	if posts.Load() != 2 || deletes.Load() != 0 {
		t.Errorf("%d DeleteObjects requests and %d DELETEs for %d keys; want 2 and 0", posts.Load(), deletes.Load(), len(keys))
	}
	var left []string
	if err := s.List(t.Context(), "", func(i blob.Info) error { left = append(left, i.Key); return nil }); err != nil || len(left) != 0 {
		t.Errorf("left after DeleteObjects: %q, %v; want nothing", left, err)
	}
}
