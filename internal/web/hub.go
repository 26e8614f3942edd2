package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Live updates: GET /s/{token}/events is a Server-Sent Events stream of
// what happens to the photos a link shows. One hub per server looks at
// the catalog every hubEvery: while nothing has committed that costs no
// query (CatalogVersion reads the WAL index); after a commit — by this
// server or by any other picup process — it reads the feed rows after the
// last it sent, hands each to the streams whose link shows it, and reads
// the links of the open streams again, ending those of a link revoked
// (or expired) with "event: revoked". What leaves no feed row (a heart
// taken back, a comment deleted) the handlers tell the hub directly.

const (
	hubEvery         = 500 * time.Millisecond // how often the hub looks at the catalog
	heartbeatEvery   = 15 * time.Second       // a comment line that keeps proxies from closing an idle stream
	retryMS          = 3000                   // the client's wait before it reconnects
	streamBuffer     = 64                     // events a stream may fall behind before it is ended (its client catches up on reconnecting)
	catchUpMax       = 500                    // feed rows sent to a reconnecting client at most
	streamWriteLimit = 30 * time.Second       // a client that takes longer to take one event is gone
	streamsRetry     = 30 * time.Second       // Retry-After of a refused stream
)

// Default bounds of open streams: a family's tablets and phones on one
// link, a household's behind one address.
const (
	DefaultStreamsPerShare  = 100
	DefaultStreamsPerClient = 16
)

// Reasons a stream ends from the hub's side.
const (
	endRevoked  = "revoked"  // the link was revoked or expired
	endShutdown = "shutdown" // the server stops
	endSlow     = "slow"     // the client fell streamBuffer events behind
)

var (
	errTooManyStreams = errors.New("too many open streams")
	errHubClosed      = errors.New("the server is stopping")
)

// sseEvent is one event of a stream; id 0 sends none (events that are not
// feed rows).
type sseEvent struct {
	id   int64
	kind string // photo, heart, comment, revoked
	data []byte
}

// stream is one client's open /events request.
type stream struct {
	share  catalog.Share // as the hub last read it
	device string        // the device's hash, for "mine"
	addr   netip.Addr    // the client's bucket (clientKey)
	after  int64         // feed rows up to this the client has already

	ch     chan sseEvent
	end    chan struct{} // closed by the hub
	reason string        // why end was closed; read after end is closed
}

type hub struct {
	lib         *library.Library
	log         *slog.Logger
	now         func() time.Time
	every       time.Duration
	perShare    int
	perClient   int
	startOnce   sync.Mutex // held while the loop starts
	pollMu      sync.Mutex // held by a look at the catalog, and by a stream opening: it sees a look whole or not at all
	stop        chan struct{}
	wake        chan struct{} // a look now: this server wrote a feed row
	loopDone    chan struct{}
	mu          sync.Mutex
	started     bool
	closed      bool
	streams     map[*stream]struct{}
	byShare     map[int64]int
	byAddr      map[netip.Addr]int
	last        int64 // the newest feed row handed out
	version     int64 // the catalog version that last was read
	heartbeat   time.Duration
	writeLimit  time.Duration
	pollFailure bool // the last look failed (logged once until one works)
}

func newHub(lib *library.Library, log *slog.Logger, o Options) *hub {
	h := &hub{
		lib: lib, log: log, now: o.Now, every: hubEvery, perShare: o.StreamsPerShare, perClient: o.StreamsPerClient,
		stop: make(chan struct{}), wake: make(chan struct{}, 1), loopDone: make(chan struct{}),
		streams: map[*stream]struct{}{}, byShare: map[int64]int{}, byAddr: map[netip.Addr]int{},
		heartbeat: heartbeatEvery, writeLimit: streamWriteLimit,
	}
	if h.perShare <= 0 {
		h.perShare = DefaultStreamsPerShare
	}
	if h.perClient <= 0 {
		h.perClient = DefaultStreamsPerClient
	}
	return h
}

