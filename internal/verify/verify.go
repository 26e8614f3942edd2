// Package verify checks a library against its catalog — originals re-hashed,
// thumbnails present, no orphan files, a sound database — and repairs what
// can be repaired.
package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/importer"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/redate"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/capturetime"
	"github.com/picup/picup/pkg/filetype"
)

// Problem kinds.
const (
	KindCatalog          = "catalog"           // SQLite integrity or foreign keys
	KindMissingOriginal  = "missing-original"  // catalog row without its file
	KindCorruptOriginal  = "corrupt-original"  // file whose bytes no longer match the hash
	KindMissingSidecar   = "missing-sidecar"   // sidecar row without its file
	KindMissingThumb     = "missing-thumbnail" // thumbnail absent or not a JPEG
	KindPlaceholderThumb = "placeholder-thumbnail"
	KindOrphanOriginal   = "orphan-original" // media file in originals/ without a row
	KindOrphanThumb      = "orphan-thumbnail"
	KindOrphanSidecar    = "orphan-sidecar"
	KindUnknownFile      = "unknown-file" // not a photo or video, in originals/
	KindTempFile         = "temp-file"    // leftover of an interrupted write
	KindUsage            = "usage"        // a user's recorded usage differs from what they own
	KindReservation      = "reservation"  // quota reserved by a process that is gone
	// KindStaleMetadata: the catalog's capture time, title, caption,
	// keywords, people, rating, position or place differ from what the
	// original's metadata says when read today (checked with Metadata or
	// Repair).
	KindStaleMetadata = "stale-metadata"
)

// Problem is one inconsistency.
type Problem struct {
	Kind     string `json:"kind"`
	Path     string `json:"path"`
	PhotoID  int64  `json:"photo_id,omitempty"`
	Detail   string `json:"detail"`
	Repaired bool   `json:"repaired"`
	// Repairable: --repair fixes it (or did, when Repaired). What is
	// neither repaired nor repairable needs a person: a backup, or a file
	// to remove by hand.
	Repairable bool `json:"repairable"`
	// LeftAlone: reported, and left as it is on purpose: a file in the
	// library that is not picup's (not a photo or video, a sidecar with no
	// photo beside it), with the command that removes it, or a damaged
	// photo already in the trash. It does not count as remaining, so
	// verify settles (exit 0) once nothing else is wrong.
	LeftAlone bool   `json:"left_alone,omitempty"`
	Action    string `json:"action,omitempty"` // what --repair did, or would do, or what to do by hand
}

// Report is what Run found.
type Report struct {
	Photos    int       `json:"photos"`
	Bytes     int64     `json:"bytes"`
	Problems  []Problem `json:"problems"`
	Repaired  int       `json:"repaired"`
	Remaining int       `json:"remaining"`
	LeftAlone int       `json:"left_alone"` // problems left alone on purpose (not counted in Remaining)
}

// ToRepair reports whether --repair would fix something that remains.
func (r Report) ToRepair() bool {
	for _, p := range r.Problems {
		if p.Repairable && !p.Repaired {
			return true
		}
	}
	return false
}

// OK reports whether nothing is left to fix.
func (r Report) OK() bool { return r.Remaining == 0 }

// Options says how to verify.
type Options struct {
	Repair bool
	Jobs   int
	// Metadata reads every original's metadata again and reports the
	// photos whose catalog entry differs from it; Repair does it too, and
	// records it. Parsing every file costs more than the other checks, so
	// a plain verify leaves it out.
	Metadata bool
}

type checker struct {
	lib  *library.Library
	run  *library.Run // scratch dir for repairs
	opts Options
	mu   sync.Mutex
	rep  Report
}

func (c *checker) add(p Problem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rep.Problems = append(c.rep.Problems, p)
	switch {
	case p.Repaired:
		c.rep.Repaired++
	case p.LeftAlone:
		c.rep.LeftAlone++
	case p.Kind != KindPlaceholderThumb:
		c.rep.Remaining++
	}
}

