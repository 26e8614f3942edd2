package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/picup/picup/pkg/ctxio"
)

// dirMeta is the directory under a Dir store's root that holds temp files
// and SHA-256 sidecars; it is not a valid first key element.
const dirMeta = ".picup-blob"

// Dir is a Store in a local directory: the object under key "a/b.jpg" is
// the plain file <root>/a/b.jpg, and its SHA-256 is kept in
// <root>/.picup-blob/sha256/a/b.jpg.sha256.
type Dir struct {
	root string
}

// NewDir returns a Store that keeps objects as plain files under root.
// Directories are created as needed.
func NewDir(root string) Store {
	return &Dir{root: root}
}

func (d *Dir) dataPath(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

func (d *Dir) shaPath(key string) string {
	return filepath.Join(d.root, dirMeta, "sha256", filepath.FromSlash(key)+".sha256")
}

func (d *Dir) checkKey(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if first, _, _ := strings.Cut(key, "/"); first == dirMeta {
		return fmt.Errorf("key %q: %s is reserved for the store's own files", key, dirMeta)
	}
	return nil
}

// Put writes r to a temp file while verifying its size and SHA-256, fsyncs
// it and renames it into place; content that does not match is refused.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, sha256, contentType string) error {
	if err := d.checkKey(key); err != nil {
		return err
	}
	if err := checkSHA256(sha256); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tmpDir := filepath.Join(d.root, dirMeta, "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	data, err := writeTemp(tmpDir, newVerifyingReader(ctxio.Reader(ctx, r), key, size, sha256))
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	defer os.Remove(data) // a no-op once renamed
	sidecar, err := writeTemp(tmpDir, strings.NewReader(sha256+"\n"))
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	defer os.Remove(sidecar)

	// The old sidecar goes first: a crash before the new one is in place
	// leaves an unknown hash, never a wrong one.
	dst, shaDst := d.dataPath(key), d.shaPath(key)
	if err := os.Remove(shaDst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("put %q: %w", key, err)
	}
	for _, mv := range [][2]string{{data, dst}, {sidecar, shaDst}} {
		if err := os.MkdirAll(filepath.Dir(mv[1]), 0o755); err != nil {
			return fmt.Errorf("put %q: %w", key, err)
		}
		if err := os.Rename(mv[0], mv[1]); err != nil {
			return fmt.Errorf("put %q: %w", key, err)
		}
		if err := syncDir(filepath.Dir(mv[1])); err != nil {
			return fmt.Errorf("put %q: %w", key, err)
		}
	}
	return nil
}

// writeTemp copies r into a new fsynced file in dir and returns its name.
func writeTemp(dir string, r io.Reader) (name string, err error) {
	f, err := os.CreateTemp(dir, "put-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Head describes the file under key.
func (d *Dir) Head(ctx context.Context, key string) (Info, error) {
	if err := d.checkKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(d.dataPath(key))
	if err != nil {
		return Info{}, fmt.Errorf("head %q: %w", key, err)
	}
	return d.info(key, fi)
}

func (d *Dir) info(key string, fi fs.FileInfo) (Info, error) {
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("head %q: not a regular file: %w", key, fs.ErrNotExist)
	}
	sum, err := os.ReadFile(d.shaPath(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("head %q: %w", key, err)
	}
	return Info{Key: key, Size: fi.Size(), SHA256: strings.TrimSpace(string(sum)), ModTime: fi.ModTime()}, nil
}

// Get opens the file under key.
func (d *Dir) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := d.checkKey(key); err != nil {
		return nil, Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(d.dataPath(key))
	if err != nil {
		return nil, Info{}, fmt.Errorf("get %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err == nil {
		var info Info
		if info, err = d.info(key, fi); err == nil {
			return f, info, nil
		}
	}
	f.Close()
	return nil, Info{}, fmt.Errorf("get %q: %w", key, err)
}

// Delete removes the file under key and its sidecar.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := d.checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, p := range []string{d.shaPath(key), d.dataPath(key)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %q: %w", key, err)
		}
	}
	return nil
}

// DeleteObjects removes the files under keys, one after the other.
func (d *Dir) DeleteObjects(ctx context.Context, keys []string) []error {
	return deleteEach(ctx, d, keys)
}

// List walks the files whose keys start with prefix in key order.
func (d *Dir) List(ctx context.Context, prefix string, fn func(Info) error) error {
	// Start in the deepest directory that the prefix names in full.
	dir := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = prefix[:i]
	}
	return d.walk(ctx, dir, prefix, fn)
}

// walk lists dir (a key prefix without the trailing slash, "" for the root).
// Entries are visited in the order of their keys: a directory "a" sorts as
// "a/", so that "a.txt" comes before "a/b".
func (d *Dir) walk(ctx context.Context, dir, prefix string, fn func(Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(d.root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil // a prefix that names no directory lists nothing
	}
	if err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		key := path.Join(dir, e.Name())
		switch {
		case dir == "" && e.Name() == dirMeta:
		case e.IsDir():
			if sub := key + "/"; strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := d.walk(ctx, key, prefix, fn); err != nil {
					return err
				}
			}
		case e.Type().IsRegular() && strings.HasPrefix(key, prefix):
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fmt.Errorf("list %q: %w", prefix, err)
			}
			info, err := d.info(key, fi)
			if err != nil {
				return fmt.Errorf("list %q: %w", prefix, err)
			}
			if err := fn(info); err != nil {
				return err
			}
		}
	}
	return nil
}
