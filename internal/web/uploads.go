package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	xslog "golang.org/x/exp/slog"

	"github.com/picup/picup/internal/archive"
	"github.com/picup/picup/internal/catalog"
	"github.com/picup/picup/internal/library"
)

// Guests' uploads: the tus resumable-upload endpoint /s/{token}/uploads/
// of the links made with --upload-as (https://tus.io/protocols/resumable-upload).
// tusd's handler speaks the protocol and keeps each upload in
// <library>/incoming (its filestore: the bytes and a .info); picup checks
// the link, the guest and the quota before an upload is created, imports
// the file when its last byte arrives, and then removes the stored bytes.
//
// One tusd UnroutedHandler serves every link, routed here. tusd names a
// new upload (Location) by its BasePath and the request's Host: that
// would take a handler per link (the BasePath holds the link's token)
// and, behind a reverse proxy, would name the proxy's upstream address.
// So its BasePath is "/", each request reaches it with the path cut down
// to the upload's id (as http.StripPrefix would do), and the Location it
// writes becomes the path /s/{token}/uploads/{id} of the request's own
// link, which the client resolves against the address it used.

// Codes of the upload refusals, beside those of the other guest actions.
const (
	codeQuota       = "quota"        // the user the link charges has no room for the file
	codeNotFinished = "not_finished" // a result asked of an upload still receiving
	codeOffset      = "offset"       // bytes sent to an upload already complete
	codeImport      = "import"       // the import failed, not because of the file (a full disk): try again
)

// The metadata picup keeps with an upload: the link and the device that
// created it (only they may resume, end or ask about it), and of the
// client's metadata only the file's name and type.
const (
	metaShare    = "picup-share"
	metaDevice   = "picup-device"
	metaFileName = "filename"
	metaFileType = "filetype"
	maxMetaValue = 1024
)

// abandonedAfter is how long an upload that receives nothing is kept.
const abandonedAfter = 24 * time.Hour

// sweepEvery is how often, at most, the abandoned uploads are looked for
// (on the next creation).
const sweepEveryUploads = time.Hour

// tusID is what tusd's filestore names an upload: 32 hex digits.
var tusID = regexp.MustCompile(`^[0-9a-f]{32}$`)

type uploads struct {
	s       *server
	a       *archive.Archive
	dir     string // <library>/incoming
	store   filestore.FileStore
	locker  *memorylocker.MemoryLocker
	tus     *tusd.UnroutedHandler
	post    http.Handler // tusd's routes in its middleware
	head    http.Handler
	patch   http.Handler
	del     http.Handler
	options http.Handler
	imports chan struct{} // bounds the imports running at once
	gate    *uploadGate   // nil when rate limits are off
	started sync.Once     // the first sweep, before the first upload request
	swept   atomic.Int64  // when the abandoned uploads were last looked for (Unix ns)
}

// routeUploads adds the upload endpoint's routes to mux.
func (s *server) routeUploads(mux *http.ServeMux) {
	u := newUploads(s)
	mux.Handle("POST /s/{token}/uploads/{$}", u.route(u.create))
	mux.Handle("OPTIONS /s/{token}/uploads/{$}", u.route(u.discover))
	mux.Handle("OPTIONS /s/{token}/uploads/{id}", u.route(u.discover))
	mux.Handle("HEAD /s/{token}/uploads/{id}", u.route(u.offset))
	mux.Handle("PATCH /s/{token}/uploads/{id}", u.route(u.append))
	mux.Handle("DELETE /s/{token}/uploads/{id}", u.route(u.terminate))
	mux.Handle("GET /s/{token}/uploads/{id}/result", u.route(u.result))
}

