package blob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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
