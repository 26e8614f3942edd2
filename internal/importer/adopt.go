package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/pkg/filetype"
)

// ErrNotMedia is returned by Adopt for a file that is not a photo or video.
var ErrNotMedia = errors.New("not a photo or video")

// Adopt records a file found in the library's originals tree without a
// catalog row (left by a crash or put there by hand), keeping it where it
// is. When its content is already stored under another path the file is a
// redundant copy: dup is true and nothing is recorded.
func Adopt(ctx context.Context, lib *library.Library, rel string) (p catalog.Photo, dup bool, err error) {
	abs := lib.Abs(rel)
	fi, err := os.Stat(abs)
	if err != nil {
		return p, false, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return p, false, err
	}
	header := make([]byte, filetype.HeaderSize)
	n, _ := io.ReadFull(f, header)
	f.Close()
	ft := filetype.Detect(header[:n], fi.Name())
	if ft.Kind == filetype.Unknown {
		return p, false, ErrNotMedia
	}
	sum, err := library.HashFile(ctx, abs)
	if err != nil {
		return p, false, err
	}
	if existing, err := lib.Catalog.PhotoBySHA(ctx, sum); err == nil {
		return existing, true, nil
	}
	// A stray original is charged to the library's first user.
	owner, err := lib.Catalog.FirstUser(ctx)
	if err != nil {
		return p, false, err
	}
	run, err := lib.StartRun()
	if err != nil {
		return p, false, err
	}
	defer run.Close()
	im := &Importer{lib: lib, run: run, opts: Options{Now: time.Now}}
	src := catalog.Source{SHA256: sum}
	prep, err := im.prepare(ctx, item{path: abs, info: fi}, ft, abs, src)
	if err != nil {
		return p, false, err
	}
	prep.photo.Path = rel
	prep.photo.ImportedAt = catalog.Now()
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		if existing, err := tx.PhotoBySHA(ctx, sum); err == nil {
			p, dup = existing, true
			return nil
		}
		for size, tmp := range prep.thumbs {
			dst := lib.Abs(library.ThumbPath(sum, size))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.Rename(tmp, dst); err != nil {
				return fmt.Errorf("place thumbnail: %w", err)
			}
		}
		p, err = insertIntent(ctx, tx, intent{Photo: prep.photo, UserID: owner.ID})
		return err
	})
	return p, dup, err
}
