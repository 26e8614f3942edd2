package tui

import (
	"image"
	"image/jpeg"
	"os"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
	"github.com/picup/picup/internal/termimg"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/internal/trash"
)

// Loading commands: each reads the catalog (or a thumbnail) and returns
// what it read as a message.

type albumsMsg struct {
	items []catalog.Album
	err   error
}

type usersMsg struct {
	items []catalog.User
	err   error
}

type sharesMsg struct {
	items []catalog.Share
	err   error
}

type remoteNamesMsg struct{ names []string }

func (m *Model) loadAlbums() tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		items, err := cat.Albums(ctx)
		return albumsMsg{items: items, err: err}
	}
}

func (m *Model) loadUsers() tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		items, err := cat.Users(ctx)
		return usersMsg{items: items, err: err}
	}
}

func (m *Model) loadShares() tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		items, err := cat.Shares(ctx)
		return sharesMsg{items: items, err: err}
	}
}

func (m *Model) loadRemoteNames() tea.Cmd {
	ctx, cat, log := m.ctx, m.lib.Catalog, m.log
	return func() tea.Msg {
		rs, err := cat.Remotes(ctx)
		if err != nil {
			log.Warn("list remotes", "err", err)
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		return remoteNamesMsg{names: names}
	}
}

// jobsPage is how many failed jobs the jobs view lists at a time.
const jobsPage = 200

// jobsState is the jobs and sync view: remotes, then failed jobs.
type jobsState struct {
	remotes []catalog.RemoteStatus
	counts  catalog.JobCounts
	failed  []catalog.Job
	cursor  int // over remotes, then failed jobs
	top     int
	loaded  bool
	more    bool // a next page of failed jobs is loading
	err     string
}

// moreJobsMsg carries the next page of failed jobs.
type moreJobsMsg struct {
	after  int64
	failed []catalog.Job
	err    error
}

// loadMoreJobs reads the next page of failed jobs when the cursor nears
// the end of those loaded.
func (m *Model) loadMoreJobs() tea.Cmd {
	j := &m.jobs
	n := len(j.failed)
	if j.more || n == 0 || n >= j.counts.Failing+j.counts.Dead || j.cursor-len(j.remotes) < n-jobsPage/4 {
		return nil
	}
	j.more = true
	ctx, cat, after := m.ctx, m.lib.Catalog, j.failed[n-1].ID
	return func() tea.Msg {
		failed, err := cat.JobsAfter(ctx, true, after, jobsPage)
		return moreJobsMsg{after: after, failed: failed, err: err}
	}
}

func (j *jobsState) applyMore(msg moreJobsMsg) {
	j.more = false
	if msg.err != nil {
		j.err = msg.err.Error()
		return
	}
	if n := len(j.failed); n > 0 && j.failed[n-1].ID == msg.after {
		j.failed = append(j.failed, msg.failed...)
	}
}

// retentionMsg carries how long photos stay in the trash.
type retentionMsg struct {
	keep time.Duration
	err  error
}

func (m *Model) loadRetention() tea.Cmd {
	ctx, lib := m.ctx, m.lib
	return func() tea.Msg {
		keep, err := trash.Retention(ctx, lib)
		return retentionMsg{keep: keep, err: err}
	}
}

type jobsMsg struct {
	remotes []catalog.RemoteStatus
	counts  catalog.JobCounts
	failed  []catalog.Job
	err     error
}

func (m *Model) loadJobs() tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		var msg jobsMsg
		if msg.remotes, msg.err = cat.RemoteStatuses(ctx); msg.err != nil {
			return msg
		}
		if msg.counts, msg.err = cat.CountJobs(ctx); msg.err != nil {
			return msg
		}
		msg.failed, msg.err = cat.JobsAfter(ctx, true, 0, jobsPage)
		return msg
	}
}

func (j *jobsState) apply(msg jobsMsg) {
	j.loaded, j.err = true, errText(msg.err)
	if msg.err != nil {
		return
	}
	j.remotes, j.counts, j.failed, j.more = msg.remotes, msg.counts, msg.failed, false
	j.cursor = min(j.cursor, max(0, len(j.remotes)+len(j.failed)-1))
}

// selectedRemote is the remote under the cursor, if any.
func (j *jobsState) selectedRemote() (catalog.RemoteStatus, bool) {
	if j.cursor < len(j.remotes) {
		return j.remotes[j.cursor], true
	}
	return catalog.RemoteStatus{}, false
}

