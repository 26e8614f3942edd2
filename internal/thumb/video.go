package thumb

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// VideoTimeout bounds one ffmpeg run that extracts a poster frame.
var VideoTimeout = 30 * time.Second

// ffmpegPath looks for ffmpeg on PATH once per process.
var ffmpegPath = sync.OnceValues(func() (string, error) {
	return exec.LookPath("ffmpeg")
})

// HaveFFmpeg reports whether ffmpeg, which makes video poster frames, is on
// PATH.
func HaveFFmpeg() bool {
	_, err := ffmpegPath()
	return err == nil
}

// poster extracts one frame of the video at path as a JPEG: the frame at
// one second, or the first frame for shorter clips. ffmpeg applies the
// video's rotation itself.
func poster(ctx context.Context, path string) ([]byte, error) {
	bin, err := ffmpegPath()
	if err != nil {
		return nil, fmt.Errorf("video poster: ffmpeg not found: %w", ErrNoDecoder)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, VideoTimeout)
	defer cancel()
	var lastErr error
	for _, seek := range [][]string{{"-ss", "1"}, nil} {
		args := append([]string{"-nostdin", "-v", "error"}, seek...)
		// The file: prefix keeps names with colons or a leading dash from
		// being read as protocols or options.
		args = append(args, "-i", "file:"+abs,
			"-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-q:v", "2", "-")
		cmd := exec.CommandContext(ctx, bin, args...)
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("video poster: %w", ctx.Err())
		}
		if err == nil && out.Len() > 0 {
			return out.Bytes(), nil
		}
		lastErr = err
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			lastErr = fmt.Errorf("%w: %s", err, firstLine(msg))
		}
	}
	if lastErr == nil {
		return nil, fmt.Errorf("video poster: ffmpeg found no video frame (file has no video stream or is corrupt)")
	}
	return nil, fmt.Errorf("video poster: ffmpeg: %w", lastErr)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
