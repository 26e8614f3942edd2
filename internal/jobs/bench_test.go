package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/blob"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/miniotest"
	"github.com/picup/picup/internal/thumb"
)

// purgedFiles are the library files and remote keys of one purged photo,
// as a purge queues them: the original, its thumbnails and its meta
// sidecar (which only remotes hold).
func purgedFiles(i int) []string {
	sum := sha256.Sum256([]byte(strconv.Itoa(i)))
	sha := hex.EncodeToString(sum[:])
	files := []string{"originals/2020/2020-01-" + strconv.Itoa(10+i%20) + "/IMG_" + strconv.Itoa(i) + ".JPG"}
	for _, s := range thumb.Sizes {
		files = append(files, library.ThumbPath(sha, s.Name))
	}
	return append(files, "meta/"+sha+".json")
}

func writeFile(tb testing.TB, p string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// queuePurge lays out the library files of photos purged photos and
// queues what a purge queues: a delete-file job per file and a
// delete-remote job per object that remote "r" holds. It returns the
// number of jobs and the remote's keys, for the caller to store.
func queuePurge(tb testing.TB, lib *library.Library, photos int) (jobs int, keys []string) {
	tb.Helper()
	ctx := context.Background()
	err := lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if err := tx.AddRemote(ctx, catalog.Remote{Name: "r", Bucket: "b", Endpoint: "127.0.0.1:1"}); err != nil {
			return err
		}
		for i := range photos {
			for _, f := range purgedFiles(i) {
				if !strings.HasPrefix(f, "meta/") {
					writeFile(tb, lib.Abs(f))
				}
				if err := tx.PutRemoteObject(ctx, "r", f, "00", 1); err != nil {
					return err
				}
				if err := tx.AddJob(ctx, catalog.JobDeleteFile, f); err != nil {
					return err
				}
				if err := tx.AddJob(ctx, catalog.JobDeleteRemote, "r\t"+f); err != nil {
					return err
				}
				jobs, keys = jobs+2, append(keys, f)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return jobs, keys
}

// BenchmarkDrainPurge drains the outbox a purge of 2,500 photos leaves:
// 20,000 jobs, half delete-file, half delete-remote, to a directory
// store or to MinIO (through the retry wrapper, as remotes are opened),
// and reports jobs a second.
func BenchmarkDrainPurge(b *testing.B) {
	const photos = 2500
	b.Run("dir", func(b *testing.B) {
		benchDrain(b, photos, func(root string, keys []string) blob.Store {
			dir := filepath.Join(root, "remote")
			for _, k := range keys {
				writeFile(b, filepath.Join(dir, filepath.FromSlash(k)))
			}
			return blob.NewDir(dir)
		})
	})
	b.Run("minio", func(b *testing.B) {
		srv := miniotest.Start(b)
		benchDrain(b, photos, minioStore(b, srv, srv.Endpoint))
	})
	// A remote that cannot be opened (no credentials): its jobs fail.
	b.Run("unopenable", func(b *testing.B) {
		benchDrain(b, photos, func(string, []string) blob.Store { return nil })
	})
	// A remote across a network: every request waits 5 ms more (a round
	// trip to a nearby data centre; across the internet it is 20-100).
	b.Run("minio-5ms", func(b *testing.B) {
		srv := miniotest.Start(b)
		benchDrain(b, photos, minioStore(b, srv, slowProxy(b, srv.Endpoint, 5*time.Millisecond)))
	})
}

// minioStore returns a function that stores keys in a new bucket of srv
// and returns the bucket as a remote is opened, reached at endpoint.
func minioStore(b *testing.B, srv miniotest.Server, endpoint string) func(string, []string) blob.Store {
	n := 0
	return func(_ string, keys []string) blob.Store {
		n++
		cfg := blob.S3Config{Endpoint: srv.Endpoint, Region: "us-east-1", Bucket: fmt.Sprintf("drain-%d", n),
			AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
		direct, err := blob.NewS3(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := direct.EnsureBucket(context.Background()); err != nil {
			b.Fatal(err)
		}
		putAll(b, direct, keys)
		cfg.Endpoint = endpoint
		s3, err := blob.NewS3(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		return blob.WithRetry(s3, blob.RetryPolicy{})
	}
}

// slowProxy serves endpoint's requests on a new address, each delay later.
func slowProxy(b *testing.B, endpoint string, delay time.Duration) string {
	to := &url.URL{Scheme: "http", Host: endpoint}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(to)
		r.Out.Host = r.In.Host // the host the request was signed for
	}}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		proxy.ServeHTTP(w, r)
	}))
	b.Cleanup(front.Close)
	return strings.TrimPrefix(front.URL, "http://")
}

// putAll stores a small object under every key, eight at a time.
func putAll(b *testing.B, s blob.Store, keys []string) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for k := range work {
				if err := s.Put(context.Background(), k, strings.NewReader("x"), 1, sumX, ""); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
}

var sumX = func() string { s := sha256.Sum256([]byte("x")); return hex.EncodeToString(s[:]) }()

// benchDrain times RunDue over the jobs queuePurge queues, with the
// remote's objects stored by store; a nil store cannot be opened.
func benchDrain(b *testing.B, photos int, store func(root string, keys []string) blob.Store) {
	ctx := context.Background()
	total, elapsed := 0, time.Duration(0)
	for range b.N {
		b.StopTimer()
		root := b.TempDir()
		lib, err := library.Open(ctx, filepath.Join(root, "lib"))
		if err != nil {
			b.Fatal(err)
		}
		n, keys := queuePurge(b, lib, photos)
		s := store(root, keys)
		r := NewRunner(lib).WithRemotes(func(_ context.Context, name string) (blob.Store, error) {
			if s == nil {
				return nil, fmt.Errorf("remote %q: no credentials; set AWS_ACCESS_KEY_ID", name)
			}
			return s, nil
		}, nil)
		clock := time.Now() // still: a failed job is not due again in this run
		r.now = func() time.Time { return clock }
		b.StartTimer()
		start := time.Now()
		res, err := r.RunDue(ctx, clock.Add(time.Hour))
		elapsed += time.Since(start)
		b.StopTimer()
		want := Result{Done: n}
		if s == nil { // the delete-remote jobs fail
			want = Result{Done: n / 2, Failed: n / 2}
		}
		if err != nil || res != want {
			b.Fatalf("RunDue = %+v, %v; want %+v", res, err, want)
		}
		total += n
		lib.Close()
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "jobs/s")
}