// selectedJob is the failed job under the cursor, if any.
func (j *jobsState) selectedJob() (catalog.Job, bool) {
	i := j.cursor - len(j.remotes)
	if i >= 0 && i < len(j.failed) {
		return j.failed[i], true
	}
	return catalog.Job{}, false
}

// detail is what the detail pane shows beyond the photo's row.
type detail struct {
	id       int64
	albums   []string
	held     []string // remotes holding the original
	sidecars int
	tp       catalog.TakingPart // hearts, comments, uploads
	loaded   bool
	err      string
}

type detailMsg struct {
	id       int64
	albums   []string
	held     []string
	sidecars int
	tp       catalog.TakingPart
	err      error
}

func (m *Model) loadDetail(p catalog.Photo) tea.Cmd {
	m.detail = detail{id: p.ID}
	ctx, a := m.ctx, archive.New(m.lib)
	return func() tea.Msg {
		d, err := a.PhotoDetails(ctx, p.ID)
		msg := detailMsg{id: p.ID, albums: d.Albums, sidecars: len(d.Sidecars), tp: d.TakingPart, err: err}
		if err == nil {
			msg.held, msg.err = a.Library().Catalog.HeldBy(ctx, p.Path, p.SHA256)
		}
		return msg
	}
}

func (d *detail) apply(msg detailMsg) {
	if msg.id != d.id {
		return
	}
	d.albums, d.held, d.sidecars, d.tp, d.loaded, d.err = msg.albums, msg.held, msg.sidecars, msg.tp, true, errText(msg.err)
}

// thumbMsg carries a rendered thumbnail.
type thumbMsg struct {
	key string // in-flight key
	sha string
	o   termimg.Options
	pic termimg.Picture
	err error
}

func thumbKey(sha string, o termimg.Options) string {
	return sha + "/" + strconv.Itoa(o.Cols) + "x" + strconv.Itoa(o.Rows)
}

// pictureOptions are how the grid draws thumbnails in a layout.
func (m *Model) pictureOptions(l layout) termimg.Options {
	return termimg.Options{Mode: m.opts.Images, Cols: l.imgW, Rows: l.imgH, NoColor: m.opts.NoColor}
}

// loadThumbs renders the thumbnails of the visible rows and one more row
// either side.
func (m *Model) loadThumbs(g *grid, l layout) tea.Cmd {
	var ps []catalog.Photo
	first := max(0, (g.topRow-1)*l.cols)
	last := (g.topRow + l.rows + 1) * l.cols
	for abs := first; abs < last; abs++ {
		if p, ok := g.at(abs); ok {
			ps = append(ps, p)
		}
	}
	return m.loadPictures(ps, m.pictureOptions(l))
}

// loadPictures renders the thumbnails of ps that are not cached yet.
// Without pictures (mode None) there is nothing to read, and the box is
// made here.
func (m *Model) loadPictures(ps []catalog.Photo, o termimg.Options) tea.Cmd {
	var cmds []tea.Cmd
	for _, p := range ps {
		if _, ok := m.thumbs.Get(p.SHA256, o); ok {
			continue
		}
		if o.Mode == termimg.None {
			m.thumbs.Put(p.SHA256, o, termimg.Render(nil, o))
			continue
		}
		k := thumbKey(p.SHA256, o)
		if m.inflight[k] {
			continue
		}
		m.inflight[k] = true
		cmds = append(cmds, m.renderThumb(k, p.SHA256, o))
	}
	return tea.Batch(cmds...)
}

// renderThumb decodes a photo's grid thumbnail and draws it; what the
// picture must send out of band (a kitty transmission) is written before
// the message that shows it goes back, so the terminal has the image when
// its cells appear.
func (m *Model) renderThumb(k, sha string, o termimg.Options) tea.Cmd {
	path := m.lib.Abs(library.ThumbPath(sha, thumb.Grid))
	out, sem, ctx := m.opts.Output, m.sem, m.ctx
	return func() tea.Msg {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return thumbMsg{key: k, sha: sha, o: o, pic: termimg.Render(nil, o), err: ctx.Err()}
		}
		defer func() { <-sem }()
		img, err := decodeJPEG(path)
		pic := termimg.Render(img, o)
		if pic.Setup != "" && out != nil && ctx.Err() == nil {
			if _, werr := out.Write([]byte(pic.Setup)); werr != nil && err == nil {
				err = werr
			}
		}
		return thumbMsg{key: k, sha: sha, o: o, pic: pic, err: err}
	}
}

func decodeJPEG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jpeg.Decode(f)
}