// Run verifies the library.
func Run(ctx context.Context, lib *library.Library, opts Options) (Report, error) {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	c := &checker{lib: lib, opts: opts, rep: Report{Problems: []Problem{}}}
	if opts.Repair {
		run, err := lib.StartRun()
		if err != nil {
			return c.rep, err
		}
		defer run.Close()
		c.run = run
	}
	issues, err := lib.Catalog.IntegrityCheck(ctx)
	if err != nil {
		return c.rep, fmt.Errorf("check catalog: %w", err)
	}
	for _, s := range issues {
		c.add(Problem{Kind: KindCatalog, Path: library.CatalogFile, Detail: s, Action: "restore the catalog from a snapshot (--repair cannot)"})
	}
	if err := c.usage(ctx); err != nil {
		return c.rep, err
	}
	if err := c.photos(ctx); err != nil {
		return c.rep, err
	}
	if err := c.originalsTree(ctx); err != nil {
		return c.rep, err
	}
	if err := c.thumbsTree(ctx); err != nil {
		return c.rep, err
	}
	sort.SliceStable(c.rep.Problems, func(i, j int) bool { return c.rep.Problems[i].Path < c.rep.Problems[j].Path })
	return c.rep, ctx.Err()
}

// usage checks that every user's recorded usage (and its trashed part,
// photos and videos) is what they own, and that no reservation outlives its process.
func (c *checker) usage(ctx context.Context) error {
	bad, err := c.lib.Catalog.CheckUsage(ctx)
	if err != nil {
		return fmt.Errorf("check usage: %w", err)
	}
	stale := map[string]int64{}
	res, err := c.lib.Catalog.Reservations(ctx)
	if err != nil {
		return fmt.Errorf("check reservations: %w", err)
	}
	for run, n := range res {
		if !c.lib.RunExists(run) {
			stale[run] = n
		}
	}
	repaired := false
	if c.opts.Repair && len(bad)+len(stale) > 0 {
		err := c.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
			for run := range stale {
				if err := tx.ReleaseRun(ctx, run); err != nil {
					return err
				}
			}
			return tx.RecomputeUsage(ctx)
		})
		repaired = err == nil
	}
	for _, m := range bad {
		c.add(Problem{Kind: KindUsage, Path: library.CatalogFile, Repaired: repaired, Repairable: true, Action: c.will("recompute it", "recomputed"),
			Detail: fmt.Sprintf("user %q: %s recorded %d, counted from what they own %d", m.User, m.Counter, m.Recorded, m.Actual)})
	}
	for run, n := range stale {
		c.add(Problem{Kind: KindReservation, Path: library.CatalogFile, Repaired: repaired, Repairable: true, Action: c.will("release it", "released"),
			Detail: fmt.Sprintf("%d bytes reserved by %s, a process that is gone", n, run)})
	}
	return nil
}

// photos re-hashes every original and checks its thumbnails and sidecars,
// on a pool of workers.
func (c *checker) photos(ctx context.Context) error {
	work := make(chan catalog.Photo)
	var wg sync.WaitGroup
	for range c.opts.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				c.photo(ctx, p)
			}
		}()
	}
	err := c.lib.Catalog.EachPhoto(ctx, func(p catalog.Photo) error {
		c.mu.Lock()
		c.rep.Photos++
		c.rep.Bytes += p.Bytes
		c.mu.Unlock()
		select {
		case work <- p:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(work)
	wg.Wait()
	return err
}

func (c *checker) photo(ctx context.Context, p catalog.Photo) {
	if p.Offloaded != "" {
		// The original lives in the remote ("picup verify --remote").
		c.thumbs(ctx, p)
		c.sidecars(ctx, p)
		return
	}
	state := "ok"
	sum, err := library.HashFile(ctx, c.lib.Abs(p.Path))
	// flag is the Action for an original that is gone or damaged: the
	// photo's state says so once --repair has run (ls, info), and only a
	// person can bring the bytes back.
	trashed := !p.TrashedAt.IsZero()
	flag := func(state, fix string) (string, bool) {
		byHand := fmt.Sprintf("%s, or remove the photo with \"picup rm %d\"", fix, p.ID)
		if trashed {
			byHand = fmt.Sprintf("it is in the trash and goes for good when it is purged; to keep it, %s and \"picup trash restore %d\"", fix, p.ID)
		}
		if p.State == state {
			return "flagged as " + state + "; " + byHand, false
		}
		if c.opts.Repair {
			return "now flagged as " + state + " (ls, info); " + byHand, false
		}
		if !trashed {
			byHand = "then " + byHand
		}
		return "--repair flags it as " + state + " (ls, info); " + byHand, true
	}
	switch {
	case ctx.Err() != nil:
		return
	case errors.Is(err, fs.ErrNotExist):
		state = "missing"
		action, repairable := flag(state, "restore the file from a backup")
		c.add(Problem{Kind: KindMissingOriginal, Path: p.Path, PhotoID: p.ID, Detail: "the original file is gone",
			Repairable: repairable, LeftAlone: trashed && !repairable, Action: action})
	case err != nil:
		state = "missing"
		action, repairable := flag(state, "check the file's permissions")
		c.add(Problem{Kind: KindMissingOriginal, Path: p.Path, PhotoID: p.ID, Detail: err.Error(), Repairable: repairable, LeftAlone: trashed && !repairable, Action: action})
	case sum != p.SHA256:
		state = "corrupt"
		action, repairable := flag(state, "restore the file from a backup")
		c.add(Problem{Kind: KindCorruptOriginal, Path: p.Path, PhotoID: p.ID,
			Detail:     fmt.Sprintf("content hash is %s, catalog says %s", sum[:12], p.SHA256[:12]),
			Repairable: repairable, LeftAlone: trashed && !repairable, Action: action})
	}
	if state != p.State && c.opts.Repair {
		// Not written: the next verify finds the same state again.
		_ = c.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetState(ctx, p.ID, state) })
	}
	if state == "ok" {
		c.thumbs(ctx, p)
	}
	c.sidecars(ctx, p)
	if state == "ok" && !trashed && (c.opts.Metadata || c.opts.Repair) {
		c.metadata(ctx, p)
	}
}