// start runs the loop once a first stream opens, from the newest feed row.
func (h *hub) start(ctx context.Context) error {
	h.startOnce.Lock()
	defer h.startOnce.Unlock()
	h.mu.Lock()
	started := h.started
	h.mu.Unlock()
	if started {
		return nil
	}
	v, err := h.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		return err
	}
	last, err := h.lib.Catalog.LatestActivity(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errHubClosed
	}
	h.started, h.version, h.last = true, v, last
	go h.loop(context.WithoutCancel(ctx)) // the loop outlives the request that started it
	return nil
}

// subscribe opens a stream for a client that has the feed rows up to
// after (-1: none, from now on). It returns the newest row the hub has
// handed out: the stream gets what comes after it, and the rows between
// after and it are the caller's to send.
func (h *hub) subscribe(ctx context.Context, sh catalog.Share, device string, addr netip.Addr, after int64) (*stream, int64, error) {
	if err := h.start(ctx); err != nil {
		return nil, 0, err
	}
	h.pollMu.Lock()
	defer h.pollMu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, 0, errHubClosed
	case h.byShare[sh.ID] >= h.perShare, h.byAddr[addr] >= h.perClient:
		return nil, 0, errTooManyStreams
	}
	if after < 0 {
		after = h.last
	}
	st := &stream{share: sh, device: device, addr: addr, after: after, ch: make(chan sseEvent, streamBuffer), end: make(chan struct{})}
	h.streams[st] = struct{}{}
	h.byShare[sh.ID]++
	h.byAddr[addr]++
	return st, h.last, nil
}

func (h *hub) unsubscribe(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.streams[st]; !ok {
		return
	}
	delete(h.streams, st)
	if h.byShare[st.share.ID]--; h.byShare[st.share.ID] == 0 {
		delete(h.byShare, st.share.ID)
	}
	if h.byAddr[st.addr]--; h.byAddr[st.addr] == 0 {
		delete(h.byAddr, st.addr)
	}
}

// endLocked ends a stream for a reason (once); h.mu is held.
func (h *hub) endLocked(st *stream, reason string) {
	select {
	case <-st.end:
	default:
		st.reason = reason
		close(st.end)
	}
}

// sendLocked hands an event to a stream, ending a stream that fell too
// far behind; h.mu is held.
func (h *hub) sendLocked(st *stream, ev sseEvent) {
	select {
	case st.ch <- ev:
	default:
		h.endLocked(st, endSlow)
	}
}

// endStreams ends every open stream and refuses new ones: the server is
// shutting down (http.Server.Shutdown waits for requests, and a stream
// would otherwise last until the grace ran out).
func (h *hub) endStreams() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for st := range h.streams {
		h.endLocked(st, endShutdown)
	}
}

// close ends the streams and stops the loop.
func (h *hub) close() {
	h.endStreams()
	h.startOnce.Lock()
	defer h.startOnce.Unlock()
	h.mu.Lock()
	started := h.started
	h.mu.Unlock()
	select {
	case <-h.stop:
		return
	default:
		close(h.stop)
	}
	if started {
		<-h.loopDone
	}
}

func (h *hub) loop(ctx context.Context) {
	defer close(h.loopDone)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(h.every)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		case <-h.wake:
		}
		err := h.poll(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !h.pollFailure:
			h.pollFailure = true
			h.log.Error("live updates: read the catalog", "err", err)
		case err == nil:
			h.pollFailure = false
		}
	}
}

