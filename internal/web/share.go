package web

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/sharelink"
	"github.com/picup/picup/internal/thumb"
	"github.com/picup/picup/pkg/places"
)

// shareFor resolves the {token} of a request. It writes the response and
// returns ok=false when the share cannot be used: 404 for an unknown
// token (no detail), 410 for an expired or revoked one.
func (s *server) shareFor(w http.ResponseWriter, r *http.Request) (catalog.Share, bool) {
	sh, err := s.lookupShare(r)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		notFound(w)
	case errors.Is(err, errShareEnded):
		s.gone(w, r)
	case err != nil:
		s.internalError(w, r, err)
	default:
		return sh, true
	}
	return sh, false
}

// errShareEnded is lookupShare's error for an expired or revoked link.
var errShareEnded = errors.New("the link has ended")

// lookupShare finds the share of the request's {token}: catalog.ErrNotFound
// for an unknown token, errShareEnded for an expired or revoked one.
func (s *server) lookupShare(r *http.Request) (catalog.Share, error) {
	token := r.PathValue("token")
	if len(token) < 16 || len(token) > 128 {
		return catalog.Share{}, catalog.ErrNotFound
	}
	sh, err := s.lib.Catalog.ShareByTokenHash(r.Context(), catalog.HashToken(token))
	if err != nil {
		return sh, err
	}
	if !sh.Active(s.opts.Now()) {
		return sh, errShareEnded
	}
	return sh, nil
}

// gone is the friendly page of an expired or revoked link.
func (s *server) gone(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusGone, "gone.html", pageData{T: texts(r)})
}

// shareTitle is the heading of a share's page: its album, else the name
// it was given, else its year, else "Photos".
func shareTitle(sh catalog.Share, t strs) string {
	switch {
	case sh.AlbumName != "":
		return sh.AlbumName
	case sh.Name != "":
		return sh.Name
	case sh.Year != 0:
		return t.year(sh.Year)
	}
	return t.Photos
}

// tile is one photo or video of a share page, and of its JSON pages.
type tile struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"` // "photo" or "video"
	TakenAt  string `json:"taken_at"`
	Date     string `json:"date"` // local capture date, YYYY-MM-DD; "" when unknown
	Day      string `json:"day"`  // readable heading of Date in the page's language
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Grid     string `json:"grid"`
	Screen   string `json:"screen"` // also a video's poster
	GridW    int    `json:"grid_width"`
	GridH    int    `json:"grid_height"`
	ScreenW  int    `json:"screen_width"`
	ScreenH  int    `json:"screen_height"`
	Video    string `json:"video,omitempty"`    // a video's file, for <video src>
	Original string `json:"original,omitempty"` // download of the original, when the share allows it
	Key      int64  `json:"key"`                // the sort key: tiles go newest first by (key, id)
	Label    string `json:"label"`              // what a screen reader says of the tile: day and type
	Caption  string `json:"caption,omitempty"`  // the photo's caption (else its title), shown under it full screen
	Hearts   int    `json:"hearts,omitempty"`   // absent: none, or the link shows no hearts
	Comments int    `json:"comments,omitempty"` // absent: none, or the link shows no comments
	Index    int    `json:"-"`                  // position on the page
}

// day is one day section of a page: consecutive tiles with one date.
type day struct {
	Date    string
	Heading string
	Tiles   []tile
}

type pageData struct {
	T           strs
	Title       string
	Days        []day
	NextURL     string
	DownloadAll string // URL of the zip of the whole share; "" when downloads are not allowed
	Error       string
	FormPath    string

	Base     string // the share's path, /s/TOKEN
	Hearts   bool   // the link shows hearts
	Comments bool   // the link shows comments
	Name     string // the name this device gave, "" when none
	NewSince string // "New since your last visit: …", "" when nothing is new
	LastSeen int64  // the newest feed row when the page was made: live updates follow it

	Upload *uploadPage // the "Add photos" button; nil when the link takes no uploads
}