// metadata reads the original's metadata again and reports what the
// catalog says otherwise; --repair records it as "picup redate
// --from-metadata" does, moving the original when its date folder
// changes. A date set by hand is never overwritten: such a photo is not
// read. A file whose metadata cannot be read is left to the other
// checks.
func (c *checker) metadata(ctx context.Context, p catalog.Photo) {
	if p.TakenSource == capturetime.SourceManual {
		return
	}
	md, err := redate.Read(ctx, c.lib, p, time.Now())
	if err != nil {
		return
	}
	change := redate.FromMetadata(p, md)
	diff := change.Differences(p)
	if len(diff) == 0 {
		return
	}
	prob := Problem{Kind: KindStaleMetadata, Path: p.Path, PhotoID: p.ID, Repairable: true,
		Detail: "the catalog differs from what the original's metadata says: " + strings.Join(diff, "; "),
		Action: c.will(fmt.Sprintf("record what the metadata says, as \"picup redate %d --from-metadata\" does", p.ID), "recorded what the metadata says")}
	if c.opts.Repair {
		r, err := redate.Apply(ctx, c.lib, p, change)
		switch {
		case err != nil:
			prob.Detail += "; recording it failed: " + err.Error()
		default:
			prob.Repaired = true
			if r.OldPath != "" {
				prob.Action += "; moved to " + r.Path
			}
			if r.Note != "" {
				prob.Action += "; " + r.Note
			}
		}
	}
	c.add(prob)
}

func (c *checker) thumbs(ctx context.Context, p catalog.Photo) {
	var bad []string
	for _, s := range thumb.Sizes {
		rel := library.ThumbPath(p.SHA256, s.Name)
		if !looksLikeJPEG(c.lib.Abs(rel)) {
			bad = append(bad, rel)
		}
	}
	if len(bad) == 0 && p.Thumbs == "ok" {
		return
	}
	kind, detail := KindMissingThumb, "thumbnail missing or not a JPEG"
	if len(bad) == 0 {
		if !c.opts.Repair {
			return
		}
		kind, detail = KindPlaceholderThumb, "placeholder thumbnail"
	}
	prob := Problem{Kind: kind, Path: p.Path, PhotoID: p.ID, Detail: detail, Repairable: true, Action: c.will("regenerate it", "regenerate")}
	if len(bad) > 0 {
		prob.Detail = detail + ": " + strings.Join(bad, ", ")
	}
	if c.opts.Repair {
		state, err := regenerate(ctx, c.lib, c.run, p)
		switch {
		case err != nil:
			prob.Detail += "; regenerating failed: " + err.Error()
		case kind == KindPlaceholderThumb && state == "placeholder":
			return // still no decoder: nothing changed, nothing to report
		default:
			prob.Repaired = true
			prob.Action = "regenerated (" + state + ")"
		}
	}
	c.add(prob)
}

