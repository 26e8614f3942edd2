package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/picup/picup/pkg/ctxio"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, fsyncs it, renames it into place and fsyncs the directory.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeVia(dir, ".tmp-*", path, data)
}

// writeVia writes data to a new temporary file in tmpDir (same file system
// as dst), fsyncs it, renames it to dst and fsyncs dst's directory.
func writeVia(tmpDir, pattern, dst string, data []byte) error {
	f, err := os.CreateTemp(tmpDir, pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return SyncDir(filepath.Dir(dst))
}

// MoveIntoPlace renames a finished temporary file to dst, creating dst's
// directory, and fsyncs the directory. It refuses to replace an existing
// file.
func MoveIntoPlace(tmp, dst string) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if Exists(dst) {
		return fmt.Errorf("move into place: %s already exists", dst)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return SyncDir(dir)
}

// HashFile returns the hex SHA-256 of a file's content, streaming it.
func HashFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxio.Reader(ctx, f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CancelableReader wraps r so that reading stops once ctx ends.
func CancelableReader(ctx context.Context, r io.Reader) io.Reader { return ctxio.Reader(ctx, r) }
