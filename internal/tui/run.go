package tui

import (
	"context"
	"errors"
	"os"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/picup/picup/internal/library"
)

// Run shows the browser on the terminal (stdin and stdout) until the user
// quits or ctx ends. opts.Renderer, opts.Output and opts.NoColor are set
// here from the terminal and the environment (NO_COLOR).
func Run(ctx context.Context, lib *library.Library, opts Options) error {
	out := &terminal{f: os.Stdout}
	opts.Output = out
	opts.Renderer = lipgloss.NewRenderer(os.Stdout)
	opts.NoColor = opts.NoColor || opts.Renderer.ColorProfile() == termenv.Ascii
	m := New(ctx, lib, opts)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithOutput(out))
	_, err := p.Run()
	out.stop()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// terminal is the program's output, shared by bubbletea's renderer and
// the pictures' out-of-band data: every Write goes out whole, so a kitty
// image transmission never lands inside a frame. After stop it drops what
// late commands still write, once the terminal is restored. It is a
// term.File, so that bubbletea still sees a terminal.
type terminal struct {
	mu      sync.Mutex
	f       *os.File
	stopped bool
}

func (t *terminal) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return len(b), nil
	}
	return t.f.Write(b)
}

func (t *terminal) Read(b []byte) (int, error) { return t.f.Read(b) }

// Close leaves the terminal open: it is the process's stdout.
func (t *terminal) Close() error { return nil }

func (t *terminal) Fd() uintptr { return t.f.Fd() }

func (t *terminal) stop() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
}
