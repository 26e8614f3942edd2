package web

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// zipPage is how many photos the zip download reads from the catalog at
// a time.
const zipPage = 200

// shareZip streams the originals of a whole share as one zip archive,
// stored without compression (photos and videos are compressed already),
// straight to the client: no temporary file, and the catalog is read page
// by page. Files are named DATE/NAME. Offloaded originals are streamed
// from the remote holding them (checked against their SHA-256 on the
// way: a copy that differs ends the archive unfinished); one whose remote
// cannot be reached is left out. A client that goes away stops the walk. A client streams at most
// zipsPerClient downloads at once, and the server zipsTotal (429 beyond).
func (s *server) shareZip(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.shareFor(w, r)
	if !ok {
		return
	}
	if !s.authorised(r, sh) || !sh.Download {
		forbidden(w)
		return
	}
	if s.limits != nil {
		release, ok := s.limits.zips.take(s.clientAddr(r))
		if !ok {
			tooManyRequests(w, r, limitShare, zipRetry)
			return
		}
		defer release()
	}
	ctx := r.Context()
	photos, err := s.lib.Catalog.SharePhotos(ctx, sh, nil, zipPage)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": zipName(shareTitle(sh, texts(r)))}))
	h.Set("Cache-Control", "private, no-store")
	if r.Method == http.MethodHead {
		return
	}
	zw := zip.NewWriter(newZipWriter(w))
	names := map[string]bool{}
	files, skipped := 0, 0
	for {
		for _, p := range photos {
			if ctx.Err() != nil {
				return
			}
			added, err := s.zipAdd(ctx, zw, p, names)
			if err != nil {
				// The client went away or the disk failed: the archive
				// ends here without its directory, so no client takes it
				// for a whole one.
				s.log.LogAttrs(ctx, slog.LevelWarn, "zip download stopped", slog.Int64("share", sh.ID),
					slog.Int("files", files), slog.Any("err", err))
				return
			}
			if added {
				files++
			} else {
				skipped++
			}
		}
		if len(photos) < zipPage {
			break
		}
		after := catalog.CursorOf(photos[len(photos)-1])
		if photos, err = s.lib.Catalog.SharePhotos(ctx, sh, &after, zipPage); err != nil {
			s.log.LogAttrs(ctx, slog.LevelError, "zip download: list photos", slog.Int64("share", sh.ID), slog.Any("err", err))
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "zip download stopped", slog.Int64("share", sh.ID), slog.Any("err", err))
		return
	}
	if skipped > 0 {
		s.log.LogAttrs(ctx, slog.LevelInfo, "zip download left out originals that are missing",
			slog.Int64("share", sh.ID), slog.Int("files", files), slog.Int("skipped", skipped))
	}
}

// zipAdd stores one original in the archive under a name not used yet:
// from the library, or when offloaded from its remote. It reports false,
// and writes nothing, when the original is missing, or its remote cannot
// give it.
func (s *server) zipAdd(ctx context.Context, zw *zip.Writer, p catalog.Photo, names map[string]bool) (bool, error) {
	var f io.ReadCloser
	if p.Offloaded != "" {
		rc, err := s.opts.Media.OpenOffloaded(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				return false, err
			}
			s.log.LogAttrs(ctx, slog.LevelWarn, "zip download: offloaded original left out", slog.Int64("photo", p.ID),
				slog.String("remote", p.Offloaded), slog.Any("err", err))
			return false, nil
		}
		f = rc
	} else {
		lf, err := os.Open(s.lib.Abs(p.Path))
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		f = lf
	}
	defer f.Close()
	dir := captureDate(p.TakenAt)
	if dir == "" {
		dir = "undated"
	}
	base := downloadName(p)
	name := dir + "/" + base
	for n := 2; names[strings.ToLower(name)]; n++ {
		name = dir + "/" + library.Candidate(base, n)
	}
	names[strings.ToLower(name)] = true
	hdr := &zip.FileHeader{Name: name, Method: zip.Store, Modified: modTime(p.TakenAt)}
	hdr.SetMode(0o644)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(fw, f); err != nil {
		return false, fmt.Errorf("add %s to the zip: %w", name, err)
	}
	return true, nil
}

// modTime is the capture time as the file's date in the archive: the
// clock time the camera recorded.
func modTime(takenAt string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, takenAt); err == nil {
			return t
		}
	}
	return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
}

// zipName is the archive's file name: the share's title, made safe.
func zipName(title string) string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(title))
	if name == "" || strings.Trim(name, ".") == "" {
		name = "photos"
	}
	return name + ".zip"
}
