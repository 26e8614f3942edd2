package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/media"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/filetype"
	"github.com/picup/picup/pkg/places"
)

// prepared is a file copied into the scratch dir with everything its
// catalog row needs, ready to be committed.
type prepared struct {
	photo       catalog.Photo
	tmp         string                    // the copied original
	thumbs      map[thumb.SizeName]string // size -> scratch file
	sidecars    []sidecarFile
	source      catalog.Source
	taken       time.Time // for the directory of the original
	placeholder bool
	reservation int64   // quota reservation that becomes ownership at the commit
	phash       *uint64 // the grid thumbnail's perceptual hash; nil for a plain picture
}

type sidecarFile struct {
	src, tmp string
	bytes    int64
	sha      string
}

// decodeAuthoritative formats are ones the thumbnailer decodes fully: a
// decode error there means the file is broken. Elsewhere (HEIC, RAW,
// video) a failed decode still archives the file with a placeholder.
var decodeAuthoritative = map[string]bool{"jpeg": true, "png": true, "gif": true, "webp": true, "tiff": true}

func (im *Importer) prepare(ctx context.Context, it item, ft filetype.Type, tmp string, src catalog.Source) (*prepared, error) {
	now := im.opts.Now()
	// The .xmp sidecars beside the file are read with it: scanning and
	// tagging software writes dates, captions and keywords there.
	md, err := media.Read(tmp, ft, it.info.ModTime(), now, it.sidecars...)
	if err != nil {
		// Name the file as the user knows it, not by its scratch copy.
		return nil, errors.New(strings.ReplaceAll(err.Error(), tmp, filepath.Base(it.path)))
	}
	orient := md.Orientation
	if orient < 1 || orient > 8 {
		orient = 1
	}
	res, terr := thumb.Generate(ctx, tmp, ft, orient)
	placeholder := false
	switch {
	case terr == nil:
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(terr, thumb.ErrTooLarge):
		return nil, terr
	case errors.Is(terr, thumb.ErrNoDecoder), !decodeAuthoritative[ft.Format]:
		res, placeholder = thumb.Placeholder(ft.Kind), true
	default:
		return nil, terr
	}

	w, h := res.Width, res.Height
	if placeholder || w == 0 || h == 0 {
		w, h = md.Width, md.Height
		if orient >= 5 {
			w, h = h, w
		}
	}
	thumbState := "ok"
	if placeholder {
		thumbState = "placeholder"
	}
	p := catalog.Photo{
		SHA256:       src.SHA256,
		OriginalName: filepath.Base(it.path),
		Type:         ft.Kind.String(),
		Format:       ft.Format,
		MIME:         ft.MIME,
		Bytes:        it.info.Size(),
		TakenSource:  md.TakenSource,
		OffsetKnown:  md.OffsetKnown,
		Width:        w,
		Height:       h,
		Orientation:  orient,
		CameraMake:   md.Make,
		CameraModel:  md.Model,
		Lens:         md.Lens,
		Lat:          md.Lat,
		Lon:          md.Lon,
		Altitude:     md.Altitude,
		Thumbs:       thumbState,
		// What XMP and IPTC say: kept for search and the share page.
		TakenPrecision: md.TakenPrecision,
		Described:      catalog.Described(md.Descriptive),
	}
	if p.Lat != nil && p.Lon != nil {
		if pl, ok := places.Lookup(*p.Lat, *p.Lon); ok {
			p.Place = catalog.Place{Country: pl.Country, Region: pl.Region, City: pl.City}
		}
	}
	p.TakenAt, p.TakenKey = capturetime.Format(md.Taken, md.OffsetKnown, md.TakenPrecision)
	if md.Duration > 0 {
		ms := md.Duration.Milliseconds()
		p.DurationMS = &ms
	}

	prep := &prepared{photo: p, tmp: tmp, thumbs: map[thumb.SizeName]string{}, source: src, taken: md.Taken, placeholder: placeholder}
	if res.HasPHash {
		prep.phash = &res.PHash
	}
	for name, data := range res.JPEG {
		f := filepath.Join(im.run.Dir, fmt.Sprintf("thumb-%s-%s.jpg", src.SHA256[:16], name))
		// Thumbnails are derived data: verify regenerates a lost one, so
		// they are not fsynced.
		if err := os.WriteFile(f, data, 0o644); err != nil {
			return nil, fmt.Errorf("write thumbnail: %w", err)
		}
		prep.thumbs[name] = f
	}
	for _, sc := range it.sidecars {
		scf, err := im.copySidecar(ctx, sc)
		if err != nil {
			return nil, fmt.Errorf("sidecar %s: %w", filepath.Base(sc), err)
		}
		prep.sidecars = append(prep.sidecars, scf)
	}
	return prep, nil
}

func (im *Importer) copySidecar(ctx context.Context, src string) (sidecarFile, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return sidecarFile{}, explainOpen(err)
	}
	tmp := filepath.Join(im.run.Dir, "sidecar-"+randomName()+filepath.Ext(src))
	if err := library.WriteFileAtomic(tmp, data); err != nil {
		return sidecarFile{}, err
	}
	return sidecarFile{src: src, tmp: tmp, bytes: int64(len(data)), sha: sha256Hex(data)}, nil
}
