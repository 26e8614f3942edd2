package web

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
)

// Taking part through a link: the device's name, hearts, comments and the
// family feed, as JSON routes under /s/{token}/ that the page's script
// calls. Every write goes through the archive; a refusal is
// {"error": words in the page's language, "code": one of the codes of
// errorTexts}.

// maxBody caps the body of a guest's request: a name or a comment of
// 2,000 characters is far less.
const maxBody = 16 << 10

// apiError is the JSON of a refusal.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// fail answers a refusal with its status and code; wait is the Retry-After
// of a 429 (or 503).
func fail(w http.ResponseWriter, r *http.Request, status int, code string, wait time.Duration) {
	secs := 0
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		secs = max(1, int(math.Ceil(wait.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, apiError{Error: texts(r).errorText(code, secs), Code: code})
}

// apiShare resolves the link of a guest's request, answering a refusal
// as JSON when it cannot be used: 404 unknown, 410 ended, 403 locked by a
// password the device has not given.
func (s *server) apiShare(w http.ResponseWriter, r *http.Request) (catalog.Share, bool) {
	sh, err := s.lookupShare(r)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		fail(w, r, http.StatusNotFound, codeNotFound, 0)
	case errors.Is(err, errShareEnded):
		fail(w, r, http.StatusGone, codeGone, 0)
	case err != nil:
		s.internalError(w, r, err)
	case !s.authorised(r, sh):
		fail(w, r, http.StatusForbidden, codeLocked, 0)
	default:
		return sh, true
	}
	return sh, false
}

// sameOrigin refuses a POST, PUT, PATCH or DELETE that a browser sent from
// another site (cross-site request forgery): Sec-Fetch-Site, when the
// browser sends it, must be same-origin (or none, a person's own
// navigation); else Origin, when sent, must name this host. A request
// with neither comes from no browser (curl, a script) and goes ahead.
func sameOrigin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			h.ServeHTTP(w, r)
			return
		}
		if !fromThisSite(r) {
			fail(w, r, http.StatusForbidden, codeCrossSite, 0)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func fromThisSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && u.Host == r.Host
}

// readBody decodes a guest's JSON body into v, or a form when form is
// true and the body is one. It answers 413 over maxBody, 415 for another
// Content-Type and 400 for what does not decode, and returns false then.
func readBody(w http.ResponseWriter, r *http.Request, v any, form func(url.Values)) bool {
	if r.ContentLength > maxBody {
		fail(w, r, http.StatusRequestEntityTooLarge, codeTooLarge, 0)
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err == nil && mt == "application/json":
	case err == nil && mt == "application/x-www-form-urlencoded" && form != nil:
	default:
		fail(w, r, http.StatusUnsupportedMediaType, codeBadType, 0)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		fail(w, r, http.StatusRequestEntityTooLarge, codeTooLarge, 0)
		return false
	case err != nil:
		fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
		return false
	}
	if mt != "application/json" {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return false
		}
		form(vals)
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
		return false
	}
	return true
}

// guestTarget resolves the link of a guest's request on a photo or a
// comment, and its {id}: 404 for an id that is none, 403 when the link
// has the action switched off.
func (s *server) guestTarget(w http.ResponseWriter, r *http.Request, off func(catalog.Share) bool) (catalog.Share, int64, bool) {
	sh, ok := s.apiShare(w, r)
	if !ok {
		return sh, 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		fail(w, r, http.StatusNotFound, codeNotFound, 0)
		return sh, 0, false
	}
	if off(sh) {
		fail(w, r, http.StatusForbidden, codeNotAllowed, 0)
		return sh, 0, false
	}
	return sh, id, true
}

func noHearts(sh catalog.Share) bool   { return sh.NoHearts }
func noComments(sh catalog.Share) bool { return sh.NoComments }

