package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/pkg/bytesize"
)

// The activity view: the uploads waiting for review, then the family feed
// (photos added to albums, hearts, comments) newest first, read a page at
// a time. What the feed gained since the browser last showed it is the
// count on the view's tab; the mark is kept in the library.

const (
	activityPage = 100 // feed items read at a time
	pendingMax   = 200 // uploads waiting for review listed
	unreadMax    = 100 // unread items counted; more reads "99+"
)

// activityState is the activity view: the pending uploads, then the feed,
// under one cursor.
type activityState struct {
	pending []catalog.Upload
	items   []catalog.Activity
	names   map[int64]string // photo names, by id
	albums  map[int64]string // album names, by id
	since   int64            // the mark when the view was opened: newer items are new; -1 until read
	cursor  int              // over pending, then items
	top     int              // first line shown
	loaded  bool
	more    bool // a next page of the feed is loading
	atEnd   bool // the oldest item is loaded
	err     string
}

// activityMsg carries the view's data from the newest item on.
type activityMsg struct {
	pending []catalog.Upload
	items   []catalog.Activity
	names   map[int64]string
	albums  map[int64]string
	seen    int64 // the mark before this read
	limit   int
	err     error
}

// moreActivityMsg carries the next page of the feed.
type moreActivityMsg struct {
	before int64
	items  []catalog.Activity
	names  map[int64]string
	err    error
}

// unreadMsg carries how many feed items are newer than the mark.
type unreadMsg struct {
	n   int
	err error
}

// loadActivity reads the pending uploads and the feed (as many items as
// are loaded, at least a page) and moves the mark to the newest item:
// the view shows it, so nothing is unread any more.
func (m *Model) loadActivity() tea.Cmd {
	ctx, a := m.ctx, archive.New(m.lib)
	limit := max(activityPage, len(m.activity.items))
	known := m.activity.names
	return func() tea.Msg {
		cat := a.Library().Catalog
		msg := activityMsg{limit: limit}
		if msg.seen, msg.err = a.SeenActivity(ctx); msg.err != nil {
			return msg
		}
		if msg.pending, msg.err = cat.Uploads(ctx, catalog.UploadFilter{Status: catalog.UploadPending, Limit: pendingMax}); msg.err != nil {
			return msg
		}
		if msg.items, msg.err = cat.Activities(ctx, catalog.ActivityFilter{Limit: limit}); msg.err != nil {
			return msg
		}
		if msg.albums, msg.err = albumNames(ctx, cat); msg.err != nil {
			return msg
		}
		if msg.names, msg.err = photoNames(ctx, cat, known, msg.items, msg.pending); msg.err != nil {
			return msg
		}
		if len(msg.items) > 0 && msg.items[0].ID > msg.seen {
			msg.err = a.SetSeenActivity(ctx, msg.items[0].ID)
		}
		return msg
	}
}

func albumNames(ctx context.Context, cat *catalog.Catalog) (map[int64]string, error) {
	albums, err := cat.Albums(ctx)
	out := make(map[int64]string, len(albums))
	for _, a := range albums {
		out[a.ID] = a.Name
	}
	return out, err
}

// photoNames adds to known the names of the photos the items and uploads
// name; a photo that is gone keeps no name.
func photoNames(ctx context.Context, cat *catalog.Catalog, known map[int64]string, items []catalog.Activity, ups []catalog.Upload) (map[int64]string, error) {
	out := make(map[int64]string, len(known)+len(items))
	for id, n := range known {
		out[id] = n
	}
	ids := make([]int64, 0, len(items)+len(ups))
	for _, it := range items {
		ids = append(ids, it.PhotoID)
	}
	for _, u := range ups {
		ids = append(ids, u.PhotoID)
	}
	for _, id := range ids {
		if _, ok := out[id]; ok || id == 0 {
			continue
		}
		p, err := cat.PhotoByID(ctx, id)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
		case err != nil:
			return out, err
		default:
			out[id] = p.OriginalName
		}
	}
	return out, nil
}