// sizeEdge is the long edge of a named thumbnail size.
func sizeEdge(name thumb.SizeName) int {
	for _, sz := range thumb.Sizes {
		if sz.Name == name {
			return sz.LongEdge
		}
	}
	return 0
}

// fit scales w×h down so that its long edge is at most long.
func fit(w, h, long int) (int, int) {
	if w <= 0 || h <= 0 {
		return long, long
	}
	if w <= long && h <= long {
		return w, h
	}
	if w >= h {
		return long, max(1, h*long/w)
	}
	return max(1, w*long/h), long
}

// captureDate is the local calendar date of a capture time (or the month
// or year of a photo dated by that alone), "" when the time has none.
func captureDate(takenAt string) string {
	layout := ""
	switch {
	case len(takenAt) >= len(time.DateOnly): // a day, or a time on it
		layout, takenAt = time.DateOnly, takenAt[:len(time.DateOnly)]
	case len(takenAt) == len("2006-01"): // a month alone
		layout = "2006-01"
	case len(takenAt) == len("2006"): // a year alone
		layout = "2006"
	}
	if _, err := time.Parse(layout, takenAt); layout == "" || err != nil {
		return ""
	}
	return takenAt
}

// page lists one page of a share's photos and signs their media URLs (for
// the client's address when the share pins media to it).
func (s *server) page(r *http.Request, sh catalog.Share, after *catalog.Cursor, t strs) ([]tile, string, error) {
	photos, err := s.lib.Catalog.SharePhotos(r.Context(), sh, after, PageSize)
	if err != nil {
		return nil, "", err
	}
	tiles, err := s.tiles(r, sh, photos, t)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(photos) == PageSize {
		next = catalog.CursorOf(photos[len(photos)-1]).String()
	}
	return tiles, next, nil
}

// tiles makes the tiles of photos, with their signed media URLs and their
// hearts and comments (one query for them all).
func (s *server) tiles(r *http.Request, sh catalog.Share, photos []catalog.Photo, t strs) ([]tile, error) {
	key, err := s.signingKey(r.Context())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(photos))
	for i, p := range photos {
		ids[i] = p.ID
	}
	counts, err := s.lib.Catalog.PhotoCounts(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	exp := s.mediaExpiry()
	ip := ""
	if sh.BindIP {
		ip = s.pinAddr(r)
	}
	tiles := make([]tile, 0, len(photos))
	for i, p := range photos {
		gw, gh := fit(p.Width, p.Height, sizeEdge(thumb.Grid))
		sw, shh := fit(p.Width, p.Height, sizeEdge(thumb.Screen))
		date := captureDate(p.TakenAt)
		tl := tile{
			ID: p.ID, Type: p.Type, TakenAt: p.TakenAt, Date: date, Day: t.dayHeading(date) + t.placeSuffix(p.Place), Caption: cmp.Or(p.Caption, p.Title), Width: p.Width, Height: p.Height,
			Grid: mediaURL(key, sh.ID, p.ID, "grid", exp, ip), Screen: mediaURL(key, sh.ID, p.ID, "screen", exp, ip),
			GridW: gw, GridH: gh, ScreenW: sw, ScreenH: shh, Key: p.TakenKey, Label: t.tileLabel(date, p.Type), Index: i,
		}
		if p.Type == "video" {
			tl.Video = mediaURL(key, sh.ID, p.ID, "video", exp, ip)
		}
		if sh.Download {
			tl.Original = mediaURL(key, sh.ID, p.ID, "original", exp, ip)
		}
		if !sh.NoHearts {
			tl.Hearts = counts[p.ID].Hearts
		}
		if !sh.NoComments {
			tl.Comments = counts[p.ID].Comments
		}
		tiles = append(tiles, tl)
	}
	return tiles, nil
}

// byDay groups consecutive tiles of one date into day sections.
func byDay(tiles []tile) []day {
	var days []day
	for _, tl := range tiles {
		if n := len(days); n > 0 && days[n-1].Date == tl.Date {
			days[n-1].Tiles = append(days[n-1].Tiles, tl)
			continue
		}
		days = append(days, day{Date: tl.Date, Heading: tl.Day, Tiles: []tile{tl}})
	}
	return days
}

