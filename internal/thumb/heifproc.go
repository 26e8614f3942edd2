package thumb

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gen2brain/heic"
)

// HEIF is decoded by libheif compiled to WebAssembly. Compiled WebAssembly
// cannot be preempted by the Go scheduler, so while a decode runs (seconds
// for a 12 MP photo) every garbage collection in the process waits for it,
// stopping the other import workers as well. HEIF files are therefore
// decoded in helper processes: the running executable started again with
// heifWorkerEnv set, which package init turns into a decode loop. Each
// helper compiles the WebAssembly module once and serves one decode at a
// time; up to one helper per concurrent caller is kept. When helpers cannot
// be started, decoding falls back to this process.

const (
	heifWorkerEnv = "PICUP_THUMB_HEIF_WORKER"
	// heifWorkerIdle is how long a helper waits for work before exiting.
	heifWorkerIdle = time.Minute
)

func init() {
	if os.Getenv(heifWorkerEnv) == "1" {
		os.Exit(serveHEIF(os.Stdin, os.Stdout))
	}
}

// Message layout, all integers big-endian uint32:
//
//	request:  len(path) path
//	response: status (0 ok, 1 error)
//	  error:  len(msg) msg
//	  ok:     kind w h ratio stride0 stride1 then per plane len bytes
//	          (kind 0: Y, Cb, Cr of an image.YCbCr; 1: Gray; 2: RGBA; 3: NRGBA)

// serveHEIF is the helper's main loop: decode each requested file and write
// the pixels back. It returns the exit code.
func serveHEIF(in io.Reader, out io.Writer) int {
	// This process only decodes; collect garbage after each decode
	// instead of during it.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(256 << 20)
	r, w := bufio.NewReader(in), bufio.NewWriterSize(out, 1<<20)
	idle := time.AfterFunc(heifWorkerIdle, func() { os.Exit(0) })
	for {
		path, err := readBlob(r)
		if err != nil {
			return 0 // the parent closed the pipe
		}
		idle.Stop()
		img, err := decodeHEIFFile(string(path))
		if err != nil {
			err = writeError(w, err)
		} else {
			err = writeImage(w, img)
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return 1
		}
		debug.FreeOSMemory()
		idle.Reset(heifWorkerIdle)
	}
}

func decodeHEIFFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return guard("heic", func() (image.Image, error) {
		return heic.Decode(bufio.NewReader(f))
	})
}