func newUploads(s *server) *uploads {
	u := &uploads{
		s: s, a: archive.New(s.lib), dir: filepath.Join(s.lib.Root, library.IncomingDir),
		locker: memorylocker.New(), imports: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	if s.limits != nil {
		u.gate = newUploadGate()
	}
	if err := os.MkdirAll(u.dir, 0o755); err != nil {
		s.log.Error("uploads", "err", err)
	}
	u.store = filestore.New(u.dir)
	u.store.DirModePerm, u.store.FileModePerm = 0o755, 0o644
	composer := tusd.NewStoreComposer()
	composer.UseCore(u.store)
	composer.UseTerminater(u.store)
	composer.UseLocker(u.locker)
	tus, err := tusd.NewUnroutedHandler(tusd.Config{
		StoreComposer:             composer,
		BasePath:                  "/",
		DisableDownload:           true,
		DisableConcatenation:      true,
		Cors:                      &tusd.CorsConfig{Disable: true},
		Logger:                    xslog.New(xslog.NewTextHandler(io.Discard, &xslog.HandlerOptions{Level: xslog.Level(99)})),
		PreUploadCreateCallback:   u.beforeCreate,
		PreFinishResponseCallback: u.beforeFinish,
	})
	if err != nil {
		panic(err) // the configuration above is valid
	}
	u.tus = tus
	u.post = tus.Middleware(http.HandlerFunc(tus.PostFile))
	u.head = tus.Middleware(http.HandlerFunc(tus.HeadFile))
	u.patch = tus.Middleware(http.HandlerFunc(tus.PatchFile))
	u.del = tus.Middleware(http.HandlerFunc(tus.DelFile))
	u.options = tus.Middleware(http.NotFoundHandler()) // the middleware answers OPTIONS itself
	return u
}

// uploadCall is a request to the endpoint of a link that takes uploads,
// from a guest allowed to use it.
type uploadCall struct {
	sh     catalog.Share
	guest  archive.Guest
	t      uploadStrs
	client clientLink
	over   atomic.Bool // the body held more bytes than the upload has left
}

type uploadCallKey struct{}

func callOf(ctx context.Context) *uploadCall { return ctx.Value(uploadCallKey{}).(*uploadCall) }

// route checks what every upload route needs (sameOrigin has refused
// writes from other sites): an active link (404, 410), the password when
// the link has one (403), a link that takes uploads (403); refusals are
// the JSON of the other guest actions.
func (u *uploads) route(h func(http.ResponseWriter, *http.Request, *uploadCall)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What an earlier process left is swept before this one touches
		// any upload: the requests that come meanwhile wait.
		ctx := context.WithoutCancel(r.Context()) // the sweep goes to its end, whatever becomes of this request
		u.started.Do(func() { u.sweep(ctx, true) })
		w.Header().Set("Tus-Resumable", "1.0.0")
		sh, ok := u.s.apiShare(w, r)
		if !ok {
			return
		}
		t := uploadTexts(texts(r))
		if archive.UploadMax(sh) == 0 {
			refuse(w, http.StatusForbidden, codeNotAllowed, t.NotAllowed)
			return
		}
		c := &uploadCall{sh: sh, guest: u.s.guest(r, sh), t: t, client: clientLink{clientKey(u.s.clientAddr(r)), sh.ID}}
		h(w, r.WithContext(context.WithValue(r.Context(), uploadCallKey{}, c)), c)
	})
}

// refuse answers an upload request that cannot go on, with words of its
// own.
func refuse(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{Error: message, Code: code})
}

// toTus hands a request to one of tusd's routes, with the path cut down
// to the upload's id.
func toTus(h http.Handler, w http.ResponseWriter, r *http.Request, id string) {
	r2 := *r
	r2.URL = &url.URL{Path: "/" + id, RawQuery: r.URL.RawQuery}
	h.ServeHTTP(w, &r2)
}

func (u *uploads) discover(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	w.Header().Set("Tus-Max-Size", strconv.FormatInt(archive.UploadMax(c.sh), 10))
	toTus(u.options, w, r, "")
}

// create makes a new upload (POST), after beforeCreate's checks.
func (u *uploads) create(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	if !u.allowCreate(w, r, c) {
		return
	}
	if r.Header.Get("Content-Type") == "application/offset+octet-stream" { // creation-with-upload: it sends bytes too
		release, ok := u.enter(w, r, c)
		if !ok {
			return
		}
		defer release()
		if n, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64); err == nil {
			watchBody(r, c, n)
		}
	}
	u.sweepNow(r.Context())
	toTus(u.post, &locationWriter{ResponseWriter: w, base: "/s/" + r.PathValue("token") + "/uploads/"}, r, "")
}

// beforeCreate is tusd's PreUploadCreateCallback: the guest may upload a
// file of this size through the link, and it fits in the space of the
// user it is charged to, now. It keeps with the upload who made it.
func (u *uploads) beforeCreate(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	c := callOf(ev.Context)
	if err := u.a.CheckUpload(ev.Context, c.guest, ev.Upload.Size); err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, u.refusal(ev.Context, c, err)
	}
	meta := tusd.MetaData{metaShare: strconv.FormatInt(c.sh.ID, 10), metaDevice: c.guest.Device}
	for _, k := range []string{metaFileName, metaFileType} {
		if v := ev.Upload.MetaData[k]; v != "" && len(v) <= maxMetaValue {
			meta[k] = v
		}
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: meta}, nil
}

// refusal is the answer to an upload the archive will not take.
func (u *uploads) refusal(ctx context.Context, c *uploadCall, err error) error {
	var tooLarge *archive.TooLargeError
	var full *archive.QuotaFullError
	switch {
	case errors.Is(err, archive.ErrNoName):
		return tusError(http.StatusForbidden, codeNoName, c.t.NeedName)
	case errors.Is(err, archive.ErrNotAllowed):
		return tusError(http.StatusForbidden, codeNotAllowed, c.t.NotAllowed)
	case errors.As(err, &tooLarge):
		return tusError(http.StatusRequestEntityTooLarge, codeTooLarge, c.t.tooLarge(tooLarge.Max))
	case errors.As(err, &full):
		return tusError(http.StatusRequestEntityTooLarge, codeQuota, c.t.quotaFull(full))
	}
	u.s.log.ErrorContext(ctx, "upload", "err", err)
	return err
}