// poll is one look at the catalog.
func (h *hub) poll(ctx context.Context) error {
	h.pollMu.Lock()
	defer h.pollMu.Unlock()
	v, err := h.lib.Catalog.CatalogVersion(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	changed := v != h.version
	last := h.last
	shareIDs := map[int64]bool{}
	for st := range h.streams {
		shareIDs[st.share.ID] = true
	}
	h.mu.Unlock()
	if !changed {
		h.endExpired()
		return nil
	}
	shares := map[int64]*catalog.Share{} // nil: gone
	for id := range shareIDs {
		sh, err := h.lib.Catalog.ShareByID(ctx, id)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			shares[id] = nil
		case err != nil:
			return err
		default:
			shares[id] = &sh
		}
	}
	var rows []catalog.Activity
	for {
		batch, err := h.lib.Catalog.ActivityAfter(ctx, last, 500)
		if err != nil {
			return err
		}
		rows = append(rows, batch...)
		if len(batch) < 500 {
			break
		}
		last = batch[len(batch)-1].ID
	}
	evs := make([]rowEvent, 0, len(rows))
	for _, a := range rows {
		ev, err := h.event(ctx, a)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	seen, err := h.visibility(ctx, shares, rows)
	if err != nil {
		return err
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.version = v
	for st := range h.streams {
		sh, known := shares[st.share.ID]
		if known && (sh == nil || !sh.Active(now)) {
			h.endLocked(st, endRevoked)
			continue
		}
		if known {
			st.share = *sh
		}
		for i, a := range rows {
			if a.ID > st.after && seen[visKey{st.share.ID, a.ID}] && shows(st.share, a.Kind) {
				h.sendLocked(st, evs[i].forDevice(st.device))
			}
		}
	}
	if n := len(rows); n > 0 && rows[n-1].ID > h.last {
		h.last = rows[n-1].ID
	}
	return nil
}

// poke makes the loop look at the catalog now rather than at its next
// tick: a handler of this server has just written a feed row.
func (h *hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// endExpired ends the streams of links whose expiry has passed.
func (h *hub) endExpired() {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.streams {
		if st.share.Expired(now) {
			h.endLocked(st, endRevoked)
		}
	}
}

type visKey struct{ share, row int64 }

// visibility says which of the links shows which feed row: photos that
// joined its album, hearts and comments on a photo it opens.
func (h *hub) visibility(ctx context.Context, shares map[int64]*catalog.Share, rows []catalog.Activity) (map[visKey]bool, error) {
	out := map[visKey]bool{}
	opens := map[[2]int64]bool{}
	for id, sh := range shares {
		if sh == nil {
			continue
		}
		for _, a := range rows {
			if a.Kind == catalog.ActivityPhotos {
				out[visKey{id, a.ID}] = sh.AlbumID != 0 && sh.AlbumID == a.AlbumID
				continue
			}
			k := [2]int64{id, a.PhotoID}
			ok, done := opens[k]
			if !done {
				_, err := h.lib.Catalog.SharedFile(ctx, *sh, a.PhotoID)
				if err != nil && !errors.Is(err, catalog.ErrNotFound) {
					return nil, err
				}
				ok = err == nil
				opens[k] = ok
			}
			out[visKey{id, a.ID}] = ok
		}
	}
	return out, nil
}

// rowEvent is the event of a feed row: mine is the copy for the device
// that wrote it (a comment it may delete).
type rowEvent struct {
	device       string
	theirs, mine sseEvent
}

func (e rowEvent) forDevice(device string) sseEvent {
	if device != "" && device == e.device {
		return e.mine
	}
	return e.theirs
}

// Event data. A photo event names the photos (the page asks for their
// tiles); a heart or comment event carries the photo's counts, so that a
// page updates badges without asking.
type (
	photoEvent struct {
		ID       int64   `json:"id"`
		PhotoIDs []int64 `json:"photo_ids"`
		Name     string  `json:"name"`
	}
	heartEvent struct {
		ID      int64    `json:"id,omitempty"`
		PhotoID int64    `json:"photo_id"`
		Name    string   `json:"name,omitempty"`
		Hearts  int      `json:"hearts"`
		Names   []string `json:"names"`
	}
	commentEvent struct {
		ID       int64        `json:"id,omitempty"`
		PhotoID  int64        `json:"photo_id"`
		Comment  *commentJSON `json:"comment,omitempty"`
		Deleted  int64        `json:"deleted,omitempty"` // the id of a comment deleted
		Comments int          `json:"comments"`
	}
)

// event makes the event of a feed row.
func (h *hub) event(ctx context.Context, a catalog.Activity) (rowEvent, error) {
	ev := rowEvent{device: a.Device}
	var theirs, mine any
	switch a.Kind {
	case catalog.ActivityPhotos:
		theirs = photoEvent{ID: a.ID, PhotoIDs: a.PhotoIDs, Name: a.Name}
	case catalog.ActivityHeart:
		st, err := archive.New(h.lib).Hearts(ctx, a.PhotoID, "")
		if err != nil {
			return ev, err
		}
		theirs = heartEvent{ID: a.ID, PhotoID: a.PhotoID, Name: a.Name, Hearts: st.Count, Names: st.Names}
	case catalog.ActivityComment:
		counts, err := h.lib.Catalog.PhotoCounts(ctx, []int64{a.PhotoID})
		if err != nil {
			return ev, err
		}
		c := commentJSON{ID: a.CommentID, PhotoID: a.PhotoID, Name: a.Name, Text: a.Text, CreatedAt: a.At}
		theirs = commentEvent{ID: a.ID, PhotoID: a.PhotoID, Comment: &c, Comments: counts[a.PhotoID].Comments}
		c2 := c
		c2.Mine = true
		mine = commentEvent{ID: a.ID, PhotoID: a.PhotoID, Comment: &c2, Comments: counts[a.PhotoID].Comments}
	}
	var err error
	if ev.theirs, err = encodeEvent(a.ID, kindOfRow(a.Kind), theirs); err != nil {
		return ev, err
	}
	ev.mine = ev.theirs
	if mine != nil {
		ev.mine, err = encodeEvent(a.ID, kindOfRow(a.Kind), mine)
	}
	return ev, err
}

// kindOfRow is the event name of a feed row's kind.
func kindOfRow(kind string) string {
	if kind == catalog.ActivityPhotos {
		return "photo"
	}
	return kind
}

func encodeEvent(id int64, kind string, v any) (sseEvent, error) {
	data, err := json.Marshal(v)
	return sseEvent{id: id, kind: kind, data: data}, err
}

// unhearted tells the streams that show a photo that a heart was taken
// back (no feed row says so).
func (h *hub) unhearted(ctx context.Context, photoID int64, st archive.HeartState) {
	ev, err := encodeEvent(0, catalog.ActivityHeart, heartEvent{PhotoID: photoID, Hearts: st.Count, Names: st.Names})
	if err == nil {
		h.tellShowing(context.WithoutCancel(ctx), photoID, catalog.ActivityHeart, ev)
	}
}

// commentDeleted tells the streams that show a photo that one of its
// comments was deleted.
func (h *hub) commentDeleted(ctx context.Context, c catalog.Comment) {
	counts, err := h.lib.Catalog.PhotoCounts(ctx, []int64{c.PhotoID})
	if err != nil {
		h.log.Warn("live updates: count comments", "err", err)
		return
	}
	ev, err := encodeEvent(0, catalog.ActivityComment, commentEvent{PhotoID: c.PhotoID, Deleted: c.ID, Comments: counts[c.PhotoID].Comments})
	if err == nil {
		h.tellShowing(context.WithoutCancel(ctx), c.PhotoID, catalog.ActivityComment, ev)
	}
}

// tellShowing sends ev to the streams whose link opens the photo and
// shows events of the kind.
func (h *hub) tellShowing(ctx context.Context, photoID int64, kind string, ev sseEvent) {
	h.mu.Lock()
	var shares []catalog.Share
	for st := range h.streams {
		if !slices.ContainsFunc(shares, func(s catalog.Share) bool { return s.ID == st.share.ID }) {
			shares = append(shares, st.share)
		}
	}
	h.mu.Unlock()
	opens := map[int64]bool{}
	for _, sh := range shares {
		_, err := h.lib.Catalog.SharedFile(ctx, sh, photoID)
		opens[sh.ID] = err == nil && shows(sh, kind)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.streams {
		if opens[st.share.ID] {
			h.sendLocked(st, ev)
		}
	}
}

// events serves a link's stream. The client says what it has with
// Last-Event-ID (as EventSource does on reconnecting) or ?after=ID (the
// newest feed row when its page was made); it first gets the feed rows
// of its link after that, oldest first, then what happens.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.apiShare(w, r)
	if !ok {
		return
	}
	after := int64(-1)
	resume := r.Header.Get("Last-Event-ID")
	if resume == "" {
		resume = r.URL.Query().Get("after")
	}
	if resume != "" {
		n, err := strconv.ParseInt(resume, 10, 64)
		if err != nil || n < 0 {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return
		}
		after = n
	}
	st, last, err := s.hub.subscribe(r.Context(), sh, s.guest(r, sh).Device, clientKey(s.clientAddr(r)), after)
	switch {
	case errors.Is(err, errTooManyStreams):
		fail(w, r, http.StatusTooManyRequests, codeTooMany, streamsRetry)
		return
	case errors.Is(err, errHubClosed):
		fail(w, r, http.StatusServiceUnavailable, codeUnavailable, time.Duration(retryMS)*time.Millisecond)
		return
	case err != nil:
		s.internalError(w, r, err)
		return
	}
	defer s.hub.unsubscribe(st)
	catchUp, err := s.catchUp(r.Context(), sh, st, last)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on as they come
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var buf bytes.Buffer
	buf.WriteString("retry: " + strconv.Itoa(retryMS) + "\n\n")
	for _, ev := range catchUp {
		writeEvent(&buf, ev)
	}
	if !s.flushEvents(rc, w, &buf) {
		return
	}
	beat := time.NewTicker(s.hub.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-st.end:
			if st.reason == endRevoked {
				buf.WriteString("event: revoked\ndata: {}\n\n")
				s.flushEvents(rc, w, &buf)
			}
			return
		case ev := <-st.ch:
			writeEvent(&buf, ev)
			for more := true; more; { // what else is waiting leaves with it
				select {
				case ev := <-st.ch:
					writeEvent(&buf, ev)
				default:
					more = false
				}
			}
		case <-beat.C:
			buf.WriteString(": ping\n\n")
		}
		if !s.flushEvents(rc, w, &buf) {
			return
		}
	}
}

// catchUp makes the events of the link's feed rows in (st.after, last]
// that a reconnecting client missed, oldest first.
func (s *server) catchUp(ctx context.Context, sh catalog.Share, st *stream, last int64) ([]sseEvent, error) {
	if st.after >= last {
		return nil, nil
	}
	rows, err := s.lib.Catalog.ShareActivity(ctx, sh, last+1, st.after, catchUpMax)
	if err != nil {
		return nil, err
	}
	var out []sseEvent
	for _, a := range slices.Backward(rows) {
		if !shows(sh, a.Kind) {
			continue
		}
		ev, err := s.hub.event(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, ev.forDevice(st.device))
	}
	return out, nil
}

func writeEvent(buf *bytes.Buffer, ev sseEvent) {
	if ev.id > 0 {
		buf.WriteString("id: " + strconv.FormatInt(ev.id, 10) + "\n")
	}
	buf.WriteString("event: " + ev.kind + "\ndata: ")
	buf.Write(ev.data) // JSON: one line
	buf.WriteString("\n\n")
}

// flushEvents writes what buf holds and flushes it to the client within
// the hub's write limit; false when the client is gone.
func (s *server) flushEvents(rc *http.ResponseController, w http.ResponseWriter, buf *bytes.Buffer) bool {
	_ = rc.SetWriteDeadline(time.Now().Add(s.hub.writeLimit)) // not every ResponseWriter has deadlines
	_, err := w.Write(buf.Bytes())
	buf.Reset()
	if err == nil {
		err = rc.Flush()
	}
	return err == nil
}