// regenerate remakes a photo's thumbnails from its original.
func regenerate(ctx context.Context, lib *library.Library, run *library.Run, p catalog.Photo) (string, error) {
	kind := filetype.Photo
	if p.Type == "video" {
		kind = filetype.Video
	}
	res, err := thumb.Generate(ctx, lib.Abs(p.Path), filetype.Type{Kind: kind, Format: p.Format, MIME: p.MIME}, p.Orientation)
	state := "ok"
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		res, state = thumb.Placeholder(kind), "placeholder"
	}
	for size, data := range res.JPEG {
		if err := run.WriteFile(lib.Abs(library.ThumbPath(p.SHA256, size)), data); err != nil {
			return "", err
		}
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error { return tx.SetThumbs(ctx, p.ID, state) })
	return state, err
}

func (c *checker) sidecars(ctx context.Context, p catalog.Photo) {
	scs, err := c.lib.Catalog.Sidecars(ctx, p.ID)
	if err != nil {
		return
	}
	for _, s := range scs {
		sum, err := library.HashFile(ctx, c.lib.Abs(s.Path))
		if err != nil || sum != s.SHA256 {
			c.add(Problem{Kind: KindMissingSidecar, Path: s.Path, PhotoID: p.ID, Detail: "sidecar missing or changed", Action: "restore it from a backup (--repair cannot)"})
		}
	}
}

func looksLikeJPEG(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 3)
	_, err = io.ReadFull(f, b)
	return err == nil && bytes.Equal(b, []byte{0xFF, 0xD8, 0xFF})
}

// originalsTree looks for files in originals/ that no catalog row claims.
func (c *checker) originalsTree(ctx context.Context) error {
	root := c.lib.Abs(library.OriginalsDir)
	var orphans []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := c.lib.Rel(path)
		if strings.HasPrefix(d.Name(), ".tmp-") {
			p := Problem{Kind: KindTempFile, Path: rel, Detail: "leftover of an interrupted write", Repairable: true, Action: c.will("remove it", "removed")}
			if c.opts.Repair {
				p.Repaired = os.Remove(path) == nil
			}
			c.add(p)
			return nil
		}
		known, err := c.lib.Catalog.KnownPath(ctx, rel)
		if err != nil {
			return err
		}
		if !known {
			orphans = append(orphans, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan originals: %w", err)
	}
	// A file of a purged photo waiting for its deletion job is not an
	// orphan: adopting it would undo the purge.
	pending, err := c.lib.Catalog.PendingDeletions(ctx, orphans)
	if err != nil {
		return fmt.Errorf("read the queued deletions: %w", err)
	}
	orphans = slices.DeleteFunc(orphans, func(rel string) bool { return pending[rel] })
	// Media first, so that lone sidecars find the photo they belong to.
	sort.SliceStable(orphans, func(i, j int) bool { return !isSidecar(orphans[i]) && isSidecar(orphans[j]) })
	for _, rel := range orphans {
		c.orphan(ctx, rel)
	}
	return nil
}

func isSidecar(rel string) bool {
	ext := strings.ToLower(filepath.Ext(rel))
	return ext == ".xmp" || ext == ".aae"
}

func (c *checker) orphan(ctx context.Context, rel string) {
	if isSidecar(rel) {
		c.orphanSidecar(ctx, rel)
		return
	}
	if media, err := isMedia(c.lib.Abs(rel)); err == nil && !media {
		c.add(c.foreign(KindUnknownFile, rel, "not a photo or video"))
		return
	}
	p := Problem{Kind: KindOrphanOriginal, Path: rel, Detail: "file in the library without a catalog row", Repairable: true,
		Action: "--repair adopts it into the catalog where it is (or removes it when the same content is stored elsewhere)"}
	if !c.opts.Repair {
		c.add(p)
		return
	}
	photo, dup, err := importer.Adopt(ctx, c.lib, rel)
	switch {
	case errors.Is(err, importer.ErrNotMedia):
		c.add(c.foreign(KindUnknownFile, rel, "not a photo or video"))
		return
	case err != nil:
		p.Detail += "; adopting failed: " + err.Error()
	case dup:
		if err := os.Remove(c.lib.Abs(rel)); err == nil {
			p.Repaired, p.Action = true, fmt.Sprintf("removed: same content as %s (id %d)", photo.Path, photo.ID)
		}
	default:
		p.Repaired, p.PhotoID, p.Action = true, photo.ID, "adopted"
	}
	c.add(p)
}

// orphanSidecar attaches a lone sidecar to the photo beside it with the same
// name stem, or reports it.
func (c *checker) orphanSidecar(ctx context.Context, rel string) {
	photo, ok := c.sidecarOwner(ctx, rel)
	if !ok {
		c.add(c.foreign(KindOrphanSidecar, rel, "sidecar without a catalog row, and no photo beside it"))
		return
	}
	p := Problem{Kind: KindOrphanSidecar, Path: rel, Detail: "sidecar without a catalog row", Repairable: true,
		Action: "--repair attaches it to " + photo.Path}
	if c.opts.Repair {
		{
			data, err := os.ReadFile(c.lib.Abs(rel))
			if err == nil {
				sum := sha256.Sum256(data)
				err = c.lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
					return tx.InsertSidecar(ctx, photo.ID, rel, int64(len(data)), hex.EncodeToString(sum[:]))
				})
			}
			if err == nil {
				p.Repaired, p.PhotoID, p.Action = true, photo.ID, "attached to "+photo.Path
			}
		}
	}
	c.add(p)
}

