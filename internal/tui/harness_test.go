package tui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/internal/termimg"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testPhoto is a photo of the test library: taken at takenAt (local wall
// clock, no offset), named name.
func testPhoto(i int, takenAt, name, make, model string) catalog.Photo {
	t, err := time.Parse("2006-01-02T15:04:05", takenAt)
	if err != nil {
		panic(err)
	}
	return catalog.Photo{
		SHA256: fmt.Sprintf("%064x", 1000+i), Path: fmt.Sprintf("originals/%s/%s/%s", takenAt[:4], takenAt[:10], name),
		OriginalName: name, Type: "photo", Format: "jpeg", MIME: "image/jpeg", Bytes: int64(2_000_000 + 1000*i),
		TakenAt: takenAt, TakenKey: t.UnixMilli(), TakenSource: "exif:DateTimeOriginal",
		Width: 4000, Height: 3000, Orientation: 1, CameraMake: make, CameraModel: model,
		Thumbs: "ok", ImportedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// testLibrary builds a library of 24 photos over three years with real
// thumbnail files, an album, two users, a share, a remote and a dead job.
func testLibrary(t testing.TB) *library.Library {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	// The first user is "mom", whatever the account running the test.
	cat, err := catalog.Open(ctx, filepath.Join(root, library.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.EnsureFirstUser(ctx, "mom"); err != nil {
		t.Fatal(err)
	}
	cat.Close()
	lib, err := library.Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	var photos []catalog.Photo
	cams := [][2]string{{"Canon", "Canon EOS 5D"}, {"Apple", "iPhone 12"}, {"FUJIFILM", "X-T3"}}
	for i := 0; i < 24; i++ {
		day := time.Date(2019, 1, 10, 9, 30, 0, 0, time.UTC).Add(time.Duration(46*24*i+i%10) * time.Hour)
		cam := cams[i%3]
		p := testPhoto(i, day.Format("2006-01-02T15:04:05"), fmt.Sprintf("IMG_%04d.JPG", i+1), cam[0], cam[1])
		if i%4 == 0 {
			lat, lon := 33.45+float64(i)/100, 126.56
			p.Lat, p.Lon = &lat, &lon
		}
		if i == 5 {
			p.Type, p.Format, p.MIME, p.OriginalName = "video", "mov", "video/quicktime", "MOV_0006.MOV"
			d := int64(83_000)
			p.DurationMS = &d
		}
		photos = append(photos, p)
		writeThumb(t, lib, p.SHA256, i)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		mom, err := tx.UserByName(ctx, "mom")
		if err != nil {
			return err
		}
		quota := int64(100_000_000)
		dad, err := tx.CreateUser(ctx, "dad", &quota)
		if err != nil {
			return err
		}
		album, err := tx.CreateAlbum(ctx, "Jeju 2019")
		if err != nil {
			return err
		}
		for i, p := range photos {
			id, err := tx.InsertPhoto(ctx, p)
			if err != nil {
				return err
			}
			p.ID = id
			photos[i] = p
			owner := mom.ID
			if i%2 == 1 {
				owner = dad
			}
			if _, err := tx.Own(ctx, p, owner); err != nil {
				return err
			}
			if i < 4 {
				if _, err := tx.AddToAlbum(ctx, album, id, catalog.Actor{}); err != nil {
					return err
				}
			}
		}
		if _, err := tx.CreateShare(ctx, catalog.Share{TokenHash: catalog.HashToken("token"), Name: "For grandma",
			AlbumID: album, ExpiresAt: time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC), CreatedAt: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
			return err
		}
		if err := tx.AddRemote(ctx, catalog.Remote{Name: "b2", Bucket: "family", Endpoint: "s3.example.org"}); err != nil {
			return err
		}
		if err := tx.PutRemoteObject(ctx, "b2", photos[23].Path, photos[23].SHA256, photos[23].Bytes); err != nil {
			return err
		}
		// Uploaded the day before the fixed clock (the remote's row keeps
		// its newest upload, which only moves forward by itself).
		if _, err := tx.ExecContext(ctx, `UPDATE remote_objects SET synced_at = '2025-02-28T12:00:00Z'`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE remotes SET last_upload_at = '2025-02-28T12:00:00Z'`); err != nil {
			return err
		}
		return tx.AddJob(ctx, catalog.JobDeleteFile, "thumbs/00/gone.jpg")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = lib.Catalog.Write(ctx, func(tx *catalog.Tx) error {
		return tx.JobsFailed(ctx, []catalog.JobFailure{{ID: 1, Attempts: 8, Error: "permission denied", Next: testNow, Dead: true}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// writeThumb writes a small generated grid thumbnail: a gradient that
// differs per photo, so pictures can be told apart on screen.
func writeThumb(t testing.TB, lib *library.Library, sha string, i int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 36))
	for y := 0; y < 36; y++ {
		for x := 0; x < 48; x++ {
			v := uint8((x*5 + y*3 + i*37) % 256)
			img.Set(x, y, color.RGBA{v, uint8(255 - int(v)), uint8(i * 10), 255})
		}
	}
	saveThumb(t, lib, sha, img)
}

// saveThumb writes img as the grid thumbnail of the photo sha.
func saveThumb(t testing.TB, lib *library.Library, sha string, img image.Image) {
	t.Helper()
	path := lib.Abs(library.ThumbPath(sha, "grid"))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
}

// harness drives a Model without a terminal: it runs every command a
// message returns, in order, feeding their messages back, until none is
// left. Timers (polling, sync progress) are off; tests send pollMsg
// themselves.
type harness struct {
	t    testing.TB
	m    *Model
	quit bool
}

func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.Ascii)
	return r
}

func newHarness(t testing.TB, lib *library.Library, w, h int, opts Options) *harness {
	t.Helper()
	if opts.Images == "" {
		opts.Images = termimg.Blocks
	}
	opts.NoColor = true
	opts.Renderer = asciiRenderer()
	opts.Now = func() time.Time { return testNow }
	m := New(context.Background(), lib, opts)
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	t.Cleanup(m.Close)
	hs := &harness{t: t, m: m}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(m.Init())
	return hs
}

func (h *harness) send(msg tea.Msg) {
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// keys sends key presses: names such as "enter", "esc", "space", "tab",
// "up", "ctrl+c", or text typed rune by rune.
func (h *harness) keys(keys ...string) {
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types each rune of s.
func (h *harness) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			h.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete, "ctrl+c": tea.KeyCtrlC,
	}
	if k == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// screen is the current View, checked to fill the terminal exactly.
func (h *harness) screen() string {
	h.t.Helper()
	v := h.m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != h.m.height {
		h.t.Fatalf("view has %d lines; want %d:\n%s", len(lines), h.m.height, v)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != h.m.width {
			h.t.Fatalf("view line %d is %d cells wide; want %d: %q", i, w, h.m.width, l)
		}
	}
	return v
}

// fakeSync is a sync that counts objects without a remote.
func fakeSync(ctx context.Context, remote string, p *syncer.Progress) (syncer.Summary, error) {
	p.TotalObjects.Store(3)
	p.TotalBytes.Store(300)
	p.DoneObjects.Store(3)
	p.DoneBytes.Store(300)
	return syncer.Summary{Remote: remote, Photos: 1, Uploaded: 3, Bytes: 300}, ctx.Err()
}
