package tui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/qrterm"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/syncer"
	"github.com/picup/picup/pkg/bytesize"
)

// Actions change the catalog in commands; each ends in an actionMsg that
// says what happened and carries the catalog version after it, so the
// refresh it triggers is not repeated by the next poll.

type actionMsg struct {
	text    string
	err     error
	grid    string // the grid whose marks the action used up ("" for none)
	version int64
}

// act runs an operation and reports text (or the error).
func (m *Model) act(what, grid string, fn func(ctx context.Context, a *archive.Archive) (string, error)) tea.Cmd {
	ctx, lib, log := m.ctx, m.lib, m.log
	return func() tea.Msg {
		text, err := fn(ctx, archive.New(lib))
		if err != nil {
			return actionMsg{err: fmt.Errorf("%s: %w", what, err)}
		}
		log.Info(what, "result", text)
		v, _ := lib.Catalog.CatalogVersion(ctx)
		return actionMsg{text: text, grid: grid, version: v}
	}
}

func (m *Model) onAction(msg actionMsg) tea.Cmd {
	if msg.err != nil {
		m.fail("error", msg.err)
		return nil
	}
	m.setStatus(msg.text)
	if msg.grid != "" {
		m.marks[msg.grid] = map[int64]bool{}
		m.anchor[msg.grid] = nil
	}
	if msg.version != 0 {
		m.version = msg.version
	}
	return m.refresh()
}

func (m *Model) addToAlbumCmd(name string, ids []int64) tea.Cmd {
	return m.act("add to album", "timeline", func(ctx context.Context, a *archive.Archive) (string, error) {
		c, err := a.AddToAlbum(ctx, name, ids)
		if err != nil {
			return "", err
		}
		text := fmt.Sprintf("added %s to %q", photosWord(c.Changed), name)
		if c.Created {
			text = fmt.Sprintf("created album %q with %s", name, photosWord(c.Changed))
		}
		if c.Unchanged > 0 {
			text += fmt.Sprintf(" (%s already in it)", photosWord(c.Unchanged))
		}
		return text, nil
	})
}

func (m *Model) captionCmd(id int64, text string) tea.Cmd {
	return m.act("caption", "timeline", func(ctx context.Context, a *archive.Archive) (string, error) {
		c, err := a.SetCaption(ctx, id, text)
		if c == "" {
			return "caption removed", err
		}
		return "caption saved", err
	})
}

func (m *Model) trashCmd(ids []int64) tea.Cmd {
	return m.act("move to the trash", "timeline", func(ctx context.Context, a *archive.Archive) (string, error) {
		n, err := a.Trash(ctx, ids)
		return "moved " + photosWord(n) + " to the trash", err
	})
}

func (m *Model) restoreCmd(ids []int64) tea.Cmd {
	return m.act("restore", "trash", func(ctx context.Context, a *archive.Archive) (string, error) {
		n, err := a.Restore(ctx, ids)
		return "restored " + photosWord(n), err
	})
}

func (m *Model) revokeCmd(id int64) tea.Cmd {
	return m.act("revoke share", "", func(ctx context.Context, a *archive.Archive) (string, error) {
		_, err := a.RevokeShare(ctx, id, time.Now())
		return "revoked share " + itoa64(id), err
	})
}

// retryCmd makes failed jobs due now (ids nil: every failed one) and runs
// the due jobs.
func (m *Model) retryCmd(ids []int64) tea.Cmd {
	ctx, lib, run, log := m.ctx, m.lib, m.opts.RunJobs, m.log
	return func() tea.Msg {
		n, err := archive.New(lib).RetryJobs(ctx, ids)
		if err != nil {
			return actionMsg{err: fmt.Errorf("retry jobs: %w", err)}
		}
		text := "retrying " + strconv.Itoa(n) + " jobs"
		if run != nil {
			if err := run(ctx); err != nil {
				log.Warn("run jobs", "err", err)
				text += "; some failed again: " + err.Error()
			} else {
				text += "; done"
			}
		}
		log.Info("retry jobs", "n", n)
		return actionMsg{text: text}
	}
}

// linkMsg carries a new share link and its QR code.
type linkMsg struct {
	link sharelink.Link
	qr   string
	grid string // the grid whose marks the link used up ("" for an album)
	err  error
}

func (m *Model) shareCmd(spec sharelink.Spec) tea.Cmd {
	grid := ""
	if spec.Album == "" {
		grid = "timeline"
	}
	ctx, lib, log := m.ctx, m.lib, m.log
	style := qrterm.Color
	if m.opts.NoColor {
		style = qrterm.Plain
	}
	return func() tea.Msg {
		link, err := archive.New(lib).CreateShare(ctx, spec)
		if err != nil {
			return linkMsg{err: fmt.Errorf("create a share link: %w", err)}
		}
		log.Info("share link", "id", link.ID, "scope", link.Scope)
		qr, err := qrterm.Render(link.URL, style)
		if err != nil {
			log.Warn("QR code", "err", err)
		}
		return linkMsg{link: link, qr: qr, grid: grid}
	}
}