func readBlob(r io.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, err
	}
	if n > 1<<30 {
		return nil, fmt.Errorf("heif helper: message of %d bytes", n)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

func writeBlob(w io.Writer, b []byte) error {
	if err := binary.Write(w, binary.BigEndian, uint32(len(b))); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

func writeError(w io.Writer, e error) error {
	if err := binary.Write(w, binary.BigEndian, uint32(1)); err != nil {
		return err
	}
	return writeBlob(w, []byte(e.Error()))
}

func writeImage(w io.Writer, img image.Image) error {
	var hdr [6]uint32
	var planes [][]byte
	b := img.Bounds()
	hdr[1], hdr[2] = uint32(b.Dx()), uint32(b.Dy())
	switch m := img.(type) {
	case *image.YCbCr:
		hdr[0], hdr[3], hdr[4], hdr[5] = 0, uint32(m.SubsampleRatio), uint32(m.YStride), uint32(m.CStride)
		planes = [][]byte{m.Y, m.Cb, m.Cr}
	case *image.Gray:
		hdr[0], hdr[4] = 1, uint32(m.Stride)
		planes = [][]byte{m.Pix}
	case *image.RGBA:
		hdr[0], hdr[4] = 2, uint32(m.Stride)
		planes = [][]byte{m.Pix}
	case *image.NRGBA:
		hdr[0], hdr[4] = 3, uint32(m.Stride)
		planes = [][]byte{m.Pix}
	default:
		return writeError(w, fmt.Errorf("heif helper: unexpected image type %T", img))
	}
	if b.Min != (image.Point{}) {
		return writeError(w, fmt.Errorf("heif helper: image bounds %v do not start at 0,0", b))
	}
	if err := binary.Write(w, binary.BigEndian, uint32(0)); err != nil {
		return err
	}
	if err := binary.Write(w, binary.BigEndian, hdr); err != nil {
		return err
	}
	for _, p := range planes {
		if err := writeBlob(w, p); err != nil {
			return err
		}
	}
	return nil
}

// errHelperDecode marks a decode error reported by a helper, as opposed to
// a failure to talk to it.
var errHelperDecode = errors.New("heif helper")

func readImage(r io.Reader) (image.Image, error) {
	var status uint32
	if err := binary.Read(r, binary.BigEndian, &status); err != nil {
		return nil, err
	}
	if status != 0 {
		msg, err := readBlob(r)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s", errHelperDecode, msg)
	}
	var hdr [6]uint32
	if err := binary.Read(r, binary.BigEndian, &hdr); err != nil {
		return nil, err
	}
	rect := image.Rect(0, 0, int(hdr[1]), int(hdr[2]))
	if int64(hdr[1])*int64(hdr[2]) > int64(MaxPixels) {
		return nil, fmt.Errorf("heif helper returned %dx%d pixels: %w", hdr[1], hdr[2], ErrTooLarge)
	}
	if hdr[0] == 0 {
		var p [3][]byte
		for i := range p {
			var err error
			if p[i], err = readBlob(r); err != nil {
				return nil, err
			}
		}
		m := &image.YCbCr{Y: p[0], Cb: p[1], Cr: p[2], SubsampleRatio: image.YCbCrSubsampleRatio(hdr[3]),
			YStride: int(hdr[4]), CStride: int(hdr[5]), Rect: rect}
		cw, ch := chromaSize(rect.Dx(), rect.Dy(), m.SubsampleRatio)
		if !planeFits(len(m.Y), m.YStride, rect.Dx(), rect.Dy()) || !planeFits(len(m.Cb), m.CStride, cw, ch) ||
			!planeFits(len(m.Cr), m.CStride, cw, ch) {
			return nil, errors.New("heif helper returned short planes")
		}
		return m, nil
	}
	pix, err := readBlob(r)
	if err != nil {
		return nil, err
	}
	stride := int(hdr[4])
	var m image.Image
	bpp := 4
	switch hdr[0] {
	case 1:
		m, bpp = &image.Gray{Pix: pix, Stride: stride, Rect: rect}, 1
	case 2:
		m = &image.RGBA{Pix: pix, Stride: stride, Rect: rect}
	case 3:
		m = &image.NRGBA{Pix: pix, Stride: stride, Rect: rect}
	default:
		return nil, fmt.Errorf("heif helper returned image kind %d", hdr[0])
	}
	if !planeFits(len(pix), stride, bpp*rect.Dx(), rect.Dy()) {
		return nil, errors.New("heif helper returned short pixels")
	}
	return m, nil
}

// planeFits reports whether n bytes hold h rows of w bytes at stride.
func planeFits(n, stride, w, h int) bool {
	return h == 0 || (stride >= w && n >= (h-1)*stride+w)
}

// heifHelper is one running helper process.
type heifHelper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

var heifHelpers struct {
	mu       sync.Mutex
	idle     []*heifHelper
	disabled bool // helpers cannot be started: decode in process
}

func startHEIFHelper() (*heifHelper, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), heifWorkerEnv+"=1")
	if dir := libheifDir(); dir != "" {
		if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
			dir += string(os.PathListSeparator) + old
		}
		cmd.Env = append(cmd.Env, "LD_LIBRARY_PATH="+dir)
	}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &heifHelper{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}, nil
}

func (h *heifHelper) kill() {
	h.in.Close()
	h.cmd.Process.Kill()
	_ = h.cmd.Wait() // killed: its exit status says nothing
}

// getHEIFHelper returns an idle helper or starts one; nil means decode in
// this process.
func getHEIFHelper() *heifHelper {
	heifHelpers.mu.Lock()
	defer heifHelpers.mu.Unlock()
	if heifHelpers.disabled {
		return nil
	}
	if n := len(heifHelpers.idle); n > 0 {
		h := heifHelpers.idle[n-1]
		heifHelpers.idle = heifHelpers.idle[:n-1]
		return h
	}
	h, err := startHEIFHelper()
	if err != nil {
		heifHelpers.disabled = true
		return nil
	}
	return h
}

func putHEIFHelper(h *heifHelper) {
	heifHelpers.mu.Lock()
	defer heifHelpers.mu.Unlock()
	heifHelpers.idle = append(heifHelpers.idle, h)
}

// decodeHEIFIsolated decodes the HEIF at path in a helper process, falling
// back to this process when no helper can be used. A helper that has
// exited (idle timeout) is replaced once.
func decodeHEIFIsolated(ctx context.Context, path string) (image.Image, error) {
	for attempt := 0; ; attempt++ {
		h := getHEIFHelper()
		if h == nil {
			return decodeHEIFFile(path)
		}
		img, err := h.decode(ctx, path)
		switch {
		case err == nil || errors.Is(err, errHelperDecode):
			putHEIFHelper(h)
			return img, err
		case ctx.Err() != nil:
			h.kill()
			return nil, ctx.Err()
		}
		h.kill()
		if attempt > 0 {
			return nil, fmt.Errorf("heif helper: %w", err)
		}
	}
}

// decode sends one request; cancelling ctx kills the helper.
func (h *heifHelper) decode(ctx context.Context, path string) (image.Image, error) {
	stop := context.AfterFunc(ctx, func() { h.cmd.Process.Kill() })
	defer stop()
	if err := writeBlob(h.in, []byte(path)); err != nil {
		return nil, err
	}
	return readImage(h.out)
}