func (s *activityState) apply(msg activityMsg) {
	s.loaded, s.err = true, errText(msg.err)
	if msg.err != nil {
		return
	}
	keep, hadRow := s.selectedKey()
	if s.since < 0 {
		s.since = msg.seen
	}
	s.pending, s.items, s.names, s.albums = msg.pending, msg.items, msg.names, msg.albums
	s.atEnd, s.more = len(msg.items) < msg.limit, false
	if hadRow {
		for i := 0; i < s.rows(); i++ {
			if k, _ := s.keyAt(i); k == keep {
				s.cursor = i
			}
		}
	}
	s.cursor = min(s.cursor, max(0, s.rows()-1))
}

func (s *activityState) applyMore(msg moreActivityMsg) {
	s.more = false
	if msg.err != nil {
		s.err = msg.err.Error()
		return
	}
	if n := len(s.items); n > 0 && s.items[n-1].ID == msg.before {
		s.items = append(s.items, msg.items...)
		s.names = msg.names
		s.atEnd = len(msg.items) < activityPage
	}
}

// rows is how many rows the cursor moves over.
func (s *activityState) rows() int { return len(s.pending) + len(s.items) }

// rowKey names a row across reloads: an upload or a feed item.
type rowKey struct {
	upload bool
	id     int64
}

func (s *activityState) keyAt(i int) (rowKey, bool) {
	if i < len(s.pending) {
		return rowKey{upload: true, id: s.pending[i].ID}, true
	}
	if j := i - len(s.pending); j < len(s.items) {
		return rowKey{id: s.items[j].ID}, true
	}
	return rowKey{}, false
}

func (s *activityState) selectedKey() (rowKey, bool) { return s.keyAt(s.cursor) }

// selectedUpload is the pending upload under the cursor, if any.
func (s *activityState) selectedUpload() (catalog.Upload, bool) {
	if s.cursor < len(s.pending) {
		return s.pending[s.cursor], true
	}
	return catalog.Upload{}, false
}

// selectedItem is the feed item under the cursor, if any.
func (s *activityState) selectedItem() (catalog.Activity, bool) {
	if j := s.cursor - len(s.pending); j >= 0 && j < len(s.items) {
		return s.items[j], true
	}
	return catalog.Activity{}, false
}

// loadMoreActivity reads the next page of the feed when the cursor nears
// the end of the items loaded.
func (m *Model) loadMoreActivity() tea.Cmd {
	s := &m.activity
	n := len(s.items)
	if s.more || s.atEnd || n == 0 || s.cursor-len(s.pending) < n-activityPage/4 {
		return nil
	}
	s.more = true
	ctx, cat, before, known := m.ctx, m.lib.Catalog, s.items[n-1].ID, s.names
	return func() tea.Msg {
		items, err := cat.Activities(ctx, catalog.ActivityFilter{Before: before, Limit: activityPage})
		if err != nil {
			return moreActivityMsg{before: before, err: err}
		}
		names, err := photoNames(ctx, cat, known, items, nil)
		return moreActivityMsg{before: before, items: items, names: names, err: err}
	}
}

// loadUnread counts the feed items newer than the mark, up to unreadMax.
func (m *Model) loadUnread() tea.Cmd {
	ctx, a := m.ctx, archive.New(m.lib)
	return func() tea.Msg {
		seen, err := a.SeenActivity(ctx)
		if err != nil {
			return unreadMsg{err: err}
		}
		items, err := a.Library().Catalog.Activities(ctx, catalog.ActivityFilter{After: seen, Limit: unreadMax})
		return unreadMsg{n: len(items), err: err}
	}
}

// unreadText is the unread count as the tab shows it, "" for none.
func (m *Model) unreadText() string {
	switch {
	case m.unread <= 0:
		return ""
	case m.unread >= unreadMax:
		return fmt.Sprintf("%d+", unreadMax-1)
	}
	return commas(m.unread)
}

