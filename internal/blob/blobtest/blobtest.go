// Package blobtest is the test suite that every blob.Store passes.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/picup/picup/internal/blob"
)

// LargeSize is the size of the large object the suite stores: several parts
// when a store uploads in 5 MiB parts.
const LargeSize = 40 << 20

// Run runs the suite. newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"PutHeadGet", testPutHeadGet},
		{"Missing", testMissing},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"DeleteObjects", testDeleteObjects},
		{"Mismatch", testMismatch},
		{"Keys", testKeys},
		{"InvalidKeys", testInvalidKeys},
		{"List", testList},
		{"ListStops", testListStops},
		{"Large", testLarge},
		{"Cancel", testCancel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// put stores content under key and fails the test on error.
func put(t *testing.T, s blob.Store, key string, content []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(content), int64(len(content)), hexSum(content), "application/octet-stream"); err != nil {
		t.Fatalf("Put(%q) = %v; want nil", key, err)
	}
}

// check reads key back and compares it with content.
func check(t *testing.T, s blob.Store, key string, content []byte) {
	t.Helper()
	info, err := s.Head(t.Context(), key)
	if err != nil {
		t.Fatalf("Head(%q) = %v; want nil", key, err)
	}
	want := blob.Info{Key: key, Size: int64(len(content)), SHA256: hexSum(content)}
	if info.Key != want.Key || info.Size != want.Size || info.SHA256 != want.SHA256 || info.ModTime.IsZero() {
		t.Errorf("Head(%q) = %+v; want %+v and a ModTime", key, info, want)
	}
	rc, info, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q) = %v; want nil", key, err)
	}
	defer rc.Close()
	if info.Key != want.Key || info.Size != want.Size || info.SHA256 != want.SHA256 {
		t.Errorf("Get(%q) info = %+v; want %+v", key, info, want)
	}
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q) read: %v", key, err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("Get(%q) = %q; want %q", key, got, content)
	}
}

func checkMissing(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if _, err := s.Head(t.Context(), key); !blob.IsNotExist(err) {
		t.Errorf("Head(%q) = %v; want an error for which IsNotExist is true", key, err)
	}
	rc, _, err := s.Get(t.Context(), key)
	if !blob.IsNotExist(err) {
		t.Errorf("Get(%q) = %v; want an error for which IsNotExist is true", key, err)
	}
	if rc != nil {
		rc.Close()
	}
}

func testPutHeadGet(t *testing.T, s blob.Store) {
	put(t, s, "originals/2024/2024-05-03/IMG_1234.JPG", []byte("not really a jpeg"))
	check(t, s, "originals/2024/2024-05-03/IMG_1234.JPG", []byte("not really a jpeg"))
	put(t, s, "empty", nil)
	check(t, s, "empty", nil)
}

