package thumb

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picup/picup/internal/testenv"
	"github.com/picup/picup/pkg/filetype"
)

// corpusDir is the shared developer corpus beside the checkout.
var corpusDir = filepath.Join(repoRoot, "..", "shared", "testdata", "photos")

func BenchmarkGenerate(b *testing.B) {
	var dng bytes.Buffer
	if err := jpeg.Encode(&dng, gradient(1620, 1080), nil); err != nil {
		b.Fatal(err)
	}
	dngPath := filepath.Join(b.TempDir(), "preview.dng")
	if err := os.WriteFile(dngPath, dngWithPreview(dng.Bytes()), 0o644); err != nil {
		b.Fatal(err)
	}
	shared := func(p string) string { return filepath.Join(corpusDir, p) }
	tests := []struct {
		name, path string
		t          filetype.Type
	}{
		{"jpeg-16MP", shared("jpeg/drewnoakes/Leica T (Typ 701).jpg"), photo("jpeg")},
		{"jpeg-8MP", shared("jpeg/drewnoakes/Apple iPhone 5.jpg"), photo("jpeg")},
		{"jpeg-2MP-orient6", testdata("orientation", "recurser", "Landscape_6.jpg"), photo("jpeg")},
		{"jpeg-0.3MP", shared("jpeg/drewnoakes/Nikon E995.jpg"), photo("jpeg")},
		{"png", shared("other/exiftool/PNG.png"), photo("png")},
		{"gif", shared("other/drewnoakes/gif/Animated.gif"), photo("gif")},
		{"webp", shared("other/drewnoakes/webp/HTC Desire.webp"), photo("webp")},
		{"heic-12MP", testdata("heic", "drewnoakes", "IMG_2927.HEIC"), photo("heic")},
		{"heic-0.9MP", testdata("heic", "pillow-heif", "heif_other", "empty_icc.heic"), photo("heic")},
		{"dng-preview-1.7MP", dngPath, photo("dng")},
		{"video-mp4", testdata("video", "drewnoakes", "with-gps.mp4"), filetype.Type{Kind: filetype.Video, Format: "mp4"}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			if _, err := os.Stat(tt.path); err != nil {
				testenv.Missing(b, "no sample: %v", err)
			}
			if _, err := Generate(context.Background(), tt.path, tt.t, 6); err != nil {
				b.Skipf("Generate(%q) = %v", tt.path, err)
			}
			for b.Loop() {
				if _, err := Generate(context.Background(), tt.path, tt.t, 6); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// corpusFile is one file of the shared corpus with the type and
// orientation that MANIFEST.tsv records for it.
type corpusFile struct {
	path        string
	t           filetype.Type
	orientation int
}

var (
	manifestType   = regexp.MustCompile(`type=([A-Za-z0-9]+)`)
	manifestOrient = regexp.MustCompile(`orientation=(\d)`)
)

// loadCorpus reads MANIFEST.tsv of the shared corpus; the detected types
// stand in for filetype.Detect. Files with no photo or video type are left
// out, as the importer does not thumbnail them.
func loadCorpus(tb testing.TB) []corpusFile {
	f, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		testenv.Missing(tb, "shared corpus not found at %s (%v): the whole-corpus run needs it", corpusDir, err)
	}
	defer f.Close()
	formats := map[string]filetype.Type{
		"JPEG": photo("jpeg"), "MPO": photo("jpeg"), "PNG": photo("png"), "GIF": photo("gif"),
		"WEBP": photo("webp"), "Extended": photo("webp"), "HEIC": photo("heic"), "HEIF": photo("heic"),
		"AVIF": photo("avif"),
		"MP4":  {Kind: filetype.Video, Format: "mp4"}, "MOV": {Kind: filetype.Video, Format: "mov"},
		"3GP": {Kind: filetype.Video, Format: "3gp"},
	}
	var files []corpusFile
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 || cols[0] == "path" {
			continue
		}
		m := manifestType.FindStringSubmatch(cols[7])
		if m == nil {
			continue
		}
		t, ok := formats[m[1]]
		if !ok {
			continue
		}
		o := 0
		if m := manifestOrient.FindStringSubmatch(cols[7]); m != nil {
			o, _ = strconv.Atoi(m[1])
		}
		files = append(files, corpusFile{path: filepath.Join(corpusDir, cols[0]), t: t, orientation: o})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return files
}

type corpusTiming struct {
	file corpusFile
	took time.Duration
	err  error
}

// runCorpus thumbnails files with the given number of workers, like the
// importer does, and returns the wall time and the per-file results.
func runCorpus(files []corpusFile, workers int) (time.Duration, []corpusTiming) {
	jobs := make(chan int)
	out := make([]corpusTiming, len(files))
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				t0 := time.Now()
				_, err := Generate(context.Background(), files[i].path, files[i].t, files[i].orientation)
				out[i] = corpusTiming{file: files[i], took: time.Since(t0), err: err}
			}
		})
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return time.Since(start), out
}

// BenchmarkCorpus runs Generate over the whole shared corpus with
// GOMAXPROCS workers and reports the wall time of one pass:
//
//	go test -run '^$' -bench Corpus -benchtime 1x ./internal/thumb
func BenchmarkCorpus(b *testing.B) {
	files := loadCorpus(b)
	workers := runtime.GOMAXPROCS(0)
	var last []corpusTiming
	var wall time.Duration
	for b.Loop() {
		wall, last = runCorpus(files, workers)
	}
	b.ReportMetric(wall.Seconds(), "wall-s/corpus")
	byFormat := map[string]time.Duration{}
	counts := map[string]int{}
	var failed, noDecoder, cpu time.Duration
	var nFailed, nNoDecoder int
	for _, r := range last {
		byFormat[r.file.t.Format] += r.took
		counts[r.file.t.Format]++
		cpu += r.took
		switch {
		case errors.Is(r.err, ErrNoDecoder):
			noDecoder += r.took
			nNoDecoder++
		case r.err != nil:
			failed += r.took
			nFailed++
		}
	}
	b.Logf("%d files, %d workers: wall %v, summed per-file time %v", len(files), workers, wall.Round(time.Millisecond), cpu.Round(time.Millisecond))
	for _, f := range slices.Sorted(func(yield func(string) bool) {
		for k := range byFormat {
			if !yield(k) {
				return
			}
		}
	}) {
		b.Logf("  %-5s %3d files %v", f, counts[f], byFormat[f].Round(time.Millisecond))
	}
	b.Logf("  errors: %d failed (%v), %d no decoder (%v)", nFailed, failed.Round(time.Millisecond), nNoDecoder, noDecoder.Round(time.Millisecond))
	slices.SortFunc(last, func(a, b corpusTiming) int { return cmp.Compare(b.took, a.took) })
	for _, r := range last[:min(12, len(last))] {
		b.Logf("  slowest: %v %s (err: %v)", r.took.Round(time.Millisecond), strings.TrimPrefix(r.file.path, corpusDir+"/"), r.err)
	}
}
