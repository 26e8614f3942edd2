package qrterm

import (
	"strings"
	"testing"

	"rsc.io/qr"
)

// modules reads a rendered code back into a matrix of dark modules,
// undoing the half-block encoding.
func modules(t *testing.T, s string, style Style) [][]bool {
	t.Helper()
	var rows [][]bool
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if style == Color {
			if !strings.HasPrefix(line, sgrOn) || !strings.HasSuffix(line, sgrOff) {
				t.Fatalf("line %q lacks its colour codes", line)
			}
			line = strings.TrimSuffix(strings.TrimPrefix(line, sgrOn), sgrOff)
		}
		var top, bottom []bool
		for _, r := range line {
			var u, d bool
			switch r {
			case '█':
				u, d = true, true
			case '▀':
				u = true
			case '▄':
				d = true
			case ' ':
			default:
				t.Fatalf("unexpected character %q in %q", r, line)
			}
			if style == Plain {
				u, d = !u, !d
			}
			top, bottom = append(top, u), append(bottom, d)
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

func TestRenderRoundTrip(t *testing.T) {
	for _, text := range []string{
		"http://127.0.0.1:8080/s/Bj9mI_XysMdCjr-B8EzkcLu9Ks9B_M4-",
		"https://photos.example.org/s/" + strings.Repeat("x", 200),
		"a",
	} {
		code, err := qr.Encode(text, qr.M)
		if err != nil {
			t.Fatal(err)
		}
		for _, style := range []Style{Color, Plain} {
			got, err := Render(text, style)
			if err != nil {
				t.Fatal(err)
			}
			m := modules(t, got, style)
			n := code.Size + 2*quiet
			if len(m) != n+n%2 {
				t.Fatalf("%d module rows, want %d", len(m), n+n%2)
			}
			for y := range n {
				if len(m[y]) != n {
					t.Fatalf("row %d has %d modules, want %d", y, len(m[y]), n)
				}
				for x := range n {
					want := x >= quiet && y >= quiet && x < quiet+code.Size && y < quiet+code.Size && code.Black(x-quiet, y-quiet)
					if m[y][x] != want {
						t.Fatalf("style %d, module (%d,%d) dark=%v, want %v", style, x, y, m[y][x], want)
					}
				}
			}
		}
	}
}

func TestRenderTooLong(t *testing.T) {
	_, err := Render(strings.Repeat("x", 5000), Color)
	if err == nil || !strings.Contains(err.Error(), "5000 characters") {
		t.Fatalf("err = %v", err)
	}
}