func (m *Model) activityKey(k tea.KeyMsg) tea.Cmd {
	s := &m.activity
	l := m.layout()
	switch {
	case m.listNav(&s.cursor, s.rows(), l.bodyH-2, k):
		return m.loadMoreActivity()
	case is(k, m.keys.Open):
		if u, ok := s.selectedUpload(); ok {
			return m.openPhoto(u.PhotoID)
		}
		if it, ok := s.selectedItem(); ok {
			return m.openPhoto(it.PhotoID)
		}
	case is(k, m.keys.Approve):
		u, ok := s.selectedUpload()
		if !ok {
			m.setStatus("a approves an upload waiting for review: move to one")
			return nil
		}
		return m.approveCmd(u)
	case is(k, m.keys.Reject):
		u, ok := s.selectedUpload()
		if !ok {
			m.setStatus("r rejects an upload waiting for review: move to one")
			return nil
		}
		m.confirm("Reject the upload?", []string{
			"Reject " + uploadWords(u) + "?",
			"It does not join \"" + u.AlbumName + "\"; a photo only this upload brought goes to the trash (6).",
		}, m.rejectCmd(u))
	case is(k, m.keys.RemoveComment):
		it, ok := s.selectedItem()
		if !ok || it.Kind != catalog.ActivityComment {
			m.setStatus("d deletes a comment: move to one")
			return nil
		}
		m.confirm("Delete the comment?", []string{
			"Delete " + it.Name + "'s comment on " + s.photoName(it.PhotoID) + "?",
			"\"" + oneLine(it.Text) + "\"",
			"Nobody sees it any more, on any link.",
		}, m.removeCommentCmd(it))
	}
	return nil
}

// oneLine is text with its runs of spaces and line breaks made one space.
func oneLine(text string) string { return strings.Join(strings.Fields(text), " ") }

func (s *activityState) photoName(id int64) string {
	if n, ok := s.names[id]; ok {
		return n
	}
	return "photo " + itoa64(id)
}

// uploadWords names an upload: upload 4 (IMG_0001.HEIC from Aunt Sue).
func uploadWords(u catalog.Upload) string {
	return "upload " + itoa64(u.ID) + " (" + u.FileName + " from " + u.Name + ")"
}

func (m *Model) approveCmd(u catalog.Upload) tea.Cmd {
	return m.act("approve upload", "", func(ctx context.Context, a *archive.Archive) (string, error) {
		_, err := a.ApproveUploads(ctx, []int64{u.ID}, time.Now())
		return "approved " + uploadWords(u) + ": it joins \"" + u.AlbumName + "\"", err
	})
}

func (m *Model) rejectCmd(u catalog.Upload) tea.Cmd {
	return m.act("reject upload", "", func(ctx context.Context, a *archive.Archive) (string, error) {
		_, err := a.RejectUploads(ctx, []int64{u.ID}, time.Now())
		return "rejected " + uploadWords(u), err
	})
}

func (m *Model) removeCommentCmd(it catalog.Activity) tea.Cmd {
	return m.act("delete comment", "", func(ctx context.Context, a *archive.Archive) (string, error) {
		_, err := a.RemoveComments(ctx, []int64{it.CommentID})
		return "removed " + it.Name + "'s comment", err
	})
}

// photoMsg carries a photo to show in the timeline.
type photoMsg struct {
	photo catalog.Photo
	err   error
}

// openPhoto reads a photo to put the timeline's cursor on it.
func (m *Model) openPhoto(id int64) tea.Cmd {
	ctx, cat := m.ctx, m.lib.Catalog
	return func() tea.Msg {
		p, err := cat.PhotoByID(ctx, id)
		return photoMsg{photo: p, err: err}
	}
}

// onPhoto shows a photo in the timeline of all photos, the cursor on it.
func (m *Model) onPhoto(msg photoMsg) tea.Cmd {
	p := msg.photo
	switch {
	case msg.err != nil:
		m.fail("open photo", msg.err)
		return nil
	case !p.TrashedAt.IsZero():
		m.setStatus(p.OriginalName + " is in the trash (6)")
		return nil
	}
	m.view, m.treeFocus, m.showHelp = viewTimeline, false, false
	m.tl.cursor, m.period, m.query = 0, "", ""
	m.anchor["timeline"] = nil
	return m.photos.jump(m.ctx, m.lib.Catalog, liveSource{}, p)
}

