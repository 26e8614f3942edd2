// Package blob stores objects (originals, thumbnails, sidecars, catalog
// snapshots) behind one small interface, in a local directory or in an
// S3-compatible bucket, with wrappers for retries and bandwidth limits.
//
// Wrap a store as WithRetry(WithLimit(s, rate), policy): the retry layer
// must be outermost so that it can seek a Put's reader back to its start.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64
	SHA256  string // hex, from object metadata or checksum; "" if unknown
	ModTime time.Time
}

// Store is an object store. Keys are slash-separated paths without a leading
// slash, "." or ".." elements.
type Store interface {
	// Put stores r (exactly size bytes) under key. sha256 is the hex SHA-256
	// of the content: it is sent so the server verifies it (S3
	// x-amz-checksum-sha256 for single PUTs) and stored in user metadata
	// "picup-sha256" so Head can return it (a multipart ETag is never taken
	// for a content hash). contentType may be "".
	Put(ctx context.Context, key string, r io.Reader, size int64, sha256, contentType string) error
	// Head describes the object under key.
	Head(ctx context.Context, key string) (Info, error)
	// Get opens the object under key. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Delete removes the object under key; deleting a missing key is not an
	// error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix,
	// recursively, in key (byte) order. An error from fn stops the listing
	// and is returned.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// BatchDeleter is a Store that deletes many objects in one request (S3's
// DeleteObjects), for the deletions a purge queues by the hundred thousand.
type BatchDeleter interface {
	// DeleteObjects removes the objects under keys, as Delete does each,
	// and returns one error per key, nil for a key deleted (or missing):
	// errs[i] is that of keys[i]. A key's error fails that key only.
	DeleteObjects(ctx context.Context, keys []string) (errs []error)
}

// DeleteObjects removes the objects under keys from s: through
// DeleteObjects when s is a BatchDeleter, else with one Delete a key. It
// returns one error per key, nil for a key deleted.
func DeleteObjects(ctx context.Context, s Store, keys []string) []error {
	if b, ok := s.(BatchDeleter); ok {
		return b.DeleteObjects(ctx, keys)
	}
	return deleteEach(ctx, s, keys)
}

// deleteEach deletes the keys one Delete at a time.
func deleteEach(ctx context.Context, s Store, keys []string) []error {
	errs := make([]error, len(keys))
	for i, k := range keys {
		errs[i] = s.Delete(ctx, k)
	}
	return errs
}

// ErrPermanent is wrapped by errors that retrying cannot fix: bad
// credentials (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch),
// NoSuchBucket, an invalid bucket name.
var ErrPermanent = errors.New("permanent error")

// ErrChecksumMismatch is wrapped by a Put error when the content does not
// match the SHA-256 or size it was declared with. Nothing is stored then.
var ErrChecksumMismatch = errors.New("content does not match its sha256")

// IsNotExist reports whether err means that a key does not exist (Head, Get).
func IsNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}

// kindError gives err's message and wraps both err and a sentinel kind
// (ErrPermanent, fs.ErrNotExist, ErrChecksumMismatch).
type kindError struct {
	msg  string
	err  error
	kind error
}

func (e *kindError) Error() string   { return e.msg }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// checkKey refuses keys that are not clean relative slash paths.
func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	if strings.ContainsRune(key, 0) || strings.Contains(key, `\`) {
		return fmt.Errorf("key %q: NUL and backslash are not allowed", key)
	}
	for _, elem := range strings.Split(key, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return fmt.Errorf("key %q is not a clean relative slash path", key)
		}
	}
	return nil
}

// checkSHA256 refuses a declared hash that is not 64 lowercase hex digits.
func checkSHA256(sum string) error {
	if len(sum) != sha256.Size*2 || strings.ToLower(sum) != sum {
		return fmt.Errorf("sha256 %q: want 64 lowercase hex digits", sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return fmt.Errorf("sha256 %q: want 64 lowercase hex digits", sum)
	}
	return nil
}

// verifyingReader hashes what passes through it and fails the read that
// completes size bytes when the content does not match want, so that a
// consumer (a temp file, a multipart upload) never commits wrong content.
// It also fails when the reader holds fewer or more than size bytes.
type verifyingReader struct {
	r    io.Reader
	key  string
	size int64
	want string
	n    int64
	h    hash.Hash
	done bool  // the hash was checked
	err  error // the outcome of that check
}

func newVerifyingReader(r io.Reader, key string, size int64, want string) *verifyingReader {
	return &verifyingReader{r: r, key: key, size: size, want: want, h: sha256.New()}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.n >= v.size {
		if err := v.check(); err != nil {
			return 0, err
		}
		// Everything was read and verified; make sure nothing follows.
		var one [1]byte
		if n, _ := io.ReadFull(v.r, one[:]); n > 0 {
			return 0, v.mismatch("more than %d bytes", v.size)
		}
		return 0, io.EOF
	}
	if rest := v.size - v.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n == v.size {
		if err := v.check(); err != nil {
			return 0, err
		}
		if err == io.EOF {
			err = nil
		}
		return n, err
	}
	if err == io.EOF {
		return n, v.mismatch("%d bytes, declared %d", v.n, v.size)
	}
	return n, err
}

// check compares the hash once all size bytes were read.
func (v *verifyingReader) check() error {
	if !v.done {
		v.done = true
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			v.err = v.mismatch("sha256 %s, declared %s", got, v.want)
		}
	}
	return v.err
}

func (v *verifyingReader) mismatch(format string, args ...any) error {
	msg := fmt.Sprintf("put %q: content has "+format+"; the source changed or is corrupt, hash it again", append([]any{v.key}, args...)...)
	return &kindError{msg: msg, err: ErrChecksumMismatch, kind: ErrPermanent}
}
