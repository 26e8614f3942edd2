package blob

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// metaSHA256 is the user metadata key that holds an object's hex SHA-256.
const metaSHA256 = "picup-sha256"

// S3Config says where an S3 store keeps its objects.
type S3Config struct {
	Endpoint             string // host:port; an http:// or https:// prefix sets Secure
	Secure               bool   // use TLS
	Region               string // "" asks the server
	Bucket, Prefix       string // keys are stored under Prefix, with a "/" added when missing
	AccessKey, SecretKey string
	PartSize             int64 // multipart part size, at least 5 MiB; 0 means 16 MiB
}

// S3 is a Store in an S3-compatible bucket (AWS S3, MinIO, Backblaze B2,
// Garage, ...). It makes a single attempt per request: wrap it in WithRetry.
type S3 struct {
	client   *minio.Client
	cfg      S3Config
	prefix   string
	partSize int64
	dates    *dateRecorder
}

// NewS3 returns an S3 store for cfg. It does not contact the server; use
// Probe to check that the remote works, and EnsureBucket to create the bucket.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	switch {
	case strings.HasPrefix(cfg.Endpoint, "http://"):
		cfg.Endpoint, cfg.Secure = strings.TrimPrefix(cfg.Endpoint, "http://"), false
	case strings.HasPrefix(cfg.Endpoint, "https://"):
		cfg.Endpoint, cfg.Secure = strings.TrimPrefix(cfg.Endpoint, "https://"), true
	}
	cfg.Endpoint = strings.TrimSuffix(cfg.Endpoint, "/")
	if cfg.Endpoint == "" {
		return nil, errors.New("no S3 endpoint; give one such as s3.amazonaws.com or 127.0.0.1:9000")
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, &kindError{msg: fmt.Sprintf("invalid bucket name %q: %v; use 3-63 lowercase letters, digits, dots and hyphens", cfg.Bucket, err), err: err, kind: ErrPermanent}
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = 16 << 20
	}
	if partSize < 5<<20 {
		return nil, fmt.Errorf("part size %d is below the S3 minimum of 5 MiB; raise it", partSize)
	}
	tr, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, fmt.Errorf("s3 transport: %w", err)
	}
	dates := &dateRecorder{rt: tr}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:           credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:          cfg.Secure,
		Region:          cfg.Region,
		Transport:       dates,
		TrailingHeaders: true,
		MaxRetries:      1, // WithRetry retries, and its circuit breaker must see every failure
	})
	if err != nil {
		return nil, fmt.Errorf("s3 endpoint %q: %w; give host:port without a path", cfg.Endpoint, err)
	}
	prefix := cfg.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &S3{client: client, cfg: cfg, prefix: prefix, partSize: partSize, dates: dates}, nil
}

// dateRecorder remembers the clock skew shown by the server's Date header.
type dateRecorder struct {
	rt http.RoundTripper

	mu   sync.Mutex
	skew time.Duration
	seen bool
}

func (d *dateRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := d.rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if date, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		end := time.Now()
		// Date is truncated to the second: take the middle of that second
		// against the middle of the round trip.
		skew := date.Add(500 * time.Millisecond).Sub(start.Add(end.Sub(start) / 2))
		d.mu.Lock()
		d.skew, d.seen = skew, true
		d.mu.Unlock()
	}
	return resp, nil
}

func (d *dateRecorder) last() (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.skew, d.seen
}

// mapErr classifies an error from minio-go: a missing key satisfies
// IsNotExist, what retrying cannot fix wraps ErrPermanent, and the rest
// (5xx, SlowDown, timeouts, connection resets) is left transient.
func (s *S3) mapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrChecksumMismatch) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %q: %w", op, key, err)
	}
	resp := minio.ToErrorResponse(err)
	kind, msg := error(nil), ""
	switch resp.Code {
	case "":
		if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
			msg = fmt.Sprintf("cannot reach %s: %s; check --endpoint and that the server runs", s.cfg.Endpoint, rootCause(err))
		}
	case "NoSuchKey", "NotFound":
		kind, msg = fs.ErrNotExist, fmt.Sprintf("%s %q: no such object", op, key)
	case "NoSuchBucket":
		kind, msg = ErrPermanent, fmt.Sprintf(`bucket %q does not exist; "picup sync" creates it, or create it yourself`, s.cfg.Bucket)
	case "InvalidAccessKeyId", "SignatureDoesNotMatch":
		kind, msg = ErrPermanent, fmt.Sprintf("credentials rejected (%s); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", resp.Code)
	case "AccessDenied":
		kind, msg = ErrPermanent, fmt.Sprintf("%s %q: access denied (AccessDenied); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and that they may use bucket %q", op, key, s.cfg.Bucket)
	case "InvalidBucketName":
		kind, msg = ErrPermanent, fmt.Sprintf("invalid bucket name %q; use 3-63 lowercase letters, digits, dots and hyphens", s.cfg.Bucket)
	case "RequestTimeTooSkewed":
		kind, msg = ErrPermanent, "this machine's clock differs too much from the server's; set it right (enable NTP)"
	case "BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch":
		return &kindError{msg: fmt.Sprintf("%s %q: the server refused the content (%s); the source changed or is corrupt, hash it again", op, key, resp.Code), err: errors.Join(err, ErrChecksumMismatch), kind: ErrPermanent}
	}
	if msg == "" {
		return fmt.Errorf("%s %q: %w", op, key, err)
	}
	if kind == nil {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return &kindError{msg: msg, err: err, kind: kind}
}

