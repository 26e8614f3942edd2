package importer

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// item is one input file with the sidecars that travel with it.
type item struct {
	path     string // absolute
	info     fs.FileInfo
	sidecars []string // absolute paths of .xmp/.aae files beside it
}

// sidecarExts are the files that travel with their photo.
var sidecarExts = map[string]bool{".xmp": true, ".aae": true}

func isSidecar(name string) bool { return sidecarExts[strings.ToLower(filepath.Ext(name))] }

// sidecarKeys are the names a sidecar may be matched by: IMG_1.xmp matches
// IMG_1.JPG, and so does IMG_1.JPG.xmp.
func sidecarKey(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
}

// walker feeds items from the roots, one directory at a time, so that the
// sidecars of a directory are known before its photos are sent.
type walker struct {
	skipDir   string // the library itself, never walked into
	out       chan<- item
	failed    func(path string, err error)
	skipped   func(path, reason string)
	countOnly bool
	count     func(size int64)
	filter    Filter
	excluded  func() // a file the filter left out
}

func (w *walker) walk(ctx context.Context, roots []string) {
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		if err != nil {
			w.fail(root, err)
			continue
		}
		fi, err := os.Stat(abs)
		if err != nil {
			w.fail(root, explainOpen(err))
			continue
		}
		if fi.IsDir() {
			if !w.dir(ctx, abs, abs) {
				return
			}
			continue
		}
		if !w.filter.takes(fi.Name(), fi.Name()) {
			w.exclude()
			continue
		}
		dir := filepath.Dir(abs)
		entries, _ := os.ReadDir(dir)
		var sidecars []string
		if !isSidecar(abs) {
			for _, e := range entries {
				if isSidecar(e.Name()) && matches(e.Name(), filepath.Base(abs)) && !w.filter.excluded(e.Name(), e.Name()) {
					sidecars = append(sidecars, filepath.Join(dir, e.Name()))
				}
			}
		}
		if !w.send(ctx, item{path: abs, info: fi, sidecars: sidecars}) {
			return
		}
	}
}

func matches(sidecar, media string) bool {
	k := sidecarKey(sidecar)
	return k == strings.ToLower(media) || k == sidecarKey(media)
}

func (w *walker) send(ctx context.Context, it item) bool {
	if w.countOnly {
		w.count(it.info.Size())
		return ctx.Err() == nil
	}
	select {
	case w.out <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// dir walks one directory below root: its files first (with their
// sidecars), then its subdirectories, in name order, leaving out what the
// filter excludes. Symlinked directories are not followed.
func (w *walker) dir(ctx context.Context, root, dir string) bool {
	if ctx.Err() != nil {
		return false
	}
	if w.skipDir != "" && dir == w.skipDir {
		return true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.fail(dir, explainOpen(err))
		return true
	}
	var files []fs.FileInfo
	var subdirs []string
	sidecars := map[string][]string{}
	left := map[string]bool{} // sidecar keys of the files the filter left out
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		rel, _ := filepath.Rel(root, p)
		if w.filter.excluded(rel, e.Name()) {
			if !e.IsDir() {
				w.exclude()
			}
			continue
		}
		if e.IsDir() {
			subdirs = append(subdirs, p)
			continue
		}
		fi, err := os.Stat(p) // follows a symlinked file
		if err != nil {
			w.fail(p, explainOpen(err))
			continue
		}
		if fi.IsDir() || !fi.Mode().IsRegular() {
			continue
		}
		if isSidecar(e.Name()) {
			sidecars[sidecarKey(e.Name())] = append(sidecars[sidecarKey(e.Name())], p)
			continue
		}
		if !w.filter.takes(rel, e.Name()) {
			w.exclude()
			left[strings.ToLower(e.Name())], left[sidecarKey(e.Name())] = true, true
			continue
		}
		files = append(files, fi)
	}
	used := map[string]bool{}
	for _, fi := range files {
		var sc []string
		for _, k := range []string{strings.ToLower(fi.Name()), sidecarKey(fi.Name())} {
			if !used[k] {
				sc = append(sc, sidecars[k]...)
				used[k] = sidecars[k] != nil
			}
		}
		if !w.send(ctx, item{path: filepath.Join(dir, fi.Name()), info: fi, sidecars: sc}) {
			return false
		}
	}
	if !w.countOnly {
		var lone []string
		for k, ps := range sidecars {
			switch {
			case used[k]:
			case left[k]: // its photo was left out: so is it
				for range ps {
					w.exclude()
				}
			default:
				lone = append(lone, ps...)
			}
		}
		sort.Strings(lone)
		for _, p := range lone {
			w.skipped(p, "sidecar without a photo beside it")
		}
	}
	for _, d := range subdirs {
		if !w.dir(ctx, root, d) {
			return false
		}
	}
	return true
}

func explainOpen(err error) error {
	switch {
	case os.IsNotExist(err):
		return errNotExist
	case os.IsPermission(err):
		return errPermission
	}
	return err
}

// exclude counts a file the filter left out; the counting walk stays
// quiet.
func (w *walker) exclude() {
	if !w.countOnly && w.excluded != nil {
		w.excluded()
	}
}

// fail reports an input that cannot be read; the counting walk stays quiet.
func (w *walker) fail(path string, err error) {
	if !w.countOnly {
		w.failed(path, err)
	}
}