func (s *server) sharePage(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.shareFor(w, r)
	if !ok {
		return
	}
	t := texts(r)
	if !s.authorised(r, sh) {
		s.render(w, r, http.StatusOK, "password.html", pageData{T: t, Title: shareTitle(sh, t), FormPath: r.URL.Path})
		return
	}
	tiles, next, err := s.page(r, sh, nil, t)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	d := pageData{T: t, Title: shareTitle(sh, t), Days: byDay(tiles), Base: r.URL.Path, Hearts: !sh.NoHearts, Comments: !sh.NoComments}
	if err := s.visit(w, r, sh, &d); err != nil {
		s.internalError(w, r, err)
		return
	}
	s.views.add(sh.ID, s.opts.Now()) //nolint:contextcheck // views are written later, whatever becomes of this request
	s.metrics.ShareViewed()
	if next != "" {
		d.NextURL = r.URL.Path + "/photos?after=" + next
	}
	if sh.Download {
		d.DownloadAll = r.URL.Path + "/download"
	}
	d.Upload = uploadPageOf(r, sh)
	s.render(w, r, http.StatusOK, "share.html", d)
}

// visit says what is new since the device's last visit and moves its mark
// to the newest feed row; a device seen for the first time gets its
// cookie (with no name yet) and no banner.
func (s *server) visit(w http.ResponseWriter, r *http.Request, sh catalog.Share, d *pageData) error {
	latest, err := s.lib.Catalog.LatestActivity(r.Context())
	if err != nil {
		return err
	}
	d.LastSeen = latest
	g, ok := s.readGuest(r, sh)
	if !ok {
		g = guestCookie{Device: newDevice()}
	}
	d.Name = g.Name
	if ok && g.LastSeen < latest {
		photos, comments, err := s.lib.Catalog.NewSince(r.Context(), sh, g.LastSeen)
		if err != nil {
			return err
		}
		if sh.NoComments {
			comments = 0
		}
		d.NewSince = d.T.newSince(photos, comments)
	}
	if ok && g.LastSeen == latest {
		return nil
	}
	g.LastSeen = latest
	return s.writeGuest(w, r, sh, g)
}

type photosJSON struct {
	Photos []tile `json:"photos"`
	Next   string `json:"next,omitempty"` // URL of the next page, absent on the last
}

func (s *server) sharePhotos(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.apiShare(w, r) // refusals in JSON too
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Has("ids") {
		s.photosByID(w, r, sh, q.Get("ids"))
		return
	}
	var after *catalog.Cursor
	if a := q.Get("after"); a != "" {
		c, err := catalog.ParseCursor(a)
		if err != nil {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return
		}
		after = &c
	}
	tiles, next, err := s.page(r, sh, after, texts(r))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := photosJSON{Photos: tiles}
	if next != "" {
		out.Next = "/s/" + r.PathValue("token") + "/photos?after=" + next
	}
	writeJSON(w, http.StatusOK, out)
}

// photosByID answers ?ids=1,2,3 (at most PageSize): the tiles of those
// photos that the link opens, newest first, for the photos the live
// stream announces. Ids the link does not open are left out.
func (s *server) photosByID(w http.ResponseWriter, r *http.Request, sh catalog.Share, list string) {
	parts := strings.Split(list, ",")
	if len(parts) > PageSize {
		fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
		return
	}
	var photos []catalog.Photo
	for _, part := range parts {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			fail(w, r, http.StatusBadRequest, codeBadRequest, 0)
			return
		}
		if _, err := s.lib.Catalog.SharedFile(r.Context(), sh, id); errors.Is(err, catalog.ErrNotFound) {
			continue
		} else if err != nil {
			s.internalError(w, r, err)
			return
		}
		p, err := s.lib.Catalog.PhotoByID(r.Context(), id)
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		photos = append(photos, p)
	}
	slices.SortFunc(photos, func(a, b catalog.Photo) int {
		return cmp.Or(cmp.Compare(b.TakenKey, a.TakenKey), cmp.Compare(b.ID, a.ID))
	})
	tiles, err := s.tiles(r, sh, photos, texts(r))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, photosJSON{Photos: tiles})
}