// rootCause returns the innermost message of a network error, such as
// "connection refused".
func rootCause(err error) string {
	if errno, ok := errors.AsType[syscall.Errno](err); ok {
		return errno.Error()
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok {
		return dns.Error()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// Put uploads r: in one PUT with an x-amz-checksum-sha256 header the server
// verifies when size fits in a part, else in parts of PartSize (one part in
// memory at a time) that each carry their own SHA-256. The content is hashed
// on the way too, and an upload whose content does not match sha256 is
// aborted before it completes.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, sha256, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkSHA256(sha256); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	opts := minio.PutObjectOptions{
		ContentType:  contentType,
		PartSize:     uint64(s.partSize),
		UserMetadata: map[string]string{metaSHA256: sha256},
		// The payload is protected by the SHA-256 checksums: do not hash it
		// once more for the signature.
		DisableContentSha256: true,
	}
	if size <= s.partSize {
		raw, _ := hex.DecodeString(sha256)
		opts.UserMetadata[minio.ChecksumSHA256.Key()] = base64.StdEncoding.EncodeToString(raw)
	} else {
		opts.AutoChecksum = minio.ChecksumSHA256
	}
	// The verifying reader hides any io.ReaderAt, so minio-go reads the
	// parts in order and the last read catches a mismatch.
	body := newVerifyingReader(r, key, size, sha256)
	_, err := s.client.PutObject(ctx, s.cfg.Bucket, s.prefix+key, body, size, opts)
	return s.mapErr("put", key, err)
}

// info converts minio-go's object description.
func (s *S3) info(oi minio.ObjectInfo) Info {
	sum := oi.Metadata.Get("X-Amz-Meta-" + metaSHA256)
	if sum == "" && oi.ChecksumSHA256 != "" && !strings.Contains(oi.ChecksumSHA256, "-") {
		// A full-object checksum from a single PUT; a composite one
		// ("...-N") hashes part hashes, not the content.
		if raw, err := base64.StdEncoding.DecodeString(oi.ChecksumSHA256); err == nil && len(raw) == sha256.Size {
			sum = hex.EncodeToString(raw)
		}
	}
	if checkSHA256(sum) != nil {
		sum = ""
	}
	return Info{Key: strings.TrimPrefix(oi.Key, s.prefix), Size: oi.Size, SHA256: sum, ModTime: oi.LastModified}
}

// Head describes the object under key.
func (s *S3) Head(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.cfg.Bucket, s.prefix+key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		return Info{}, s.mapErr("head", key, err)
	}
	return s.info(oi), nil
}

// Get opens the object under key.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	// Core.GetObject sends the GET now (the plain client would wait for the
	// first Read), so that a throttled or failed request is an error of
	// Get, which the retry wrapper retries, and the hash comes from the
	// same response as the bytes.
	core := minio.Core{Client: s.client}
	body, oi, _, err := core.GetObject(ctx, s.cfg.Bucket, s.prefix+key, minio.GetObjectOptions{Checksum: true})
	if err != nil {
		return nil, Info{}, s.mapErr("get", key, err)
	}
	return body, s.info(oi), nil
}

// Delete removes the object under key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return s.mapErr("delete", key, s.client.RemoveObject(ctx, s.cfg.Bucket, s.prefix+key, minio.RemoveObjectOptions{}))
}

// deleteBatch is the most keys S3's DeleteObjects takes in one request.
const deleteBatch = 1000

// DeleteObjects removes the objects under keys with S3's DeleteObjects:
// a POST of up to 1,000 keys (minio-go's RemoveObjects, which signs it
// with the Content-MD5 S3 requires and escapes the keys in its XML), whose
// answer says what became of each key. A key with a character XML cannot
// carry is deleted alone. A key given twice is sent once.
func (s *S3) DeleteObjects(ctx context.Context, keys []string) []error {
	errs := make([]error, len(keys))
	at := make(map[string][]int, len(keys)) // each object's positions in keys
	var send []string
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			errs[i] = err
			continue
		}
		obj := s.prefix + k
		if _, ok := at[obj]; !ok {
			send = append(send, obj)
		}
		at[obj] = append(at[obj], i)
	}
	for batch := range slices.Chunk(send, deleteBatch) {
		s.deleteBatch(ctx, batch, func(obj string, err error) {
			err = s.mapErr("delete", strings.TrimPrefix(obj, s.prefix), err)
			if IsNotExist(err) {
				err = nil
			}
			for _, i := range at[obj] {
				errs[i] = err
			}
		})
	}
	return errs
}