// failGuest answers an archive refusal of a guest action.
func (s *server) failGuest(w http.ResponseWriter, r *http.Request, err error) {
	var input *archive.InputError
	switch {
	case errors.As(err, &input) && input.What == "name":
		fail(w, r, http.StatusUnprocessableEntity, codeBadName, 0)
	case errors.As(err, &input):
		fail(w, r, http.StatusUnprocessableEntity, codeBadComment, 0)
	case errors.Is(err, archive.ErrNoName):
		fail(w, r, http.StatusForbidden, codeNoName, 0)
	case errors.Is(err, archive.ErrNotAllowed):
		fail(w, r, http.StatusForbidden, codeNotAllowed, 0)
	case errors.Is(err, archive.ErrNotShared):
		fail(w, r, http.StatusNotFound, codeNotShared, 0)
	case errors.Is(err, catalog.ErrNotYours):
		fail(w, r, http.StatusForbidden, codeNotYours, 0)
	case errors.Is(err, catalog.ErrNotFound):
		fail(w, r, http.StatusNotFound, codeNotFound, 0)
	default:
		s.internalError(w, r, err)
	}
}

// limitPart applies the hearts-and-comments limits of the client and the
// link; false when over one (answered 429).
func (s *server) limitPart(w http.ResponseWriter, r *http.Request, sh catalog.Share) bool {
	name, wait := s.takePart(r, sh.ID)
	if name == "" {
		return true
	}
	s.metrics.rateLimited(name)
	fail(w, r, http.StatusTooManyRequests, codeRateLimited, wait)
	return false
}

type nameJSON struct {
	Name string `json:"name"`
}

// getName answers the device's name for the link; 404 when it has given
// none.
func (s *server) getName(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.apiShare(w, r)
	if !ok {
		return
	}
	g, ok := s.readGuest(r, sh)
	if !ok || g.Name == "" {
		fail(w, r, http.StatusNotFound, codeNoName, 0)
		return
	}
	writeJSON(w, http.StatusOK, nameJSON{Name: g.Name})
}

// setName remembers the name the device gives (a form or JSON {"name"}),
// cleaned, in its cookie for the link.
func (s *server) setName(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.apiShare(w, r)
	if !ok {
		return
	}
	var in nameJSON
	if !readBody(w, r, &in, func(v url.Values) { in.Name = v.Get("name") }) {
		return
	}
	name, err := archive.CleanName(in.Name)
	if err != nil {
		s.failGuest(w, r, err)
		return
	}
	g, ok := s.readGuest(r, sh)
	if !ok {
		g = guestCookie{Device: newDevice()}
	}
	g.Name = name
	if err := s.writeGuest(w, r, sh, g); err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nameJSON{Name: name})
}

// heartJSON is a photo's hearts as the asking device sees them.
type heartJSON struct {
	Hearted bool     `json:"hearted"`
	Hearts  int      `json:"hearts"`
	Names   []string `json:"names"`
}

// hearts answers a photo's hearts (GET) or toggles the device's (POST).
func (s *server) hearts(w http.ResponseWriter, r *http.Request) {
	sh, id, ok := s.guestTarget(w, r, noHearts)
	if !ok {
		return
	}
	g := s.guest(r, sh)
	a := archive.New(s.lib)
	var st archive.HeartState
	var err error
	if r.Method == http.MethodGet {
		if _, err := s.lib.Catalog.SharedFile(r.Context(), sh, id); err != nil {
			s.failGuest(w, r, shareErr(err))
			return
		}
		st, err = a.Hearts(r.Context(), id, g.Device)
	} else {
		if !s.limitPart(w, r, sh) {
			return
		}
		st, err = a.ToggleHeart(r.Context(), g, id)
		switch {
		case err == nil && st.Hearted:
			s.hub.poke()
		case err == nil:
			s.hub.unhearted(r.Context(), id, st) // the feed row went with the heart: say so here
		}
	}
	if err != nil {
		s.failGuest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, heartJSON{Hearted: st.Hearted, Hearts: st.Count, Names: st.Names})
}

// shareErr is archive.ErrNotShared for the catalog's "not found" of a
// photo the link does not open.
func shareErr(err error) error {
	if errors.Is(err, catalog.ErrNotFound) {
		return archive.ErrNotShared
	}
	return err
}

