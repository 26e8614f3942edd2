package termimg

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// itermRE matches the iTerm2 inline image sequence.
var itermRE = regexp.MustCompile(`^\x1b\]1337;File=([^:]*):([A-Za-z0-9+/=]*)\a$`)

func TestITermSequence(t *testing.T) {
	tests := []struct {
		name         string
		o            Options
		srcW, srcH   int
		wantW, wantH int
	}{
		{"small image kept", Options{Mode: ITerm, Cols: 20, Rows: 10}, 48, 32, 48, 32},
		{"large image scaled to twice the cell box", Options{Mode: ITerm, Cols: 6, Rows: 2}, 480, 320, 120, 80},
		{"one cell", Options{Mode: ITerm, Cols: 1, Rows: 1}, 300, 100, 20, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Render(testImage(tt.srcW, tt.srcH), tt.o)
			checkBox(t, p, tt.o)
			if p.Setup != "" {
				t.Errorf("setup %q, want none", p.Setup)
			}
			seq := imageSequence(t, p)
			m := itermRE.FindStringSubmatch(seq)
			if m == nil {
				t.Fatalf("not an OSC 1337 File= sequence: %.60q", seq)
			}
			params := map[string]string{}
			for kv := range strings.SplitSeq(m[1], ";") {
				k, v, _ := strings.Cut(kv, "=")
				params[k] = v
			}
			data, err := base64.StdEncoding.DecodeString(m[2])
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"inline": "1", "preserveAspectRatio": "1",
				"width": strconv.Itoa(tt.o.Cols), "height": strconv.Itoa(tt.o.Rows),
				"size": strconv.Itoa(len(data)),
			}
			for k, v := range want {
				if params[k] != v {
					t.Errorf("%s=%q, want %q", k, params[k], v)
				}
			}
			img, format := decodeBase64Image(t, m[2])
			if format != "jpeg" || img.Bounds().Dx() != tt.wantW || img.Bounds().Dy() != tt.wantH {
				t.Errorf("payload is a %s of %v, want a jpeg of %dx%d", format, img.Bounds().Size(), tt.wantW, tt.wantH)
			}
		})
	}
}