// activityLines lays the view out: its headings and, for each line, the
// row drawn there (-1 for a heading or a blank line).
func (m *Model) activityLines() (lines []string, rowOf []int) {
	s := &m.activity
	add := func(line string, row int) {
		lines, rowOf = append(lines, line), append(rowOf, row)
	}
	if len(s.pending) > 0 {
		n := commas(len(s.pending)) + " uploads"
		if len(s.pending) == 1 {
			n = "1 upload"
		}
		add(m.st.heading.Render(" Waiting for review: "+n), -1)
		for i := range s.pending {
			add("", i)
		}
		add("", -1)
	}
	heading := " Feed, newest first"
	if n := s.newCount(); n > 0 {
		heading += " · " + commas(n) + " new"
	}
	if !s.atEnd {
		heading += " · more as you scroll"
	}
	add(m.st.heading.Render(heading), -1)
	if len(s.items) == 0 {
		add(" Nothing in the feed yet.", -1)
	}
	for i := range s.items {
		add("", len(s.pending)+i)
	}
	return lines, rowOf
}

// activityView draws the pending uploads, then the feed, keeping the
// cursor's row (and its section's heading) in view.
func (m *Model) activityView(l layout) []string {
	s := &m.activity
	var top []string
	if s.err != "" {
		top = append(top, " "+m.st.err.Render(s.err))
	}
	switch {
	case !s.loaded:
		return append(top, " "+m.st.dim.Render("loading…"))
	case s.rows() == 0:
		return append(top, "", " Nothing has happened yet: photos added to albums, hearts and comments show here.")
	}
	lines, rowOf := m.activityLines()
	h := l.bodyH - len(top)
	cur := 0
	for i, r := range rowOf {
		if r == s.cursor {
			cur = i
		}
	}
	want := cur
	if s.cursor == 0 || s.cursor == len(s.pending) {
		want = cur - 1 // the section's heading too
	}
	if want < s.top {
		s.top = want
	}
	if cur >= s.top+h {
		s.top = cur - h + 1
	}
	s.top = max(0, min(s.top, len(lines)-h))
	out := top
	for i := s.top; i < len(lines) && i < s.top+h; i++ {
		line := lines[i]
		if r := rowOf[i]; r >= 0 {
			line = m.rowLine(m.activityRow(r, m.width-1), r == s.cursor)
		}
		out = append(out, line)
	}
	return out
}

// newCount is how many loaded feed items are newer than the mark the
// view was opened with.
func (s *activityState) newCount() int {
	n := 0
	for _, it := range s.items {
		if s.since >= 0 && it.ID > s.since {
			n++
		}
	}
	return n
}

// activityRow draws row i in about w cells.
func (m *Model) activityRow(i, w int) string {
	s := &m.activity
	if u, ok := s.keyAt(i); ok && u.upload {
		up := s.pending[i]
		via := "to \"" + up.AlbumName + "\""
		if up.ShareID != 0 {
			via += " (link " + itoa64(up.ShareID) + ")"
		}
		return table([]int{6, 14, 0, -9, 0, 9}, w, []string{"#" + itoa64(up.ID), up.Name, up.FileName,
			bytesize.Format(up.Bytes), via, m.until(up.CreatedAt)})
	}
	it := s.items[i-len(s.pending)]
	mark := " "
	if s.since >= 0 && it.ID > s.since {
		mark = "•"
	}
	return fit(mark+" "+fitRight(m.until(it.At), 9)+"  "+m.activityWords(it), w)
}

// activityWords is a feed item in words, as "picup activity" says it,
// with the photo's name for its id.
func (m *Model) activityWords(it catalog.Activity) string {
	s := &m.activity
	var what string
	switch it.Kind {
	case catalog.ActivityPhotos:
		what = fmt.Sprintf("added %s to %q", photosWord(len(it.PhotoIDs)), s.albums[it.AlbumID])
	case catalog.ActivityHeart:
		what = "hearted " + s.photoName(it.PhotoID)
	default:
		what = "commented on " + s.photoName(it.PhotoID) + ": " + oneLine(it.Text)
	}
	if it.ShareID != 0 {
		what += " (link " + itoa64(it.ShareID) + ")"
	}
	return it.Name + " " + what
}