// commentJSON is a comment as the page shows it; Mine: written on the
// asking device, which may delete it.
type commentJSON struct {
	ID        int64     `json:"id"`
	PhotoID   int64     `json:"photo_id"`
	Name      string    `json:"name"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	Mine      bool      `json:"mine"`
}

func commentOf(c catalog.Comment, device string) commentJSON {
	return commentJSON{ID: c.ID, PhotoID: c.PhotoID, Name: c.Name, Text: c.Text, CreatedAt: c.CreatedAt,
		Mine: device != "" && c.Device == device}
}

// commentsPage is how many comments one answer lists.
const commentsPage = 50

type commentsJSON struct {
	Comments []commentJSON `json:"comments"`
	Next     string        `json:"next,omitempty"` // URL of the next page, absent on the last
}

// comments lists a photo's comments oldest first (GET, ?after=ID for the
// next page) or adds the device's (POST {"text"}, 201 with the comment).
func (s *server) comments(w http.ResponseWriter, r *http.Request) {
	sh, id, ok := s.guestTarget(w, r, noComments)
	if !ok {
		return
	}
	g := s.guest(r, sh)
	if r.Method == http.MethodPost {
		var in struct {
			Text string `json:"text"`
		}
		if !readBody(w, r, &in, nil) || !s.limitPart(w, r, sh) {
			return
		}
		c, err := archive.New(s.lib).Comment(r.Context(), g, id, in.Text)
		if err != nil {
			s.failGuest(w, r, err)
			return
		}
		s.hub.poke()
		writeJSON(w, http.StatusCreated, commentOf(c, g.Device))
		return
	}
	if _, err := s.lib.Catalog.SharedFile(r.Context(), sh, id); err != nil {
		s.failGuest(w, r, shareErr(err))
		return
	}
	var after int64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return
		}
		after = n
	}
	cs, err := s.lib.Catalog.Comments(r.Context(), id, after, commentsPage)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := commentsJSON{Comments: make([]commentJSON, 0, len(cs))}
	for _, c := range cs {
		out.Comments = append(out.Comments, commentOf(c, g.Device))
	}
	if len(cs) == commentsPage {
		out.Next = r.URL.Path + "?after=" + strconv.FormatInt(cs[len(cs)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteComment removes a comment the device wrote, under a photo the
// link opens: 204; 403 for another's, 404 for none.
func (s *server) deleteComment(w http.ResponseWriter, r *http.Request) {
	sh, id, ok := s.guestTarget(w, r, noComments)
	if !ok {
		return
	}
	c, err := s.lib.Catalog.CommentByID(r.Context(), id)
	if err != nil {
		s.failGuest(w, r, err)
		return
	}
	if _, err := s.lib.Catalog.SharedFile(r.Context(), sh, c.PhotoID); err != nil {
		s.failGuest(w, r, err) // another link's photo: as if there were no such comment
		return
	}
	if _, err := archive.New(s.lib).DeleteOwnComment(r.Context(), s.guest(r, sh), id); err != nil {
		s.failGuest(w, r, err)
		return
	}
	s.hub.commentDeleted(r.Context(), c)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// feedPage is how many feed items one answer lists.
const feedPage = 30

// itemJSON is one item of the family feed.
type itemJSON struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"` // photos, heart or comment
	Name     string    `json:"name"`
	PhotoIDs []int64   `json:"photo_ids"`
	Text     string    `json:"text,omitempty"`
	At       time.Time `json:"at"`
}

type feedJSON struct {
	Items []itemJSON `json:"items"`
	Next  string     `json:"next,omitempty"` // URL of the next (older) page, absent on the last
}

// activity lists the link's feed newest first; ?after=CURSOR (the next
// URL of the page before) goes on with older items.
func (s *server) activity(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.apiShare(w, r)
	if !ok {
		return
	}
	var before int64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n <= 0 {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return
		}
		before = n
	}
	rows, err := s.lib.Catalog.ShareActivity(r.Context(), sh, before, 0, feedPage)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := feedJSON{Items: []itemJSON{}}
	for _, a := range rows {
		if shows(sh, a.Kind) {
			out.Items = append(out.Items, itemJSON{ID: a.ID, Kind: a.Kind, Name: a.Name, PhotoIDs: a.PhotoIDs, Text: a.Text, At: a.At})
		}
	}
	if len(rows) == feedPage {
		out.Next = r.URL.Path + "?after=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// shows reports whether a link shows feed rows of a kind: not hearts on a
// --no-hearts link, nor comments on a --no-comments one.
func shows(sh catalog.Share, kind string) bool {
	switch kind {
	case catalog.ActivityHeart:
		return !sh.NoHearts
	case catalog.ActivityComment:
		return !sh.NoComments
	}
	return true
}