func (c *checker) sidecarOwner(ctx context.Context, rel string) (catalog.Photo, bool) {
	dir := filepath.Dir(c.lib.Abs(rel))
	stem := strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || isSidecar(n) {
			continue
		}
		if strings.EqualFold(n, stem) || strings.EqualFold(strings.TrimSuffix(n, filepath.Ext(n)), stem) {
			r, _ := c.lib.Rel(filepath.Join(dir, n))
			if p, err := c.lib.Catalog.PhotoByPath(ctx, r); err == nil {
				return p, true
			}
		}
	}
	return catalog.Photo{}, false
}

// thumbsTree looks for thumbnails of content the catalog no longer has.
func (c *checker) thumbsTree(ctx context.Context) error {
	root := c.lib.Abs(library.ThumbsDir)
	var unknown []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := c.lib.Rel(path)
		sha, _, _ := strings.Cut(d.Name(), "-")
		known := false
		if len(sha) == 64 {
			known, err = c.lib.Catalog.KnownSHA(ctx, sha)
			if err != nil {
				return err
			}
		}
		if !known {
			unknown = append(unknown, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	pending, err := c.lib.Catalog.PendingDeletions(ctx, unknown)
	if err != nil {
		return fmt.Errorf("read the queued deletions: %w", err)
	}
	for _, rel := range unknown {
		if pending[rel] {
			continue
		}
		p := Problem{Kind: KindOrphanThumb, Path: rel, Detail: "thumbnail of content not in the catalog", Repairable: true, Action: c.will("remove it", "removed")}
		if strings.HasPrefix(path.Base(rel), ".tmp-") {
			p.Kind, p.Detail = KindTempFile, "leftover of an interrupted write"
		}
		if c.opts.Repair {
			p.Repaired = os.Remove(c.lib.Abs(rel)) == nil
		}
		c.add(p)
	}
	return nil
}

// will is the Action of a problem --repair fixes: what it will do, or,
// when it ran, what it did.
func (c *checker) will(do, done string) string {
	if c.opts.Repair {
		return done
	}
	return "--repair will " + do
}

// foreign is the report of a file in the library that is not picup's: the
// same with --repair or without, left alone, with the command that
// removes it.
func (c *checker) foreign(kind, rel, detail string) Problem {
	return Problem{Kind: kind, Path: rel, Detail: detail, LeftAlone: true,
		Action: "not picup's: move it out of the library, or remove it yourself: rm " + shellQuote(c.lib.Abs(rel))}
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"\\$`()&;|<>*?[]{}!#~") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// isMedia reports whether the file at abs is a photo or video by its
// content, as an import or --repair's adoption would see it.
func isMedia(abs string) (bool, error) {
	f, err := os.Open(abs)
	if err != nil {
		return false, err
	}
	defer f.Close()
	header := make([]byte, filetype.HeaderSize)
	n, _ := io.ReadFull(f, header)
	return filetype.Detect(header[:n], filepath.Base(abs)).Kind != filetype.Unknown, nil
}