// writeJSON sends v as a JSON answer that no cache keeps.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // fails only when the client went away
}

// render executes a template into a buffer first, so that a template
// error becomes a 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, d); err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Language", d.T.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // fails only when the client went away
}

// Password-protected shares: the form posts the password; when it matches,
// a cookie "picup_s<ID>" = EXP.MAC authorises the share until EXP. The MAC
// covers the share's password hash, so changing the password ends every
// session.
const cookieTTL = 30 * 24 * time.Hour

func cookieName(id int64) string { return "picup_s" + strconv.FormatInt(id, 10) }

func (s *server) authorised(r *http.Request, sh catalog.Share) bool {
	if sh.PasswordHash == "" {
		return true
	}
	c, err := r.Cookie(cookieName(sh.ID))
	if err != nil {
		return false
	}
	expS, sigS, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sigS)
	if err != nil {
		return false
	}
	key, err := s.signingKey(r.Context())
	if err != nil {
		return false
	}
	if !hmac.Equal(got, mac(key, "session", strconv.FormatInt(sh.ID, 10), expS, sh.PasswordHash)) {
		return false
	}
	exp, err := strconv.ParseInt(expS, 10, 64)
	return err == nil && s.opts.Now().Unix() < exp
}

// checkPassword checks the password posted for sh within the server's
// passwordGuard. It answers, and returns ok=false, while the link waits
// after wrong passwords (429) or while the server checks as many
// passwords as it may at once (503).
func (s *server) checkPassword(w http.ResponseWriter, r *http.Request, sh catalog.Share) (right, ok bool) {
	pw := r.PostForm.Get("password")
	if s.limits == nil {
		return sharelink.CheckPassword(sh.PasswordHash, pw), true
	}
	g := s.limits.passwords
	if wait := g.wait(sh.ID, s.opts.Now()); wait > 0 {
		s.metrics.rateLimited(limitPassword)
		tooManyRequests(w, r, limitPassword, wait)
		return false, false
	}
	if !g.enter() {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy: try again in a second", http.StatusServiceUnavailable)
		return false, false
	}
	right = sharelink.CheckPassword(sh.PasswordHash, pw)
	g.leave()
	g.checked(sh.ID, right, s.opts.Now())
	return right, true
}

func (s *server) sharePassword(w http.ResponseWriter, r *http.Request) {
	sh, ok := s.shareFor(w, r)
	if !ok {
		return
	}
	if sh.PasswordHash == "" {
		http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	right, ok := s.checkPassword(w, r, sh)
	if !ok {
		return
	}
	t := texts(r)
	if !right {
		s.render(w, r, http.StatusUnauthorized, "password.html", pageData{T: t, Title: shareTitle(sh, t), FormPath: r.URL.Path, Error: t.WrongPassword})
		return
	}
	key, err := s.signingKey(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	expires := s.opts.Now().Add(cookieTTL)
	if !sh.ExpiresAt.IsZero() && sh.ExpiresAt.Before(expires) {
		expires = sh.ExpiresAt
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	sig := base64.RawURLEncoding.EncodeToString(mac(key, "session", strconv.FormatInt(sh.ID, 10), exp, sh.PasswordHash))
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(sh.ID), Value: exp + "." + sig, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.opts.SecureCookies,
	})
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
}

// placeSuffix ends a day's heading with where its first photo was taken
// (" · Jeju City", in Korean " · 제주"), "" when that is not known.
func (t strs) placeSuffix(pl catalog.Place) string {
	if name := places.Place(pl).Short(language.Make(t.Lang)); name != "" {
		return " · " + name
	}
	return ""
}