// tusError is a refusal as tusd sends it.
func tusError(status int, code, message string) tusd.Error {
	body, _ := json.Marshal(apiError{Error: message, Code: code}) // a struct of strings
	return tusd.Error{ErrorCode: code, Message: message, HTTPResponse: tusd.HTTPResponse{
		StatusCode: status, Body: string(body) + "\n",
		Header: tusd.HTTPHeader{"Content-Type": "application/json", "Cache-Control": "no-store"},
	}}
}

// offset answers HEAD: the bytes received so far; for an upload already
// imported, all of them and what became of it.
func (u *uploads) offset(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	u.withUpload(w, r, c, func(uploadState) { toTus(u.head, w, r, r.PathValue("id")) }, func(up catalog.Upload) {
		u.writeDone(w, r, c, up, http.StatusOK)
	})
}

// append receives bytes (PATCH); the last ones make beforeFinish import
// the file. An upload already imported answers as complete.
func (u *uploads) append(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	release, ok := u.enter(w, r, c)
	if !ok {
		return
	}
	defer release()
	u.withUpload(w, r, c, func(st uploadState) {
		if off, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64); err == nil {
			watchBody(r, c, st.info.Size-off)
		}
		toTus(u.patch, w, r, r.PathValue("id"))
	}, func(up catalog.Upload) {
		if r.Header.Get("Upload-Offset") != strconv.FormatInt(up.Bytes, 10) {
			refuse(w, http.StatusConflict, codeOffset, c.t.Complete)
			return
		}
		u.writeDone(w, r, c, up, http.StatusNoContent)
	})
}

// terminate ends an upload that is still receiving (DELETE).
func (u *uploads) terminate(w http.ResponseWriter, r *http.Request, c *uploadCall) {
	u.withUpload(w, r, c, func(uploadState) { toTus(u.del, w, r, r.PathValue("id")) }, nil)
}

// withUpload finds the caller's upload {id} and hands it to receiving
// while it is in incoming/, to done once it has been imported (404 when
// done is nil), and answers 404 when the caller has no such upload.
func (u *uploads) withUpload(w http.ResponseWriter, r *http.Request, c *uploadCall, receiving func(uploadState), done func(catalog.Upload)) {
	switch st := u.state(r.Context(), c, r.PathValue("id")); {
	case st.err != nil:
		u.s.internalError(w, r, st.err)
	case st.receiving:
		receiving(st)
	case st.done != nil && done != nil:
		done(*st.done)
	default:
		tusNotFound(w, r)
	}
}

// watchBody notes in c when the request's body holds more than left
// bytes. tusd stores no more than an upload's length, but stops reading
// only once it has stored that much, and the upload is then complete:
// beforeFinish refuses it rather than import the first bytes of a longer
// file.
func watchBody(r *http.Request, c *uploadCall, left int64) {
	if r.Body != nil {
		r.Body = &cappedBody{ReadCloser: r.Body, left: left, over: &c.over}
	}
}

type cappedBody struct {
	io.ReadCloser
	left int64
	over *atomic.Bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.left -= int64(n); b.left < 0 {
		b.over.Store(true)
	}
	return n, err
}

func tusNotFound(w http.ResponseWriter, r *http.Request) {
	fail(w, r, http.StatusNotFound, codeNotFound, 0)
}

// uploadState is where an upload of the caller's is.
type uploadState struct {
	receiving bool            // in incoming/, bytes still arriving (or the last ones not imported yet)
	complete  bool            // receiving, every byte is in
	info      tusd.FileInfo   // when receiving
	done      *catalog.Upload // imported: what became of it
	err       error
}

// state finds an upload of the caller's link and device; neither
// receiving nor done when there is none (or it is another's).
func (u *uploads) state(ctx context.Context, c *uploadCall, id string) uploadState {
	if !tusID.MatchString(id) || c.guest.Device == "" {
		return uploadState{}
	}
	info, err := u.receiving(ctx, id)
	switch {
	case err == nil && info.MetaData[metaShare] == strconv.FormatInt(c.sh.ID, 10) && info.MetaData[metaDevice] == c.guest.Device:
		return uploadState{receiving: true, complete: info.Offset == info.Size, info: info}
	case err == nil:
		return uploadState{}
	case !errors.Is(err, tusd.ErrNotFound):
		return uploadState{err: err}
	}
	up, err := u.s.lib.Catalog.UploadByTusID(ctx, id)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		return uploadState{}
	case err != nil:
		return uploadState{err: err}
	case up.ShareID != c.sh.ID || up.Device != c.guest.Device:
		return uploadState{}
	}
	return uploadState{done: &up}
}

// receiving reads an upload kept in incoming/ (tusd.ErrNotFound when
// there is none).
func (u *uploads) receiving(ctx context.Context, id string) (tusd.FileInfo, error) {
	up, err := u.store.GetUpload(ctx, id)
	if err != nil {
		return tusd.FileInfo{}, err
	}
	return up.GetInfo(ctx)
}
