// Command gen-photos writes N small, distinct JPEGs for benchmarks: a
// generated corpus as large as wanted, in folders of 1,000 files like a
// camera's DCIM tree.
//
//	go run ./scripts/gen-photos -n 10000 -o /tmp/corpus
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

func main() {
	n := flag.Int("n", 1000, "number of JPEGs to write")
	out := flag.String("o", "", "output directory (created)")
	seed := flag.Uint64("seed", 1, "seed of the pixel noise")
	width := flag.Int("w", 160, "image width in pixels")
	height := flag.Int("h", 120, "image height in pixels")
	flag.Parse()
	if *out == "" || *n < 1 || *width < 8 || *height < 8 {
		fmt.Fprintln(os.Stderr, "usage: gen-photos -n N -o DIR [-seed S] [-w W -h H]")
		os.Exit(2)
	}
	if err := generate(*out, *n, *seed, *width, *height); err != nil {
		fmt.Fprintf(os.Stderr, "gen-photos: %v\n", err)
		os.Exit(1)
	}
}

// generate writes n JPEGs on one worker per core.
func generate(dir string, n int, seed uint64, w, h int) error {
	idx := make(chan int)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				if err := writeOne(dir, i, seed, w, h); err != nil {
					errs <- err
					for range idx {
					}
					return
				}
			}
		}()
	}
	for i := range n {
		idx <- i
	}
	close(idx)
	wg.Wait()
	close(errs)
	return <-errs // nil when no worker failed
}

// writeOne writes image i: a colour gradient that differs per image plus
// seeded noise, so that every file has its own content hash.
func writeOne(dir string, i int, seed uint64, w, h int) error {
	sub := filepath.Join(dir, fmt.Sprintf("%03dPICUP", 100+i/1000))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", sub, err)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	base := uint8(i * 37)
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(24))
			img.SetRGBA(x, y, color.RGBA{R: uint8(x*255/w) + base + n, G: uint8(y*255/h) + n, B: base ^ uint8(x+y), A: 255})
		}
	}
	path := filepath.Join(sub, fmt.Sprintf("IMG_%05d.JPG", i))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	err = jpeg.Encode(bw, img, &jpeg.Options{Quality: 85})
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