func testMissing(t *testing.T, s blob.Store) {
	checkMissing(t, s, "nope")
	checkMissing(t, s, "no/such/dir/file")
	if err := s.Delete(t.Context(), "nope"); err != nil {
		t.Errorf("Delete(%q) = %v; want nil", "nope", err)
	}
	if blob.IsNotExist(blob.ErrPermanent) || blob.IsNotExist(nil) {
		t.Error("IsNotExist is true for an error other than a missing key")
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	put(t, s, "k", []byte("first version, longer"))
	put(t, s, "k", []byte("second"))
	check(t, s, "k", []byte("second"))
}

func testDelete(t *testing.T, s blob.Store) {
	put(t, s, "d/x", []byte("x"))
	put(t, s, "d/y", []byte("y"))
	if err := s.Delete(t.Context(), "d/x"); err != nil {
		t.Fatalf("Delete(%q) = %v; want nil", "d/x", err)
	}
	checkMissing(t, s, "d/x")
	check(t, s, "d/y", []byte("y"))
	if err := s.Delete(t.Context(), "d/x"); err != nil {
		t.Errorf("second Delete(%q) = %v; want nil", "d/x", err)
	}
}

// testDeleteObjects deletes many keys at once, through the store's
// DeleteObjects when it has one: keys XML must escape, a missing key and
// a key given twice are deleted without error; an invalid key fails alone.
func testDeleteObjects(t *testing.T, s blob.Store) {
	gone := []string{"many/a", "many/a & b/사진 1.jpg", `many/<tag> "q" 'p'.jpg`, "many/x+y=z;1,2@3!.jpg"}
	for _, k := range append(slices.Clone(gone), "many/kept") {
		put(t, s, k, []byte("content of "+k))
	}
	keys := append(slices.Clone(gone), "many/never there", "many/a", "a//b")
	errs := blob.DeleteObjects(t.Context(), s, keys)
	if len(errs) != len(keys) {
		t.Fatalf("DeleteObjects(%d keys) = %d errors; want one per key", len(keys), len(errs))
	}
	for i, k := range keys {
		if wantErr := k == "a//b"; (errs[i] != nil) != wantErr {
			t.Errorf("DeleteObjects: key %q: %v; want an error: %v", k, errs[i], wantErr)
		}
	}
	for _, k := range gone {
		checkMissing(t, s, k)
	}
	check(t, s, "many/kept", []byte("content of many/kept"))
	if errs := blob.DeleteObjects(t.Context(), s, nil); len(errs) != 0 {
		t.Errorf("DeleteObjects(no keys) = %v; want none", errs)
	}
}

// testMismatch: content that differs from its declared hash or size is
// refused, in one request and in a multipart upload alike, and nothing is
// stored; an earlier version stays.
func testMismatch(t *testing.T, s blob.Store) {
	content := []byte("the real content")
	put(t, s, "kept", content)
	big := newPattern(7, 12<<20)
	bigSum := big.sum()
	tests := []struct {
		name, key string
		r         io.Reader
		size      int64
		sum       string
	}{
		{"wrong sha", "m1", strings.NewReader("abc"), 3, hexSum([]byte("abd"))},
		{"short", "m2", strings.NewReader("abc"), 4, hexSum([]byte("abc"))},
		{"long", "m3", strings.NewReader("abcd"), 3, hexSum([]byte("abc"))},
		{"wrong sha multipart", "m4", newPattern(8, 12<<20), 12 << 20, bigSum},
		{"wrong sha overwrite", "kept", strings.NewReader("other"), 5, hexSum([]byte("other!"))},
	}
	for _, tt := range tests {
		err := s.Put(t.Context(), tt.key, tt.r, tt.size, tt.sum, "")
		if !errors.Is(err, blob.ErrChecksumMismatch) {
			t.Errorf("%s: Put(%q) = %v; want ErrChecksumMismatch", tt.name, tt.key, err)
		}
		if tt.key != "kept" {
			checkMissing(t, s, tt.key)
		}
	}
	check(t, s, "kept", content)
	if err := s.Put(t.Context(), "bad", strings.NewReader("x"), 1, "XYZ", ""); err == nil {
		t.Errorf("Put(%q) with sha256 %q = nil; want an error", "bad", "XYZ")
	}
}

func testKeys(t *testing.T, s blob.Store) {
	keys := []string{
		"with space/IMG 0001 (1).jpg",
		"유니코드/가족 사진.jpg",
		"emoji/😀.heic",
		"punct/a+b=c&d;e,f'g@h!.jpg",
		".picup-probe-0123",
	}
	for _, k := range keys {
		put(t, s, k, []byte("content of "+k))
	}
	for _, k := range keys {
		check(t, s, k, []byte("content of "+k))
	}
	var got []string
	if err := s.List(t.Context(), "", func(i blob.Info) error { got = append(got, i.Key); return nil }); err != nil {
		t.Fatalf("List(%q) = %v; want nil", "", err)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("List(%q) = %q; want %q", "", got, want)
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	for _, k := range []string{"", "/abs", "a//b", "a/../b", "./a", "a/", `a\b`} {
		if err := s.Put(t.Context(), k, strings.NewReader("x"), 1, hexSum([]byte("x")), ""); err == nil {
			t.Errorf("Put(%q) = nil; want an error", k)
		}
	}
}

func testList(t *testing.T, s blob.Store) {
	keys := []string{"list/b", "list/a/b", "list/a.txt", "list/a-c", "listx", "list/a/c/d", "other/z"}
	for _, k := range keys {
		put(t, s, k, []byte(k))
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"list/a-c", "list/a.txt", "list/a/b", "list/a/c/d", "list/b", "listx", "other/z"}},
		{"list/", []string{"list/a-c", "list/a.txt", "list/a/b", "list/a/c/d", "list/b"}},
		{"list/a", []string{"list/a-c", "list/a.txt", "list/a/b", "list/a/c/d"}},
		{"list/a/", []string{"list/a/b", "list/a/c/d"}},
		{"list", []string{"list/a-c", "list/a.txt", "list/a/b", "list/a/c/d", "list/b", "listx"}},
		{"list/b", []string{"list/b"}},
		{"nothing/", nil},
		{"list/b/", nil},
	}
	for _, tt := range tests {
		var got []string
		err := s.List(t.Context(), tt.prefix, func(i blob.Info) error {
			if i.Size != int64(len(i.Key)) || (i.SHA256 != "" && i.SHA256 != hexSum([]byte(i.Key))) {
				t.Errorf("List(%q) gave %+v; want size %d and sha256 %q or \"\"", tt.prefix, i, len(i.Key), hexSum([]byte(i.Key)))
			}
			got = append(got, i.Key)
			return nil
		})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("List(%q) = %q, %v; want %q, nil", tt.prefix, got, err, tt.want)
		}
	}
}