func (m *Model) onLink(msg linkMsg) tea.Cmd {
	if msg.err != nil {
		m.fail("share", msg.err)
		return nil
	}
	expires := "never expires"
	if !msg.link.ExpiresAt.IsZero() {
		expires = "expires " + catalog.FormatTime(msg.link.ExpiresAt)
	}
	m.dialog = &dialog{kind: dialogLink, title: "Share link " + itoa64(msg.link.ID) + ": " + msg.link.Scope,
		lines: []string{expires + "; revoke it in Shares (4).", "Shown once: copy it or scan the code now."},
		link:  msg.link, qr: msg.qr}
	if msg.grid != "" {
		m.marks[msg.grid] = map[int64]bool{}
		m.anchor[msg.grid] = nil
	}
	m.setStatus("created share link " + itoa64(msg.link.ID))
	return m.loadShares()
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// syncRun is a sync running in the background.
type syncRun struct {
	remote string
	prog   *syncer.Progress
	cancel context.CancelFunc
}

type syncTickMsg struct{}

type syncDoneMsg struct {
	remote string
	sum    syncer.Summary
	err    error
}

// startSync syncs a remote in the background; a tick redraws its progress.
func (m *Model) startSync(remote string) tea.Cmd {
	if m.opts.Sync == nil {
		m.setStatus("syncing is not available here; run \"picup sync\"")
		return nil
	}
	if m.syncing != nil {
		m.setStatus("a sync to " + m.syncing.remote + " is already running")
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	run := &syncRun{remote: remote, prog: &syncer.Progress{}, cancel: cancel}
	m.syncing = run
	m.setStatus("syncing " + remote + "…")
	m.log.Info("sync started", "remote", remote)
	sync := m.opts.Sync
	m.wg.Add(1)
	done := func() tea.Msg {
		defer m.wg.Done()
		defer cancel()
		sum, err := sync(ctx, remote, run.prog)
		return syncDoneMsg{remote: remote, sum: sum, err: err}
	}
	return tea.Batch(done, m.syncTick())
}

func (m *Model) syncTick() tea.Cmd {
	return m.tick(250*time.Millisecond, func(time.Time) tea.Msg { return syncTickMsg{} })
}

func (m *Model) onSyncDone(msg syncDoneMsg) tea.Cmd {
	m.syncing = nil
	switch {
	case msg.err != nil:
		m.fail("sync "+msg.remote, msg.err)
	case msg.sum.Failed > 0:
		m.status, m.statusErr = fmt.Sprintf("sync %s: uploaded %d, %d failed; see the log", msg.remote, msg.sum.Uploaded, msg.sum.Failed), true
		for _, f := range msg.sum.Failures {
			m.log.Warn("sync upload failed", "remote", msg.remote, "key", f.Key, "err", f.Error)
		}
	case msg.sum.Photos == 0:
		m.setStatus(fmt.Sprintf("synced %s: no photo changed since the last sync", msg.remote))
	default:
		m.setStatus(fmt.Sprintf("synced %s: uploaded %d objects (%s) of %d changed photos, %d already there", msg.remote,
			msg.sum.Uploaded, bytesize.Format(msg.sum.Bytes), msg.sum.Photos, msg.sum.Skipped))
	}
	m.log.Info("sync ended", "remote", msg.remote, "uploaded", msg.sum.Uploaded, "failed", msg.sum.Failed, "err", msg.err)
	return m.loadJobs()
}

// syncOnly syncs the library's only remote, or sends to the jobs view to
// pick one.
func (m *Model) syncOnly() tea.Cmd {
	switch len(m.remotes) {
	case 0:
		m.setStatus("no remote to sync to; add one with \"picup remote add\"")
		return nil
	case 1:
		return m.startSync(m.remotes[0])
	}
	m.setStatus("pick a remote and press S")
	return m.setView(viewJobs)
}

func (m *Model) jobsKey(k tea.KeyMsg) tea.Cmd {
	l := m.layout()
	j := &m.jobs
	switch {
	case m.listNav(&j.cursor, len(j.remotes)+len(j.failed), l.bodyH-4, k):
		return m.loadMoreJobs()
	case is(k, m.keys.Sync):
		if r, ok := j.selectedRemote(); ok {
			return m.startSync(r.Name)
		}
		return m.syncOnly()
	case is(k, m.keys.Retry):
		if job, ok := j.selectedJob(); ok {
			return m.retryCmd([]int64{job.ID})
		}
		if j.counts.Failing+j.counts.Dead == 0 {
			m.setStatus("no failed jobs")
			return nil
		}
		return m.retryCmd(nil)
	case is(k, m.keys.Back):
		if m.syncing != nil {
			stop := m.syncing.cancel
			m.confirm("Stop the sync?", []string{"Stop syncing " + m.syncing.remote + "?", "The next sync goes on from where it stopped."},
				func() tea.Msg { stop(); return nil })
		}
	}
	return nil
}