// deleteBatch sends one DeleteObjects request and calls done once for
// each object of batch with its outcome: an object the answer leaves out
// takes the error of the request, or of ctx.
func (s *S3) deleteBatch(ctx context.Context, batch []string, done func(obj string, err error)) {
	waiting := make(map[string]bool, len(batch))
	for _, obj := range batch {
		waiting[obj] = true
	}
	objects := func(yield func(minio.ObjectInfo) bool) {
		for _, obj := range batch {
			if !yield(minio.ObjectInfo{Key: obj}) {
				return
			}
		}
	}
	results, failed := s.client.RemoveObjectsWithIter(ctx, s.cfg.Bucket, objects, minio.RemoveObjectsOptions{})
	if failed == nil {
		for res := range results {
			if !waiting[res.ObjectName] {
				failed = cmp.Or(failed, res.Err) // an answer that could not be read
				continue
			}
			delete(waiting, res.ObjectName)
			done(res.ObjectName, res.Err)
		}
	}
	failed = cmp.Or(failed, ctx.Err(), errNoAnswer)
	for _, obj := range batch {
		if waiting[obj] {
			done(obj, failed)
		}
	}
}

// errNoAnswer is the error of an object that a DeleteObjects answer left
// out; deleting it again is safe.
var errNoAnswer = errors.New("the server's DeleteObjects answer did not mention this key; try again")

// List lists the objects under prefix in key order. Listings carry no user
// metadata, so Info.SHA256 is "": Head an object for its hash.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio-go's listing when fn stops early
	for oi := range s.client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if oi.Err != nil {
			return s.mapErr("list", prefix, oi.Err)
		}
		if err := fn(s.info(oi)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// EnsureBucket creates the bucket when it is missing.
func (s *S3) EnsureBucket(ctx context.Context) (created bool, err error) {
	ok, err := s.client.BucketExists(ctx, s.cfg.Bucket)
	if err != nil {
		return false, s.mapErr("check bucket", s.cfg.Bucket, err)
	}
	if ok {
		return false, nil
	}
	err = s.client.MakeBucket(ctx, s.cfg.Bucket, minio.MakeBucketOptions{Region: s.cfg.Region})
	switch code := minio.ToErrorResponse(err).Code; {
	case err == nil:
		return true, nil
	case code == "BucketAlreadyOwnedByYou":
		return false, nil
	case code == "BucketAlreadyExists":
		return false, &kindError{msg: fmt.Sprintf("bucket %q belongs to someone else; choose another name", s.cfg.Bucket), err: err, kind: ErrPermanent}
	case code == "AccessDenied":
		return false, &kindError{msg: fmt.Sprintf("cannot create bucket %q (AccessDenied); create it yourself or use credentials that may", s.cfg.Bucket), err: err, kind: ErrPermanent}
	}
	return false, s.mapErr("create bucket", s.cfg.Bucket, err)
}

// Probe checks that the remote works for picup: that the server answers,
// takes the credentials, has the bucket, and lets a probe object under the
// prefix be written, read back and deleted. It returns the server's clock
// minus this machine's (positive when the server is ahead), as seen in the
// server's Date header; skew is 0 when the server could not be reached.
// Each error says what is wrong and how to fix it.
func (s *S3) Probe(ctx context.Context) (skew time.Duration, err error) {
	ok, err := s.client.BucketExists(ctx, s.cfg.Bucket)
	skew, _ = s.dates.last()
	if err != nil {
		return skew, s.mapErr("check bucket", s.cfg.Bucket, err)
	}
	if !ok {
		return skew, &kindError{msg: fmt.Sprintf(`bucket %q does not exist; "picup sync" creates it, or create it yourself`, s.cfg.Bucket), err: fs.ErrNotExist, kind: ErrPermanent}
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	key := ".picup-probe-" + hex.EncodeToString(rnd[:])
	content := []byte("picup probe " + key + "\n")
	sum := sha256.Sum256(content)
	if err := s.Put(ctx, key, bytes.NewReader(content), int64(len(content)), hex.EncodeToString(sum[:]), "text/plain"); err != nil {
		return skew, fmt.Errorf("cannot write under %q: %w", s.cfg.Bucket+"/"+s.prefix, err)
	}
	defer func() {
		if derr := s.Delete(ctx, key); derr != nil && err == nil {
			err = fmt.Errorf("cannot delete the probe object %q: %w", s.prefix+key, derr)
		}
	}()
	rc, info, err := s.Get(ctx, key)
	if err != nil {
		return skew, fmt.Errorf("cannot read back the probe object %q: %w", s.prefix+key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(io.LimitReader(rc, int64(len(content))+1))
	if err != nil {
		return skew, fmt.Errorf("cannot read back the probe object %q: %w", s.prefix+key, s.mapErr("get", key, err))
	}
	if !bytes.Equal(got, content) || info.SHA256 != hex.EncodeToString(sum[:]) {
		return skew, fmt.Errorf("the probe object %q came back changed (sha256 %q); the server does not keep content or metadata intact", s.prefix+key, info.SHA256)
	}
	skew, _ = s.dates.last()
	return skew, nil
}