func testListStops(t *testing.T, s blob.Store) {
	for _, k := range []string{"a", "b", "c"} {
		put(t, s, k, []byte(k))
	}
	stop := errors.New("stop")
	var got []string
	err := s.List(t.Context(), "", func(i blob.Info) error {
		got = append(got, i.Key)
		return stop
	})
	if !errors.Is(err, stop) || !slices.Equal(got, []string{"a"}) {
		t.Errorf("List stopped by its callback = %q, %v; want [\"a\"], %v", got, err, stop)
	}
}

// testLarge streams a generated object in and out without holding it.
func testLarge(t *testing.T, s blob.Store) {
	if testing.Short() {
		t.Skip("large object skipped in -short mode")
	}
	sum := newPattern(1, LargeSize).sum()
	if err := s.Put(t.Context(), "large/video.mp4", newPattern(1, LargeSize), LargeSize, sum, "video/mp4"); err != nil {
		t.Fatalf("Put(%q) = %v; want nil", "large/video.mp4", err)
	}
	info, err := s.Head(t.Context(), "large/video.mp4")
	if err != nil || info.Size != LargeSize || info.SHA256 != sum {
		t.Errorf("Head(%q) = %+v, %v; want size %d, sha256 %s", "large/video.mp4", info, err, LargeSize, sum)
	}
	rc, _, err := s.Get(t.Context(), "large/video.mp4")
	if err != nil {
		t.Fatalf("Get(%q) = %v; want nil", "large/video.mp4", err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if got := hex.EncodeToString(h.Sum(nil)); err != nil || n != LargeSize || got != sum {
		t.Errorf("Get(%q) read %d bytes, sha256 %s, %v; want %d, %s, nil", "large/video.mp4", n, got, err, LargeSize, sum)
	}
}

// testCancel: a cancelled context stops every call, and an upload cancelled
// midway stores nothing.
func testCancel(t *testing.T, s blob.Store) {
	put(t, s, "c/there", []byte("x"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Put(ctx, "c/new", strings.NewReader("x"), 1, hexSum([]byte("x")), ""); err == nil {
		t.Error("Put with a cancelled context = nil; want an error")
	}
	if _, err := s.Head(ctx, "c/there"); err == nil {
		t.Error("Head with a cancelled context = nil; want an error")
	}
	if err := s.List(ctx, "", func(blob.Info) error { return nil }); err == nil {
		t.Error("List with a cancelled context = nil; want an error")
	}

	ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	const size = 12 << 20
	p := newPattern(3, size)
	sum := p.sum()
	r := &cancelAfter{r: newPattern(3, size), n: 1 << 20, cancel: cancel}
	if err := s.Put(ctx, "c/midway", r, size, sum, ""); err == nil {
		t.Error("Put cancelled midway = nil; want an error")
	}
	checkMissing(t, s, "c/midway")
	checkMissing(t, s, "c/new")
}

// cancelAfter cancels a context once n bytes were read through it.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// pattern is a seekable stream of size pseudo-random bytes.
type pattern struct {
	seed      uint64
	size, off int64
	rng       *rand.ChaCha8
}

func newPattern(seed uint64, size int64) *pattern {
	return &pattern{seed: seed, size: size, rng: rand.NewChaCha8(seedBytes(seed))}
}

func seedBytes(seed uint64) (b [32]byte) {
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	return b
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.size {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.size-p.off)]
	_, _ = p.rng.Read(b) // a math/rand source never fails
	p.off += int64(len(b))
	return len(b), nil
}

// Seek supports going back to the start only, which is all a retry needs.
func (p *pattern) Seek(offset int64, whence int) (int64, error) {
	switch {
	case whence == io.SeekCurrent && offset == 0:
		return p.off, nil
	case whence == io.SeekStart && offset == 0:
		p.off, p.rng = 0, rand.NewChaCha8(seedBytes(p.seed))
		return 0, nil
	}
	return 0, errors.New("pattern: can only seek to the start")
}

// sum hashes the stream from where it is, then rewinds.
func (p *pattern) sum() string {
	h := sha256.New()
	_, _ = io.Copy(h, p)           // reads from memory
	_, _ = p.Seek(0, io.SeekStart) // cannot fail on this reader
	return hex.EncodeToString(h.Sum(nil))
}
